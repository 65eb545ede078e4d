"""Boards published as one XML document: an RSS feed (Teamtailor's ``jobs.rss``, SAP
SuccessFactors' career-site feeds) or a platform's own XML (Personio's ``/xml``).

A platform spider says *where* things are, as class attributes; this class reads them:

- ``feed_path``: the document's address under the board's site (``/jobs.rss``);
- ``feed_root``: XPath of the node every such document has (``/rss/channel``) — a document
  without it is unreadable, one with it and no record is an empty board;
- ``records_path``: XPath of the records under it (``item``);
- ``id_paths``: where a record's id is (the first that has a text);
- ``fields`` and ``extra_fields``: a listing field (or an ``extra`` key) → where its value
  is, relative to a record (``../title`` reaches the feed's own title).

A place is an XPath whose first text is the value, or a combination: ``First(a, b)`` (the
first that has a text), ``Joined(a, b)`` (every text, joined with ", "), ``Each(path, spec)``
(one value per node at ``path``), ``Mapped(place, function)`` (a value read out of another:
the place a feed writes into its titles). Namespaces are removed before reading: feeds declare
their extension namespaces under varying URIs, the element names are what matters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar

from parsel import Selector
from scrapy import Request
from scrapy.http import Response

from aggregator.drop_reasons import DROPPED_PREFIX
from aggregator.items import RawListing
from spiders.base.boards import Board, BoardSpider, joined


class First:
    """The first of several places that gives a value."""

    def __init__(self, *places: Place) -> None:
        self.places = places

    def read(self, node: Selector) -> Any:
        return next((value for place in self.places
                     if (value := read(node, place)) not in (None, "", [])), None)


class Joined:
    """The values of several places joined (empty ones skipped, repeats once)."""

    def __init__(self, *places: Place, sep: str = ", ") -> None:
        self.places, self.sep = places, sep

    def read(self, node: Selector) -> str | None:
        values: list[Any] = []
        for place in self.places:  # an Each gives several values: each one joins
            value = read(node, place)
            values.extend(value if isinstance(value, list) else [value])
        return joined(*values, sep=self.sep)


class Each:
    """One value per node at ``path`` (each read by ``place`` relative to it)."""

    def __init__(self, path: str, place: Place) -> None:
        self.path, self.place = path, place

    def read(self, node: Selector) -> list[Any]:
        return [value for child in node.xpath(self.path)
                if (value := read(child, self.place)) not in (None, "")]


class Mapped:
    """``function`` of the value at ``place`` (not called when there is none)."""

    def __init__(self, place: Place, function: Callable[[Any], Any]) -> None:
        self.place, self.function = place, function

    def read(self, node: Selector) -> Any:
        value = read(node, self.place)
        return self.function(value) if value not in (None, "", []) else None


Place = str | First | Joined | Each | Mapped


def xml_text(node: Selector, path: str) -> str | None:
    """The stripped text of the first node at ``path``; None when absent or empty."""
    value = node.xpath(f"{path}/text()").get()
    return value.strip() or None if value is not None else None


def read(node: Selector, place: Place) -> Any:
    return xml_text(node, place) if isinstance(place, str) else place.read(node)


class XmlFeedSpider(BoardSpider):
    """One XML document per board; each record becomes a listing from ``fields``."""

    feed_path: ClassVar[str] = ""
    feed_root: ClassVar[str] = "/rss/channel"
    records_path: ClassVar[str] = "item"
    id_paths: ClassVar[tuple[str, ...]] = ("guid", "link")
    fields: ClassVar[dict[str, Place]] = {}
    extra_fields: ClassVar[dict[str, Place]] = {}

    def feed_url(self, board: Board) -> str:
        """The board's site (its URL, else the endpoint template) and ``feed_path``."""
        site = board.base_url or self.endpoint.format(board=board.slug)
        return f"{site}{self.feed_path}"

    def board_requests(self, board: Board) -> Iterable[Request]:
        yield self.board_request(board, self.feed_url(board), "parse_feed",
                                 headers={"Accept": "application/rss+xml, application/xml"})

    def parse_feed(self, response: Response, board: Board) -> Iterator[Any]:
        try:
            document = Selector(text=response.text, type="xml")
        except (AttributeError, ValueError) as exc:
            root, error = None, repr(exc)
        else:
            document.remove_namespaces()
            root, error = document.xpath(self.feed_root), f"no {self.feed_root}"
        if not root:
            self.logger.error("%s board %s: unreadable feed %s (HTTP %s): %s", self.name,
                              board.key, response.url, response.status, error)
            self.crawler.stats.inc_value(DROPPED_PREFIX + "unreadable response")
            self.board_failed(board)
            return
        yield from self.handle_records(root[0].xpath(self.records_path), board, root[0])

    def record_id(self, record: Any) -> str | None:
        return First(*self.id_paths).read(record)

    def raw_payload(self, record: Any, detail: Any = None) -> Any:
        return record.get()  # the record's XML

    def record_url(self, record: Selector, board: Board, link: str | None) -> str | None:
        """A record's page: its ``url`` field by default (feeds without links build it)."""
        return link

    def parse_item(self, record: Selector, board: Board, page: Selector | None,
                   detail: Any = None) -> RawListing | None:
        values = {name: read(record, place) for name, place in self.fields.items()}
        values["url"] = self.record_url(record, board, values.get("url"))
        if not values.get("url"):
            self.drop_record("no link", self.record_id(record))
            return None
        item = {name: value for name, value in values.items() if value not in (None, "", [])}
        item.setdefault("organization", board.slug)
        item["source_id"] = self.record_id(record) or item["url"]
        extra = {name: value for name, place in self.extra_fields.items()
                 if (value := read(record, place)) not in (None, "", [])}
        if extra:
            item["extra"] = extra
        return self.listing(**item)
