"""The post-crawl steps: in order, failures contained."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from aggregator.config import Config
from aggregator.scheduling.steps import POST_CRAWL_STEPS, run_steps
from aggregator.store.models import Listing
from aggregator.store.writer import ListingWriter
from tests.store.test_writer import record

calls: list[str] = []


def first(engine, config):
    calls.append("first")
    raise RuntimeError("SMTP server said no")


def second(engine, config):
    calls.append("second")
    return 7


def test_steps_run_in_order_and_a_failure_does_not_stop_the_next(engine, caplog):
    calls.clear()
    with caplog.at_level(logging.INFO, logger="aggregator.scheduling.steps"):
        results = run_steps(engine, Config(), [("first", first), ("second", second)])
    assert calls == ["first", "second"]
    assert results == {"second": 7}
    assert "post-crawl step first failed" in caplog.text
    assert "RuntimeError: SMTP server said no" in caplog.text


def test_the_default_steps_close_past_deadlines_then_send_due_digests(engine):
    assert [label for label, _ in POST_CRAWL_STEPS] == ["close past deadlines",
                                                       "send due digests"]
    ListingWriter(engine).write([record("26-1", deadline_at="2026-12-01T12:00:00+01:00"),
                                 record("26-2", deadline_at="2027-03-01T12:00:00+01:00")],
                                now=datetime(2026, 11, 28, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 12, 2, tzinfo=UTC), tick=False):
        results = run_steps(engine, Config())
    assert results["close past deadlines"] == 1
    assert str(results["send due digests"]) == "0 digest(s) sent, 0 alert(s) failing"
    with engine.connect() as conn:
        assert dict(conn.execute(select(Listing.source_id, Listing.status)).all()) == {
            "26-1": "closed", "26-2": "open"}


def test_digests_also_go_out_between_crawls():
    from aggregator.scheduling.steps import PERIODIC_MINUTES, PERIODIC_STEPS, send_digests
    assert dict(PERIODIC_STEPS) == {"send due digests": send_digests}
    assert 0 < PERIODIC_MINUTES <= 60  # an HH:MM alert goes out within this of its time


def test_an_incremental_source_gets_a_full_crawl_once_a_week(make_scheduler, store_url):
    from datetime import timedelta

    from aggregator.store.engine import get_engine
    from aggregator.store.runs import finish_run, start_run

    scheduler = make_scheduler(sources=("jobposting", "greenhouse"))
    now = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    engine = get_engine(store_url)
    assert scheduler.full_crawl_due("jobposting", now)  # never read completely
    assert not scheduler.full_crawl_due("greenhouse", now)  # always reads whole boards

    run = start_run(engine, "jobposting", args={"full": "true"},
                    started_at=now - timedelta(days=3))
    finish_run(engine, run, outcome="ok", args={"full": "true"})
    incremental = start_run(engine, "jobposting", args={"since": "2026-11-26"},
                            started_at=now - timedelta(days=1))
    finish_run(engine, incremental, outcome="ok", args={"since": "2026-11-26"})
    assert not scheduler.full_crawl_due("jobposting", now)
    assert scheduler.full_crawl_due("jobposting", now + timedelta(days=4))


@pytest.mark.parametrize("config, seeds", [
    ("", False),
    ("[distributed]\nenabled = true\n", True),
    ("[distributed]\nenabled = true\n[sources.alpha]\ndistributed = false\n", False),
])
def test_with_distributed_crawling_the_scheduler_seeds_instead(make_scheduler, config, seeds):
    scheduler = make_scheduler(config, sources=("alpha",))
    scheduler.run_once()
    assert [request.seed for request in scheduler._crawl.requests] == [seeds]
