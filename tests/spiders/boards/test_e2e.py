"""End-to-end crawls of the job boards, one per access pattern, and of every board platform
whose site is derived from its fixtures, against the recorded responses served on 127.0.0.1:
the real crawl process, pipelines, store and run record."""

from __future__ import annotations

import json
import re
import time

import pytest
from sqlalchemy import select

from aggregator.crawling.registry import board_platforms
from aggregator.crawling.runner import CrawlRequest, run_crawl
from aggregator.store.engine import get_engine
from aggregator.store.runs import get_run
from aggregator.store.writer import listings
from tests.sites import (
    FixtureSite,
    Reply,
    Route,
    greenhouse,
    serve,
    smartrecruiters,
    teamtailor,
    workday,
)
from tests.sites.recorded import derived, local_endpoints, record_count, recorded_site, recordings

pytestmark = pytest.mark.slow
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}


def crawl(source: str, url: str, args: dict[str, str], settings: dict[str, str]):
    run_id = run_crawl(CrawlRequest(source, args=args, settings={**FAST, **settings}),
                       database_url=url, timeout=120)
    return get_run(get_engine(url), run_id)


def stored(url: str, source: str) -> dict[str, dict]:
    with get_engine(url).connect() as conn:
        rows = conn.execute(select(listings).where(listings.c.source == source)).mappings()
        return {row["source_id"]: dict(row) for row in rows}


def test_json_list_waits_for_retry_after_and_counts_a_miss_for_what_is_gone(sqlite_url) -> None:
    full = greenhouse.site()
    full.routes.insert(0, Route("GET", re.compile(r"/v1/boards/codepath/jobs"),  # one 429
                                Reply.json(b"", 429, **{"Retry-After": "1"}), 1))
    with serve(full) as base:
        started = time.monotonic()
        run = crawl("greenhouse", sqlite_url, {"boards": "codepath"},
                    {"GREENHOUSE_API_URL": f"{base}/v1"})
        waited = time.monotonic() - started
    assert (run.outcome, run.complete, run.items_new) == ("ok", True, 15)
    assert run.stats["retry_after/waits"] == 1 and waited >= 1
    assert [r.path for r in full.received if r.path != "/robots.txt"] == [
        "/v1/boards/codepath/jobs"] * 2
    jobs = stored(sqlite_url, "greenhouse")
    assert len(jobs) == 15 and {j["scope"] for j in jobs.values()} == {"codepath"}
    assert jobs["4426707007"]["country"] == "US"

    # The board lists one job fewer: a complete crawl counts a miss for it (the 2nd
    # consecutive miss closes it: aggregator.store.lifecycle, tested there).
    board = greenhouse.content_list()
    board["jobs"] = [job for job in board["jobs"] if job["id"] != 4426096007]
    board["meta"]["total"] = 14
    smaller = FixtureSite().add("GET", r"/v1/boards/codepath/jobs",
                                Reply.json(json.dumps(board).encode()))
    with serve(smaller) as base:
        run = crawl("greenhouse", sqlite_url, {"boards": "codepath"},
                    {"GREENHOUSE_API_URL": f"{base}/v1"})
    assert (run.outcome, run.complete, run.items_unchanged) == ("ok", True, 14)
    jobs = stored(sqlite_url, "greenhouse")
    assert {k: j["missed_crawls"] for k, j in jobs.items() if j["missed_crawls"]} == {
        "4426096007": 1}
    assert {j["status"] for j in jobs.values()} == {"open"}


def test_offset_paged_board_in_pages_of_five_with_details(sqlite_url) -> None:
    site = smartrecruiters.site()
    with serve(site) as base:
        run = crawl("smartrecruiters", sqlite_url, {"boards": "Gousto1", "page_size": "5"},
                    {"SMARTRECRUITERS_API_URL": f"{base}/v1"})
    pages = [r.param("offset") for r in site.received
             if r.path == "/v1/companies/Gousto1/postings"]
    assert pages == ["0", "5", "10"]
    assert (run.outcome, run.complete, run.items_new) == ("ok", True, 2)
    assert run.dropped_reasons == {"gone before its detail was read": 13}
    jobs = stored(sqlite_url, "smartrecruiters")
    assert sorted(jobs) == ["744000005051195", "744000005631445"]
    assert jobs["744000005631445"]["contract_type"] == "cdi"


def test_post_paged_board_reads_both_recorded_pages(sqlite_url) -> None:
    site = workday.site()
    with serve(site) as base:
        board = f"{base}/wday/cxs/motorolasolutions/Careers?locationCountry={workday.UK}"
        run = crawl("workday", sqlite_url, {"boards": board}, {})
    assert [json.loads(r.body)["offset"] for r in site.received if r.method == "POST"] == [0, 20]
    assert (run.outcome, run.complete, run.items_new) == ("ok", True, 14)
    assert run.dropped_reasons == {"gone before its detail was read": 17}
    jobs = stored(sqlite_url, "workday")
    assert {j["scope"] for j in jobs.values()} == {board}
    assert {j["organization"] for j in jobs.values()} == {"Motorola Solutions UK Limited"}


def test_rss_boards(sqlite_url) -> None:
    with serve(teamtailor.site()) as base:
        run = crawl("teamtailor", sqlite_url,
                    {"boards": f"{base}/footasylum,{base}/career,{base}/nosuchsite"}, {})
    # The unknown site answers 404: that board is partial, the two others are stored.
    assert (run.outcome, run.complete, run.items_new) == ("partial", False, 5)
    assert "teamtailor board" in run.error_summary and "HTTP 404" in run.error_summary
    jobs = stored(sqlite_url, "teamtailor")
    assert {j["city"] for j in jobs.values()} == {"Aberdeen", "Rochdale", "Stockholm", "London",
                                                  "Sydney"}


@pytest.mark.parametrize("name", [n for n in board_platforms() if derived(n)])
def test_a_board_platform_read_whole_then_an_error_page_then_emptied(name, sqlite_url) -> None:
    """Every recorded job stored; an unknown board's error page leaves the run partial; a
    board emptied twice in a row (two complete crawls without its jobs) closes them."""
    boards = list(dict.fromkeys(r.board for r in recordings(name)))
    with serve(recorded_site(name)) as base:
        run = crawl(name, sqlite_url, {"boards": ",".join([*boards, "nosuchboard"])},
                    local_endpoints(name, base))
    jobs = stored(sqlite_url, name)
    expected = sum(record_count(recording) for recording in recordings(name))
    assert (run.outcome, run.complete, run.items_new) == ("partial", False, expected)
    assert len(jobs) == expected and {j["scope"] for j in jobs.values()} == set(boards)
    assert "nosuchboard" in run.error_summary and "HTTP 404" in run.error_summary

    with serve(recorded_site(name, emptied_boards=boards)) as base:
        for missed in (1, 2):
            run = crawl(name, sqlite_url, {"boards": ",".join(boards)},
                        local_endpoints(name, base))
            assert (run.outcome, run.complete, run.items_new) == ("ok", True, 0)
            jobs = stored(sqlite_url, name)
            assert {j["missed_crawls"] for j in jobs.values()} == {missed}
    assert {j["status"] for j in jobs.values()} == {"closed"}
