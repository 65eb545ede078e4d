"""Cegid Talentsoft: a token per career site (its secret never leaves the downloader),
pages followed by their ``next`` link, zone-less times read as Europe/Paris."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.config import Config
from aggregator.crawling.registry import configuration_problem
from spiders.talentsoft import TalentsoftSpider
from tests.sites import serve, talentsoft
from tests.spiders.boards.test_e2e import crawl, stored
from tests.spiders.support import crawl as crawl_offline
from tests.spiders.support import make_spider, normalized


def test_offers_with_paris_times_places_and_contracts() -> None:
    spider = make_spider(TalentsoftSpider, talentsoft.CREDENTIALS, page_size="1",
                         boards="https://francetravail-career.talent-soft.com")
    items = {item["source_id"]: item for item in crawl_offline(spider, talentsoft.site())}
    assert sorted(items) == ["2025-82799", "2025-82802"]
    offer = normalized(items["2025-82802"])
    # "2025-10-03T09:42:16.853", no zone: Paris summer time, UTC+2
    assert offer["published_at"] == datetime(2025, 10, 3, 7, 42, 16, 853000, tzinfo=UTC)
    assert (offer["contract_type"], offer["department"]) == ("cdd", "78")
    assert spider.completed_scopes == {"https://francetravail-career.talent-soft.com"}


def test_a_board_is_the_career_site_whatever_page_was_pasted() -> None:
    for text in ("edf", "https://edf.talent-soft.com/offre-de-emploi/liste-offres.aspx",
                 "https://edf.talent-soft.com/api/V2/offersummaries?count=100"):
        assert TalentsoftSpider.parse_board(text).key == "https://edf.talent-soft.com"


def test_without_credentials_it_says_what_is_missing(monkeypatch) -> None:
    for name in ("TALENTSOFT_CLIENT_ID", "TALENTSOFT_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    problem = configuration_problem("talentsoft", Config(), {"boards": "edf"})
    assert problem and "TALENTSOFT_CLIENT_ID and TALENTSOFT_CLIENT_SECRET not set" in problem


@pytest.mark.slow
def test_pages_then_a_refused_token_then_emptied_twice(sqlite_url) -> None:
    records = talentsoft.offers()
    site = talentsoft.site(records)
    with serve(site) as base:
        board = f"{base}/francetravail-career"
        run = crawl("talentsoft", sqlite_url, {"boards": f"{board},{base}/a/b", "page_size": "1"},
                    talentsoft.CREDENTIALS)
        pages = [r.param("start") for r in site.received if "offersummaries" in r.path]
        assert pages == [None, "1"]
        assert (run.outcome, run.complete, run.items_new) == ("partial", False, 2)
        assert "token request refused (HTTP 404)" in run.error_summary
        tokens = [r.body for r in site.received if r.path.endswith("/api/token")]
        assert all(b"client_secret=replay-secret" in body for body in tokens)
        assert {j["scope"] for j in stored(sqlite_url, "talentsoft").values()} == {board}

        records.clear()
        for missed in (1, 2):
            run = crawl("talentsoft", sqlite_url, {"boards": board}, talentsoft.CREDENTIALS)
            assert (run.outcome, run.complete, run.items_new) == ("ok", True, 0)
            jobs = stored(sqlite_url, "talentsoft")
            assert {j["missed_crawls"] for j in jobs.values()} == {missed}
    assert {j["status"] for j in jobs.values()} == {"closed"}
