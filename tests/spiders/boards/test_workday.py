"""Workday: the recorded two-page crawl of Motorola Solutions' UK jobs and its details."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from spiders.workday import WorkdaySpider
from tests.sites import fixture
from tests.sites.workday import BOARD, DETAILS, UK, site
from tests.spiders.support import by_id, crawl, dropped, make_spider, normalized


@pytest.fixture(scope="module")
def crawled():
    spider = make_spider(WorkdaySpider, boards=BOARD)
    received = site()
    return spider, by_id(crawl(spider, received)), received


def test_two_pages_then_a_detail_per_job(crawled) -> None:
    spider, jobs, received = crawled
    searches = [json.loads(r.body) for r in received.received if r.method == "POST"]
    assert searches == [{"appliedFacets": {"locationCountry": [UK]}, "limit": 20,
                         "offset": offset, "searchText": ""} for offset in (0, 20)]
    assert sum(r.method == "GET" for r in received.received) == 31
    assert len(jobs) == len(DETAILS) == 14
    assert dropped(spider) == {"gone before its detail was read": 17}
    assert spider.completed_scopes == {BOARD}


def test_a_job_from_its_detail(crawled) -> None:
    item = dict(crawled[1]["12d705f6f463100101cbfa19430c0000"])
    description = item.pop("description")
    raw = item.pop("raw")
    assert raw["list"]["externalPath"] == (
        "/job/Edinburgh-UK-ZUK129/Product-Reliability-Engineer_R49077")
    assert raw["detail"] == json.loads(fixture(DETAILS["R49077"]))
    assert item == {
        "kind": "job", "source": "workday", "source_id": "12d705f6f463100101cbfa19430c0000",
        "url": "https://motorolasolutions.wd5.myworkdayjobs.com/Careers/job/Edinburgh-UK-ZUK129/"
               "Product-Reliability-Engineer_R49077",
        "title": "Product Reliability Engineer",
        "organization": "Motorola Solutions UK Limited",  # without Workday's 908000
        "location": "Edinburgh, UK (ZUK129)", "country": "GB", "working_time": "Full time",
        "published_at": "2024-08-06",
        "extra": {"requisition_id": "R49077", "posted": "Posted 2 Days Ago"},
        "scope": BOARD,
        "match_keys": [
            "job:motorola solutions uk|product reliability engineer|edinburgh",
            "job-text:product reliability engineer|edinburgh|d46a266df4184f66"],
    }
    assert description.startswith("<h2><b>Company Overview</b></h2>")


def test_a_job_with_other_locations(crawled) -> None:
    item = crawled[1]["7371d4780560100100295d6c15760000"]
    assert (item["title"], item["location"], item["published_at"]) == (
        "Backend Software Engineer", "Uxbridge, UK (ZUK131)", "2024-04-23")
    assert item["extra"]["additional_locations"] == ["United Kingdom Offsite (ZUK99)"]


def test_the_normaliser_reads_place_working_time_and_date(crawled) -> None:
    record = normalized(crawled[1]["12d705f6f463100101cbfa19430c0000"])
    assert (record["city"], record["country"]) == ("Edinburgh", "GB")
    assert record["working_time"] == "full_time"
    assert record["published_at"] == datetime(2024, 8, 6, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.mark.parametrize("text, key, cxs, site_url", [
    ("https://motorolasolutions.wd5.myworkdayjobs.com/Careers",
     "https://motorolasolutions.wd5.myworkdayjobs.com/Careers",
     "https://motorolasolutions.wd5.myworkdayjobs.com/wday/cxs/motorolasolutions/Careers",
     "https://motorolasolutions.wd5.myworkdayjobs.com/Careers"),
    ("https://motorolasolutions.wd5.myworkdayjobs.com/en-US/Careers/job/x_R1",
     "https://motorolasolutions.wd5.myworkdayjobs.com/Careers",
     "https://motorolasolutions.wd5.myworkdayjobs.com/wday/cxs/motorolasolutions/Careers",
     "https://motorolasolutions.wd5.myworkdayjobs.com/Careers"),
    ("https://motorolasolutions.wd5.myworkdayjobs.com/wday/cxs/motorolasolutions/Careers/jobs",
     "https://motorolasolutions.wd5.myworkdayjobs.com/Careers",
     "https://motorolasolutions.wd5.myworkdayjobs.com/wday/cxs/motorolasolutions/Careers",
     "https://motorolasolutions.wd5.myworkdayjobs.com/Careers"),
    ("https://wd3.myworkdaysite.com/recruiting/acme/External",
     "https://wd3.myworkdaysite.com/recruiting/acme/External",
     "https://wd3.myworkdaysite.com/wday/cxs/acme/External",
     "https://wd3.myworkdaysite.com/recruiting/acme/External"),
    ("http://127.0.0.1:8000/wday/cxs/motorolasolutions/Careers",
     "http://127.0.0.1:8000/wday/cxs/motorolasolutions/Careers",
     "http://127.0.0.1:8000/wday/cxs/motorolasolutions/Careers",
     "http://127.0.0.1:8000/Careers"),
])
def test_a_board_is_the_site_url_in_any_of_its_forms(text, key, cxs, site_url) -> None:
    board = WorkdaySpider.parse_board(text)
    assert board.key == key
    assert f"{board.base_url}/wday/cxs/{board.slug}" == cxs
    assert board.options == {"site_url": site_url, "facets": {}}


def test_the_site_filters_in_the_url_are_the_search_facets() -> None:
    board = WorkdaySpider.parse_board(BOARD)
    assert board.key == BOARD
    assert board.options["facets"] == {"locationCountry": [UK]}


@pytest.mark.parametrize("text", ["motorolasolutions", "https://example.com/careers",
                                  "ftp://x.wd5.myworkdayjobs.com/Careers"])
def test_what_is_no_workday_site_is_refused(text) -> None:
    with pytest.raises(ValueError, match="not a workday site URL"):
        WorkdaySpider.parse_board(text)


@pytest.mark.parametrize("given, organization", [
    ("908000 Motorola Solutions UK Limited", "Motorola Solutions UK Limited"),
    ("10010 - Acme SAS", "Acme SAS"),
    ("2020 Consulting", "2020 Consulting"),  # a name starting with a year keeps it
    ("3M France", "3M France"),
    ("", "motorolasolutions"),  # no name: the tenant
])
def test_the_employer_is_the_legal_entity_without_its_workday_number(given, organization):
    spider = make_spider(WorkdaySpider, boards=BOARD)
    board = spider.configured_boards()[0]
    detail = json.loads(fixture(DETAILS["R49077"])) | {"hiringOrganization": {"name": given}}
    record = {"externalPath": "/job/x_R49077", "title": "Engineer"}
    assert spider.parse_item(record, board, None, detail)["organization"] == organization
