"""Failures that used to exit 0: Redis unreachable under `schedule --once`, a crawl split
across two stores by ``-s DATABASE_URL`` (issue 17 §2)."""

from __future__ import annotations

import pytest

from tests.faults.support import (
    JOBS_PER_BOARD,
    aggregator,
    all_runs,
    boards_site,
    start_crawl,
    stored_count,
)
from tests.scheduler.conftest import write_config
from tests.scheduler.test_processes import a_minute_ago, config_with_only
from tests.sites import serve

pytestmark = pytest.mark.slow


def test_schedule_once_with_redis_unreachable_fails_in_one_line_and_records_it(sqlite_url,
                                                                               tmp_path):
    due = a_minute_ago()
    write_config(config_with_only("greenhouse", test_spiders=False, extra=(
        f'[schedule]\ntime = "{due}"\nlog_file = "{tmp_path}/scheduler.log"\n'
        '[distributed]\nenabled = true\nredis_url = "redis://127.0.0.1:1/0"\n'
        '[sources.greenhouse]\nboards = ["codepath"]\n')))
    result = aggregator("schedule", "--once")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Nothing was due" not in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    (run,) = all_runs(sqlite_url)
    assert run.outcome == "failed" and run.error_summary.startswith("cannot reach Redis")
    log = (tmp_path / "scheduler.log").read_text()
    assert "Traceback" not in log
    assert log.count("cannot reach Redis") == 1


def test_a_database_url_setting_is_the_one_store_of_the_command(sqlite_url, tmp_path):
    other = f"sqlite:///{tmp_path}/other.sqlite3"
    with serve(boards_site(delay=0)) as base:
        process = start_crawl(base, "-s", f"DATABASE_URL={other}", boards=2)
        out, err = process.communicate(timeout=300)
    assert process.returncode == 0, out + err
    # the crawl wrote, locked, recorded and reported in the store it was given, only there
    assert stored_count(other) == 2 * JOBS_PER_BOARD and stored_count(sqlite_url) == 0
    (run,) = all_runs(other)
    assert run.outcome == "ok" and run.items_new == 2 * JOBS_PER_BOARD
    assert all_runs(sqlite_url) == []
    assert "greenhouse" in out and "ok" in out
