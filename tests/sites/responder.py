"""A downloader middleware that answers from a spider's fake site instead of the network.

Only the replay builder (tests/build_replay.py) enables it, so that the HTTP cache
records the recorded responses under the sources' *real* URLs.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.http.response import Response as BaseResponse
from scrapy.responsetypes import responsetypes

from tests.sites import FixtureSite
from tests.sites.recorded import site_for


class FixtureResponder:
    def __init__(self, site: FixtureSite) -> None:
        self.site = site

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FixtureResponder:
        return cls(site_for(crawler.spidercls.name))

    def process_request(self, request: Request) -> Response | BaseResponse:
        headers = {k.decode(): b",".join(v).decode() for k, v in request.headers.items()}
        reply = self.site.handle(request.method, request.url, headers, request.body)
        response_class = responsetypes.from_args(
            headers=reply.headers, url=request.url, body=reply.body)
        return response_class(url=request.url, status=reply.status, headers=reply.headers,
                              body=reply.body, request=request)
