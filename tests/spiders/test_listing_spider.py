"""The base spider's dates, per-scope incremental windows and shared value readers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from spiders.base.values import as_list, first_present, in_preferred_language, text_list
from spiders.ted import TedSpider
from tests.spiders.support import make_spider, start_requests

# 00:30 in Paris on 13 August is still 12 August in UTC.
PARIS_AFTER_MIDNIGHT = datetime(2026, 8, 12, 22, 30, tzinfo=UTC)


@time_machine.travel(PARIS_AFTER_MIDNIGHT, tick=False)
def test_today_is_the_paris_date_not_the_utc_one():
    spider = make_spider(TedSpider)
    assert spider.until_date() == date(2026, 8, 13)
    assert spider.since_date() == date(2026, 7, 14)  # first crawl: 30 days back
    # the newest stored notice, published at 00:10 Paris time on the 13th
    spider.last_published_at = datetime(2026, 8, 12, 22, 10, tzinfo=UTC)
    assert spider.since_date() == date(2026, 8, 12)  # its Paris day, minus the overlap
    start_requests(spider)
    assert spider.run_args == {"since": "2026-08-12", "until": "2026-08-13"}


@time_machine.travel(PARIS_AFTER_MIDNIGHT, tick=False)
def test_since_per_scope():
    spider = make_spider(TedSpider)
    spider.last_published_at = datetime(2026, 8, 10, 8, 0, tzinfo=UTC)
    spider.last_published_by_scope = {"a": datetime(2026, 8, 10, 8, 0, tzinfo=UTC)}
    assert spider.since_date("a") == date(2026, 8, 9)
    assert spider.since_date("b") == date(2026, 7, 14)  # nothing stored: a first crawl
    # what record_since kept wins (replays; distributed workers get their arguments as text)
    for recorded in ({"b": "2026-08-01"}, '{"b": "2026-08-01"}'):
        replayed = make_spider(TedSpider, since_by_scope=recorded)
        assert replayed.since_date("b") == date(2026, 8, 1)
    with pytest.raises(ValueError, match="since_by_scope="):
        make_spider(TedSpider, since_by_scope="{'b': ").since_date("b")
    # an explicit since holds for every scope
    assert make_spider(TedSpider, since="2026-08-05").since_date("a") == date(2026, 8, 5)


@pytest.mark.parametrize("since_by_scope, run_args", [
    ({"a": date(2026, 8, 1), "b": date(2026, 8, 1)}, {"since": "2026-08-01"}),
    ({"a": date(2026, 8, 1), "b": date(2026, 7, 1)},
     {"since_by_scope": '{"a": "2026-08-01", "b": "2026-07-01"}'}),
    ({"a": date(2026, 8, 1), "b": None}, {"since_by_scope": '{"a": "2026-08-01"}'}),
    ({"a": None}, {}),
])
def test_record_since(since_by_scope, run_args):
    spider = make_spider(TedSpider)
    spider.record_since(since_by_scope)
    assert spider.run_args == run_args


def test_value_readers():
    assert as_list(None) == as_list("") == [] and as_list(("a", "b")) == ["a", "b"]
    assert as_list({"x": 1}) == [{"x": 1}]
    assert text_list("a, b,,") == ["a", "b"] and text_list([1, " 13 "]) == ["1", "13"]
    assert first_present([None, "", 0, "x"]) == 0
    assert in_preferred_language({"deu": "d", "ENG": "e", "fra": ""}) == "e"
    assert in_preferred_language({"FRA": "f", "eng": "e"}) == "f"
    assert in_preferred_language({"deu": ["d"]}) == ["d"]
