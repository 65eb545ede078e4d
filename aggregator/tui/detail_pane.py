"""The details of the highlighted listing: why it matched the filter, description, places,
lots, every source of a cross-source duplicate, change history and link. Listing text is
shown as data (rich Text)."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from aggregator.terminal.listings import Detail, WhyLines, detail_renderable


class DetailPane(VerticalScroll):
    can_focus = True
    listing_id: int | None = None  # the listing shown, if any

    def compose(self):
        yield Static(id="detail-body")

    def show_detail(self, detail: Detail, why: WhyLines | None = None) -> None:
        """The listing and, when given, why it matched the filter."""
        self.listing_id = detail.listing.id
        self.query_one("#detail-body", Static).update(detail_renderable(detail, why))
        self.scroll_home(animate=False)

    def show_message(self, message: str) -> None:
        self.listing_id = None
        self.query_one("#detail-body", Static).update(Text(message))
