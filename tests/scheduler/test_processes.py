"""The scheduler with real crawl processes: crashes and hangs, two schedulers on one database,
SIGTERM, and `aggregator schedule --once` end to end against a local HTTP server.

The misbehaving crawls are test-only spiders (tests/scheduler/spiders_for_tests.py), loaded
with ``-s SPIDER_MODULES=...``; the end-to-end test crawls the real greenhouse spider.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

import aggregator.crawling.runner as crawling
from aggregator.config import PROJECT_ROOT, load_config
from aggregator.crawling.registry import spider_names
from aggregator.scheduling.service import Scheduler
from aggregator.store.engine import get_engine
from aggregator.store.models import CrawlRun, Listing, SchedulerLock
from aggregator.store.runs import recent_runs
from tests.scheduler.conftest import write_config
from tests.scheduler.spiders_for_tests import SPIDER_MODULES
from tests.sites import FixtureSite, Reply, serve

pytestmark = pytest.mark.slow

TEST_SPIDERS = ("sched_crash", "sched_hang", "sched_notices", "sched_slow_open", "sched_stall")
NOTICES = [{"id": f"T-{n}", "url": f"https://example.org/notices/T-{n}",
            "title": f"Travaux de voirie, lot {n}", "published": "2026-11-20T09:00:00+01:00",
            "deadline": "2030-01-15T12:00:00+01:00"} for n in (1, 2)]


def a_minute_ago() -> str:
    """A schedule time whose latest slot was a minute ago: the source is due right now."""
    return (datetime.now(ZoneInfo("Europe/Paris")) - timedelta(minutes=1)).strftime("%H:%M")


def config_with_only(*enabled: str, extra: str = "", test_spiders: bool = True) -> str:
    """Configuration text enabling only ``enabled`` among the real and (when the command
    loads them, with -s SPIDER_MODULES) the test spiders: a section of a spider the command
    does not know is refused."""
    names = set(spider_names()) | (set(TEST_SPIDERS) if test_spiders else set())
    disabled = "".join(f"[sources.{name}]\nenabled = false\n"
                       for name in sorted(names - set(enabled)))
    return extra + disabled


def fixture_site(*, notices_delay: float = 0, stall_seconds: float = 60) -> FixtureSite:
    release = threading.Event()

    def notices(_request):
        time.sleep(notices_delay)
        return Reply.json(json.dumps(NOTICES).encode())

    def stall(_request):
        release.wait(stall_seconds)
        return Reply.json(b"[]")

    site = FixtureSite().add("GET", r"/notices\.json", notices).add("GET", r"/stall", stall)
    site.release = release  # type: ignore[attr-defined]
    return site


def crawl_settings(base: str) -> dict[str, str]:
    return {"SPIDER_MODULES": SPIDER_MODULES, "SCHED_TEST_URL": base,
            "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}


def cli(*args: str) -> list[str]:
    # -c puts the project directory (cwd) on sys.path, so tests.scheduler.* can be imported
    return [sys.executable, "-c", "from aggregator.cli import main; main()", *args]


def cli_settings(settings: dict[str, str]) -> list[str]:
    return [part for key, value in settings.items() for part in ("-s", f"{key}={value}")]


def outcomes(engine) -> list[str]:
    with engine.connect() as conn:
        return conn.execute(select(CrawlRun.outcome)).scalars().all()


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_crashing_and_hanging_crawls_are_recorded_and_the_scheduler_goes_on(
        sqlite_url, monkeypatch):
    monkeypatch.setattr(crawling, "STOP_GRACE_SECONDS", 1)  # the hung one is killed sooner
    # 24 s: long enough for the healthy crawl to start and finish on a loaded machine
    write_config(f'[schedule]\ntime = "{a_minute_ago()}"\ntimeout_minutes = 0.4\njobs = 1\n')
    with serve(fixture_site()) as base:
        scheduler = Scheduler(load_config(), database_url=sqlite_url,
                              settings=crawl_settings(base), settle_seconds=0.2,
                              sources=["sched_crash", "sched_hang", "sched_notices"])
        scheduler.start()  # all three are due: crawled one after the other (jobs = 1)
        try:
            assert scheduler.wait_idle(120)
        finally:
            scheduler.stop()
    engine = get_engine(sqlite_url)
    runs = {run.source: run for run in recent_runs(engine)}
    assert (runs["sched_crash"].outcome, runs["sched_crash"].finish_reason) == (
        "failed", "crashed")
    assert runs["sched_hang"].outcome == "timeout"
    assert runs["sched_hang"].error_summary == "stopped after the time limit of 24 s"
    assert (runs["sched_notices"].outcome, runs["sched_notices"].items_new) == ("ok", 2)
    assert runs["sched_notices"].started_at > runs["sched_hang"].started_at
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Listing)) == 2
        assert conn.scalar(select(func.count()).select_from(SchedulerLock)) == 0


def test_two_scheduler_processes_on_one_database_crawl_once(store_url, tmp_path):
    write_config(config_with_only("sched_notices", extra=(
        f'[schedule]\ntime = "{a_minute_ago()}"\nlog_file = "{tmp_path}/scheduler.log"\n')))
    site = fixture_site(notices_delay=3)  # a crawl long enough for the two to overlap
    logs = [tmp_path / f"scheduler{n}.err" for n in (1, 2)]
    with serve(site) as base:
        # -v: each process's INFO log (what it decided) on its own stderr
        processes = [subprocess.Popen(cli("schedule", "-v",
                                          *cli_settings(crawl_settings(base))),
                                      cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                                      stderr=log.open("w"))
                     for log in logs]
        try:
            decided = ("sched_notices: crawl started", "sched_notices: skipped")

            def both_decided() -> bool:
                for process, log in zip(processes, logs, strict=True):
                    assert process.poll() is None, log.read_text()
                return all(any(d in log.read_text() for d in decided) for log in logs)

            wait_for(both_decided, 90, "both schedulers to decide")
            engine = get_engine(store_url)
            wait_for(lambda: outcomes(engine) == ["ok"], 60, "the crawl to finish")
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            codes = [process.wait(60) for process in processes]
    texts = [log.read_text() for log in logs]
    assert codes == [0, 0], texts
    assert sum("sched_notices: crawl started" in text for text in texts) == 1, texts
    assert site.count(r"/notices\.json") == 1
    with engine.connect() as conn:
        assert conn.execute(select(CrawlRun.source, CrawlRun.items_new)).all() == [
            ("sched_notices", 2)]
        assert conn.scalar(select(func.count()).select_from(SchedulerLock)) == 0


def test_sigterm_stops_the_running_crawl_and_exits_0(sqlite_url, tmp_path):
    log_file = tmp_path / "scheduler.log"
    write_config(config_with_only("sched_stall", extra=(
        f'[schedule]\ntime = "{a_minute_ago()}"\nlog_file = "{log_file}"\n')))
    site = fixture_site(stall_seconds=4)  # the stalled request answers 4 s after it was sent
    engine = get_engine(sqlite_url)
    with serve(site) as base:
        process = subprocess.Popen(cli("schedule", *cli_settings(crawl_settings(base))),
                                   cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: site.count("/stall") == 1, 60, "the crawl to be under way")
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            code = process.wait(60)
            elapsed = time.monotonic() - started
        finally:
            if process.poll() is None:
                process.kill()
    assert code == 0, process.stderr.read()
    # Scrapy closed the crawl cleanly once its pending request ended (no kill needed)
    assert elapsed < crawling.STOP_GRACE_SECONDS
    (run,) = recent_runs(engine)
    assert (run.source, run.outcome, run.finish_reason) == ("sched_stall", "stopped", "shutdown")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(SchedulerLock)) == 0
    log = log_file.read_text()
    assert "received SIGTERM: stopping" in log
    assert "stopping the running crawl of sched_stall" in log
    assert log.rstrip().endswith("scheduler stopped")


def test_schedule_once_crawls_what_is_due_into_the_store(sqlite_url, tmp_path):
    from tests.sites.greenhouse import content_list, site

    write_config(config_with_only("greenhouse", extra=(
        f'[schedule]\ntime = "{a_minute_ago()}"\nlog_file = "{tmp_path}/scheduler.log"\n'
        '[sources.greenhouse]\nboards = ["codepath"]\n'), test_spiders=False))
    board = site()
    with serve(board) as base:
        command = cli("schedule", "--once", "-s", f"GREENHOUSE_API_URL={base}/v1",
                      "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")
        env = os.environ | {"COLUMNS": "200"}
        first = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True,
                               timeout=180, env=env)
        assert first.returncode == 0, first.stderr
        again = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True,
                               timeout=180, env=env)
        assert again.returncode == 0, again.stderr
    engine = get_engine(sqlite_url)
    jobs = content_list()["jobs"]
    with engine.connect() as conn:
        stored = conn.execute(select(Listing.source_id).where(Listing.source == "greenhouse")
                              ).scalars().all()
        runs = conn.execute(select(CrawlRun.source, CrawlRun.outcome, CrawlRun.items_new)
                            ).all()
    assert sorted(stored) == sorted(str(job["id"]) for job in jobs)
    assert runs == [("greenhouse", "ok", len(jobs))]
    assert "greenhouse" in first.stdout and "Crawl summary" in first.stdout
    # the second pass finds nothing due: greenhouse was crawled since its last scheduled time
    assert "Nothing was due." in again.stdout
    assert board.count(r"/v1/boards/codepath/jobs") == 1
    assert Path(tmp_path / "scheduler.log").read_text().count("greenhouse: crawl started") == 1


def test_a_bad_schedule_is_a_one_line_error(tmp_path):
    write_config('[schedule]\ntime = "6 o\'clock"\n')
    result = subprocess.run(cli("schedule", "--once"), cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=60, env=os.environ | {"NO_COLOR": "1"})
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "[schedule] time must be \"HH:MM\" (00:00 to 23:59) or a 5-field cron expression, "
        "not \"6 o'clock\"")
    assert "Traceback" not in result.stderr
