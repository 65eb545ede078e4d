"""The Textual terminal UI (`aggregator tui`): one widget or screen per module, its .tcss
beside it, key bindings from one registry (actions.py), data through aggregator.query."""
