"""`aggregator tui`: filter bar, results paged from the database, details, keys in the footer.

Every query runs in a worker thread (the store is SQLite in WAL mode or PostgreSQL), so the
screen stays responsive while a crawl writes; results older than the latest filter are
dropped. A store error ("database is locked" while a crawl commits) is shown in the status
bar, the details pane or a notification, and the app goes on: Textual would otherwise close
the app on a worker's exception. All data goes through aggregator.query; listing text is
shown as data, never markup.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from textual import events, work
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Input

from aggregator.i18n import _, ngettext, number
from aggregator.presentation import DATE, local
from aggregator.query import Filter, FilterError, count, get_listing, search, stream
from aggregator.query.completion import hint
from aggregator.query.why import explain
from aggregator.scheduling import health as source_health
from aggregator.store.flags import set_flags
from aggregator.tui.actions import bindings
from aggregator.tui.detail_pane import DetailPane
from aggregator.tui.export_screen import ExportScreen
from aggregator.tui.filter_bar import FilterBar
from aggregator.tui.help_screen import HelpScreen
from aggregator.tui.results_table import ResultsTable
from aggregator.tui.status_bar import StatusBar

HERE = Path(__file__).parent
PAGE_SIZE = 100
COUNT_CAP = 10_001
NARROW = 120  # below this width, the details pane opens under the results
SORT_CYCLE = ("deadline", "published", "title")  # what `S` steps through
HEALTH_EVERY = 300  # seconds between two looks at source health
AS_OF_NOTICE = 15  # seconds the "as of" notice stays, unless a listing is opened first


def problem(exc: BaseException) -> str:
    """An error in one line: the database's own words ("database is locked"), without the
    SQL statement SQLAlchemy appends."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


class AggregatorApp(App[None]):
    TITLE = "aggregator"
    CSS_PATH = [HERE / name for name in (
        "app.tcss", "filter_bar.tcss", "results_table.tcss", "detail_pane.tcss",
        "status_bar.tcss")]
    BINDINGS = bindings("app")
    # its commands (themes, screenshots, "maximize") are Textual's, in English, and none is
    # this app's
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, engine: Engine, query: Filter | str = "", *,
                 page_size: int = PAGE_SIZE, health: bool = True,
                 as_of: datetime | None = None, note: str | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.as_of = as_of  # the instant listings are read at (None: now; `--as-of`)
        self.note = note  # said when the app opens (recorded listings, as of which day)
        self.as_of_notice = False  # that notice is on screen
        # the filter bar starts with the query's text form
        self.initial_query = query.to_text() if isinstance(query, Filter) else query
        self.page_size = page_size
        self.health = health
        self.filter = Filter(limit=page_size)
        self.generation = 0  # bumped by every new search: stale results are dropped
        self.total: int | None = None

    def compose(self) -> ComposeResult:
        yield FilterBar(self.initial_query, id="filter")
        with Horizontal(id="main"):
            yield ResultsTable(id="results")
            yield DetailPane(id="detail")
        yield StatusBar(id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._fit_layout(self.size.width)
        self.table.load_more_within = min(self.table.load_more_within, self.page_size // 2)
        self.table.focus()
        self.apply_filter_text(self.initial_query)
        if self.note:
            self.notify(self.note, title=_("As of"), timeout=AS_OF_NOTICE, markup=False)
            self.as_of_notice = True
            self.set_timer(AS_OF_NOTICE, self._as_of_notice_gone)
            if self.as_of is not None:  # in sight once the notice is gone, the note on hover
                self.status.set_as_of(local(self.as_of, DATE), self.note)
        if self.health:
            self.load_source_health()
            self.set_interval(HEALTH_EVERY, self.load_source_health)

    def on_resize(self, event: events.Resize) -> None:
        self._fit_layout(event.size.width)  # the app's own size is still the one before

    def _fit_layout(self, width: int) -> None:
        # the details pane beside the results leaves a narrow terminal too little of both
        self.query_one("#main").set_class(width < NARROW, "-narrow")

    def _as_of_notice_gone(self) -> None:
        self.as_of_notice = False

    # ---- widgets
    @property
    def table(self) -> ResultsTable:
        return self.query_one(ResultsTable)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    # ---- searching
    def apply_filter_text(self, text: str) -> None:
        try:
            parsed = Filter.parse(text, limit=self.page_size, as_of=self.as_of)
        except FilterError as exc:
            # the old results would read as this filter's: gone, and the reason shown
            self.generation += 1
            self.total = None
            self.filter_bar.mark_invalid(True)
            self.table.clear_listings()
            self.detail.show_message(_("No listing."))
            self.status.set_message(_("Filter not run: %(reason)s") % {"reason": exc},
                                    error=True)
            return
        self.filter_bar.mark_invalid(False)
        self.filter_bar.remember(text)
        self.start_search(parsed)

    def start_search(self, filter: Filter) -> None:
        self.filter = filter
        self.generation += 1
        self.total = None
        self.status.set_message(_("searching…"))
        self.run_search(filter, self.generation)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, filter: Filter, generation: int) -> None:
        try:
            listings = search(self.engine, filter.page(0, self.page_size + 1))
        except Exception as exc:  # a store error is shown, the app goes on
            self.call_from_thread(self._failed, generation, _("search failed: %(problem)s")
                                  % {"problem": problem(exc)})
            return
        has_more = len(listings) > self.page_size
        self.call_from_thread(self._show_page, generation, listings[:self.page_size],
                              has_more, True)
        try:
            total = count(self.engine, filter, cap=COUNT_CAP)
        except Exception as exc:
            self.call_from_thread(self._failed, generation, _("counting failed: %(problem)s")
                                  % {"problem": problem(exc)})
            return
        self.call_from_thread(self._show_count, generation, total)

    @work(thread=True, exclusive=True, group="more")
    def load_more(self, filter: Filter, generation: int, offset: int) -> None:
        try:
            listings = search(self.engine, filter.page(offset, self.page_size + 1))
        except Exception as exc:
            self.call_from_thread(self._page_failed, generation, problem(exc))
            return
        self.call_from_thread(self._show_page, generation, listings[:self.page_size],
                              len(listings) > self.page_size, False)

    def _failed(self, generation: int, message: str) -> None:
        if generation == self.generation:
            self.status.set_message(message, error=True)

    def _page_failed(self, generation: int, reason: str) -> None:
        if generation == self.generation:
            self.table.page_failed()
            self._failed(generation, _("loading more failed: %(problem)s (move to try again)")
                         % {"problem": reason})

    def _show_page(self, generation: int, listings: list[Any], has_more: bool,
                   reset: bool) -> None:
        if generation != self.generation:
            return
        self.table.show_page(listings, reset=reset, has_more=has_more)
        self._show_count(generation, self.total)
        if reset and self.detail.has_class("-open"):
            self._load_detail_at_cursor()

    def _show_count(self, generation: int, total: int | None) -> None:
        if generation != self.generation:
            return
        self.total = total
        self.status.set_results(len(self.table.listings), total, COUNT_CAP,
                                self.filter.to_text())

    def on_input_changed(self, event: Input.Changed) -> None:
        """While a ``cpv:`` value is typed, the status bar says which codes it stands for."""
        if isinstance(event.input, FilterBar) and event.input.has_focus:
            shown = hint(event.value)
            if shown:
                self.status.set_message(shown)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if isinstance(event.input, FilterBar):
            self.apply_filter_text(event.value)
            if not event.input.has_class("-invalid"):
                self.table.focus()

    def on_results_table_load_more(self, _: ResultsTable.LoadMore) -> None:
        self.load_more(self.filter, self.generation, self.table.next_offset)

    def on_results_table_sort_requested(self, event: ResultsTable.SortRequested) -> None:
        current = self.filter.sort or ""
        self.sort_by(f"-{event.sort}" if current == event.sort else event.sort)

    def sort_by(self, sort: str) -> None:
        filter = replace(self.filter, sort=sort)
        self.filter_bar.value = filter.to_text()
        self.start_search(filter)

    # ---- details
    def on_data_table_row_selected(self, _: DataTable.RowSelected) -> None:
        self.detail.add_class("-open")
        if self.as_of_notice:
            # it lies over the details (at 80×24, most of them); the status line still
            # says "as of". Textual dismisses no single notification: any other shown in
            # those first seconds goes too, older than the listing opened as well.
            self.clear_notifications()
            self.as_of_notice = False
        self._load_detail_at_cursor()
        # the pane takes rows from the table (under it, in a narrow terminal): keep the
        # listing it shows in sight
        self.call_after_refresh(self.table.move_cursor, row=self.table.cursor_row)

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        if self.detail.has_class("-open"):
            self._load_detail_at_cursor()

    def _load_detail_at_cursor(self) -> None:
        listing = self.table.listing_at_cursor()
        if listing is None:
            self.detail.show_message(_("No listing."))
            return
        self.load_detail(listing.id, self.filter)

    @work(thread=True, exclusive=True, group="detail")
    def load_detail(self, listing_id: int, filter: Filter) -> None:
        """The listing's detail and, with the filter it was found by, why it matched."""
        try:
            detail = get_listing(self.engine, listing_id)
            why = explain(self.engine, filter, [detail.listing], now=filter.as_of)[listing_id] \
                if detail is not None else None
        except Exception as exc:
            self.call_from_thread(self.detail.show_message,
                                  _("Could not read the listing: %(problem)s")
                                  % {"problem": problem(exc)})
            return
        if detail is None:
            self.call_from_thread(self.detail.show_message,
                                  _("This listing is no longer stored."))
        else:
            self.call_from_thread(self.detail.show_detail, detail, why)

    # ---- actions (keys: actions.py)
    def action_focus_filter(self) -> None:
        self.filter_bar.focus()

    def action_close_details(self) -> None:
        if self.focused is self.filter_bar:
            self.table.focus()
        elif self.detail.has_class("-open"):
            self.detail.remove_class("-open")
            self.table.focus()

    def action_cycle_sort(self) -> None:
        """The next of SORT_CYCLE after the current order (the first from any other)."""
        current = (self.filter.sort or "").lstrip("-")
        following = SORT_CYCLE.index(current) + 1 if current in SORT_CYCLE else 0
        self.sort_by(SORT_CYCLE[following % len(SORT_CYCLE)])

    def action_refresh(self) -> None:
        self.start_search(self.filter)

    def action_open_link(self) -> None:
        listing = self.table.listing_at_cursor()
        url = listing.url if listing is not None else ""
        if url and url.lower().startswith(("https://", "http://")):
            self.open_url(url)
            self.notify(url, title=_("Opening"), markup=False)

    def action_toggle_star(self) -> None:
        listing = self.table.listing_at_cursor()
        if listing is not None:
            self.write_flags(listing, starred=not listing.starred)

    def action_toggle_hide(self) -> None:
        listing = self.table.listing_at_cursor()
        if listing is not None:
            self.write_flags(listing, hidden=not listing.hidden)

    @work(thread=True, group="flags")
    def write_flags(self, listing: Any, *, starred: bool | None = None,
                    hidden: bool | None = None) -> None:
        try:
            set_flags(self.engine, [listing.id], starred=starred, hidden=hidden)
        except Exception as exc:
            self.call_from_thread(self.notify, _("Could not change the listing: %(problem)s")
                                  % {"problem": problem(exc)},
                                  severity="error", markup=False)
            return
        self.call_from_thread(self._flags_written, listing, starred, hidden)

    def _flags_written(self, listing: Any, starred: bool | None, hidden: bool | None) -> None:
        if starred is not None:
            listing.starred = starred
            self.table.update_listing(listing)
        if hidden is not None:
            listing.hidden = hidden
            shown = self.filter.hidden is None or self.filter.hidden == hidden
            if not shown:
                self.table.remove_listing(listing.id)
                if self.total is not None and self.total < COUNT_CAP:
                    self.total -= 1
                self._show_count(self.generation, self.total)
                message = (_("Hidden: %(title)s  (hidden:yes lists hidden listings)") if hidden
                           else _("Shown again: %(title)s"))
                self.notify(message % {"title": listing.title}, markup=False)
                if self.detail.has_class("-open"):  # the row under the cursor is another one
                    self._load_detail_at_cursor()
            else:
                self.table.update_listing(listing)

    def action_export(self) -> None:
        total = self.total if self.total is not None else len(self.table.listings)
        if not total:
            self.notify(_("Nothing to export: no listing matches the filter."), markup=False)
            return
        if total >= COUNT_CAP:  # counting stopped there
            about = ngettext("more than %(n)s listing", "more than %(n)s listings",
                             COUNT_CAP - 1) % {"n": number(COUNT_CAP - 1)}
        else:
            about = ngettext("%(n)s listing", "%(n)s listings", total) % {"n": number(total)}
        self.push_screen(ExportScreen(about), self._export_chosen)

    def _export_chosen(self, choice: tuple[Path, str] | None) -> None:
        if choice is not None:
            self.export(self.filter, *choice)

    @work(thread=True, group="export")
    def export(self, filter: Filter, path: Path, fmt: str) -> None:
        from aggregator.export import (
            CSV_COLUMNS,
            FileOnFirstWrite,
            spreadsheet_style,
            write_csv,
            write_ics,
            write_jsonl,
        )

        try:
            # read in batches, and written as read; CSV and JSON lines read only their columns
            listings = stream(self.engine, filter.page(0, None),
                              **({} if fmt == "ics" else {"columns": CSV_COLUMNS}))
            if fmt == "ics":
                output = FileOnFirstWrite(path)
                try:
                    written = write_ics(listings, output)
                finally:
                    if output.file is not None:
                        output.file.close()
                if not written:  # an empty calendar is no valid file: none is written
                    self.call_from_thread(
                        self.notify, _("Nothing to export: none of these listings has a "
                                       "deadline; %(path)s not written.") % {"path": path},
                        severity="warning", markup=False)
                    return
                message = ngettext("%(n)d deadline event written to %(path)s",
                                   "%(n)d deadline events written to %(path)s", written)
            else:
                with path.open("w", encoding="utf-8", newline="") as out:
                    # read in a spreadsheet: split as the reader's opens it, with a BOM
                    written = (write_csv(listings, out, bom=True, style=spreadsheet_style())
                               if fmt == "csv" else write_jsonl(listings, out))
                message = ngettext("%(n)d listing written to %(path)s",
                                   "%(n)d listings written to %(path)s", written)
        except Exception as exc:  # a file or a store error
            self.call_from_thread(self.notify,
                                  _("Export failed: %(problem)s") % {"problem": problem(exc)},
                                  severity="error", markup=False)
            return
        self.call_from_thread(self.notify, message % {"n": written, "path": path},
                              title=_("Exported"), markup=False)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # ---- source health (aggregator.scheduling.health: the crawl runs' verdict per source)
    @work(thread=True, exclusive=True, group="health")
    def load_source_health(self) -> None:
        try:
            broken = source_health.broken_sources(self.engine)
        except Exception:  # health is a hint: never break the search UI
            return
        self.call_from_thread(self.status.set_source_health, broken)
