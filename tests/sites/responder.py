"""A downloader middleware that answers from a FixtureSite instead of the network.

Only the replay builder (tests/build_replay.py) enables it, so that the HTTP cache
records the recorded responses under the sources' *real* URLs.
"""

from __future__ import annotations

import importlib

from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.http.response import Response as BaseResponse
from scrapy.responsetypes import responsetypes


class FixtureResponder:
    def __init__(self, factory_path: str) -> None:
        module, _, name = factory_path.partition(":")
        self.site = getattr(importlib.import_module(module), name or "site")()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FixtureResponder:
        return cls(crawler.settings["FIXTURE_SITE"])

    def process_request(self, request: Request) -> Response | BaseResponse:
        headers = {k.decode(): b",".join(v).decode() for k, v in request.headers.items()}
        reply = self.site.handle(request.method, request.url, headers, request.body)
        response_class = responsetypes.from_args(
            headers=reply.headers, url=request.url, body=reply.body)
        return response_class(url=request.url, status=reply.status, headers=reply.headers,
                              body=reply.body, request=request)
