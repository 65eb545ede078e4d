"""The results: one row per listing, filled page by page from the database as the cursor
nears the end; clicking a column header sorts by it (in the database, not on the page).

No short column is ever cut: kind, deadline, contract/CPV and source are as wide as their
widest cell, title, organisation and place share the rest as in `aggregator list`, and
when that leaves the title too little room (a small terminal, the details pane open) the
optional columns are left out, least useful first. A place cut short keeps its department
or country code. Closed and cancelled listings are dimmed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from aggregator.i18n import N_, _
from aggregator.presentation import (
    PLACE_CODE,
    closing_soon,
    deadline_text,
    kind_short,
    organization_text,
    place,
    terms,
)
from aggregator.terminal.console import safe
from aggregator.terminal.fit import WORD_MAX, WORD_MIN, shared_widths
from aggregator.terminal.listings import TITLE_MIN
from aggregator.tui.actions import bindings

if TYPE_CHECKING:
    from aggregator.query.records import ListingRecord

# (column key, label, the filter's sort key or None when it cannot sort)
COLUMNS = (
    ("star", "★", None), ("kind", N_("kind"), "kind"), ("title", N_("title"), "title"),
    ("organization", N_("organisation"), "organization"), ("place", N_("place"), "place"),
    ("deadline", N_("deadline"), "deadline"), ("terms", N_("contract/CPV"), None),
    ("source", N_("source"), "source"),
)
SORT_KEYS = {key: sort for key, _label, sort in COLUMNS if sort}
LOAD_MORE_WITHIN = 20  # rows from the end at which the next page is fetched
_OPTIONAL = ("source", "terms", "kind", "organization")  # left out first to last
# Title, organisation and place share what the others leave as `aggregator list` shares it
# (aggregator/terminal/listings.py); the others are as wide as their widest cell.
_RATIOS = {"title": 3, "organization": 2, "place": 1}
_ORGANIZATION_MIN = 12  # a name in many words, cut as a title is; a place is one name
_PADDING = 2  # DataTable's cell padding, each side together
_SCROLLBAR = 2


def cut_place(text: str, width: int | None) -> str:
    """``text`` in ``width`` cells: a place too long keeps its department or country code
    and loses the end of its name, at a space when one is near: "Saint-Laurent… (973)",
    "Marseille… (13)" (not "Saint-Laurent-du-Maroni (9…", which no longer says where)."""
    if width is None or cell_len(text) <= width:
        return text
    code = PLACE_CODE.search(text)
    if code is None or cell_len(code.group(0)) + 2 > width:  # no room for a name as well
        return text
    name = text[:code.start()]
    room = width - cell_len(code.group(0)) - 1  # the name's cells, "…" excluded
    while cell_len(name) > room:
        name = name[:-1]
    if " " in name and name.rindex(" ") >= room // 2:  # "Marseille…", not "Marseille 1…"
        name = name[:name.rindex(" ")]
    return f"{name.rstrip()}…{code.group(0)}"


def fit_columns(width: int, content: dict[str, int]) -> dict[str, int]:
    """The columns shown in a table ``width`` cells wide and each one's width, given how
    wide each column's content is, its label included (0: an empty column, left out).

    The widths are shared as the CLI shares them (aggregator/terminal/fit.py
    ``shared_widths``), but a cell is one line here: a place is one name, whole when it
    fits; an organisation is cut as a title is, down to _ORGANIZATION_MIN; the title is
    never below TITLE_MIN and takes the room left. Optional columns go, least useful first,
    while those least widths do not fit (a place counted up to WORD_MAX, as a word is
    there); then the place is cut shorter, down to WORD_MIN, and on a terminal narrower
    still, the title."""
    labels = {key: _(label) for key, label, _sort in COLUMNS}
    shown = [key for key, _label, _sort in COLUMNS if content.get(key, 1)]

    def least(key: str, word_max: int) -> int:
        if key == "title":
            return TITLE_MIN
        if key in _RATIOS:  # a longer one ends in "…" rather than crowd the title out
            most = _ORGANIZATION_MIN if key == "organization" else word_max
            return min(max(content[key], cell_len(labels[key])), most, word_max)
        return content[key]

    def room() -> int:  # what the cells share: the scrollbar and their padding left out
        return width - _SCROLLBAR - _PADDING * len(shown)

    for optional in (None, *_OPTIONAL):
        if optional in shown:
            shown.remove(optional)
        if sum(least(key, WORD_MAX) for key in shown) <= room():
            break
    # the place whole when the columns kept leave it the room, else cut shorter as needed
    word_max = max(content.get("place", 0), WORD_MAX)
    while word_max > WORD_MIN and sum(least(key, word_max) for key in shown) > room():
        word_max -= 1  # cheap here: no Rich measure (the CLI steps by 2)
    leasts = [least(key, word_max) for key in shown]
    over = sum(leasts) - room()
    if over > 0:  # a tiny terminal: the title is cut too
        leasts[shown.index("title")] = max(TITLE_MIN - over, 1)
    widths = shared_widths(leasts, [max(content[key], 1) for key in shown],
                           [_RATIOS.get(key) for key in shown], max(room(), sum(leasts)))
    return dict(zip(shown, widths, strict=True))


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
        self.listings: list[ListingRecord] = []
        self.skipped = 0  # rows of fetched pages left out because they were already shown
        self.has_more = False
        self.loading_more = False
        self.load_more_within = LOAD_MORE_WITHIN
        self.widths: dict[str, int] = {}  # the columns shown and their widths

    @property
    def next_offset(self) -> int:
        """Where the next page starts in the database's order: the rows shown plus the rows
        skipped (they come back in a later page when a crawl inserts rows above them)."""
        return len(self.listings) + self.skipped

    def on_resize(self) -> None:
        self._fit_columns()

    # ---- columns
    def _content_widths(self) -> dict[str, int]:
        """How wide the content of each column is (its label too; 0 when every cell is
        empty: "deadline" over jobs takes no room)."""
        labels = {key: _(label) for key, label, _sort in COLUMNS}
        widths = dict.fromkeys(labels, 0)
        for listing in self.listings:
            cells = self._cells(listing, whole=True)
            for key in widths:
                widths[key] = max(widths[key], cells[key].cell_len)
        widths = {k: max(w, cell_len(labels[k])) if w else 0 for k, w in widths.items()}
        # the star is always there (starring moves no column); so are the title and place
        return widths | {"star": 1} | {key: max(widths[key], cell_len(labels[key]))
                                       for key in ("title", "place")}

    def _fit_columns(self) -> None:
        if not self.size.width:
            return
        widths = fit_columns(self.size.width, self._content_widths())
        if list(widths) != list(self.widths):
            self._rebuild(widths)
            return
        place_before, self.widths = self.widths.get("place"), widths
        for key, width in widths.items():
            self.columns[key].width = width
            self.columns[key].auto_width = False
        if widths.get("place") != place_before:  # the places are cut to the new width
            for listing in self.listings:
                if str(listing.id) in self.rows:  # not those of a page about to be added
                    self.update_cell(str(listing.id), "place", self._cells(listing)["place"])
        self._require_update_dimensions = True
        self.refresh()

    def _rebuild(self, widths: dict[str, int]) -> None:
        """Another set of columns: the rows are added again, the cursor stays."""
        row = self.cursor_row
        self.widths = widths
        labels = {key: _(label) for key, label, _sort in COLUMNS}
        # the same listing stays highlighted: nothing for the details pane to reload
        with self.prevent(DataTable.RowHighlighted):
            self.clear(columns=True)
            for key, width in widths.items():
                self.add_column(Text(labels[key]), key=key, width=width)
            for listing in self.listings:
                self._add(listing)
            if self.listings:
                self.move_cursor(row=min(max(row, 0), len(self.listings) - 1))

    # ---- rows
    def _cells(self, listing: ListingRecord, *, whole: bool = False) -> dict[str, Text]:
        """The row's cells; ``whole``: the place uncut (to measure it)."""
        soon = closing_soon(listing)
        cells = {
            "star": Text("★" if listing.starred else "", style="yellow"),
            "kind": safe(kind_short(listing.kind)),
            "title": safe(listing.title),
            "organization": safe(organization_text(listing)),
            "place": safe(cut_place(place(listing),
                                    None if whole else self.widths.get("place"))),
            "deadline": safe(deadline_text(listing, short=True),
                             style="bold red" if soon else ""),
            "terms": safe(terms(listing)),
            "source": safe(listing.source),
        }
        for cell in cells.values():
            cell.overflow = "ellipsis"  # a cut title says so: "Travaux de…"
            if listing.status != "open":  # closed, cancelled: still listed, read as past
                cell.stylize("dim")
        return cells

    def _add(self, listing: ListingRecord) -> None:
        cells = self._cells(listing)
        self.add_row(*(cells[key] for key in self.widths), key=str(listing.id))

    def show_page(self, listings: Sequence[ListingRecord], *, reset: bool, has_more: bool) -> None:
        if reset:
            self.clear()
            self.listings = []
            self.skipped = 0
        # Pages are read by offset while a crawl may be writing: rows inserted above the
        # shown ones push rows already shown into the next page. Each listing is shown once.
        shown = {listing.id for listing in self.listings}
        added = []
        for listing in listings:
            if listing.id in shown:
                self.skipped += 1
                continue
            shown.add(listing.id)
            self.listings.append(listing)
            added.append(listing)
        self.has_more = has_more
        self.loading_more = False
        before = dict(self.widths)
        self._fit_columns()
        if list(before) == list(self.widths):  # else _rebuild added every row
            for listing in added:
                self._add(listing)
        if not reset:  # a page of rows already shown adds nothing: the cursor is still near
            self._load_more_near(self.cursor_row)

    def clear_listings(self) -> None:
        """No rows (a filter that cannot be run leaves no stale results on screen)."""
        self.clear()
        self.listings = []
        self.skipped = 0
        self.has_more = False

    def page_failed(self) -> None:
        """The next page could not be read: the next cursor move asks for it again."""
        self.loading_more = False

    def listing_at_cursor(self) -> ListingRecord | None:
        if not self.listings or self.cursor_row < 0 or self.cursor_row >= len(self.listings):
            return None
        return self.listings[self.cursor_row]

    def update_listing(self, listing: ListingRecord) -> None:
        cells = self._cells(listing)
        for key in self.widths:
            self.update_cell(str(listing.id), key, cells[key])

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
