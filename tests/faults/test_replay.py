"""A replayed crawl is marked as such and says nothing of the source: it neither settles the
schedule nor counts for the source's health (issue 12 §2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aggregator.crawling.replay import BUNDLED_REPLAY
from aggregator.scheduling.health import source_health
from aggregator.scheduling.service import crawl_state
from aggregator.store.engine import get_engine
from tests.faults.support import aggregator, all_runs

pytestmark = pytest.mark.slow


def test_a_replayed_run_is_marked_and_settles_nothing(sqlite_url):
    before = datetime.now(UTC) - timedelta(minutes=1)
    result = aggregator("crawl", "--replay", str(BUNDLED_REPLAY), "greenhouse")
    assert result.returncode == 0, result.stdout + result.stderr
    (run,) = all_runs(sqlite_url)
    assert run.replayed and run.outcome == "ok" and run.items_new > 0
    assert "ok (replayed)" in aggregator("runs").stdout
    assert "(replayed)" in aggregator("sources").stdout
    engine = get_engine(sqlite_url)
    # the slot it ran in is still due, and health has not seen the source crawled
    assert crawl_state(engine, "greenhouse", before, now=datetime.now(UTC),
                       stale_after=timedelta(hours=1)) == "due"
    health = {h.source: h for h in source_health(engine)}["greenhouse"]
    assert health.last_success_at is None and health.items_last_run is None
