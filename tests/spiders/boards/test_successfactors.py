"""SAP SuccessFactors: a board is a feed URL (or a career site, read at its default feed)."""

from __future__ import annotations

import pytest

from spiders.successfactors import SuccessFactorsSpider
from tests.sites import FIXTURES, serve, successfactors
from tests.sites.recorded import Recording, emptied
from tests.spiders.boards.test_e2e import crawl, stored


def test_a_board_is_a_feed_url_or_a_career_site() -> None:
    feed = SuccessFactorsSpider.parse_board("https://careers.qorvo.com/feeds//?locale=en_US")
    assert feed.base_url == "https://careers.qorvo.com/feeds//?locale=en_US"
    site = SuccessFactorsSpider.parse_board("https://jobs.example.fr/")
    assert site.key == "https://jobs.example.fr/feeds/?locale=fr_FR"
    with pytest.raises(ValueError, match="not a successfactors feed URL"):
        SuccessFactorsSpider.parse_board("qorvo")


@pytest.mark.slow
def test_feed_read_whole_then_an_error_page_then_emptied(sqlite_url) -> None:
    recording = Recording(FIXTURES / "jobs/successfactors_qorvo_feeds.xml", "qorvo", "GET",
                          successfactors.FEED)
    with serve(successfactors.site(then=emptied(recording))) as base:
        feed = f"{base}/feeds//?locale=en_US"
        run = crawl("successfactors", sqlite_url, {"boards": f"{feed},{base}/nosuch/feed"}, {})
        jobs = stored(sqlite_url, "successfactors")
        assert (run.outcome, run.complete, run.items_new) == ("partial", False, 2)
        assert "HTTP 404" in run.error_summary
        assert {j["scope"] for j in jobs.values()} == {feed}

        for missed in (1, 2):
            run = crawl("successfactors", sqlite_url, {"boards": feed}, {})
            assert (run.outcome, run.complete, run.items_new) == ("ok", True, 0)
            jobs = stored(sqlite_url, "successfactors")
            assert {j["missed_crawls"] for j in jobs.values()} == {missed}
    assert {j["status"] for j in jobs.values()} == {"closed"}
