"""Terminal output shared by the commands: one console, and listing text kept harmless."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from rich.text import Text

from aggregator.config import LOCAL_TZ
from aggregator.normalize.text import strip_controls

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def safe(value: object, *, style: str = "") -> Text:
    """Listing text as data, never markup: `[bold]` shows as typed, escapes are removed."""
    if value is None:
        return Text("")
    return Text(strip_controls(str(value)), style=style)


def local(when: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    return when.astimezone(LOCAL_TZ).strftime(fmt) if when else ""


def days_left(deadline: datetime | None, now: datetime | None = None) -> int | None:
    if deadline is None:
        return None
    now = now or datetime.now(UTC)
    return (deadline.astimezone(LOCAL_TZ).date() - now.astimezone(LOCAL_TZ).date()).days
