"""Terminal output shared by the commands: one console, and listing text kept harmless."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

# the time helpers are shared with the TUI and the mail digests (aggregator/display.py)
from aggregator.display import days_left as days_left
from aggregator.display import local as local
from aggregator.normalize.text import strip_controls

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def safe(value: object, *, style: str = "") -> Text:
    """Listing text as data, never markup: `[bold]` shows as typed, escapes are removed."""
    if value is None:
        return Text("")
    return Text(strip_controls(str(value)), style=style)


# How a crawl run's outcome is shown (crawl summary, runs, sources).
OUTCOME_STYLES = {"ok": "green", "partial": "yellow", "failed": "bold red", "timeout": "red",
                  "offline": "red", "unconfigured": "dim", "running": "cyan"}
