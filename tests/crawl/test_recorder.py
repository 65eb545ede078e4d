"""The crawl run record completed at the close of a crawl, the expiry it drives, and what the
store hands the spider when a crawl starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler
from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.crawling.extensions import CrawlRunRecorder
from aggregator.crawling.launch import open_crawl
from aggregator.normalize import normalize_listing
from aggregator.store.engine import get_engine
from aggregator.store.models import CrawlRun, Listing
from aggregator.store.writer import ListingWriter


class Board(Spider):
    name = "greenhouse"


def listing(source_id: str) -> dict:
    item = {"kind": "job", "source": "greenhouse", "source_id": source_id,
            "url": f"https://boards.greenhouse.io/acme/jobs/{source_id}", "title": source_id}
    return normalize_listing(item, crawled_at=datetime.now(UTC)) | {"scope": "acme"}


def close_a_crawl(url: str, stats: dict) -> CrawlRun:
    """A crawl of board acme that listed it completely, closing with ``stats``."""
    run_id, arguments = open_crawl(get_engine(url), "greenhouse", {"boards": "acme"})
    crawler = get_crawler(Board, {"DATABASE_URL": url})
    spider = crawler._create_spider(**arguments)
    crawler.spider = spider
    crawler.stats.open_spider()
    recorder = CrawlRunRecorder.from_crawler(crawler)
    recorder.spider_opened(spider)
    spider.completed_scopes = {"acme"}
    for key, value in stats.items():
        crawler.stats.set_value(key, value)
    recorder.spider_closed(spider, "finished")
    with Session(get_engine(url)) as session:
        return session.get(CrawlRun, run_id)


@pytest.mark.parametrize("store_error, closed", [(0, True), (1, False)])
def test_a_crawl_with_store_errors_closes_nothing(sqlite_url, store_error, closed):
    engine = get_engine(sqlite_url)
    long_ago = datetime.now(UTC) - timedelta(days=3)
    ListingWriter(engine).write([listing("gone")], now=long_ago)
    stats = {"item_scraped_count": 5, "aggregator/dropped/store error": store_error}
    for _ in range(2):  # missed twice: closed, unless the store refused something
        run = close_a_crawl(sqlite_url, stats)
    with Session(engine) as session:
        status = session.scalar(select(Listing.status).where(Listing.source_id == "gone"))
    assert status == ("closed" if closed else "open")
    assert run.items_seen == 5  # a store error is an item scraped, then dropped: once


def test_the_spider_is_given_its_run_and_what_each_scope_already_has(sqlite_url):
    from spiders.greenhouse import GreenhouseSpider

    engine = get_engine(sqlite_url)
    first = listing("a") | {"published_at": datetime(2026, 11, 1, tzinfo=UTC)}
    other = listing("b") | {"scope": "other", "published_at": datetime(2026, 11, 20, tzinfo=UTC)}
    ListingWriter(engine).write([first, other])
    run_id, arguments = open_crawl(engine, "greenhouse", {"boards": "acme"})
    spider = get_crawler(GreenhouseSpider, {})._create_spider(**arguments)
    assert spider.crawl_run_id == run_id
    assert spider.last_published_by_scope == {"acme": datetime(2026, 11, 1, tzinfo=UTC),
                                              "other": datetime(2026, 11, 20, tzinfo=UTC)}
    assert spider.last_published_at == datetime(2026, 11, 20, tzinfo=UTC)
    # what the run records as asked for: the arguments, not what the store said
    assert spider.run_args == {"boards": "acme"}
