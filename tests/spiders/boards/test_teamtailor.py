"""Teamtailor: the two transcribed feeds of tests/sites/teamtailor.py through the callbacks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from spiders.teamtailor import TeamtailorSpider
from tests.sites.teamtailor import site
from tests.spiders.support import by_id, crawl, make_spider, normalized

FOOTASYLUM, CAREER = "http://127.0.0.1/footasylum", "http://127.0.0.1/career"


@pytest.fixture(scope="module")
def jobs() -> dict:
    spider = make_spider(TeamtailorSpider, boards=f"{FOOTASYLUM}/jobs.rss,{CAREER}/")
    found = by_id(crawl(spider, site()))
    assert spider.completed_scopes == {FOOTASYLUM, CAREER}
    return found


def test_an_item_with_its_location_fields(jobs) -> None:
    item = dict(jobs["cbfca3ed-9ed9-4264-9b93-243b208a4441"])
    raw = item.pop("raw")
    assert raw.startswith("<item>") and "<tt:zip>AB11 5RG</tt:zip>" not in raw  # no prefixes
    assert "<zip>AB11 5RG</zip>" in raw
    assert item == {
        "kind": "job", "source": "teamtailor", "source_id": "cbfca3ed-9ed9-4264-9b93-243b208a4441",
        "url": "https://footasylum.teamtailor.com/jobs/8115390-sales-assistant",
        "title": "Sales Assistant", "organization": "Footasylum",
        # the entity-encoded HTML, decoded once by the XML parser: the HTML itself
        "description": "<h3><strong>Sales Assistant (Full-Time)</strong></h3><p>Join the FA "
                       "team and <em>defy ordinary.</em></p>",
        "location": "Aberdeen, United Kingdom", "postal_code": "AB11 5RG",
        "country": "United Kingdom", "remote": "none",
        "published_at": "Thu, 23 Jul 2026 14:25:24 +0100",
        "extra": {"team": "Retail", "role": "Full-Time Sales Assistant",
                  "locations": ["Aberdeen Store, Union Square, AB11 5RG, Aberdeen, "
                                "United Kingdom"]},
        "scope": FOOTASYLUM,
        "match_keys": ["job:footasylum|sales assistant|aberdeen"],
    }
    assert jobs["2a7f1d0c-1234-4a5b-9c8d-abcdef012345"]["description"] == (
        "<p>Lead sourcing &amp; costing.</p>")


def test_an_item_with_two_locations_and_empty_elements(jobs) -> None:
    item = jobs["36d9bbe6-6cf5-4c10-b12b-d4bf739777ce"]
    assert (item["title"], item["organization"], item["location"], item["postal_code"],
            item["remote"], item["published_at"]) == (
        "Partnership Manager - APAC", "Teamtailor", "Sydney, Australia", "2000", "none",
        "Wed, 29 Jul 2026 15:03:12 +0200")
    assert item["extra"] == {
        "team": "Partnerships", "role": "Partnerships Manager",
        "locations": ["Sydney, WeWork - Office Space & Coworking, 2000, Australia",
                      "Melbourne, Australia"]}
    hybrid = jobs["3ce2c88b-cbc6-4ae9-8ecb-000466c69037"]
    assert (hybrid["remote"], hybrid["extra"]) == ("hybrid", {
        "team": "Finance", "locations": ["Stockholm, Östgötagatan 16, 116 21, Sweden"]})


def test_the_normaliser_reads_the_place(jobs) -> None:
    record = normalized(jobs["4ff07fd5-3ac0-4333-8f4c-955380396321"])
    assert (record["city"], record["country"]) == ("London", "GB")
    assert normalized(jobs["3ce2c88b-cbc6-4ae9-8ecb-000466c69037"])["country"] == "SE"


def test_the_pubdate_offset_is_kept(jobs) -> None:
    published = normalized(jobs["cbfca3ed-9ed9-4264-9b93-243b208a4441"])["published_at"]
    assert published == datetime(2026, 7, 23, 13, 25, 24, tzinfo=UTC)


def test_an_item_without_a_link_is_dropped() -> None:
    from parsel import Selector

    spider = make_spider(TeamtailorSpider, boards="acme")
    item = Selector(text="<item><title>Keyless</title><guid>g1</guid></item>", type="xml")
    assert spider.parse_item(item.xpath("//item")[0], spider.configured_boards()[0], None) is None
    assert spider.crawler.stats.get_value("aggregator/dropped/no link") == 1


@pytest.mark.parametrize("text, key", [
    ("acme", "https://acme.teamtailor.com"),
    ("https://acme.teamtailor.com/", "https://acme.teamtailor.com"),
    ("https://careers.example.com/jobs", "https://careers.example.com"),
    ("https://careers.example.com/jobs.rss", "https://careers.example.com"),
    ("http://127.0.0.1:8000/footasylum", "http://127.0.0.1:8000/footasylum"),
])
def test_boards_are_career_site_urls(text, key) -> None:
    board = TeamtailorSpider.parse_board(text)
    assert board.key == key
    assert make_spider(TeamtailorSpider).feed_url(board) == f"{key}/jobs.rss"
