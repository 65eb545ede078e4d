"""One console for the commands, and listing text kept harmless (``safe``)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from aggregator.normalize.text import strip_controls

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def safe(value: object, *, style: str = "") -> Text:
    """Listing text as data, never markup: `[bold]` shows as typed, escapes are removed."""
    if value is None:
        return Text("")
    return Text(strip_controls(str(value)), style=style)


# How a crawl run's outcome is shown (crawl summary, runs, sources).
# (keyed by aggregator.store.run_outcome.RunOutcome's values; an outcome not here is plain)
OUTCOME_STYLES = {"ok": "green", "partial": "yellow", "failed": "bold red", "timeout": "red",
                  "offline": "red", "unconfigured": "dim", "running": "cyan", "stopped": "yellow",
                  "interrupted": "yellow"}
