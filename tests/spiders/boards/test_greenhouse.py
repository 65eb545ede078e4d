"""Greenhouse: recorded responses of the ``codepath`` board through the spider's callbacks."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from spiders.greenhouse import GreenhouseSpider
from tests.sites import fixture
from tests.sites.greenhouse import DETAIL, LIST, site
from tests.spiders.support import by_id, crawl, make_spider, normalized

LISTED = {"kind", "source", "source_id", "url", "title", "organization", "description",
          "location", "contract_type", "salary", "published_at", "modified_at", "extra",
          "scope", "match_keys", "raw"}


@pytest.fixture(scope="module")
def jobs() -> dict:
    spider = make_spider(GreenhouseSpider, boards="codepath")
    found = by_id(crawl(spider, site()))
    assert spider.completed_scopes == {"codepath"}
    return found


def test_the_request_asks_for_the_content() -> None:
    spider = make_spider(GreenhouseSpider, boards="https://boards.greenhouse.io/codepath")
    assert [b.key for b in spider.configured_boards()] == ["codepath"]
    request = next(iter(spider.board_requests(spider.configured_boards()[0])))
    assert request.url == "https://boards-api.greenhouse.io/v1/boards/codepath/jobs?content=true"


def test_every_job_of_the_board_is_listed(jobs) -> None:
    recorded = json.loads(fixture(LIST))["jobs"]
    assert sorted(jobs) == sorted(str(job["id"]) for job in recorded)
    assert all(set(item) == LISTED for item in jobs.values())


def test_a_job_of_the_recorded_list(jobs) -> None:
    item = dict(jobs["4426096007"])
    raw = item.pop("raw")
    assert raw["internal_job_id"] == 4265789007
    assert item == {
        "kind": "job", "source": "greenhouse", "source_id": "4426096007",
        "url": "https://boards.greenhouse.io/codepath/jobs/4426096007",
        "title": "Associate Instructor - Part Time, Fall Contract",
        "organization": "codepath",  # no company_name in the 2024 recording
        "description": None, "location": "Arlington, Virginia", "contract_type": None,
        "salary": None, "published_at": None, "modified_at": "2024-07-08T20:45:00-04:00",
        "extra": {"requisition_id": "58"}, "scope": "codepath",
        "match_keys": ["job:codepath|associate instructor part time fall contract|arlington"],
    }


def test_a_job_with_its_content(jobs) -> None:
    item = dict(jobs["4426707007"])
    description = item.pop("description")
    item.pop("raw")
    assert item == {
        "kind": "job", "source": "greenhouse", "source_id": "4426707007",
        "url": "https://boards.greenhouse.io/codepath/jobs/4426707007",
        "title": "Data Engineer", "organization": "codepath",
        "location": "Remote, United States", "contract_type": None, "salary": None,
        "published_at": None, "modified_at": "2024-07-24T18:48:03-04:00",
        "extra": {"teams": ["Platform"], "offices": ["United States"], "requisition_id": "60"},
        "scope": "codepath",
        "match_keys": [],  # "Remote, United States" names no city
    }
    # The API's extra escaping is undone: real HTML, as the page shows it.
    assert description.startswith('<div class="content-intro"><p style="line-height: 1.4;">')
    assert description.endswith("</div>\n</div></div>")
    assert "&lt;" not in description


def test_the_normaliser_reads_the_place(jobs) -> None:
    remote = normalized(jobs["4426707007"])
    assert (remote["country"], remote["remote"], remote["city"]) == ("US", True, None)
    assert remote["description"].startswith("CodePath is a national non-profit")
    onsite = normalized(jobs["4426096007"])
    assert (onsite["city"], onsite["country"], onsite["remote"]) == ("Arlington", "US", False)


# The first job of a real board list recorded on 2025-11-26, verbatim: github.com/matchaboar/
# srajob2, tests/fixtures/robinhood_greenhouse_board.json (commit 54e3007ed4533f15768df9e41d6
# 98fcbde87ddbd; all 102 jobs carry company_name and first_published, none
# application_deadline).
ROBINHOOD_JOB = {
    "absolute_url": "https://boards.greenhouse.io/robinhood/jobs/7379020?t=gh_src=&gh_jid=7379020",
    "data_compliance": [{"type": "gdpr", "requires_consent": False,
                         "requires_processing_consent": False,
                         "requires_retention_consent": False, "retention_period": None,
                         "demographic_data_consent_applies": True}],
    "internal_job_id": 3289690,
    "location": {"name": "Denver, CO; New York, NY; Westlake, TX"},
    "metadata": [{"id": 4288026, "name": "Careers Page Bucket",
                  "value": "FRAUD  & FINANCIAL CRIMES", "value_type": "single_select"}],
    "id": 7379020,
    "updated_at": "2025-11-25T20:49:51-05:00",
    "requisition_id": "JR107648",
    "title": "AML Investigator, Crypto",
    "company_name": "Robinhood",
    "first_published": "2025-11-25T20:49:51-05:00",
    "language": "en",
}


def test_current_fields_of_a_recorded_2025_board() -> None:
    spider = make_spider(GreenhouseSpider, boards="robinhood")
    item = dict(spider.parse_item(ROBINHOOD_JOB, GreenhouseSpider.parse_board("robinhood"),
                                  None))
    assert item == {
        "kind": "job", "source": "greenhouse", "source_id": "7379020",
        "url": ROBINHOOD_JOB["absolute_url"], "title": "AML Investigator, Crypto",
        "organization": "Robinhood",  # company_name, not the board token
        "description": None, "location": "Denver, CO; New York, NY; Westlake, TX",
        "contract_type": None,  # "Careers Page Bucket" is no contract field
        "salary": None,
        "published_at": "2025-11-25T20:49:51-05:00",  # first_published
        "modified_at": "2025-11-25T20:49:51-05:00",
        "extra": {"requisition_id": "JR107648"},
    }
    record = normalized(spider.emit(ROBINHOOD_JOB, GreenhouseSpider.parse_board("robinhood"),
                                    None).__next__())
    assert record["published_at"] == datetime(2025, 11, 26, 1, 49, 51, tzinfo=UTC)
    assert record["organization"] == "Robinhood"
    # an application_deadline, if a response ever gives one, is not read as the deadline
    dated = {**ROBINHOOD_JOB, "application_deadline": "2026-01-31"}
    assert spider.parse_item(dated, GreenhouseSpider.parse_board("robinhood"),
                             None).get("deadline_at") is None


def test_metadata_and_pay_ranges_are_mapped_when_the_api_gives_them() -> None:
    """A contract custom field in the metadata shape of Greenhouse's Job Board API docs, and
    the recorded job 4426707007's pay range (recorded with pay_transparency=true)."""
    detail = json.loads(fixture(DETAIL))
    record = {**detail, "metadata": [{"id": 1, "name": "Employment Type", "value": "Full-time",
                                      "value_type": "single_select"}]}
    spider = make_spider(GreenhouseSpider, boards="codepath")
    item = spider.parse_item(record, GreenhouseSpider.parse_board("codepath"), None)
    assert item["contract_type"] == ["Full-time"]
    assert item["salary"] == [{"min_cents": 12000000, "max_cents": 16000000,
                               "currency_type": "USD", "title": "Pay range", "blurb": ""}]


@pytest.mark.parametrize("text, key", [
    ("codepath", "codepath"),
    ("https://boards.greenhouse.io/codepath", "codepath"),
    ("https://job-boards.greenhouse.io/codepath/jobs/4426707007", "codepath"),
    ("https://boards-api.greenhouse.io/v1/boards/codepath/jobs", "codepath"),
])
def test_boards_are_tokens_or_board_urls(text, key) -> None:
    assert GreenhouseSpider.parse_board(text).key == key


def test_a_url_that_is_no_board_is_refused() -> None:
    with pytest.raises(ValueError, match="not a greenhouse board name"):
        GreenhouseSpider.parse_board("https://example.com/careers")
