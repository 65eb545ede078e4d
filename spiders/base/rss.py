"""Boards published as an RSS 2.0 feed (Teamtailor's ``jobs.rss``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from parsel import Selector
from scrapy import Request
from scrapy.http import Response

from spiders.base.boards import Board, BoardSpider


class RssSpider(BoardSpider):
    """One feed per board; each ``channel/item`` is a record, handed to ``parse_item`` as a
    parsel Selector with namespaces removed (feeds declare their extension namespace under
    varying URIs; the element names are what matters), and ``page`` is the channel."""

    def feed_url(self, board: Board) -> str:
        raise NotImplementedError

    def board_requests(self, board: Board) -> Iterable[Request]:
        yield self.board_request(board, self.feed_url(board), "parse_feed",
                                 headers={"Accept": "application/rss+xml, application/xml"})

    def parse_feed(self, response: Response, board: Board) -> Iterator[Any]:
        try:
            feed = Selector(text=response.text, type="xml")
        except (AttributeError, ValueError) as exc:
            feed = None
            error = repr(exc)
        else:
            feed.remove_namespaces()
            error = "no RSS channel"
        channel = feed.xpath("/rss/channel") if feed is not None else None
        if not channel:
            self.logger.error("%s board %s: unreadable feed %s (HTTP %s): %s", self.name,
                              board.key, response.url, response.status, error)
            self.crawler.stats.inc_value("aggregator/dropped/unreadable response")
            self.board_failed(board)
            return
        yield from self.handle_records(channel[0].xpath("item"), board, channel[0])

    def record_id(self, record: Any) -> str | None:
        return xml_text(record, "guid") or xml_text(record, "link")

    def raw_payload(self, record: Any, detail: Any = None) -> Any:
        return record.get()  # the item's XML


def xml_text(selector: Selector, path: str) -> str | None:
    """The stripped text of the first node at ``path``; None when absent or empty."""
    value = selector.xpath(f"{path}/text()").get()
    return value.strip() or None if value is not None else None
