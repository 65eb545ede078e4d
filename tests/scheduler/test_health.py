"""Source health verdicts from run histories (`aggregator sources`, the TUI, the digest)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aggregator.config import parse_config
from aggregator.scheduling.health import broken_sources, source_health, verdict
from aggregator.store.run_outcome import RunOutcome
from aggregator.store.runs import finish_run, start_run
from aggregator.store.writer import ListingWriter
from tests.store.test_writer import record

DAY0 = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
CONFIG = parse_config({"sources": {"greenhouse": {"boards": ["codepath"]}}})


class History:
    """Adds daily runs of one source to the store, the way crawls record them."""

    def __init__(self, engine, source: str = "boamp") -> None:
        self.engine, self.source, self.day = engine, source, 0

    def run(self, outcome: str, items: int = 0, errors: int = 0, **extra) -> None:
        started = DAY0 + timedelta(days=self.day)
        self.day += 1
        run_id = start_run(self.engine, self.source, started_at=started)
        if outcome != "running":
            finish_run(self.engine, run_id, outcome=outcome, items_seen=items, errors=errors,
                       finished_at=started + timedelta(minutes=3), **extra)

    def health(self):
        (found,) = [h for h in source_health(self.engine, CONFIG) if h.source == self.source]
        return found


def test_ok_degraded_broken_and_ok_again(engine):
    history = History(engine)
    assert history.health().verdict == "unknown"
    for items in (100, 120, 90, 110, 100):
        history.run("ok", items)
    assert (history.health().verdict, history.health().median_items) == ("ok", 105)

    history.run("partial", 95, errors=3, error_summary="HTTP 500 on page 4")
    assert (history.health().verdict, history.health().reason) == (
        "degraded", "3 errors in the last run")

    history.run("ok", 40)  # fewer than half of the usual 100
    health = history.health()
    assert (health.verdict, health.reason) == ("degraded", "40 items, usually 100")
    assert (health.items_last_run, health.median_items) == (40, 100)

    history.run("ok", 60)  # more than half: fine again
    assert history.health().verdict == "ok"

    history.run("failed", error_summary="unreadable JSON from https://x (HTTP 200)")
    assert history.health().verdict == "degraded"  # once is not broken yet
    history.run("offline")  # says nothing about the source
    history.run("stopped", finish_reason="shutdown")  # nor does a stop from outside
    history.run("timeout", error_summary="stopped after the time limit of 3600 s")
    history.run("running")  # today's crawl, under way
    health = history.health()
    assert health.verdict == "broken"
    assert health.reason == ("twice in a row: timeout: stopped after the time limit of 3600 s "
                             "(before: failed)")
    assert health.last_outcome == "running"
    assert [h.source for h in broken_sources(engine, CONFIG)] == ["boamp"]

    history.run("ok", 0)  # a run that works but brings nothing: still broken
    assert history.health().verdict == "broken"
    history.run("ok", 0)
    assert history.health().reason == "twice in a row: no items (before: no items)"

    history.run("ok", 100)
    health = history.health()
    assert (health.verdict, health.reason) == ("ok", "")
    assert health.last_success_at == DAY0 + timedelta(days=history.day - 1, minutes=3)
    assert broken_sources(engine, CONFIG) == []


def test_unconfigured_from_the_configuration_or_the_last_run(engine):
    health = {h.source: h for h in source_health(engine, parse_config({}))}
    # a board spider with no boards cannot run: says why, without any run
    assert health["greenhouse"].verdict == "unconfigured"
    assert health["greenhouse"].configured is False
    assert "no boards configured" in health["greenhouse"].reason
    configured = {h.source: h for h in source_health(engine, CONFIG)}
    assert configured["greenhouse"].configured is True
    assert configured["greenhouse"].verdict == "unknown"

    # the latest run could not start, and the source is configured since: today's
    # configuration holds, that run is history
    history = History(engine, "greenhouse")
    history.run("ok", 30)
    history.run("unconfigured", error_summary="board 'x': rejected by the API")
    health = history.health()
    assert (health.configured, health.last_outcome) == (True, "unconfigured")
    assert (health.verdict, health.reason) == (
        "unknown", "not crawled since it was configured (last run: unconfigured)")
    history.run("ok", 25)
    assert history.health().verdict == "ok"
    # no spider left to ask: its latest run says
    History(engine, "retired_spider").run("unconfigured", error_summary="no boards")
    retired = {h.source: h for h in source_health(engine, CONFIG)}["retired_spider"]
    assert (retired.configured, retired.verdict, retired.reason) == (
        None, "unconfigured", "no boards")


def test_open_listings_enabled_and_unknown_sources(engine):
    ListingWriter(engine).write([record("26-1"), record("26-2"), record("26-3",
                                 deadline_at="2020-01-01T12:00:00+01:00")], now=DAY0)
    History(engine, "retired_spider").run("ok", 5)  # runs of a spider that no longer exists
    config = parse_config({"sources": {"ted": {"enabled": False}}})
    health = {h.source: h for h in source_health(engine, config)}
    assert health["boamp"].open_listings == 2  # the one past its deadline is closed
    assert health["ted"].enabled is False and health["boamp"].enabled is True
    assert health["retired_spider"].configured is None
    assert health["retired_spider"].verdict == "ok"


class Run:
    def __init__(self, outcome, items=0, errors=0, error_summary=None):
        self.outcome, self.items_seen, self.errors = RunOutcome(outcome), items, errors
        self.error_summary = error_summary
        self.replayed = False


@pytest.mark.parametrize("runs, expected", [
    ([Run("ok", 10), Run("ok", 100)], "ok"),  # one earlier run is not "usual" yet
    ([Run("ok", 10), Run("ok", 100), Run("ok", 100), Run("ok", 100)], "degraded"),
    ([Run("ok", 50), Run("ok", 100), Run("ok", 100), Run("ok", 100)], "ok"),  # half is fine
    ([Run("failed"), Run("unconfigured")], "degraded"),
    ([Run("failed"), Run("ok", 0)], "broken"),
    ([Run("partial", 0, errors=2), Run("timeout")], "broken"),
    ([Run("offline"), Run("offline")], "unknown"),
])
def test_verdicts(runs, expected):
    assert verdict(runs)[0] == expected


def test_the_median_uses_up_to_seven_successful_runs():
    recent, older = [Run("ok", 100)] * 4, [Run("ok", 10)] * 5
    # the 7 latest successful runs (a failure between them does not count): 4 × 100, 3 × 10
    # → median 100, so 45 is low (over all nine, the median would be 10)
    runs = [Run("ok", 45), *recent[:2], Run("failed"), *recent[2:], *older]
    assert verdict(runs) == ("degraded", "45 items, usually 100")



def test_a_replayed_store_is_judged_on_its_day_and_says_it_was_only_replayed(engine,
                                                                            monkeypatch):
    replayed = Run("ok", 1)
    replayed.replayed = True
    assert verdict([replayed]) == ("unknown", "only replayed, never crawled online")
    assert verdict([]) == ("unknown", "never crawled")
    # open on the day the replay was recorded, as `search` judges it, though closed today
    ListingWriter(engine).write([record("26-1", deadline_at="2026-06-20T12:00:00+02:00")],
                                now=DAY0)
    monkeypatch.setattr("aggregator.scheduling.health.recorded_as_of",
                        lambda _engine: DAY0 + timedelta(days=9))
    assert {h.source: h for h in source_health(engine)}["boamp"].open_listings == 1
