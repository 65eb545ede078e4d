"""The spider test harness: a spider with a crawler, recorded responses, and an offline crawl.

``crawl(spider, site)`` stands where Scrapy's engine and downloader stand: it answers every
request from a FixtureSite (tests/sites), through the downloader middlewares the spider's
add-ons enable (France Travail's OAuth), and calls callbacks and errbacks as Scrapy does
(2xx, or a status the request handles → callback; other statuses → errback with HttpError).
The endpoints are the spiders' own defaults (the real services: a FixtureSite answers by
path, whatever the host).
"""

from __future__ import annotations

import asyncio
import inspect
from collections import deque
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Any

from lxml import etree
from scrapy import Request
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.request import fingerprint
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from aggregator.items import RawListing
from aggregator.normalize import normalize_listing
from tests.sites import FixtureSite

# The crawl time of the callback tests: the day after the recorded BOAMP records (the
# newest recording; older ones are read as they would be today, long after).
CRAWLED_AT = datetime(2026, 8, 13, 6, 0, tzinfo=UTC)


def make_spider(cls: type, settings: dict[str, Any] | None = None, **args: Any) -> Any:
    crawler = get_crawler(cls, settings or {})
    spider = crawler._create_spider(**args)
    crawler.spider = spider
    crawler.stats.open_spider()
    return spider


def start_requests(spider: Any) -> list[Request]:
    """What ``spider.start()`` yields (it is an async generator)."""
    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    return asyncio.run(collect())


def response(url: str, body: bytes, meta: dict[str, Any] | None = None,
             status: int = 200) -> TextResponse:
    return TextResponse(url, body=body, status=status, encoding="utf-8",
                        request=Request(url, meta=meta or {}))


def answer(site: FixtureSite, request: Request) -> Response:
    """The site's reply to ``request``, as the Response Scrapy would build."""
    headers = {k.decode(): b",".join(v).decode() for k, v in request.headers.items()}
    reply = site.handle(request.method, request.url, headers, request.body)
    cls = responsetypes.from_args(headers=reply.headers, url=request.url, body=reply.body)
    return cls(url=request.url, status=reply.status, headers=reply.headers, body=reply.body,
               request=request)


class OfflineDownloader:
    """Answers from a FixtureSite through the downloader middlewares of the spider's add-ons;
    also the crawler's ``engine`` for spiders that download by themselves (OAuth tokens)."""

    def __init__(self, spider: Any, site: FixtureSite) -> None:
        self.site = site
        scratch = Settings()
        for addon in spider.settings.getdict("ADDONS"):
            load_object(addon)().update_settings(scratch)
        enabled = scratch.getdict("DOWNLOADER_MIDDLEWARES")
        self.middlewares = [build_from_crawler(load_object(path), spider.crawler)
                            for path in sorted(enabled, key=lambda p: enabled[p])]
        spider.crawler.engine = self

    async def download_async(self, request: Request) -> Response:
        for middleware in self.middlewares:
            middleware.process_request(request)
        reply = answer(self.site, request)
        for middleware in reversed(self.middlewares):
            reply = middleware.process_response(request, reply)
        return reply


async def _outputs(out: Any) -> AsyncIterator[Any]:
    """What a callback gave: an async generator, a coroutine, an iterable or None."""
    if hasattr(out, "__aiter__"):
        async for thing in out:
            yield thing
    elif inspect.iscoroutine(out):
        for thing in await out or ():
            yield thing
    else:
        for thing in out or ():
            yield thing


def crawl(spider: Any, site: FixtureSite, limit: int = 1000) -> list[RawListing]:
    """Every listing the spider yields when its requests are answered by ``site``."""
    downloader = OfflineDownloader(spider, site)

    async def run() -> list[RawListing]:
        queue = deque([request async for request in spider.start()])
        seen: set[bytes] = set()
        items: list[RawListing] = []
        budget = limit
        while queue:
            budget -= 1
            assert budget > 0, "too many requests"
            request = queue.popleft()
            if not request.dont_filter:  # Scrapy's duplicate filter
                if fingerprint(request) in seen:
                    continue
                seen.add(fingerprint(request))
            reply = await downloader.download_async(request)
            if 200 <= reply.status < 300 or reply.status in request.meta.get(
                    "handle_httpstatus_list", ()):
                out = (request.callback or spider.parse)(reply, **request.cb_kwargs)
            elif request.errback is not None:
                failure = Failure(HttpError(reply))
                failure.request = request  # type: ignore[attr-defined]
                out = request.errback(failure)
            else:
                continue
            async for thing in _outputs(out):
                (queue.append if isinstance(thing, Request) else items.append)(thing)
        return items

    return asyncio.run(run())


def split(out: Iterable[Any]) -> tuple[list[RawListing], list[Request]]:
    out = list(out)
    return ([o for o in out if isinstance(o, RawListing)],
            [o for o in out if isinstance(o, Request)])


def stats(spider: Any) -> dict[str, Any]:
    return dict(spider.crawler.stats.get_stats())


def dropped(spider: Any) -> dict[str, int]:
    prefix = "aggregator/dropped/"
    return {k[len(prefix):]: v for k, v in stats(spider).items() if k.startswith(prefix)}


def by_id(items: list[RawListing]) -> dict[str, RawListing]:
    return {item["source_id"]: item for item in items}


def fields(item: RawListing) -> dict[str, Any]:
    """The item's fields without the raw payload, for exact comparisons."""
    return {k: v for k, v in dict(item).items() if k != "raw"}


def normalized(item: RawListing, crawled_at: datetime = CRAWLED_AT) -> dict[str, Any]:
    return normalize_listing(item, crawled_at=crawled_at)


def store(engine: Any, items: Iterable[RawListing], crawled_at: datetime = CRAWLED_AT) -> Any:
    """Normalise and write ``items`` like the pipelines do (one batch)."""
    from aggregator.store.writer import ListingWriter

    records = []
    for item in items:
        record = normalized(item, crawled_at)
        record["scope"] = item.get("scope")
        records.append(record)
    return ListingWriter(engine).write(records, now=crawled_at)


def eforms_tree(xml: bytes) -> tuple[str, dict[str, Any]]:
    """An eForms XML notice as BOAMP's ``donnees.EFORMS`` JSON tree (xmltodict's shape:
    ``prefix:Name`` keys, ``@attr``, ``#text`` beside attributes, lists for repeats)."""
    root = etree.fromstring(xml)

    def name(element: Any) -> str:
        qname = etree.QName(element)
        prefix = next((p for p, uri in element.nsmap.items()
                       if uri == qname.namespace and p), None)
        return f"{prefix}:{qname.localname}" if prefix else qname.localname

    def convert(element: Any) -> Any:
        children = [c for c in element if isinstance(c.tag, str)]
        attributes = {f"@{etree.QName(k).localname}": v for k, v in element.attrib.items()}
        value = (element.text or "").strip()
        if not children and not attributes:
            return value
        node: dict[str, Any] = dict(attributes)
        for child in children:
            key, converted = name(child), convert(child)
            if key in node:
                node[key] = [*node[key], converted] if isinstance(node[key], list) \
                    else [node[key], converted]
            else:
                node[key] = converted
        if value:
            node["#text"] = value
        return node

    return etree.QName(root).localname, convert(root)
