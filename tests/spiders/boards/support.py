"""Helpers for the job-board spider tests: a spider with a crawler, and an offline crawl
that answers its requests from a FixtureSite, calling callbacks and errbacks as Scrapy
does (2xx → callback, other statuses → errback with HttpError)."""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from aggregator.crawling import settings as project_settings
from aggregator.items import RawListing
from aggregator.normalize import normalize_listing
from tests.sites import FixtureSite

ENDPOINTS = {name: getattr(project_settings, name) for name in (
    "GREENHOUSE_API_URL", "LEVER_API_URL", "LEVER_EU_API_URL", "SMARTRECRUITERS_API_URL",
    "RECRUITEE_URL_TEMPLATE", "WORKABLE_API_URL")}
CRAWLED_AT = datetime(2024, 8, 9, 6, 0, tzinfo=UTC)  # the day after the recordings


def make_spider(cls: type, settings: dict[str, Any] | None = None, **args: Any) -> Any:
    crawler = get_crawler(cls, {**ENDPOINTS, **(settings or {})})
    spider = crawler._create_spider(**args)
    crawler.spider = spider
    crawler.stats.open_spider()
    return spider


def answer(site: FixtureSite, request: Request) -> Response:
    headers = {k.decode(): b",".join(v).decode() for k, v in request.headers.items()}
    reply = site.handle(request.method, request.url, headers, request.body)
    cls = responsetypes.from_args(headers=reply.headers, url=request.url, body=reply.body)
    return cls(url=request.url, status=reply.status, headers=reply.headers, body=reply.body,
               request=request)


def crawl(spider: Any, site: FixtureSite, limit: int = 1000) -> list[RawListing]:
    """Every listing the spider yields when its requests are answered by ``site``."""

    async def first_requests() -> list[Request]:
        return [request async for request in spider.start()]

    queue = deque(asyncio.run(first_requests()))
    items: list[RawListing] = []
    while queue:
        limit -= 1
        assert limit > 0, "too many requests"
        request = queue.popleft()
        response = answer(site, request)
        if 200 <= response.status < 300:
            out = request.callback(response, **request.cb_kwargs)
        else:
            failure = Failure(HttpError(response))
            failure.request = request  # type: ignore[attr-defined]
            out = request.errback(failure)
        for thing in out or ():
            (queue.append if isinstance(thing, Request) else items.append)(thing)
    return items


def stats(spider: Any) -> dict[str, Any]:
    return dict(spider.crawler.stats.get_stats())


def dropped(spider: Any) -> dict[str, int]:
    prefix = "aggregator/dropped/"
    return {k[len(prefix):]: v for k, v in stats(spider).items() if k.startswith(prefix)}


def by_id(items: list[RawListing]) -> dict[str, RawListing]:
    return {item["source_id"]: item for item in items}


def normalized(item: RawListing) -> dict[str, Any]:
    return normalize_listing(item, crawled_at=CRAWLED_AT)
