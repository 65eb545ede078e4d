"""SmartRecruiters: the recorded list of ``Gousto1`` and the two recorded details."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from spiders.smartrecruiters import SmartRecruitersSpider
from tests.sites import fixture
from tests.sites.smartrecruiters import DETAILS, site
from tests.spiders.support import by_id, crawl, dropped, make_spider, normalized


@pytest.fixture(scope="module")
def crawled():
    spider = make_spider(SmartRecruitersSpider, boards="Gousto1")
    received = site()
    return spider, by_id(crawl(spider, received)), received


def test_the_list_then_one_detail_per_posting(crawled) -> None:
    spider, postings, received = crawled
    paths = [r.path for r in received.received]
    assert paths[0] == "/v1/companies/Gousto1/postings"
    assert (received.received[0].param("offset"), received.received[0].param("limit")) == (
        "0", "100")
    assert len(paths) == 16  # the list (15 postings, one page) and 15 details
    assert sorted(postings) == sorted(DETAILS)
    # Details not recorded answer 404: withdrawn postings, and the board still complete.
    assert dropped(spider) == {"gone before its detail was read": 13}
    assert spider.completed_scopes == {"Gousto1"}


def test_a_posting_from_its_list_record_and_detail(crawled) -> None:
    item = dict(crawled[1]["744000005051195"])
    description = item.pop("description")
    raw = item.pop("raw")
    assert raw["detail"] == json.loads(fixture(DETAILS["744000005051195"]))
    assert raw["list"]["id"] == "744000005051195"
    assert item == {
        "kind": "job", "source": "smartrecruiters", "source_id": "744000005051195",
        "url": "https://jobs.smartrecruiters.com/Gousto1/744000005051195-senior-software-engineer",
        "title": "Senior Software Engineer", "organization": "Gousto",
        "location": "London", "postal_code": None, "country": "gb",
        "latitude": None, "longitude": None, "remote": False,
        "contract_type": ["permanent", "Full-time"], "working_time": "Full-time",
        "published_at": "2024-08-05T16:45:21.242Z",
        "extra": {"function": "Information Technology", "experience": "Mid-Senior Level",
                  "ref_number": "000000000595"},
        "scope": "Gousto1",
        "match_keys": ["job:gousto|senior software engineer|london",
                       "job-text:senior software engineer|london|bd25f5c65872959f"],
    }
    assert description.startswith("<h3>Company Description</h3><p>Gousto, Bento’s parent")
    # One heading per section, the empty "Qualifications" left out.
    assert re.findall(r"<h3>([^<]+)</h3>", description) == [
        "Company Description", "Job Description", "Additional Information"]
    assert "<h3>Job Description</h3><p>Bento is a team" in description


def test_the_other_recorded_posting(crawled) -> None:
    item = crawled[1]["744000005631445"]
    assert (item["title"], item["url"], item["published_at"]) == (
        "Product Manager",
        "https://jobs.smartrecruiters.com/Gousto1/744000005631445-product-manager",
        "2024-08-08T07:51:55.575Z")
    assert item["extra"]["ref_number"] == "000000000426"
    assert item["description"].endswith("click I’m interested below to apply!</p>"
                                         "<p>#LI-Hybrid</p>")


def test_the_normaliser_reads_place_contract_and_date(crawled) -> None:
    record = normalized(crawled[1]["744000005631445"])
    assert (record["city"], record["country"], record["remote"]) == ("London", "GB", False)
    assert (record["contract_type"], record["working_time"]) == ("cdi", "full_time")
    assert record["published_at"] == datetime(2024, 8, 8, 7, 51, 55, 575000, tzinfo=UTC)


def test_the_list_alone_gives_a_page_url_when_the_detail_has_none() -> None:
    spider = make_spider(SmartRecruitersSpider, boards="Gousto1")
    record = json.loads(fixture("jobs/smartrecruiters_gousto1_postings_list_2024-08-08.json"))
    posting = record["content"][11]  # Spalding, with a region and coordinates
    item = spider.parse_item(posting, SmartRecruitersSpider.parse_board("Gousto1"), record, {})
    assert item["url"] == "https://jobs.smartrecruiters.com/Gousto1/744000002567175"
    assert (item["location"], item["latitude"], item["longitude"]) == (
        "Spalding, England", "52.7872877", "-0.1558005")
    assert item["description"] is None


def test_an_unknown_company_is_an_empty_board() -> None:
    """SmartRecruiters answers 200 and no posting for a company it does not know (recorded)."""
    spider = make_spider(SmartRecruitersSpider, boards="zzzzz")
    assert crawl(spider, site()) == []
    assert spider.completed_scopes == {"zzzzz"}


@pytest.mark.parametrize("text, key", [
    ("Gousto1", "Gousto1"), ("https://jobs.smartrecruiters.com/Gousto1", "Gousto1"),
    ("https://careers.smartrecruiters.com/Gousto1/", "Gousto1")])
def test_boards_are_company_ids_or_urls(text, key) -> None:
    assert SmartRecruitersSpider.parse_board(text).key == key
