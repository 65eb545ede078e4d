"""One line under the results: how many match, filter errors, the day listings are read at
when it is not today (a replay, --as-of), and sources that are broken."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from aggregator.i18n import _, number
from aggregator.terminal.console import safe


class StatusBar(Horizontal):
    def compose(self) -> ComposeResult:
        yield Static(id="status-message")
        yield Static(id="as-of")
        yield Static(id="source-health")

    def set_message(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#status-message", Static)
        message.set_class(error, "-error")
        message.update(Text(text))  # data, never markup

    def set_results(self, shown: int, total: int | None, cap: int, filter_text: str) -> None:
        if total == 0:
            self.set_message(_("No listing matches: %(query)s")
                             % {"query": filter_text or _("open listings")})
            return
        if total is None:
            about = "…"
        elif total >= cap:
            about = _("more than %(n)s") % {"n": number(cap - 1)}
        else:
            about = number(total)
        self.set_message(_("%(shown)s of %(total)s · %(query)s") % {
            "shown": number(shown), "total": about, "query": filter_text or _("open listings")})

    def set_as_of(self, day: str, note: str) -> None:
        """The day open, closed and days left are judged on (``note`` says why, on hover)."""
        label = self.query_one("#as-of", Static)
        label.update(Text(_("as of %(day)s") % {"day": day}))
        label.tooltip = Text(note)  # data, never markup
        label.display = True

    def set_source_health(self, health: Sequence[Any]) -> None:
        """Broken sources (aggregator.scheduling.health.broken_sources): their listings may
        be missing."""
        label = self.query_one("#source-health", Static)
        names = [h.source for h in health]
        label.set_class(bool(names), "-broken")
        label.update(safe(_("⚠ broken: %(sources)s") % {"sources": ", ".join(names)}
                          if names else ""))
        # A str tooltip is read as markup, and a reason quotes a crawl error ("[/]" ...):
        # a Text is shown as typed.
        reasons = "\n".join(f"{h.source}: {h.reason}" for h in health)
        label.tooltip = safe(reasons) if reasons else None
