"""Helpers for the tender spider tests: spiders with a crawler, responses, the store path."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from lxml import etree
from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from aggregator.crawling import settings as project_settings
from aggregator.items import RawListing
from aggregator.normalize import normalize_listing

ENDPOINTS = {name: getattr(project_settings, name)
             for name in ("BOAMP_API_URL", "TED_API_URL", "OCDS_API_URL")}
# The crawl time of the callback tests: the day after the recorded BOAMP records.
CRAWLED_AT = datetime(2026, 8, 13, 6, 0, tzinfo=UTC)


def make_spider(cls: type, **args: Any) -> Any:
    crawler = get_crawler(cls, dict(ENDPOINTS))
    spider = crawler._create_spider(**args)
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


def split(out: Iterable[Any]) -> tuple[list[RawListing], list[Request]]:
    out = list(out)
    return ([o for o in out if isinstance(o, RawListing)],
            [o for o in out if isinstance(o, Request)])


def stats(spider: Any) -> dict[str, Any]:
    return dict(spider.crawler.stats.get_stats())


def normalized(item: RawListing, crawled_at: datetime = CRAWLED_AT) -> dict[str, Any]:
    return normalize_listing(item, crawled_at=crawled_at)


def fields(item: RawListing) -> dict[str, Any]:
    """The item's fields without the raw payload, for exact comparisons."""
    return {k: v for k, v in dict(item).items() if k != "raw"}


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
