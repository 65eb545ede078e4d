"""The base of the ATS job-board spiders: boards from the configuration, one scope each.

A *board* is one company's job board on a platform (a Greenhouse token, a Lever site, a
Workday site URL...). Boards come from ``-a boards=a,b`` or ``[sources.NAME] boards = [...]``;
each platform spider says how to read one (``parse_board``) and maps one job record
(``parse_item``). This class does the rest, the same way for every platform:

- every request of a board is counted while it is in flight (spiders.base.scopes); when the
  last one is done and none failed, the board's complete listing was read and its key joins
  ``completed_scopes`` (which closes the board's jobs that are gone: see
  aggregator.store.lifecycle.expire_missing). A failed page, a failed detail request, an
  unreadable response, a record that cannot be mapped, or a paged listing that showed fewer
  distinct jobs than the total it announced leave the board partial.
- a detail request that answers 404/410 means the job was withdrawn between the list and
  the detail: the record is dropped (counted) and the board can still be complete.
- each listing gets ``scope`` = the board's key, its raw payload, and duplicate-matching
  keys (spiders.base.job_keys) unless the spider set them.

The access-pattern subclasses (json_list, paged_json, xml_feed) only decide which requests
list a board and where its records are.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from scrapy import Request
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from aggregator.config import SourceConfig
from aggregator.i18n import N_, _
from aggregator.items import RawListing
from spiders.base.job_keys import job_match_keys
from spiders.base.listing_spider import ListingSpider
from spiders.base.scopes import GONE_STATUSES, ScopeProgress
from spiders.base.values import text_list

# A platform slug: letters, digits, dot, dash, underscore (no slash, no spaces).
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Board:
    """One configured board. ``key`` is canonical: it is the listings' scope and what
    `aggregator sources add` writes to the configuration."""

    key: str
    slug: str  # the platform's identifier in URLs (token, site, company id, tenant)
    base_url: str | None = None  # for boards that are a site of their own (Workday, Teamtailor)
    options: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


class BoardSpider(ListingSpider):
    kind = "job"
    # How a board is written, for the messages about a board that cannot be used.
    board_help: ClassVar[str] = N_("BOARD")  # translated where shown
    records_pointer: ClassVar[str] = ""  # where a JSON list response holds its records
    board_url: ClassVar[re.Pattern[str] | None] = None  # a board's address, slug as a group
    # Whether parse_item needs the list document (``page``) with a record's detail: it is
    # then carried by every detail request (and pickled into a distributed crawl's queue).
    detail_needs_page: ClassVar[bool] = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scopes = ScopeProgress(self)
        self.seen: dict[str, set[str]] = {}  # board key → ids of the records handled
        self.unnamed: dict[str, int] = {}  # board key → records without an id

    # -- boards ------------------------------------------------------------------------

    @classmethod
    def parse_board(cls, text: str) -> Board:
        """A board from its configured text; ValueError (the reason) when unusable.
        Default: a bare slug, or the board's web address matched by ``board_url`` (its
        first named group that matched is the slug)."""
        match = cls.board_url.match(text.strip()) if cls.board_url is not None else None
        if match:
            text = next(group for group in match.groupdict().values() if group)
        text = text.strip().strip("/")
        if not SLUG.fullmatch(text):
            raise cls.not_a_board(text)
        return Board(key=text, slug=text)

    @classmethod
    def not_a_board(cls, text: str, what: str = N_("board name")) -> ValueError:
        """The error for a board written in a way this source cannot use, in the reader's
        language: ``'x y' is not a lever site (expected SITE ...)``."""
        return ValueError(_("%(text)s is not a %(source)s %(what)s (expected %(form)s)") % {
            "text": repr(text), "source": cls.name, "what": _(what),
            "form": _(cls.board_help)})

    @classmethod
    def needs(cls) -> str | None:
        return _("boards: %(what)s") % {"what": _(cls.board_help)}

    @classmethod
    def configuration_problem(cls, source_config: SourceConfig, args: dict[str, Any],
                              settings: Mapping[str, Any] | None = None) -> str | None:
        """Why this spider cannot run as configured (no or unusable boards), or None."""
        texts = text_list(args.get("boards") or source_config.params.get("boards"))
        if not texts:
            return (f"no boards configured: add some with `aggregator sources add {cls.name} "
                    "BOARD` or in aggregator.toml")
        for text in texts:
            try:
                cls.parse_board(text)
            except ValueError as exc:
                return f"board {text!r}: {exc}"
        return None

    def configured_boards(self) -> list[Board]:
        """The configured boards, parsed, each once. (Not `boards`: Scrapy sets spider
        arguments as attributes, and `-a boards=...` is one.)"""
        found: dict[str, Board] = {}
        for text in self.list_param("boards"):
            board = self.parse_board(text)
            found.setdefault(board.key, board)
        return list(found.values())

    async def start(self) -> Any:
        problem = self.start_problem()
        if problem:
            self.unconfigured(problem)
            return
        boards = self.configured_boards()
        # What a replay of this run must ask for (the boards may come from the config file).
        self.run_args["boards"] = ",".join(board.key for board in boards)
        for board in boards:
            async for request in self.start_board(board):
                yield request

    def start_problem(self) -> str | None:
        """Why this run cannot start (None when it can)."""
        return self.configuration_problem(self.source_config, self.run_args)

    async def start_board(self, board: Board) -> AsyncIterator[Request]:
        """The requests that start one board (a class needing a token first overrides it)."""
        for request in self.board_requests(board):
            yield request

    def board_requests(self, board: Board) -> Iterable[Request]:
        """The first request(s) listing a board. Access-pattern classes define it."""
        raise NotImplementedError

    # -- requests that belong to a board --------------------------------------------------

    def board_request(self, board: Board, url: str, handler: str, *, method: str = "GET",
                      body: bytes | str | None = None, headers: dict[str, str] | None = None,
                      request_class: type[Request] = Request, **kwargs: Any) -> Request:
        """A request of ``board`` answered by the method named ``handler``, called as
        ``handler(response, board, **kwargs)``; counted until that handler is done."""
        self.scopes.started(board.key)
        extra: dict[str, Any] = {} if body is None else {"body": body}
        return request_class(
            url, method=method, headers=headers, callback=self._on_response,
            errback=self._on_error, dont_filter=True,
            cb_kwargs={"board": board, "handler": handler, "kwargs": kwargs}, **extra)

    def _on_response(self, response: Response, board: Board, handler: str,
                     kwargs: dict[str, Any]) -> Iterator[Any]:
        try:
            yield from getattr(self, handler)(response, board, **kwargs)
        except Exception:
            # Bad input never stops the crawl; the board is only left partial.
            self.logger.exception("%s board %s: cannot read %s", self.name, board.key,
                                  response.url)
            self.board_failed(board)
        finally:
            self._done(board)

    def _on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        board: Board = request.cb_kwargs["board"]
        kwargs = request.cb_kwargs["kwargs"]
        try:
            response = failure.value.response if failure.check(HttpError) else None
            if (response is not None and response.status in GONE_STATUSES
                    and kwargs.get("record_id") is not None):
                # The job was withdrawn between the list and its detail.
                self.drop_record("gone before its detail was read", kwargs["record_id"])
                return
            reason = (f"HTTP {response.status}" if response is not None
                      else f"{failure.type.__name__}: {failure.getErrorMessage()}")
            self.logger.error("%s board %s: %s for %s", self.name, board.key, reason,
                              request.url)
            self.board_failed(board)
        finally:
            self._done(board)

    def board_failed(self, board: Board) -> None:
        """Part of the board could not be read: it is not complete (nothing expires)."""
        self.scopes.failed(board.key)

    def _done(self, board: Board) -> None:
        if self.scopes.finished(board.key):
            self.logger.info("%s board %s listed completely (%d jobs)", self.name, board.key,
                             self.distinct_records(board))

    def distinct_records(self, board: Board) -> int:
        """How many different records the board's listing showed so far."""
        return len(self.seen.get(board.key, ())) + self.unnamed.get(board.key, 0)

    # -- records ---------------------------------------------------------------------------

    def record_id(self, record: Any) -> str | None:
        """The record's id in the list (before any detail request)."""
        value = record.get("id") if isinstance(record, dict) else None
        return None if value in (None, "") else str(value)

    def detail_url(self, record: Any, board: Board) -> str | None:
        """The URL of a record's detail when the list lacks fields; None (default) = none."""
        return None

    def read_records(self, response: Response, board: Board) -> tuple[Any, list[Any]] | None:
        """(the JSON document, its list at ``records_pointer``), or None — logged, and the
        board marked failed — when the response holds no such list."""
        data = self.read_json(response)
        records = None if data is None else pointer(data, self.records_pointer)
        if not isinstance(records, list):
            if data is not None:
                self.logger.error("%s board %s: no job list at %r in %s", self.name, board.key,
                                  self.records_pointer or "/", response.url)
            self.board_failed(board)
            return None
        return data, records

    def handle_records(self, records: Iterable[Any], board: Board, page: Any) -> Iterator[Any]:
        """Listings (or detail requests) for the records of one list response."""
        seen = self.seen.setdefault(board.key, set())
        for record in records:
            record_id = self.record_id(record)
            if record_id is None:
                self.unnamed[board.key] = self.unnamed.get(board.key, 0) + 1
            else:
                if record_id in seen:  # offset paging can repeat a record
                    self.crawler.stats.inc_value("aggregator/repeated_record")
                    continue
                seen.add(record_id)
            try:
                url = self.detail_url(record, board)
            except Exception:
                self.logger.exception("%s board %s: record %s", self.name, board.key, record_id)
                self.drop_record("unreadable record", record_id)
                self.board_failed(board)
                continue
            if url:
                # the list document only where the platform reads it: it is pickled with
                # every detail request (tens of KB each in a distributed crawl's queue)
                yield self.board_request(board, url, "parse_detail", record=record,
                                         record_id=record_id or url,
                                         **({"page": page} if self.detail_needs_page else {}))
            else:
                yield from self.emit(record, board, page)

    def parse_detail(self, response: Response, board: Board, *, record: Any, record_id: str,
                     page: Any = None) -> Iterator[Any]:
        detail = self.read_json(response)
        if detail is None:
            self.board_failed(board)
            return
        yield from self.emit(record, board, page, detail)

    def emit(self, record: Any, board: Board, page: Any,
             detail: Any = None) -> Iterator[RawListing]:
        """The RawListing of one record, completed with scope, raw payload and match keys."""
        try:
            item = self.parse_item(record, board, page, detail)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            self.logger.error("%s board %s: cannot map record %s: %r", self.name, board.key,
                              self.record_id(record), exc)
            self.drop_record("unreadable record", self.record_id(record))
            # A job we could not read is not "gone": keep the board from expiring it.
            self.board_failed(board)
            return
        if item is None:
            return
        item.setdefault("scope", board.key)
        if item.get("raw") is None:
            item["raw"] = self.raw_payload(record, detail)
        if item.get("match_keys") is None:
            item["match_keys"] = job_match_keys(item.get("organization"), item.get("title"),
                                                item.get("location"), item.get("description"))
        yield item

    def raw_payload(self, record: Any, detail: Any = None) -> Any:
        """What the listing keeps of the source (JSON-serialisable)."""
        return record if detail is None else {"list": record, "detail": detail}

    def parse_item(self, record: Any, board: Board, page: Any, detail: Any = None
                   ) -> RawListing | None:
        """Map one record (and its detail, if any) to a Listing; None after ``drop_record``
        when the record cannot be a listing. Platform spiders define it."""
        raise NotImplementedError


def pointer(document: Any, path: str) -> Any:
    """A value inside decoded JSON by a JSON-pointer-like path ("/jobs", "" = the document);
    None when absent."""
    value = document
    for part in (p for p in path.split("/") if p):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def joined(*parts: object, sep: str = ", ") -> str | None:
    """Non-empty parts joined ("London, England, United Kingdom"); None when all are empty."""
    texts = [str(p).strip() for p in parts if p not in (None, "") and str(p).strip()]
    return sep.join(dict.fromkeys(texts)) or None
