"""Boards listed page by page with an offset: GET (SmartRecruiters) or POST (Workday)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar
from urllib.parse import urlencode

from scrapy import Request
from scrapy.http import JsonRequest, Response

from spiders.base.boards import Board, BoardSpider, pointer


class OffsetPagedJsonSpider(BoardSpider):
    """Pages of ``page_limit`` records from offset 0 until the total (``total_pointer``) is
    reached, or a page comes back empty or short when the source gives no total.

    A platform spider sets the pointers and ``max_page_size``, writes ``page_url`` and
    ``parse_item`` (and ``detail_url`` when the list lacks fields). Arguments:
    ``-a page_size=N`` (a smaller page for tests), ``-a max_pages=N`` (a safety cap: a
    board cut by it is partial, so nothing of it expires).

    Offset pages shift when a job is added or removed during the crawl: a record can come
    twice (listed once) or never. So a board whose pages showed fewer distinct records than
    the total it announced is partial: the job never seen must not count as gone.
    """

    total_pointer: ClassVar[str | None] = None
    max_pages: ClassVar[int] = 200
    offset_param: ClassVar[str] = "offset"
    limit_param: ClassVar[str] = "limit"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._totals: dict[str, int] = {}  # board key → the largest total announced

    def page_url(self, board: Board) -> str:
        raise NotImplementedError

    def page_request(self, board: Board, offset: int, page_number: int) -> Request:
        """GET ``page_url?offset=N&limit=M``."""
        url = self.page_url(board)
        query = urlencode({self.offset_param: offset, self.limit_param: self.page_limit})
        return self.board_request(board, f"{url}{'&' if '?' in url else '?'}{query}",
                                  "parse_page", offset=offset, page_number=page_number,
                                  headers={"Accept": "application/json"})

    def board_requests(self, board: Board) -> Iterable[Request]:
        yield self.page_request(board, 0, 1)

    def parse_page(self, response: Response, board: Board, *, offset: int,
                   page_number: int) -> Iterator[Any]:
        found = self.read_records(response, board)
        if found is None:
            return
        data, records = found
        total = self._total(data, board)
        yield from self.handle_records(records, board, data)

        next_offset = offset + len(records)
        if total is not None:
            last = not records or next_offset >= total
        else:
            last = len(records) < self.page_limit  # a short or empty page
        if last:
            self.check_total(board, total)
            return
        max_pages = int(self.param("max_pages", self.max_pages))
        if page_number >= max_pages:
            self.logger.warning("%s board %s: stopped after %d pages (max_pages); the board "
                                "is partial", self.name, board.key, page_number)
            self.board_failed(board)
            return
        yield self.page_request(board, next_offset, page_number + 1)

    def check_total(self, board: Board, total: int | None) -> None:
        """At the end of a board's pages: fewer distinct records than announced means one
        was pushed between two pages and never seen; the board is then partial."""
        seen = self.distinct_records(board)
        if total is not None and seen < total:
            self.logger.warning("%s board %s: %d distinct jobs listed of the %d announced "
                                "(pages shifted during the crawl); the board is partial",
                                self.name, board.key, seen, total)
            self.crawler.stats.inc_value("aggregator/boards_short_of_total")
            self.board_failed(board)

    def _total(self, data: Any, board: Board) -> int | None:
        """The board's total: the largest the source gave so far (Workday gives it on the
        first page only and 0 afterwards)."""
        if self.total_pointer is None:
            return None
        value = pointer(data, self.total_pointer)
        known = self._totals.get(board.key)
        if isinstance(value, int) and not isinstance(value, bool) and value > (known or 0):
            self._totals[board.key] = known = value
        return known


class PostPagedJsonSpider(OffsetPagedJsonSpider):
    """The same paging, but each page is a POST of a JSON body (``page_body``)."""

    def page_body(self, board: Board, offset: int) -> dict[str, Any]:
        return {self.offset_param: offset, self.limit_param: self.page_limit}

    def page_request(self, board: Board, offset: int, page_number: int) -> Request:
        return self.board_request(
            board, self.page_url(board), "parse_page", method="POST",
            body=json.dumps(self.page_body(board, offset), sort_keys=True),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            request_class=JsonRequest, offset=offset, page_number=page_number)
