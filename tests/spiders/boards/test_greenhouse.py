"""Greenhouse: recorded responses of the ``codepath`` board through the spider's callbacks."""

from __future__ import annotations

import json

import pytest

from spiders.greenhouse import GreenhouseSpider
from tests.sites import fixture
from tests.sites.greenhouse import DETAIL, LIST, site
from tests.spiders.boards.support import by_id, crawl, make_spider, normalized

LISTED = {"kind", "source", "source_id", "url", "title", "organization", "description",
          "location", "contract_type", "salary", "published_at", "modified_at", "deadline_at",
          "extra", "scope", "match_keys", "raw"}


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
        "deadline_at": None, "extra": {"requisition_id": "58"}, "scope": "codepath",
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
        "published_at": None, "modified_at": "2024-07-24T18:48:03-04:00", "deadline_at": None,
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


def test_current_fields_are_mapped_when_the_api_gives_them() -> None:
    """company_name, first_published, metadata and pay ranges: the recorded job 4426707007
    (its pay range was recorded with pay_transparency=true), given the fields responses add
    since 2025 and a custom field in the metadata shape of Greenhouse's Job Board API docs."""
    detail = json.loads(fixture(DETAIL))
    record = {**detail, "company_name": "CodePath",
              "first_published": "2024-07-01T10:00:00-04:00", "application_deadline": None,
              "metadata": [{"id": 1, "name": "Employment Type", "value": "Full-time",
                            "value_type": "single_select"}]}
    spider = make_spider(GreenhouseSpider, boards="codepath")
    item = spider.parse_item(record, GreenhouseSpider.parse_board("codepath"), None)
    assert item["organization"] == "CodePath"
    assert item["published_at"] == "2024-07-01T10:00:00-04:00"
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
