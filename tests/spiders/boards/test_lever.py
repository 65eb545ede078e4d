"""Lever: the recorded postings of the ``GoToGroup`` site through the spider's callbacks."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from spiders.lever import LeverSpider
from tests.sites import fixture
from tests.sites.lever import POSTINGS, site
from tests.spiders.support import by_id, crawl, make_spider, normalized

RECORDED = {p["id"]: p for p in json.loads(fixture(POSTINGS))}


@pytest.fixture(scope="module")
def postings() -> dict:
    spider = make_spider(LeverSpider, boards="GoToGroup")
    found = by_id(crawl(spider, site()))
    assert spider.completed_scopes == {"GoToGroup"}
    return found


def test_every_posting_is_listed(postings) -> None:
    assert sorted(postings) == sorted(RECORDED)


def test_a_posting_without_additional_text(postings) -> None:
    item = dict(postings["f53cae40-f605-4215-9a82-b48c5db508b5"])
    description = item.pop("description")
    assert item.pop("raw") == RECORDED["f53cae40-f605-4215-9a82-b48c5db508b5"]
    assert item == {
        "kind": "job", "source": "lever", "source_id": "f53cae40-f605-4215-9a82-b48c5db508b5",
        "url": "https://jobs.lever.co/GoToGroup/f53cae40-f605-4215-9a82-b48c5db508b5",
        "title": "#10010 Senior Backend Engineer", "organization": "GoToGroup",
        "location": "Bengaluru", "country": "IN", "remote": "onsite",
        "contract_type": "Permanent", "working_time": "Permanent", "salary": None,
        "published_at": 1721638994130,
        "extra": {"team": "ODS - Logistics", "all_locations": ["Bengaluru"],
                  "apply_url": "https://jobs.lever.co/GoToGroup/"
                               "f53cae40-f605-4215-9a82-b48c5db508b5/apply"},
        "scope": "GoToGroup",
        "match_keys": ["job:gotogroup|10010 senior backend engineer|bengaluru",
                       "job-text:10010 senior backend engineer|bengaluru|0490b2682f7bf085"],
    }
    # description, then each list as a heading and its bullet points (no additional text)
    assert description.startswith('<div><span style="font-size: 10pt">Roll up your sleeves')
    assert "\n<h3>What you will do</h3><ul><li>" in description
    assert description.endswith("with a good degree of predictability</li></ul>")


def test_a_posting_with_its_three_parts(postings) -> None:
    item = postings["ce351965-e2f9-4f8f-8cad-38fb4cd045e9"]
    assert item["title"] == "#10279 Senior Android Developer (Logistic)"
    assert (item["location"], item["country"], item["published_at"]) == (
        "Bengaluru", "IN", 1721640901865)
    parts = item["description"].split("\n")
    assert [p[:24] for p in parts] == ['<div><span style="font-s', "<h3>What you will do</h3",
                                       "<h3>What you will need</", '<div><span style="font-s']
    assert parts[-1].endswith("genuinely enjoy each other's company.</span></div>")


def test_the_normaliser_reads_place_contract_and_date(postings) -> None:
    record = normalized(postings["657d7112-420a-4e42-8bfd-1b790fc05155"])
    assert (record["city"], record["country"], record["remote"]) == ("Jakarta", "ID", False)
    assert record["contract_type"] == "cdi"  # "Permanent"
    assert record["published_at"] == datetime(2024, 7, 25, 9, 0, 11, 592000, tzinfo=UTC)


def test_eu_boards_use_the_eu_instance() -> None:
    spider = make_spider(LeverSpider, boards="eu:GoToGroup,GoToGroup")
    eu, us = spider.configured_boards()
    assert eu.key == "eu:GoToGroup" and eu.slug == "GoToGroup"
    assert spider.list_url(eu) == "https://api.eu.lever.co/v0/postings/GoToGroup?mode=json"
    assert spider.list_url(us) == "https://api.lever.co/v0/postings/GoToGroup?mode=json"


@pytest.mark.parametrize("text, key", [
    ("GoToGroup", "GoToGroup"), ("eu:acme", "eu:acme"), ("EU:acme", "eu:acme"),
    ("https://jobs.lever.co/GoToGroup", "GoToGroup"),
    ("https://jobs.eu.lever.co/acme/0b1c2d", "eu:acme"),
    ("https://api.eu.lever.co/v0/postings/acme?mode=json", "eu:acme"),
])
def test_boards_are_site_names_eu_prefixes_or_urls(text, key) -> None:
    assert LeverSpider.parse_board(text).key == key


def test_a_bad_site_name_is_refused() -> None:
    with pytest.raises(ValueError, match="not a lever site"):
        LeverSpider.parse_board("eu:")
