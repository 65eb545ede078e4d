"""Opendatasoft Explore API v2.1 datasets, read one publication day at a time, newest first.

``GET {endpoint}/catalog/datasets/{dataset}/records?where=...&order_by=...&limit=...&offset=...``
answers at most ``limit`` = 100 records, and ``offset + limit`` may not exceed 10,000
(Opendatasoft's documented cap on /records; /exports has none but is not paged). So:

- one query per day: ``where=<date_field> = date'YYYY-MM-DD'`` (ODSQL date literal),
  ordered by a unique field so that pages are stable; the days of the ``since``..``until``
  window, or those ``-a days=`` lists;
- a day with more than 10,000 records is read from both ends: the first 10,000 in descending
  order, the rest in ascending order (up to 20,000 a day; more is counted and logged);
- days and pages are requested one after the other, newest day first: a notice that
  corrects an older one is then always seen first (see ``BoampSpider``), and a failed page
  never stops the walk (errback → next page, run marked partial).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from aggregator.items import RawListing
from spiders.base.listing_spider import ListingSpider


class OpenDataSoftSpider(ListingSpider):
    # (Scrapy sets every -a argument as an attribute: none of these names is an argument.)
    dataset: ClassVar[str]
    date_field: ClassVar[str]  # a date field: one query per day
    order_field: ClassVar[str] = "id"  # unique, so the order (and the pages) are stable
    max_page_size: ClassVar[int] = 100  # the most /records returns
    window_cap: ClassVar[int] = 10_000  # offset + limit may not exceed it

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.days: list[date] = []

    async def start(self) -> AsyncIterator[scrapy.Request]:
        chosen = self.chosen_days()
        if chosen:
            self.days = chosen
        else:
            since, until = self.since_date(), self.until_date()
            # Replays must ask for the same days: keep the computed window in the run's args.
            self.run_args.update(since=since.isoformat(), until=until.isoformat())
            self.days = [until - timedelta(days=n) for n in range((until - since).days + 1)]
        if self.days:
            yield self.page_request(0, offset=0, descending=True)

    def chosen_days(self) -> list[date]:
        """``-a days=2026-08-12,2006-07-05``: these publication days only (newest first),
        instead of the ``since``..``until`` window; the bundled replay set reads the recorded
        days of 2026 and of 2006 so, without the twenty years between."""
        days = {date.fromisoformat(day) for day in self.list_param("days")}
        return sorted(days, reverse=True)

    # -- requests ------------------------------------------------------------------------

    def where_clause(self, day: date) -> str:
        clause = f"{self.date_field} = date'{day.isoformat()}'"
        extra = self.param("where")
        return f"{clause} AND ({extra})" if extra else clause

    def records_url(self, day: date, *, offset: int, limit: int, descending: bool) -> str:
        query = urlencode({
            "where": self.where_clause(day),
            "order_by": f"{self.order_field} {'desc' if descending else 'asc'}",
            "limit": limit,
            "offset": offset,
        }, quote_via=quote)
        return f"{self.endpoint}/catalog/datasets/{self.dataset}/records?{query}"

    def page_request(self, day_index: int, *, offset: int, descending: bool,
                     total: int | None = None) -> scrapy.Request:
        day = self.days[day_index]
        limit = self.page_limit
        if total is not None and not descending:  # the tail of an over-full day
            limit = min(limit, self._tail(total) - offset)
        return scrapy.Request(
            self.records_url(day, offset=offset, limit=limit, descending=descending),
            callback=self.parse_page, errback=self.page_failed,
            headers={"Accept": "application/json"},
            meta={"day_index": day_index, "offset": offset, "descending": descending,
                  "total": total, "limit": limit})

    def _tail(self, total: int) -> int:
        """How many records the ascending pass reads: what the descending one could not."""
        return min(total - self.window_cap, self.window_cap)

    def next_request(self, meta: dict[str, Any], total: int | None) -> scrapy.Request | None:
        """The page after this one: same day, the day's tail, or the next (older) day."""
        day_index, offset, descending = meta["day_index"], meta["offset"], meta["descending"]
        if total is not None:
            following = offset + meta["limit"]
            if descending and following < min(total, self.window_cap):
                return self.page_request(day_index, offset=following, descending=True,
                                         total=total)
            if descending and total > self.window_cap:
                return self.page_request(day_index, offset=0, descending=False, total=total)
            if not descending and following < self._tail(total):
                return self.page_request(day_index, offset=following, descending=False,
                                         total=total)
        if day_index + 1 < len(self.days):
            return self.page_request(day_index + 1, offset=0, descending=True)
        return None

    # -- responses -----------------------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[RawListing | scrapy.Request]:
        meta = response.meta
        data = self.read_json(response)
        total = meta.get("total")
        if isinstance(data, dict):
            results = data.get("results")
            if isinstance(data.get("total_count"), int):
                total = data["total_count"]
            if not isinstance(results, list):
                self.logger.error("no results list in %s", response.url)
                self.partial = True
                results = []
            if meta["offset"] == 0 and meta["descending"] and total:
                self.crawler.stats.inc_value("aggregator/source_records", total)
                if total > 2 * self.window_cap:
                    self.logger.warning("%s: %d records on %s, only %d can be read",
                                        self.name, total, self.days[meta["day_index"]],
                                        2 * self.window_cap)
                    self.crawler.stats.inc_value("aggregator/capped_days")
                    self.partial = True
            for record in results:
                yield from self.read_record(record)
            if not results:
                total = None  # an empty page ends the day, whatever total_count said
        else:
            total = None
        following = self.next_request(meta, total)
        if following is not None:
            yield following

    def read_record(self, record: Any) -> Iterator[RawListing]:
        """``parse_record``, so that one bad record never stops the page."""
        if not isinstance(record, dict):
            self.drop_record("unreadable record")
            return
        try:
            yield from self.parse_record(record)
        except Exception as exc:  # a parser bug on one record is counted
            self.logger.exception("cannot read %s record", self.name)
            self.drop_record(f"unreadable record ({type(exc).__name__})",
                             record.get(self.order_field))

    def parse_record(self, record: dict[str, Any]) -> Iterator[RawListing]:
        raise NotImplementedError

    def page_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        """A page that failed after its retries: log it, mark the run partial, go on."""
        request = failure.request
        self.logger.error("%s page failed: %s (%s)", self.name, request.url,
                          failure.getErrorMessage())
        self.partial = True
        following = self.next_request(request.meta, request.meta.get("total"))
        if following is not None:
            yield following
