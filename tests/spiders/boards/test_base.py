"""The job-board base classes (spiders/base/boards.py, json_list.py, paged_json.py, xml_feed.py):
configuration, paging and its termination, detail requests, and the error paths that must
leave a board incomplete (so that nothing of it expires).

Small test spiders on each base class read the recorded responses of tests/fixtures/jobs;
pages cut differently from the recording are built here from the recorded records.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from aggregator.config import SourceConfig
from spiders.base import (
    Board,
    JsonListSpider,
    OffsetPagedJsonSpider,
    PostPagedJsonSpider,
    XmlFeedSpider,
)
from tests.sites import FixtureSite, Received, Reply, Route, fixture
from tests.sites import greenhouse as greenhouse_site
from tests.sites import smartrecruiters as smartrecruiters_site
from tests.sites import teamtailor as teamtailor_site
from tests.sites import workday as workday_site
from tests.spiders.support import crawl, dropped, make_spider, stats

GREENHOUSE_LIST = fixture("jobs/greenhouse_codepath_jobs_list_2024-08-05.json")
SR_LIST = json.loads(fixture("jobs/smartrecruiters_gousto1_postings_list_2024-08-08.json"))
SR_IDS = [posting["id"] for posting in SR_LIST["content"]]


class Listed(JsonListSpider):
    name = "listed_test"
    endpoint_setting = "GREENHOUSE_API_URL"
    endpoint_default = "https://boards-api.greenhouse.io/v1"
    records_pointer = "/jobs"

    def list_url(self, board: Board) -> str:
        return f"{self.endpoint}/boards/{board.slug}/jobs"

    def parse_item(self, record: dict, board: Board, page: Any, detail: Any = None):
        return self.listing(source_id=str(record["id"]), url=record["absolute_url"],
                            title=record["title"], organization="CodePath",
                            location=record["location"]["name"])


class Paged(OffsetPagedJsonSpider):
    name = "paged_test"
    endpoint_setting = "SMARTRECRUITERS_API_URL"
    endpoint_default = "https://api.smartrecruiters.com/v1"
    records_pointer = "/content"
    total_pointer = "/totalFound"
    max_page_size = 5

    def page_url(self, board: Board) -> str:
        return f"{self.endpoint}/companies/{board.slug}/postings"

    def parse_item(self, record: dict, board: Board, page: Any, detail: Any = None):
        return self.listing(source_id=record["id"], title=record["name"],
                            url=f"https://jobs.smartrecruiters.com/{board.slug}/{record['id']}")


class PagedWithoutTotal(Paged):
    name = "paged_without_total_test"
    total_pointer = None


class PagedWithDetails(Paged):
    name = "paged_details_test"

    def detail_url(self, record: dict, board: Board) -> str | None:
        return f"{self.page_url(board)}/{record['id']}"

    def parse_item(self, record: dict, board: Board, page: Any, detail: Any = None):
        return self.listing(source_id=record["id"], title=record["name"],
                            url=detail["postingUrl"], description="detail read")


class Posted(PostPagedJsonSpider):
    name = "posted_test"
    records_pointer = "/jobPostings"
    total_pointer = "/total"
    max_page_size = 20

    @classmethod
    def parse_board(cls, text: str) -> Board:
        return Board(key=text, slug="motorolasolutions/Careers", base_url=text)

    def page_url(self, board: Board) -> str:
        return f"{board.base_url}/wday/cxs/{board.slug}/jobs"

    def page_body(self, board: Board, offset: int) -> dict:
        return {"appliedFacets": {"locationCountry": [workday_site.UK]}, "limit": self.page_limit,
                "offset": offset, "searchText": ""}

    def record_id(self, record: Any) -> str | None:
        return record["externalPath"]

    def parse_item(self, record: dict, board: Board, page: Any, detail: Any = None):
        return self.listing(source_id=record["externalPath"], title=record["title"],
                            url=f"{board.base_url}/Careers{record['externalPath']}")


class Fed(XmlFeedSpider):
    name = "fed_test"
    feed_path = "/jobs.rss"
    fields = {"title": "title", "url": "link"}

    @classmethod
    def parse_board(cls, text: str) -> Board:
        return Board(key=text, slug=text, base_url=text)


def greenhouse_only() -> FixtureSite:
    """The recorded Greenhouse list for ``codepath``; other boards answer the recorded 404."""
    return (FixtureSite()
            .add("GET", r"/v1/boards/codepath/jobs", Reply.json(GREENHOUSE_LIST))
            .add("GET", r"/v1/boards/[^/]+/jobs",
                 Reply.json(fixture(greenhouse_site.UNKNOWN), 404)))


# -- configuration ----------------------------------------------------------------------------


def test_no_boards_is_a_configuration_problem_in_one_line() -> None:
    problem = Listed.configuration_problem(SourceConfig("listed_test"), {})
    assert problem == ("no boards configured: add some with `aggregator sources add "
                       "listed_test BOARD` or in aggregator.toml")
    assert Listed.configuration_problem(SourceConfig("listed_test", params={"boards": []}),
                                        {"boards": ""}) == problem


def test_an_unusable_board_is_a_configuration_problem() -> None:
    problem = Listed.configuration_problem(
        SourceConfig("listed_test", params={"boards": ["codepath", "no spaces/here"]}), {})
    assert problem == ("board 'no spaces/here': 'no spaces/here' is not a listed_test board "
                       "name (expected BOARD)")


def test_boards_come_from_the_argument_else_the_configuration(isolated_environment,
                                                              monkeypatch) -> None:
    from aggregator.config.sources import SECTIONS, BoardsSection

    monkeypatch.setitem(SECTIONS, "listed_test", BoardsSection)  # its configuration section
    (isolated_environment / "aggregator.toml").write_text(
        '[sources.listed_test]\nboards = ["codepath", "other"]\n', encoding="utf-8")
    assert [b.key for b in make_spider(Listed).configured_boards()] == ["codepath", "other"]
    spider = make_spider(Listed, boards="codepath, codepath ,third")
    assert [b.key for b in spider.configured_boards()] == ["codepath", "third"]
    assert Listed.configuration_problem(SourceConfig("listed_test"), {"boards": "x"}) is None


def test_a_spider_without_boards_says_so_and_requests_nothing(caplog) -> None:
    spider = make_spider(Listed)
    site = greenhouse_only()
    assert crawl(spider, site) == []
    assert spider.unconfigured_reason.startswith("no boards configured")
    assert site.received == [] and spider.completed_scopes == set()


# -- one JSON list per board ----------------------------------------------------------------


def test_a_board_read_whole_is_complete_and_its_listings_carry_the_scope() -> None:
    spider = make_spider(Listed, boards="codepath")
    items = crawl(spider, greenhouse_only())
    assert len(items) == 15
    assert spider.completed_scopes == {"codepath"} and spider.partial is False
    first = items[0]
    assert first["scope"] == "codepath"
    assert first["raw"] == json.loads(GREENHOUSE_LIST)["jobs"][0]  # the record, untouched
    assert first["match_keys"] == [
        "job:codepath|associate instructor part time fall contract|arlington"]
    assert spider.run_args["boards"] == "codepath"  # what a replay must ask for


def test_a_failing_board_is_partial_and_the_others_still_complete(caplog) -> None:
    spider = make_spider(Listed, boards="nosuchboard,codepath")
    with caplog.at_level(logging.ERROR):
        items = crawl(spider, greenhouse_only())
    assert len(items) == 15
    assert spider.completed_scopes == {"codepath"}
    assert spider.partial is True
    assert "listed_test board nosuchboard: HTTP 404" in caplog.text


@pytest.mark.parametrize("body, reason", [
    (b"<html>Just a moment...</html>", "unreadable response"),  # not JSON
    (b'{"status":404,"error":"Job not found"}', None),  # JSON, but no job list
])
def test_a_list_that_cannot_be_read_leaves_the_board_incomplete(body, reason) -> None:
    site = FixtureSite().add("GET", r"/v1/boards/codepath/jobs", Reply.json(body))
    spider = make_spider(Listed, boards="codepath")
    assert crawl(spider, site) == []
    assert spider.completed_scopes == set() and spider.partial is True
    assert dropped(spider) == ({reason: 1} if reason else {})


def test_a_record_that_cannot_be_mapped_is_dropped_and_keeps_the_board_incomplete() -> None:
    board = json.loads(GREENHOUSE_LIST)
    del board["jobs"][3]["location"]  # parse_item reads record["location"]["name"]
    site = FixtureSite().add("GET", r"/v1/boards/codepath/jobs",
                             Reply.json(json.dumps(board).encode()))
    spider = make_spider(Listed, boards="codepath")
    items = crawl(spider, site)
    assert len(items) == 14  # the others still come
    assert dropped(spider) == {"unreadable record": 1}
    # A job we could not read is not gone: it must not count as missed.
    assert spider.completed_scopes == set()


# -- offset-paged JSON (GET) ------------------------------------------------------------------


def test_offset_pages_are_read_until_the_total() -> None:
    site = smartrecruiters_site.site()
    spider = make_spider(Paged, boards="Gousto1")
    items = crawl(spider, site)
    assert [i["source_id"] for i in items] == SR_IDS
    pages = [(r.param("offset"), r.param("limit")) for r in site.received]
    assert pages == [("0", "5"), ("5", "5"), ("10", "5")]  # totalFound 15: no 4th page
    assert spider.completed_scopes == {"Gousto1"}


def test_without_a_total_paging_stops_at_a_short_page_or_an_empty_one() -> None:
    site = smartrecruiters_site.site()
    spider = make_spider(PagedWithoutTotal, boards="Gousto1", page_size="4")
    assert len(crawl(spider, site)) == 15
    assert [r.param("offset") for r in site.received] == ["0", "4", "8", "12"]  # 12: 3 left
    site = smartrecruiters_site.site()
    spider = make_spider(PagedWithoutTotal, boards="Gousto1", page_size="5")
    assert len(crawl(spider, site)) == 15
    assert [r.param("offset") for r in site.received] == ["0", "5", "10", "15"]  # 15: empty
    assert spider.completed_scopes == {"Gousto1"}


def test_a_total_given_on_the_first_page_only_is_remembered() -> None:
    """Workday says the total on the first page and 0 afterwards (the recorded second page
    of the UK crawl has "total": 0); pages of 10 are cut here from the recorded records."""
    records = [*json.loads(fixture(workday_site.PAGES[0]))["jobPostings"],
               *json.loads(fixture(workday_site.PAGES[20]))["jobPostings"]]

    def search(request: Received) -> Reply:
        body = json.loads(request.body)
        offset, limit = body["offset"], body["limit"]
        page = {"total": len(records) if offset == 0 else 0,
                "jobPostings": records[offset:offset + limit]}
        return Reply.json(json.dumps(page).encode())

    site = FixtureSite().add("POST", r"/wday/cxs/motorolasolutions/Careers/jobs", search)
    spider = make_spider(Posted, boards="http://workday.test", page_size="10")
    items = crawl(spider, site)
    assert len(items) == 31
    assert [json.loads(r.body)["offset"] for r in site.received] == [0, 10, 20, 30]
    assert spider.completed_scopes == {"http://workday.test"}


def test_the_page_cap_leaves_the_board_partial(caplog) -> None:
    site = smartrecruiters_site.site()
    spider = make_spider(Paged, boards="Gousto1", max_pages="2")
    with caplog.at_level(logging.WARNING):
        assert len(crawl(spider, site)) == 10
    assert len(site.received) == 2
    assert spider.completed_scopes == set() and spider.partial is True
    assert "stopped after 2 pages (max_pages)" in caplog.text


def test_a_record_repeated_by_shifting_pages_is_listed_once() -> None:
    """A job published during the crawl shifts the next page by one: the last record of a
    page comes again at the top of the next one."""

    def shifted(request: Received) -> Reply:
        offset, limit = int(request.param("offset")), int(request.param("limit"))
        start = max(0, offset - 1) if offset else 0
        page = {**SR_LIST, "content": SR_LIST["content"][start:start + limit]}
        return Reply.json(json.dumps(page).encode())

    site = FixtureSite().add("GET", smartrecruiters_site.PATH, shifted)
    spider = make_spider(Paged, boards="Gousto1")
    items = crawl(spider, site)
    # Record 4 comes twice and is listed once; record 14 is pushed out of the last page.
    assert sorted(i["source_id"] for i in items) == sorted(SR_IDS[:14])
    assert stats(spider)["aggregator/repeated_record"] == 1
    # 14 distinct jobs of the 15 announced: the unseen one is not gone, so the board is
    # partial and nothing of it expires.
    assert spider.completed_scopes == set() and spider.partial is True
    assert stats(spider)["aggregator/boards_short_of_total"] == 1


def test_a_job_removed_during_the_crawl_leaves_the_board_partial(caplog) -> None:
    """Offset pages of a board that loses a job between two requests: the records after it
    move one place up, and the first of the next page is never seen."""
    served: list[int] = []

    def losing_one(request: Received) -> Reply:
        offset, limit = int(request.param("offset")), int(request.param("limit"))
        records = SR_LIST["content"] if not served else (
            SR_LIST["content"][:2] + SR_LIST["content"][3:])  # job 2 withdrawn after page 1
        served.append(offset)
        page = {**SR_LIST, "content": records[offset:offset + limit],
                "totalFound": len(records)}
        return Reply.json(json.dumps(page).encode())

    site = FixtureSite().add("GET", smartrecruiters_site.PATH, losing_one)
    spider = make_spider(Paged, boards="Gousto1")
    with caplog.at_level(logging.WARNING):
        items = crawl(spider, site)
    # SR_IDS[5] moved up to the first page, already read: a live job never seen
    assert SR_IDS[5] not in {i["source_id"] for i in items}
    assert len(items) == 14
    assert spider.completed_scopes == set() and spider.partial is True
    assert "14 distinct jobs listed of the 15 announced" in caplog.text


# -- detail requests --------------------------------------------------------------------------


def test_a_detail_that_answers_404_is_a_withdrawn_job_not_a_failure() -> None:
    site = smartrecruiters_site.site()  # 2 recorded details, 13 answer 404
    spider = make_spider(PagedWithDetails, boards="Gousto1")
    items = crawl(spider, site)
    assert sorted(i["source_id"] for i in items) == ["744000005051195", "744000005631445"]
    assert all(i["description"] == "detail read" for i in items)
    assert dropped(spider) == {"gone before its detail was read": 13}
    assert spider.completed_scopes == {"Gousto1"}  # the board was still read whole


def test_detail_requests_carry_the_list_page_only_when_the_platform_reads_it() -> None:
    """The list document is tens of KB: pickled with every detail request into a
    distributed crawl's queue, it is carried only where parse_item needs it."""
    spider = make_spider(PagedWithDetails, boards="Gousto1")
    board = spider.configured_boards()[0]
    (detail, *_) = spider.handle_records(SR_LIST["content"], board, SR_LIST)
    assert set(detail.cb_kwargs["kwargs"]) == {"record", "record_id"}

    class NeedsPage(PagedWithDetails):
        name = "needs_page_test"
        detail_needs_page = True

    spider = make_spider(NeedsPage, boards="Gousto1")
    (detail, *_) = spider.handle_records(SR_LIST["content"], board, SR_LIST)
    assert detail.cb_kwargs["kwargs"]["page"] is SR_LIST


def test_a_detail_that_fails_otherwise_leaves_the_board_incomplete(caplog) -> None:
    site = smartrecruiters_site.site()
    site.routes.insert(0, Route("GET", re.compile(smartrecruiters_site.PATH + r"/744000005051195"),
                                Reply(500, b""), None))
    spider = make_spider(PagedWithDetails, boards="Gousto1")
    with caplog.at_level(logging.ERROR):
        items = crawl(spider, site)
    assert [i["source_id"] for i in items] == ["744000005631445"]
    assert spider.completed_scopes == set() and spider.partial is True
    assert "HTTP 500" in caplog.text


# -- POST-paged JSON --------------------------------------------------------------------------


def test_post_pages_send_offset_limit_and_facets_in_a_json_body() -> None:
    site = workday_site.site()  # the recorded two-page UK crawl
    spider = make_spider(Posted, boards="http://workday.test")
    items = crawl(spider, site)
    assert len(items) == 31
    assert [json.loads(r.body) for r in site.received] == [
        {"appliedFacets": {"locationCountry": [workday_site.UK]}, "limit": 20, "offset": o,
         "searchText": ""} for o in (0, 20)]
    assert {r.headers.get("Content-Type") for r in site.received} == {"application/json"}
    assert spider.completed_scopes == {"http://workday.test"}


# -- RSS --------------------------------------------------------------------------------------


def test_a_feed_lists_its_items() -> None:
    spider = make_spider(Fed, boards="http://tt.test/career")
    items = crawl(spider, teamtailor_site.site())
    assert [i["title"] for i in items] == [
        "Group Financial Controller", "UK Account Executive - SMB + Mid-Market",
        "Partnership Manager - APAC"]
    assert spider.completed_scopes == {"http://tt.test/career"}
    assert items[0]["raw"].startswith("<item>")


@pytest.mark.parametrize("body, complete", [
    (b"<html><body>Just a moment...</body></html>", False),  # a 200 that is no feed
    (b"", False),
    (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Acme</title></channel></rss>',
     True),  # a valid feed with no job: the board is empty
])
def test_a_body_that_is_no_feed_leaves_the_board_incomplete(body, complete) -> None:
    site = FixtureSite().add("GET", r"/jobs\.rss", Reply(200, body, teamtailor_site.RSS_TYPE))
    spider = make_spider(Fed, boards="http://tt.test")
    assert crawl(spider, site) == []
    assert (spider.completed_scopes == {"http://tt.test"}) is complete
    assert spider.partial is (not complete)
