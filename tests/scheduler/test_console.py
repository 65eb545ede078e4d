"""What `aggregator schedule` and `aggregator worker` print on the console: the log file's
path once, then warnings and errors only — those the reader must act on in the reader's
language — while the log file holds the whole English log; -v adds its INFO lines."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from aggregator.config import PROJECT_ROOT
from tests.scheduler.conftest import write_config
from tests.scheduler.test_processes import a_minute_ago, cli, config_with_only, wait_for

pytestmark = pytest.mark.slow

UNCONFIGURED_FR = ("francetravail : non collectée, source non configurée : "
                   "FRANCE_TRAVAIL_CLIENT_ID et FRANCE_TRAVAIL_CLIENT_SECRET non définis "
                   "(identifiants de l'API France Travail, sur francetravail.io)")
UNCONFIGURED_EN = ("francetravail: not crawled, not configured: FRANCE_TRAVAIL_CLIENT_ID and "
                   "FRANCE_TRAVAIL_CLIENT_SECRET not set (France Travail API credentials, "
                   "from francetravail.io)")


def francetravail_due(log_file: Path) -> None:
    """Only francetravail enabled, due now, without its credentials: it is not crawled."""
    write_config(config_with_only("francetravail", test_spiders=False, extra=(
        f'[schedule]\ntime = "{a_minute_ago()}"\nlog_file = "{log_file}"\n')))


def environment(**extra: str) -> dict[str, str]:
    return {name: value for name, value in os.environ.items()
            if not name.startswith("FRANCE_TRAVAIL_")} | {"COLUMNS": "300"} | extra


def test_once_prints_what_to_act_on_in_french_and_logs_the_rest(tmp_path, default_language):
    log_file = tmp_path / "scheduler.log"
    francetravail_due(log_file)
    result = subprocess.run(cli("schedule", "--once"), cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=120, env=environment())
    assert result.returncode == 0, result.stderr
    path_line, warning = result.stderr.splitlines()
    assert path_line == f"Journal : {log_file}"
    assert warning.endswith(f" {UNCONFIGURED_FR}")
    log = log_file.read_text(encoding="utf-8")
    assert "INFO aggregator.scheduling.service: due now: francetravail" in log
    assert ("WARNING aggregator.scheduling.service: francetravail: not crawled, unconfigured: "
            "FRANCE_TRAVAIL_CLIENT_ID and FRANCE_TRAVAIL_CLIENT_SECRET not set") in log


def test_verbose_also_prints_the_info_log(tmp_path):
    log_file = tmp_path / "scheduler.log"
    francetravail_due(log_file)
    result = subprocess.run(cli("schedule", "--once", "-v"), cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=120, env=environment())
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(f"Logging to {log_file}") == 1
    assert "INFO aggregator.scheduling.service: due now: francetravail" in result.stderr
    assert UNCONFIGURED_EN in result.stderr


def test_the_long_running_scheduler_keeps_apschedulers_info_in_its_log(tmp_path):
    log_file = tmp_path / "scheduler.log"
    francetravail_due(log_file)
    process = subprocess.Popen(cli("schedule"), cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env=environment())
    try:
        wait_for(lambda: log_file.exists() and "francetravail: next crawl" in
                 log_file.read_text(encoding="utf-8"), 90, "the scheduler to start")
        wait_for(lambda: "not crawled, unconfigured" in log_file.read_text(encoding="utf-8"),
                 60, "francetravail's turn")
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert process.stderr is not None
    path_line, warning = process.stderr.read().splitlines()
    assert path_line == f"Logging to {log_file}"
    assert warning.endswith(f" {UNCONFIGURED_EN}")
    log = log_file.read_text(encoding="utf-8")
    assert "INFO apscheduler.scheduler: Added job" in log
    assert "INFO aggregator.scheduling.service: scheduler stopped" in log


@pytest.mark.parametrize("verbose", [False, True])
def test_the_worker_keeps_scrapys_info_in_its_log(tmp_path, verbose):
    """Scrapy runs in the worker's process: its banner and INFO log go to the log file."""
    log_file = tmp_path / "worker.log"
    result = subprocess.run(
        cli("worker", "--sources", "boamp", "--redis", "redis://127.0.0.1:1/0",
            "-s", f"LOG_FILE={log_file}", *(["-v"] if verbose else [])),
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, env=environment())
    assert result.returncode == 2  # no Redis there
    lines = result.stderr.splitlines()
    assert lines[0] == f"Logging to {log_file}"
    assert lines[-1].startswith("error: cannot reach Redis: ")
    banner = "INFO scrapy.utils.log: Scrapy "
    assert banner in log_file.read_text(encoding="utf-8")
    assert (banner in result.stderr) is verbose
    if not verbose:
        assert len(lines) == 2
