"""Workable: the recorded widget response of the ``kroo`` account through the callbacks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from spiders.workable import WorkableSpider
from tests.sites.recorded import site_for
from tests.spiders.support import by_id, crawl, make_spider, normalized


@pytest.fixture(scope="module")
def jobs() -> dict:
    spider = make_spider(WorkableSpider, boards="https://apply.workable.com/kroo/")
    found = by_id(crawl(spider, site_for("workable")))
    assert spider.completed_scopes == {"kroo"}
    return found


def test_every_job_with_the_account_name(jobs) -> None:
    assert sorted(jobs) == ["73E5769864", "83183A94A5", "8626350C83", "B426457A26",
                            "C4002EDABE", "D7625E3CAD", "F53433C12B"]
    assert {j["organization"] for j in jobs.values()} == {"Kroo Bank Ltd"}


def test_a_job(jobs) -> None:
    item = dict(jobs["83183A94A5"])
    description = item.pop("description")
    assert item.pop("raw")["code"] == "CM5"
    assert item == {
        "kind": "job", "source": "workable", "source_id": "83183A94A5",
        "url": "https://apply.workable.com/j/83183A94A5", "title": "Compliance Manager",
        "organization": "Kroo Bank Ltd", "location": "London, England, United Kingdom",
        "country": "GB", "remote": False, "contract_type": "Full-time",
        "working_time": "Full-time", "published_at": "2024-07-02",
        "extra": {"team": "Risk & Compliance", "experience": "Mid-Senior level",
                  "industry": "Financial Services", "created_at": "2024-07-02"},
        "scope": "kroo",
        "match_keys": ["job:kroo bank|compliance manager|london",
                       "job-text:compliance manager|london|126b28f014603e59"],
    }
    assert description.startswith("<p><strong>What We’re All About at Kroo</strong></p>")
    assert description.endswith("Thank you for your understanding and cooperation. </p><p></p>")


def test_a_remote_job_whose_location_is_hidden(jobs) -> None:
    item = jobs["F53433C12B"]  # its only location is "hidden": the job's own fields remain
    assert (item["title"], item["location"], item["country"], item["remote"]) == (
        "Strategy and Monitoring Officer (FinCrime Operations)",
        "Manchester, England, United Kingdom", "United Kingdom", True)
    assert (item["published_at"], item["extra"]["team"]) == ("2024-08-08", "Operations")


def test_the_normaliser_reads_place_working_time_and_date(jobs) -> None:
    record = normalized(jobs["D7625E3CAD"])
    assert (record["city"], record["country"], record["remote"]) == ("Manchester", "GB", False)
    assert record["working_time"] == "full_time"
    assert record["published_at"] == datetime(2024, 7, 28, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.mark.parametrize("text", ["kroo", "https://apply.workable.com/kroo/",
                                  "https://apply.workable.com/kroo/j/83183A94A5/",
                                  "https://kroo.workable.com"])
def test_boards_are_subdomains_or_urls(text) -> None:
    assert WorkableSpider.parse_board(text).key == "kroo"
