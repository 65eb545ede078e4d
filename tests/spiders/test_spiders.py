"""Every registered spider over its recorded responses (kingfisher-collect's test_spiders.py).

For each spider of the registry, its fake site (tests/sites: a module of its own, or derived
from its fixtures) answers the crawl its replay arguments ask for, offline. What a user
relies on from any source: listings come out, each valid for the store (the validate
pipeline's required fields) and readable by the normaliser, of the spider's kind and name;
nothing dropped but jobs withdrawn before their detail was read (details the recordings
lack); no error logged; no part of the source left unread. A new spider is tested here with
no new test code: a spider without recorded responses fails.
"""

from __future__ import annotations

import logging

import pytest
from scrapy.exceptions import DropItem

from aggregator.crawling.pipelines import ValidatePipeline
from aggregator.crawling.registry import board_platforms, spider_class, spider_names
from aggregator.crawling.replay import BUNDLED_REPLAY, read_manifest
from tests.sites.recorded import derived, record_count, recordings, replay_for, site_for
from tests.spiders.support import crawl, dropped, make_spider, normalized

# A detail the recordings lack answers 404, as a withdrawn job does.
WITHDRAWN = "gone before its detail was read"


@pytest.mark.parametrize("name", spider_names())
def test_every_spider_reads_its_recorded_responses(name: str, caplog) -> None:
    replay = replay_for(name)
    spider = make_spider(spider_class(name), replay["settings"], **replay["args"])
    with caplog.at_level(logging.WARNING):
        items = crawl(spider, site_for(name))

    assert items, f"{name}: no listing from its recorded responses"
    validate = ValidatePipeline(spider.crawler)
    for item in items:
        try:
            validate.process_item(item)
        except DropItem as exc:
            pytest.fail(f"{name}: {exc}")
        assert (item["source"], item["kind"]) == (name, spider.kind)
        assert normalized(item)["title"]
    assert set(dropped(spider)) <= {WITHDRAWN}, dropped(spider)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors
    assert not spider.partial
    if name in board_platforms():
        assert spider.completed_scopes == {board.key for board in spider.configured_boards()}


@pytest.mark.parametrize("name", [n for n in board_platforms() if derived(n)])
def test_a_derived_board_gives_one_listing_per_recorded_record(name: str) -> None:
    """No drop at all: every record of the recorded documents is a listing."""
    spider = make_spider(spider_class(name), **replay_for(name)["args"])
    records = sum(record_count(recording) for recording in recordings(name))
    assert len(crawl(spider, site_for(name))) == records > 0
    assert dropped(spider) == {}


def test_the_bundled_replay_set_holds_every_spider() -> None:
    """What `make run` replays offline; a new spider needs `python -m tests.build_replay NAME`
    (built from the same fake sites as above)."""
    sources = read_manifest(BUNDLED_REPLAY)["sources"]
    assert sorted(sources) == spider_names()
    for name, recorded in sources.items():  # a replay asks the real URLs it recorded
        assert {e.setting: e.default for e in spider_class(name).endpoints()}.items() <= \
            recorded["settings"].items()
