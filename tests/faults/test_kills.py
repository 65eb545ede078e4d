"""A crawl killed at any moment leaves no run `running`, no lock held by the dead, and a
rerun that crawls at once and stores every listing exactly once (issue 17 §1, issue 12 §2)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import pytest

from aggregator.config import PROJECT_ROOT
from aggregator.store.engine import get_engine
from aggregator.store.locks import acquire, holder
from tests.faults.support import (
    BOARDS,
    JOBS_PER_BOARD,
    aggregator,
    all_runs,
    boards_site,
    catches_sigterm,
    crawl_child,
    duplicates,
    gone,
    kill,
    start_crawl,
    stored_count,
    wait_for,
)
from tests.scheduler.spiders_for_tests import SPIDER_MODULES
from tests.sites import serve

pytestmark = pytest.mark.slow
EVERY_LISTING = BOARDS * JOBS_PER_BOARD
# Into a crawl process's start: its imports done, Scrapy not yet listening for signals.
STARTING = 1.2


def _moment_reached(moment: str, process: subprocess.Popen[str], url: str) -> bool:
    """Whether the crawl has got as far as ``moment``."""
    if moment == "child started":
        return crawl_child(process) is not None
    runs = all_runs(url)
    if moment == "run opened":
        return bool(runs)
    return bool(runs) and stored_count(url) >= {"first batches stored": 10,
                                                "half stored": EVERY_LISTING // 2}[moment]


def _rerun_stores_everything_once(base: str, url: str, tally) -> None:
    rerun = start_crawl(base)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, out + err
    assert "skipped" not in out + err
    assert stored_count(url) == EVERY_LISTING
    assert duplicates(url) == 0
    tally["listings"] += stored_count(url)
    tally["duplicates"] += duplicates(url)


@pytest.mark.parametrize("moment", ["child started", "run opened", "first batches stored",
                                    "half stored"])
def test_sigkill_of_parent_and_child_at_any_moment(sqlite_url, tally, moment):
    with serve(boards_site()) as base:
        process = start_crawl(base)
        wait_for(lambda: _moment_reached(moment, process, sqlite_url), what=moment)
        child = crawl_child(process)
        # power loss: both die at once, nothing closes the run or frees the lock
        kill(process.pid)
        if child is not None:
            kill(child.pid)
        tally["kills"] += 2 if child is not None else 1
        process.communicate(timeout=60)
        if child is not None:
            wait_for(lambda: gone(child.pid), what="the crawl process to die")
        stored = stored_count(sqlite_url)

        # `aggregator runs` shows no running run: the dead one is `interrupted`
        shown = aggregator("runs")
        assert shown.returncode == 0, shown.stderr
        assert "running" not in shown.stdout
        runs = all_runs(sqlite_url)
        tally["open_runs"] += sum(run.outcome == "running" for run in runs)
        if runs:
            (run,) = runs
            assert run.outcome == "interrupted" and run.finished_at is not None
            assert "interrupted" in shown.stdout
            assert run.items_new == stored  # the counts are what was stored
        _rerun_stores_everything_once(base, sqlite_url, tally)


def test_sigkill_of_the_child_only_is_recorded_with_what_it_stored(store_url, tally):
    with serve(boards_site()) as base:
        process = start_crawl(base)
        wait_for(lambda: _moment_reached("first batches stored", process, store_url),
                 what="stored listings")
        child = crawl_child(process)
        assert child is not None
        kill(child.pid)
        tally["kills"] += 1
        out, err = process.communicate(timeout=120)
        assert process.returncode == 1, out + err
        (run,) = all_runs(store_url)
        assert run.outcome == "interrupted"
        assert run.error_summary == "the crawl process was killed (SIGKILL)"
        assert run.items_new == stored_count(store_url) > 0
        _rerun_stores_everything_once(base, store_url, tally)


def test_sigkill_of_the_parent_stops_its_child_and_frees_the_lock(store_url, tally):
    with serve(boards_site()) as base:
        process = start_crawl(base)
        wait_for(lambda: _moment_reached("first batches stored", process, store_url),
                 what="stored listings")
        child = crawl_child(process)
        assert child is not None
        kill(process.pid)
        tally["kills"] += 1
        process.communicate(timeout=60)
        # the child does not crawl on unsupervised: it stops within seconds
        wait_for(lambda: gone(child.pid), timeout=60, what="the orphaned crawl to stop")
        # it closed its run itself (`stopped`), or `aggregator runs` finds its owner dead
        assert "running" not in aggregator("runs").stdout
        (run,) = all_runs(store_url)
        assert run.outcome in ("stopped", "interrupted") and run.finished_at is not None
        tally["open_runs"] += run.outcome == "running"
        _rerun_stores_everything_once(base, store_url, tally)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_sigint_stops_every_child_and_each_run_ends_stopped(sqlite_url, tally, sig):
    with serve(boards_site()) as base:
        process = start_crawl(base)
        wait_for(lambda: _moment_reached("first batches stored", process, sqlite_url),
                 what="stored listings")
        child = crawl_child(process)
        assert child is not None
        process.send_signal(sig)
        tally["terms"] += 1
        out, err = process.communicate(timeout=120)
        assert process.returncode == 130, out + err
        assert "Traceback" not in out + err
        assert gone(child.pid)
        (run,) = all_runs(sqlite_url)
        assert run.outcome == "stopped" and run.finished_at is not None
        assert run.items_new == stored_count(sqlite_url) > 0
        _rerun_stores_everything_once(base, sqlite_url, tally)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's /proc")
@pytest.mark.parametrize("moment", ["starting", "spider opening"])
def test_a_crawl_stopped_before_its_spider_opened_closes_its_run(sqlite_url, tmp_path, tally,
                                                                 moment):
    # Before Scrapy listens for SIGTERM, and while its engine opens the spider (not yet
    # running, so Scrapy's stop does nothing but end the process): both used to leave the
    # run `running` for the next command to find dead.
    opening = tmp_path / "opening"
    child = subprocess.Popen(
        [sys.executable, "-m", "aggregator.crawling.process", "sched_slow_open",
         "-s", f"SPIDER_MODULES={SPIDER_MODULES}", "-s", "SCHED_TEST_URL=http://127.0.0.1:1",
         "-s", f"SCHED_OPENING_FILE={opening}"],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if moment == "starting":  # its first handler: Scrapy's come a second later
        wait_for(lambda: catches_sigterm(child.pid), what="a SIGTERM handler", every=0.005)
    else:
        wait_for(opening.exists, what=moment)
    child.send_signal(signal.SIGTERM)
    tally["terms"] += 1
    out, err = child.communicate(timeout=30)  # not the minute its spider takes to open
    assert "Traceback" not in out + err
    (run,) = all_runs(sqlite_url)
    assert (run.outcome, run.finish_reason) == ("stopped", "shutdown"), err
    assert run.finished_at is not None and run.items_new == 0


def test_a_lock_held_by_a_dead_process_is_taken_over_at_once(sqlite_url, tally):
    dead = subprocess.Popen(["sleep", "0"])
    dead.wait()
    engine = get_engine(sqlite_url)
    with engine.begin() as conn:  # as a crawl killed on this host leaves it
        conn.exec_driver_sql(
            "INSERT INTO scheduler_locks (name, owner, acquired_at, expires_at, host, pid) "
            "VALUES ('crawl:greenhouse', 'dead', '2099-01-01 00:00:00', "
            "'2099-01-01 00:00:00', :host, :pid)",
            {"host": socket.gethostname(), "pid": dead.pid})
    with serve(boards_site(delay=0)) as base:
        _rerun_stores_everything_once(base, sqlite_url, tally)


def test_a_skipped_crawl_exits_non_zero(sqlite_url):
    engine = get_engine(sqlite_url)
    assert acquire(engine, "crawl:greenhouse", "this test (alive)")
    with serve(boards_site(delay=0)) as base:
        process = start_crawl(base, boards=1)
        out, err = process.communicate(timeout=120)
    assert process.returncode == 1, out + err
    assert "skipped: being crawled by this test (alive)" in err
    assert holder(engine, "crawl:greenhouse") == "this test (alive)"


def test_the_note_of_a_crashed_crawl_is_the_exception_that_ended_it(tmp_path):
    from aggregator.crawling.runner import _ending

    log = tmp_path / "crawl.log"
    log.write_text(
        "2026-12-04 01:00:00 [boamp] ERROR: HTTP 500 from page 3 (an ordinary Error line)\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\n'
        "    raise OSError(28, 'No space left on device')\n"
        "OSError: [Errno 28] No space left on device\n"
        "2026-12-04 01:00:01 [scrapy.core.engine] ERROR: Error while closing\n",
        encoding="utf-8")
    assert _ending(None, 1, log) == ("failed", "crashed",
                                     "OSError: [Errno 28] No space left on device")
    assert _ending(None, -9, log) == ("interrupted", "interrupted",
                                      "the crawl process was killed (SIGKILL)")
    log.write_text("no traceback at all\n", encoding="utf-8")
    assert _ending(None, 70, log)[2] == "the crawl process exited with 70"


def test_after_a_killed_crawl_the_scheduler_crawls_at_once(sqlite_url, tmp_path, tally):
    from tests.faults.support import SLOW, board_names
    from tests.scheduler.conftest import write_config
    from tests.scheduler.test_processes import a_minute_ago, config_with_only

    boards = ", ".join(f'"{name}"' for name in board_names().split(","))
    write_config(config_with_only("greenhouse", test_spiders=False, extra=(
        f'[schedule]\ntime = "{a_minute_ago()}"\nlog_file = "{tmp_path}/scheduler.log"\n'
        f'[sources.greenhouse]\nboards = [{boards}]\n')))
    with serve(boards_site()) as base:
        process = start_crawl(base)
        wait_for(lambda: _moment_reached("first batches stored", process, sqlite_url),
                 what="stored listings")
        child = crawl_child(process)
        kill(process.pid)
        if child is not None:
            kill(child.pid)
        tally["kills"] += 2
        process.communicate(timeout=60)
        # not "Nothing was due." for an hour: the dead run settles nothing, its lock is free
        result = aggregator("schedule", "--once", "-s", f"GREENHOUSE_API_URL={base}/v1", *SLOW)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Nothing was due" not in result.stdout
    first, second = all_runs(sqlite_url)
    assert first.outcome == "interrupted" and second.outcome == "ok"
    assert stored_count(sqlite_url) == EVERY_LISTING and duplicates(sqlite_url) == 0
    tally["listings"] += EVERY_LISTING
