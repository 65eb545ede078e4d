"""Recruitee: the recorded offers of ``manual`` and ``radishlab`` through the callbacks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from spiders.recruitee import RecruiteeSpider
from tests.sites.recorded import site_for
from tests.spiders.support import by_id, crawl, make_spider, normalized


@pytest.fixture(scope="module")
def offers() -> dict:
    spider = make_spider(RecruiteeSpider, {"RECRUITEE_URL_TEMPLATE": "http://127.0.0.1/{board}"},
                         boards="manual,https://radishlab.recruitee.com")
    found = by_id(crawl(spider, site_for("recruitee")))
    assert spider.completed_scopes == {"manual", "radishlab"}
    return found


def test_every_offer_of_both_boards(offers) -> None:
    assert len(offers) == 10
    assert {o["scope"] for o in offers.values()} == {"manual", "radishlab"}


def test_an_offer_with_a_salary_and_hours(offers) -> None:
    item = dict(offers["1788029"])
    description = item.pop("description")
    assert item.pop("raw")["guid"] == "bv9vp"
    assert item == {
        "kind": "job", "source": "recruitee", "source_id": "1788029",
        "url": "https://manual.recruitee.com/o/customer-experience-specialist",
        "title": "Customer Experience Specialist (Hybrid)", "organization": "Manual",
        "location": "London, Greater London, United Kingdom", "postal_code": None,
        "country": "GB", "remote": False,
        "contract_type": "fulltime_permanent", "working_time": "fulltime_permanent",
        "salary": {"max": "28000", "min": "28000", "period": "year", "currency": "GBP"},
        "published_at": "2024-07-23 13:13:04 UTC", "modified_at": "2024-08-07 08:42:40 UTC",
        "deadline_at": None,
        "extra": {"team": "Customer Service", "hybrid": True, "category": "customer_service",
                  "experience": "entry_level", "education": "bachelor_degree",
                  "hours_per_week": "30.0-40.0", "locations": ["London"]},
        "scope": "manual",
        "match_keys": ["job:manual|customer experience specialist hybrid|london",
                       "job-text:customer experience specialist hybrid|london|d0d59d2cda964ab5"],
    }
    # the description, then the requirements
    assert description.startswith("<p>We are looking for a motivated and empathetic")
    assert "\n<ul><li>Customer service experience ideally in a digital capacity</li>" in description


def test_a_remote_offer_keeps_its_address(offers) -> None:
    item = offers["1357326"]  # radishlab: location "Remote job", an address in Brooklyn
    assert (item["title"], item["organization"], item["location"], item["postal_code"],
            item["country"], item["remote"], item["contract_type"]) == (
        "Project Manager Talent Pool", "Radish Lab", "Brooklyn, New York, United States",
        "11201", "US", True, "fulltime")
    assert item["salary"] == {"max": "68000", "min": "52000", "period": "year",
                              "currency": "USD"}
    assert item["url"] == "https://radishlab.recruitee.com/o/project-manager-talent-pool"
    assert offers["1390320"]["salary"] is None  # every salary field null


def test_the_normaliser_reads_place_contract_salary_and_dates(offers) -> None:
    record = normalized(offers["1788029"])
    assert (record["city"], record["country"], record["remote"]) == ("London", "GB", False)
    assert (record["contract_type"], record["working_time"]) == ("cdi", "full_time")
    assert (record["salary_min"], record["salary_max"], record["salary_currency"],
            record["salary_period"]) == (28000.0, 28000.0, "GBP", "year")
    assert record["published_at"] == datetime(2024, 7, 23, 13, 13, 4, tzinfo=UTC)
    remote = normalized(offers["1357326"])
    assert (remote["city"], remote["country"], remote["remote"]) == ("Brooklyn", "US", True)


def test_the_url_template_names_the_company() -> None:
    spider = make_spider(RecruiteeSpider, boards="manual")
    board = spider.configured_boards()[0]
    assert spider.list_url(board) == "https://manual.recruitee.com/api/offers/"
