"""validate → normalise → store, driven the way Scrapy drives them."""

from __future__ import annotations

import json

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.crawling.pipelines import NormalizePipeline, StorePipeline, ValidatePipeline
from aggregator.items import RawListing
from aggregator.store.models import Listing as StoredListing
from tests.sites import fixture


class GreenhouseSample(Spider):
    name = "greenhouse"


def greenhouse_items() -> list[RawListing]:
    """Listings built from the recorded Greenhouse board (tests/fixtures/jobs)."""
    jobs = json.loads(fixture("jobs/greenhouse_codepath_jobs_list_2024-08-05.json"))["jobs"]
    return [RawListing(kind="job", source="greenhouse", source_id=str(job["id"]),
                    url=job["absolute_url"], title=job["title"],
                    location=job["location"]["name"], published_at=job["updated_at"], raw=job)
            for job in jobs]


def run_pipelines(items, store_url: str, batch_size: int = 4):
    crawler = get_crawler(GreenhouseSample, {"DATABASE_URL": store_url,
                                             "STORE_BATCH_SIZE": batch_size})
    crawler.spider = crawler._create_spider()
    crawler.stats.open_spider()
    stages = [ValidatePipeline.from_crawler(crawler), NormalizePipeline.from_crawler(crawler)]
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    dropped = []
    for item in items:
        try:
            for stage in stages:
                item = stage.process_item(item)
            store.process_item(item)
        except DropItem as exc:
            dropped.append(str(exc))
    store.close_spider()
    return crawler.stats.get_stats(), dropped


@pytest.mark.parametrize("broken, reason", [
    ({"title": "   "}, "missing title"),
    ({"url": "javascript:alert(1)"}, "invalid url"),
    ({"kind": "internship"}, "invalid kind"),
    ({"source_id": None}, "missing source_id"),
    ({"cpv": "45310000"}, "invalid cpv"),
    ({"source_id": {"nested": 1}}, "invalid source_id"),  # never stored as "{'nested': 1}"
])
def test_a_malformed_item_is_dropped_and_counted_while_the_rest_is_stored(
        store_url, broken, reason):
    items = greenhouse_items()
    bad = RawListing(items[3])
    bad.update(broken)
    items.insert(4, bad)

    stats, dropped = run_pipelines(items, store_url)

    assert stats[f"aggregator/dropped/{reason}"] == 1
    assert len(dropped) == 1 and reason in dropped[0]
    assert stats["aggregator/items_new"] == len(items) - 1
    from aggregator.store.engine import get_engine
    with Session(get_engine(store_url)) as session:
        stored = session.scalars(select(StoredListing.source_id)).all()
    assert len(stored) == len(items) - 1  # the good copy of items[3] is there
    assert str(items[3]["source_id"]) in stored


def test_an_unreadable_optional_date_is_counted_and_the_listing_stored(store_url):
    items = greenhouse_items()
    items[3]["published_at"] = "9999-12-31"
    items[4]["deadline_at"] = 12345  # not 1970-01-01T03:25:45Z
    stats, dropped = run_pipelines(items, store_url)
    assert dropped == [] and stats["aggregator/items_new"] == len(items)
    assert (stats["aggregator/unreadable/published_at"],
            stats["aggregator/unreadable/deadline_at"]) == (1, 1)
    from aggregator.store.engine import get_engine
    with Session(get_engine(store_url)) as session:
        row = session.scalars(select(StoredListing).where(
            StoredListing.source_id == str(items[4]["source_id"]))).one()
    assert row.deadline_at is None and row.status == "open"


def test_items_are_written_in_batches_and_counted_on_a_second_crawl(store_url):
    items = greenhouse_items()
    first, _ = run_pipelines(items, store_url, batch_size=4)
    second, _ = run_pipelines(greenhouse_items(), store_url, batch_size=4)
    assert first["aggregator/items_new"] == len(items)
    assert second["aggregator/items_new"] == 0
    assert second["aggregator/items_unchanged"] == len(items)


def test_hostile_text_is_stored_as_plain_text(sqlite_url):
    item = greenhouse_items()[0]
    item["title"] = "<b>Maître d&#39;oeuvre</b> \x1b[31mÉlectricité\x1b[0m [bold]F/H[/bold]"
    item["description"] = "<p>Line&nbsp;one</p><script>alert(1)</script><ul><li>a</li></ul>"
    run_pipelines([item], sqlite_url)
    from aggregator.store.engine import get_engine
    with Session(get_engine(sqlite_url)) as session:
        stored = session.scalars(select(StoredListing)).one()
    assert stored.title == "Maître d'oeuvre Électricité [bold]F/H[/bold]"
    assert stored.description == "Line one\n\n• a"


def test_a_url_that_does_not_parse_is_a_counted_drop(sqlite_url):
    items = greenhouse_items()[:2]
    items[0]["url"] = "http://[bad"
    stats, dropped = run_pipelines(items, sqlite_url)
    assert stats["aggregator/dropped/invalid url"] == 1
    assert len(dropped) == 1 and dropped[0].startswith("invalid url (")
    assert stats["aggregator/items_new"] == 1


def test_a_normaliser_failure_is_a_counted_drop(sqlite_url, monkeypatch):
    import aggregator.crawling.pipelines

    def broken(item, **_):
        if item["source_id"] == "4426707007":
            raise KeyError("a normaliser bug")
        return original(item, **_)

    original = aggregator.crawling.pipelines.normalize_listing
    monkeypatch.setattr(aggregator.crawling.pipelines, "normalize_listing", broken)
    items = greenhouse_items()
    stats, dropped = run_pipelines(items, sqlite_url)
    assert stats["aggregator/dropped/normalize error"] == 1
    assert dropped == ["normalize error (4426707007)"]
    assert stats["aggregator/items_new"] == len(items) - 1
