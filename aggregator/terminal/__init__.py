"""The terminal rendering shared by the CLI and the TUI (and used by nothing else): one
console, listing text kept harmless, the listings table and a listing's detail."""
