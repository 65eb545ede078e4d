"""SAP SuccessFactors: a board is a feed URL (or a career site, read at its default feed);
the place a title ends with is the listing's."""

from __future__ import annotations

import pytest

from spiders.successfactors import SuccessFactorsSpider, TitledPlace, titled_place
from tests.sites import FIXTURES, serve, successfactors
from tests.sites.recorded import Recording, emptied
from tests.spiders import support
from tests.spiders.boards.test_e2e import crawl, stored

QORVO = ("https://careers.qorvo.com/job/Richardson-Principal-Research-Scientist-RF-MMIC-Design"
         "-TX-75080/1397710500/?feedId=null&utm_source=J2WRSS&utm_medium=rss"
         "&utm_campaign=J2W_RSS")


def test_the_recorded_feed_gives_each_job_its_place_and_employer() -> None:
    spider = support.make_spider(SuccessFactorsSpider,
                                 boards="http://127.0.0.1/feeds//?locale=en_US")
    item = support.by_id(support.crawl(spider, successfactors.site()))[QORVO]
    assert (item["title"], item["location"], item["country"], item["organization"]) == (
        "Principal Research Scientist -  RF MMIC Design", "Richardson, TX, US, 75080", "US",
        "Qorvo")
    record = support.normalized(item)
    assert (record["title"], record["city"], record["country"], record["department"]) == (
        "Principal Research Scientist - RF MMIC Design", "Richardson", "US", None)


@pytest.mark.parametrize("title, expected", [
    # titles of real feeds, quoted in public test suites
    ("Program Control Analyst 4 (Centennial, CO, US, 80112)",
     TitledPlace("Program Control Analyst 4", "Centennial, CO, US, 80112", "US")),
    ("Sr Spec, Quality Engrg (Supplier Quality) (Rochester, NY, US, 14623)",
     TitledPlace("Sr Spec, Quality Engrg (Supplier Quality)", "Rochester, NY, US, 14623",
                 "US")),
    ("Territory Business Lead (Bangalore, KA, IN)",
     TitledPlace("Territory Business Lead", "Bangalore, KA, IN", "IN")),
    ("IT Manager Platform Operations (Muenchen, DE)",
     TitledPlace("IT Manager Platform Operations", "Muenchen, DE", "DE")),
    ("Service Manager (Luleå, Other/Not Applicable, Sweden)",
     TitledPlace("Service Manager", "Luleå, Other/Not Applicable, Sweden", "SE")),
    ("Ingénieur études (Lyon, ARA, FR, 69001)",
     TitledPlace("Ingénieur études", "Lyon, ARA, FR, 69001", "FR")),
    # brackets that name no country after a city are the title's
    ("HR Partner (Södertälje, AB, 151 87)", TitledPlace("HR Partner (Södertälje, AB, 151 87)")),
    ("Chef de projet (H/F, CDI)", TitledPlace("Chef de projet (H/F, CDI)")),
    ("Développeur (FR)", TitledPlace("Développeur (FR)")),
    ("Controller", TitledPlace("Controller")),
])
def test_the_place_in_a_title(title, expected) -> None:
    assert titled_place(title) == expected


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
