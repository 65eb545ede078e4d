"""APEC: searches from keywords and places, read page by page; contract codes and salary
texts through the normalisers; a search read whole closes the offers it no longer lists."""

from __future__ import annotations

import json

import pytest

from spiders.apec import ApecSpider
from tests.sites import apec, serve
from tests.spiders.boards.test_e2e import crawl as crawl_run
from tests.spiders.boards.test_e2e import stored
from tests.spiders.support import crawl, make_spider, normalized


def test_offers_read_with_their_contract_salary_and_place() -> None:
    spider = make_spider(ApecSpider, keywords="developpeur", page_size="2")
    items = {item["source_id"]: item for item in crawl(spider, apec.site())}
    assert sorted(items) == ["179120408W", "179261918W", "179357829W"]
    offer = normalized(items["179261918W"])
    assert (offer["contract_type"], offer["city"], offer["department"]) == (
        "cdi", "Wasquehal", "59")
    assert offer["organization"] == "CD Consulting"
    assert offer["url"].endswith("/emploi/detail-offre/179261918W")
    assert items["179120408W"]["remote"] is True  # idNomTeletravail
    assert spider.completed_scopes == {"motsCles=developpeur"}


def test_one_search_per_place_each_its_own_scope() -> None:
    spider = make_spider(ApecSpider, keywords="developpeur", places="75,13")
    assert [board.key for board in spider.configured_boards()] == [
        "motsCles=developpeur&lieux=75", "motsCles=developpeur&lieux=13"]
    assert ApecSpider.configuration_problem(spider.source_config, {}) is None


@pytest.mark.slow
def test_paged_search_then_an_error_then_emptied_twice(sqlite_url) -> None:
    site = apec.site()
    with serve(site) as base:
        run = crawl_run("apec", sqlite_url, {"keywords": "developpeur", "page_size": "2"},
                        {"APEC_API_URL": f"{base}/cms/webservices"})
    pages = [json.loads(r.body)["pagination"] for r in site.received if r.method == "POST"]
    assert pages == [{"range": 2, "startIndex": 0}, {"range": 2, "startIndex": 2}]
    assert (run.outcome, run.complete, run.items_new) == ("ok", True, 3)
    assert {j["scope"] for j in stored(sqlite_url, "apec").values()} == {"motsCles=developpeur"}

    with serve(apec.site()) as base:  # an error page: the run fails, nothing is missed
        run = crawl_run("apec", sqlite_url, {"keywords": "developpeur"},
                        {"APEC_API_URL": f"{base}/nosuchpath"})
    assert (run.outcome, run.complete) == ("failed", False)
    assert "HTTP 404" in run.error_summary
    assert {j["missed_crawls"] for j in stored(sqlite_url, "apec").values()} == {0}

    with serve(apec.site(offers=[])) as base:
        for missed in (1, 2):
            run = crawl_run("apec", sqlite_url, {"keywords": "developpeur"},
                            {"APEC_API_URL": f"{base}/cms/webservices"})
            assert (run.outcome, run.complete, run.items_new) == ("ok", True, 0)
            assert {j["missed_crawls"] for j in stored(sqlite_url, "apec").values()} == {missed}
    assert {j["status"] for j in stored(sqlite_url, "apec").values()} == {"closed"}
