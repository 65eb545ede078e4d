"""Boards whose whole listing is one JSON document (Greenhouse, Lever, Recruitee, Workable)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response

from spiders.base.boards import Board, BoardSpider


class JsonListSpider(BoardSpider):
    """One GET per board; the records are the list at ``records_pointer`` ("" = the document
    itself). A platform spider sets ``records_pointer``, writes ``list_url`` and
    ``parse_item``."""

    def list_url(self, board: Board) -> str:
        raise NotImplementedError

    def board_requests(self, board: Board) -> Iterable[Request]:
        yield self.board_request(board, self.list_url(board), "parse_list",
                                 headers={"Accept": "application/json"})

    def parse_list(self, response: Response, board: Board) -> Iterator[Any]:
        found = self.read_records(response, board)
        if found is not None:
            data, records = found
            yield from self.handle_records(records, board, data)
