"""The results: one row per listing, filled page by page from the database as the cursor
nears the end; clicking a column header sorts by it (in the database, not on the page)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from aggregator.presentation import closing_soon, deadline_text, place, terms
from aggregator.terminal.console import safe
from aggregator.tui.actions import bindings

if TYPE_CHECKING:
    from aggregator.store.models import Listing

# (column key, label, the filter's sort key or None when it cannot sort)
COLUMNS = (
    ("star", "★", None), ("kind", "kind", "kind"), ("title", "title", "title"),
    ("organization", "organisation", "organization"), ("place", "place", "place"),
    ("deadline", "deadline", "deadline"), ("terms", "contract/CPV", None),
    ("source", "source", "source"),
)
SORT_KEYS = {key: sort for key, _, sort in COLUMNS if sort}
LOAD_MORE_WITHIN = 20  # rows from the end at which the next page is fetched
_WIDTHS = {"star": 1, "kind": 6, "deadline": 20, "terms": 10, "source": 12}
_SHARES = (("title", 0.5), ("organization", 0.3), ("place", 0.2))
NARROW = 100  # below this width, contract/CPV and source make room for the text columns


class ResultsTable(DataTable):
    BINDINGS = bindings("table")

    class LoadMore(Message):
        """The cursor is near the last loaded row and the database has more."""

    class SortRequested(Message):
        def __init__(self, sort: str) -> None:
            super().__init__()
            self.sort = sort

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.listings: list[Listing] = []
        self.skipped = 0  # rows of fetched pages left out because they were already shown
        self.has_more = False
        self.loading_more = False
        self.load_more_within = LOAD_MORE_WITHIN

    @property
    def next_offset(self) -> int:
        """Where the next page starts in the database's order: the rows shown plus the rows
        skipped (they come back in a later page when a crawl inserts rows above them)."""
        return len(self.listings) + self.skipped

    def on_mount(self) -> None:
        for key, label, _ in COLUMNS:
            self.add_column(Text(label), key=key, width=_WIDTHS.get(key))

    def on_resize(self) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Title, organisation and place share what the fixed columns leave."""
        widths = dict(_WIDTHS)
        if self.size.width < NARROW:
            widths.update(terms=0, source=0)
        free = self.size.width - sum(widths.values()) - 2 * len(COLUMNS) - 2
        widths.update({key: max(int(max(free, 24) * share), 6) for key, share in _SHARES})
        for key, width in widths.items():
            self.columns[key].width = width
            self.columns[key].auto_width = False
        self._require_update_dimensions = True
        self.refresh()

    # ---- rows
    def _cells(self, listing: Listing) -> list[Text]:
        soon = closing_soon(listing)
        return [
            Text("★" if listing.starred else "", style="yellow"),
            safe(listing.kind),
            safe(listing.title),
            safe(listing.organization),
            safe(place(listing)),
            safe(deadline_text(listing, short=True), style="bold red" if soon else ""),
            safe(terms(listing)),
            safe(listing.source),
        ]

    def show_page(self, listings: Sequence[Listing], *, reset: bool, has_more: bool) -> None:
        if reset:
            self.clear()
            self.listings = []
            self.skipped = 0
        # Pages are read by offset while a crawl may be writing: rows inserted above the
        # shown ones push rows already shown into the next page. Each listing is shown once.
        shown = {listing.id for listing in self.listings}
        for listing in listings:
            if listing.id in shown:
                self.skipped += 1
                continue
            shown.add(listing.id)
            self.add_row(*self._cells(listing), key=str(listing.id))
            self.listings.append(listing)
        self.has_more = has_more
        self.loading_more = False
        if not reset:  # a page of rows already shown adds nothing: the cursor is still near
            self._load_more_near(self.cursor_row)

    def page_failed(self) -> None:
        """The next page could not be read: the next cursor move asks for it again."""
        self.loading_more = False

    def listing_at_cursor(self) -> Listing | None:
        if not self.listings or self.cursor_row < 0 or self.cursor_row >= len(self.listings):
            return None
        return self.listings[self.cursor_row]

    def update_listing(self, listing: Listing) -> None:
        key = str(listing.id)
        for column, cell in zip((c[0] for c in COLUMNS), self._cells(listing), strict=True):
            self.update_cell(key, column, cell)

    def remove_listing(self, listing_id: int) -> None:
        self.remove_row(str(listing_id))
        self.listings = [item for item in self.listings if item.id != listing_id]

    # ---- events
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._load_more_near(event.cursor_row)

    def _load_more_near(self, row: int) -> None:
        near_end = row >= len(self.listings) - self.load_more_within
        if near_end and self.has_more and not self.loading_more:
            self.loading_more = True
            self.post_message(self.LoadMore())

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        sort = SORT_KEYS.get(str(event.column_key.value))
        if sort:
            self.post_message(self.SortRequested(sort))
