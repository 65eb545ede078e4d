"""No network: every source says `offline` within a few requests, in one line each, even with
its output piped (issue 12 §2)."""

from __future__ import annotations

import socket
import subprocess

import pytest

from tests.faults.support import (
    PROJECT_ROOT,
    SCRAPY,
    aggregator,
    all_runs,
)

pytestmark = pytest.mark.slow


def closed_port() -> int:
    """A local port nothing listens on: connections to it are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_dns_failure_and_refused_connections_are_offline_at_once(sqlite_url):
    refused = f"http://127.0.0.1:{closed_port()}"
    # default retries and delays: only the offline detection keeps this short
    result = aggregator("crawl", "boamp", "ted", "greenhouse", "-a", "boards=codepath",
                        "-s", f"BOAMP_API_URL={refused}/api/explore/v2.1",
                        "-s", "TED_API_URL=https://api.ted.invalid",
                        "-s", f"GREENHOUSE_API_URL={refused}/v1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    runs = {run.source: run for run in all_runs(sqlite_url)}
    assert {source: run.outcome for source, run in runs.items()} == {
        "boamp": "offline", "ted": "offline", "greenhouse": "offline"}
    assert "connection refused" in runs["boamp"].error_summary
    assert "DNS lookup failed" in runs["ted"].error_summary
    # a couple of requests each, not minutes of retries day after day
    assert all(run.requests <= 4 for run in runs.values()), {
        source: run.requests for source, run in runs.items()}
    # piped output: one line per source as it finishes, before the summary
    finished = [line for line in result.stdout.splitlines()
                if line.split(":")[0] in runs and "offline" in line]
    assert len(finished) == 3, result.stdout


def test_scrapy_crawl_is_offline_at_once_too(sqlite_url):
    result = subprocess.run([SCRAPY, "crawl", "boamp", "-s",
                             f"BOAMP_API_URL=http://127.0.0.1:{closed_port()}/api"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert "Closing spider (offline)" in result.stderr
    (run,) = all_runs(sqlite_url)
    assert run.outcome == "offline" and run.requests <= 4

