"""The scheduler on a fake clock: when crawls fire, catch-up, overlaps, schedule changes.

time-machine moves the clock; ``scheduler.aps.tick()`` is APScheduler's own pass over its
job store (see conftest.py). The crawl is a recorder writing real run records, so the
scheduler's locks and due checks work on a real store (SQLite and PostgreSQL).
"""

from __future__ import annotations

import logging
import pickle
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from apscheduler.events import EVENT_JOB_MISSED, EVENT_JOB_SUBMITTED
from sqlalchemy import select, update

from aggregator.store.engine import get_engine
from aggregator.store.models import CrawlRun, SchedulerJob
from tests.scheduler.conftest import RecordingCrawl, write_config

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=PARIS, fold=fold)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def step(scheduler, clock, moment: datetime) -> None:
    """Move the clock, let APScheduler process due jobs, wait for the crawls they queued."""
    clock.move_to(moment)
    scheduler.aps.tick()
    assert scheduler.wait_idle(10)


def start(scheduler):
    """Start the scheduler and wait for what it catches up at start."""
    scheduler.start()
    assert scheduler.wait_idle(10)
    return scheduler


def submissions(scheduler) -> list:
    """APScheduler's submitted/missed events of the crawl jobs, from now on."""
    events: list = []

    def listen(event) -> None:
        if event.job_id.startswith("crawl:"):
            events.append(event)

    scheduler.aps.add_listener(listen, EVENT_JOB_SUBMITTED | EVENT_JOB_MISSED)
    return events


def test_daily_crawl_fires_at_six_local_time_across_both_dst_changes(make_scheduler, store_url):
    crawl = RecordingCrawl(store_url)
    with time_machine.travel(paris(2026, 3, 28, 5, 0), tick=False) as clock:
        scheduler = make_scheduler(crawl=crawl)
        start(scheduler)
        assert crawl.calls == []  # yesterday's 06:00 is past the 12 h grace: not caught up
        for moment in (paris(2026, 3, 28, 5, 59, 59),  # not yet
                       paris(2026, 3, 28, 6, 0),  # CET: 05:00 UTC
                       paris(2026, 3, 29, 5, 0),  # = 03:00 UTC, after the change: nothing
                       paris(2026, 3, 29, 5, 59, 59),
                       paris(2026, 3, 29, 6, 0),  # CEST: 04:00 UTC
                       utc(2026, 3, 29, 5, 0),  # 06:00 CET would have been now: nothing
                       paris(2026, 3, 30, 6, 0)):
            step(scheduler, clock, moment)
        assert [when for _, when in crawl.calls] == [
            utc(2026, 3, 28, 5, 0), utc(2026, 3, 29, 4, 0), utc(2026, 3, 30, 4, 0)]

        for moment in (paris(2026, 10, 24, 6, 0),  # CEST: 04:00 UTC
                       utc(2026, 10, 25, 4, 0),  # 06:00 CEST would be now; it is 05:00 CET
                       paris(2026, 10, 25, 6, 0)):  # CET: 05:00 UTC
            step(scheduler, clock, moment)
        assert [when for _, when in crawl.calls][3:] == [
            utc(2026, 10, 24, 4, 0), utc(2026, 10, 25, 5, 0)]
        assert all(when.astimezone(PARIS).hour == 6 for _, when in crawl.calls)


def test_missed_days_are_caught_up_once_at_start(make_scheduler, store_url):
    crawl = RecordingCrawl(store_url)
    with time_machine.travel(paris(2026, 6, 1, 5, 0), tick=False) as clock:
        first = make_scheduler(crawl=crawl, sources=["alpha", "beta"])
        start(first)
        assert first.next_runs() == {"alpha": paris(2026, 6, 1, 6, 0),
                                     "beta": paris(2026, 6, 1, 6, 0)}
        first.stop(timeout=5)  # the machine sleeps through three 06:00...

        clock.move_to(paris(2026, 6, 4, 10, 0))  # ...and wakes up on the fourth day
        second = make_scheduler(crawl=crawl, sources=["alpha", "beta"])
        start(second)
        events = submissions(second)
        step(second, clock, paris(2026, 6, 4, 10, 0, 1))

        assert sorted(crawl.sources()) == ["alpha", "beta"]  # once each, not once per day
        assert {when for _, when in crawl.calls} == {utc(2026, 6, 4, 8, 0)}
        # APScheduler kept the stored jobs (added only if missing) and coalesced their three
        # missed fire times into one submission each; the crawl had already been caught up.
        assert sorted((e.job_id, e.scheduled_run_times) for e in events) == [
            ("crawl:alpha", [paris(2026, 6, 4, 6, 0)]), ("crawl:beta", [paris(2026, 6, 4, 6, 0)])]
        assert second.next_runs() == {"alpha": paris(2026, 6, 5, 6, 0),
                                      "beta": paris(2026, 6, 5, 6, 0)}
        step(second, clock, paris(2026, 6, 5, 6, 0))
        assert len(crawl.calls) == 4


def test_a_job_stored_by_an_earlier_release_is_replaced_and_its_slot_caught_up(
        make_scheduler, store_url, caplog):
    # Earlier releases stored the jobs' function as "aggregator.scheduler:scheduled_crawl",
    # a module that no longer exists.
    crawl = RecordingCrawl(store_url)
    engine = get_engine(store_url)
    job = SchedulerJob.__table__
    with time_machine.travel(paris(2026, 6, 1, 5, 0), tick=False) as clock:
        start(make_scheduler(crawl=crawl)).stop(timeout=5)
        with engine.begin() as conn:
            state = pickle.loads(conn.execute(select(job.c.job_state)
                                              .where(job.c.id == "crawl:alpha")).scalar_one())
            assert state["func"] == "aggregator.scheduling.service:scheduled_crawl"
            state["func"] = "aggregator.scheduler:scheduled_crawl"
            conn.execute(update(job).where(job.c.id == "crawl:alpha")
                         .values(job_state=pickle.dumps(state, pickle.HIGHEST_PROTOCOL)))

        clock.move_to(paris(2026, 6, 1, 9, 0))  # down at 06:00, started again at 09:00
        with caplog.at_level(logging.INFO):
            upgraded = start(make_scheduler(crawl=crawl))
        assert 'Unable to restore job "crawl:alpha" -- removing it' in caplog.text
        assert "jobs added: alpha" in caplog.text
        assert crawl.calls == [("alpha", utc(2026, 6, 1, 7, 0))]  # 06:00 caught up, once
        assert upgraded.next_runs() == {"alpha": paris(2026, 6, 2, 6, 0)}
        with engine.connect() as conn:
            state = pickle.loads(conn.execute(select(job.c.job_state)).scalar_one())
        assert state["func"] == "aggregator.scheduling.service:scheduled_crawl"
        step(upgraded, clock, paris(2026, 6, 2, 6, 0))  # and the new job fires
        assert [when for _, when in crawl.calls] == [utc(2026, 6, 1, 7, 0),
                                                     utc(2026, 6, 2, 4, 0)]


def test_a_run_missed_beyond_the_grace_waits_for_the_next_day_but_once_catches_it(
        make_scheduler, store_url):
    crawl = RecordingCrawl(store_url)
    with time_machine.travel(paris(2026, 6, 1, 5, 0), tick=False) as clock:
        start(make_scheduler("[schedule]\ngrace_hours = 12\n", crawl=crawl))
        clock.move_to(paris(2026, 6, 1, 20, 0))  # 14 h after 06:00
        late = make_scheduler(crawl=crawl)
        start(late)
        events = submissions(late)
        step(late, clock, paris(2026, 6, 1, 20, 0, 1))
        assert crawl.calls == []
        assert [(e.code, e.scheduled_run_time) for e in events if e.code == EVENT_JOB_MISSED
                ] == [(EVENT_JOB_MISSED, paris(2026, 6, 1, 6, 0))]
        assert late.next_runs() == {"alpha": paris(2026, 6, 2, 6, 0)}

        # `schedule --once` has no grace: cron or a timer chose when it runs.
        once = make_scheduler(crawl=crawl)
        assert once.run_once() == {"alpha": 1}
        assert once.run_once() == {}  # and now it is done for this slot
        assert crawl.sources() == ["alpha"]


def test_a_wall_time_that_happens_twice_crawls_once(make_scheduler, store_url):
    # On 25 Oct 2026, 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET);
    # APScheduler 3 fires at both.
    crawl = RecordingCrawl(store_url)
    with time_machine.travel(paris(2026, 10, 24, 16, 0), tick=False) as clock:
        scheduler = make_scheduler('[schedule]\ntime = "02:30"\n', crawl=crawl)
        start(scheduler)
        events = submissions(scheduler)
        step(scheduler, clock, paris(2026, 10, 25, 2, 30, fold=0))
        step(scheduler, clock, paris(2026, 10, 25, 2, 30, fold=1))
        step(scheduler, clock, paris(2026, 10, 26, 2, 30))
    assert len([e for e in events if e.code == EVENT_JOB_SUBMITTED]) == 3
    assert [when for _, when in crawl.calls] == [utc(2026, 10, 25, 0, 30),
                                                 utc(2026, 10, 26, 1, 30)]


def test_a_trigger_firing_while_its_crawl_still_runs_does_not_start_another(
        make_scheduler, store_url):
    crawl = RecordingCrawl(store_url, gate=threading.Event())
    crawl.gate.set()
    with time_machine.travel(paris(2026, 6, 1, 5, 58), tick=False) as clock:
        scheduler = make_scheduler('[schedule]\ntime = "*/5 * * * *"\n', crawl=crawl)
        start(scheduler)  # catches up 05:55
        crawl.gate.clear()
        crawl.started.clear()
        clock.move_to(paris(2026, 6, 1, 6, 0))
        scheduler.aps.tick()
        assert crawl.started.wait(5)
        clock.move_to(paris(2026, 6, 1, 6, 5))  # next firing while the 06:00 crawl runs
        scheduler.aps.tick()
        assert scheduler.submit("alpha") is False  # nor by hand
        crawl.gate.set()
        assert scheduler.wait_idle(10)
        assert len(crawl.calls) == 2
        step(scheduler, clock, paris(2026, 6, 1, 6, 10))
        assert [when.astimezone(PARIS).strftime("%H:%M") for _, when in crawl.calls] == [
            "05:58", "06:00", "06:10"]


def test_two_schedulers_on_one_database_crawl_a_source_once(make_scheduler, store_url):
    crawl = RecordingCrawl(store_url, gate=threading.Event())
    with time_machine.travel(paris(2026, 6, 1, 6, 0, 1), tick=False):
        one, two = make_scheduler(crawl=crawl), make_scheduler(crawl=crawl)
        results: dict[str, int | None] = {}
        threads = [threading.Thread(target=lambda s=s, n=n: results.update({n: s.crawl_source(
            "alpha")})) for n, s in (("one", one), ("two", two))]
        for thread in threads:
            thread.start()
        assert crawl.started.wait(5)
        crawl.gate.set()
        for thread in threads:
            thread.join(10)
        # a third comes later, once the first has finished: the slot is done
        assert make_scheduler(crawl=crawl).crawl_source("alpha") is None
    assert len(crawl.calls) == 1
    assert sorted(results.values(), key=lambda v: v is None) == [1, None]
    with get_engine(store_url).connect() as conn:
        assert conn.execute(select(CrawlRun.source)).scalars().all() == ["alpha"]


def test_post_crawl_steps_run_once_after_a_batch(make_scheduler, store_url):
    calls.clear()
    crawl = RecordingCrawl(store_url)
    with time_machine.travel(paris(2026, 6, 1, 5, 0), tick=False) as clock:
        scheduler = make_scheduler(
            crawl=crawl, sources=["alpha", "beta", "gamma"],
            post_crawl_steps=[("record", record_step)])
        scheduler.settle_seconds = 0.5
        start(scheduler)
        step(scheduler, clock, paris(2026, 6, 1, 6, 0))
    assert sorted(crawl.sources()) == ["alpha", "beta", "gamma"]
    assert calls == [3]  # once, after the three crawls


calls: list[int] = []


def record_step(engine, config) -> int:
    with engine.connect() as conn:
        calls.append(len(conn.execute(select(CrawlRun.id)).all()))
    return calls[-1]


def test_schedule_changes_reschedule_the_stored_job(make_scheduler, store_url):
    crawl = RecordingCrawl(store_url)
    with time_machine.travel(paris(2026, 6, 1, 5, 0), tick=False):
        scheduler = make_scheduler(sources=["alpha", "beta"], crawl=crawl)
        start(scheduler)
        assert scheduler.next_runs() == {"alpha": paris(2026, 6, 1, 6, 0),
                                         "beta": paris(2026, 6, 1, 6, 0)}
        write_config('[sources.alpha]\nschedule = "0 7 * * 1-5"\n'
                     '[sources.beta]\nenabled = false\n')
        scheduler.resync()
        assert scheduler.next_runs() == {"alpha": paris(2026, 6, 1, 7, 0)}  # a Monday
        write_config('[sources.alpha]\nschedule = "0 7 * * 6"\n')
        scheduler.resync()
        assert scheduler.next_runs() == {"alpha": paris(2026, 6, 6, 7, 0),
                                         "beta": paris(2026, 6, 1, 6, 0)}


def test_a_new_grace_reaches_the_stored_jobs_after_a_restart(make_scheduler, store_url):
    with time_machine.travel(paris(2026, 6, 1, 5, 0), tick=False):
        first = start(make_scheduler(sources=["alpha"], crawl=RecordingCrawl(store_url)))
        assert first.aps.get_job("crawl:alpha").misfire_grace_time == 12 * 3600
        first.stop(timeout=5)
        again = start(make_scheduler("[schedule]\ngrace_hours = 2\n", sources=["alpha"],
                                     crawl=RecordingCrawl(store_url)))
        assert again.aps.get_job("crawl:alpha").misfire_grace_time == 2 * 3600


def test_a_source_that_cannot_run_is_recorded_unconfigured(make_scheduler, store_url):
    # greenhouse (a real spider) with no boards configured reports a configuration problem.
    crawl = RecordingCrawl(store_url)
    with time_machine.travel(paris(2026, 6, 1, 6, 0, 1), tick=False):
        scheduler = make_scheduler(sources=["greenhouse"], crawl=crawl)
        run_id = scheduler.crawl_source("greenhouse")
        assert scheduler.crawl_source("greenhouse") is None  # settles the slot
    assert crawl.calls == []
    with get_engine(store_url).connect() as conn:
        run = conn.execute(select(CrawlRun.outcome, CrawlRun.error_summary)
                           .where(CrawlRun.id == run_id)).one()
    assert run.outcome == "unconfigured" and "no boards configured" in run.error_summary


def test_credentials_given_as_settings_let_the_source_run(make_scheduler, store_url,
                                                         monkeypatch):
    for name in ("FRANCE_TRAVAIL_CLIENT_ID", "FRANCE_TRAVAIL_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    crawl = RecordingCrawl(store_url)
    with time_machine.travel(paris(2026, 6, 1, 6, 0, 1), tick=False):
        bare = make_scheduler(sources=["francetravail"], crawl=crawl)
        assert "FRANCE_TRAVAIL_CLIENT_ID" in bare.configuration_problem("francetravail")
        given = make_scheduler(sources=["francetravail"], crawl=crawl, settings={
            "FRANCE_TRAVAIL_CLIENT_ID": "id", "FRANCE_TRAVAIL_CLIENT_SECRET": "secret"})
        assert given.configuration_problem("francetravail") is None


def test_offline_and_stopped_runs_do_not_settle_the_slot(make_scheduler, store_url):
    from aggregator.store.runs import finish_run, start_run

    engine = get_engine(store_url)
    crawl = RecordingCrawl(store_url)
    with time_machine.travel(paris(2026, 6, 1, 9, 0), tick=False):
        scheduler = make_scheduler(crawl=crawl)
        run = start_run(engine, "alpha", started_at=datetime.now(UTC) - timedelta(hours=2))
        finish_run(engine, run, outcome="offline")
        run = start_run(engine, "alpha", started_at=datetime.now(UTC) - timedelta(hours=1))
        finish_run(engine, run, outcome="stopped", finish_reason="shutdown")
        assert scheduler.due_sources() == ["alpha"]
        run = start_run(engine, "alpha")  # a crawl running right now (e.g. by hand)
        assert scheduler.due_sources() == []
        assert scheduler.crawl_source("alpha") is None
        finish_run(engine, run, outcome="failed")  # a failure settles it: retried tomorrow
        assert scheduler.due_sources() == []
    assert crawl.calls == []
