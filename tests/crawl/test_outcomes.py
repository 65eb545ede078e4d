"""How a finished crawl is judged, from its stats (scrapy exits 0 whatever happened)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.crawling.middlewares import retry_after_seconds
from aggregator.crawling.outcome import CrawlCounts, judge_crawl
from aggregator.store.run_outcome import RunOutcome

EXC = "downloader/exception_type_count/"


@pytest.mark.parametrize("stats, reason, expected", [
    ({"item_scraped_count": 10, "downloader/response_count": 3}, "finished", "ok"),
    ({"item_scraped_count": 10, "log_count/ERROR": 1}, "finished", "partial"),
    ({EXC + "twisted.internet.error.DNSLookupError": 3}, "finished", "offline"),
    ({EXC + "twisted.internet.error.ConnectionRefusedError": 1}, "finished", "offline"),
    ({EXC + "scrapy.exceptions.CannotResolveHostError": 2}, "finished", "offline"),
    ({"log_count/ERROR": 2, "downloader/response_count": 2}, "finished", "failed"),
    ({"item_scraped_count": 3}, "shutdown", "stopped"),  # SIGTERM, Ctrl-C
    ({"item_scraped_count": 3}, "closespider_timeout", "failed"),
    ({}, "finished", "ok"),  # a source with nothing new today
])
def test_outcome(stats, reason, expected):
    assert judge_crawl(CrawlCounts.from_stats(stats, reason))[0] == expected


def test_offline_says_why_in_one_line():
    outcome, summary = judge_crawl(CrawlCounts.from_stats(
        {EXC + "twisted.internet.error.DNSLookupError": 3}, "finished"))
    assert (outcome, summary) == ("offline", "network unreachable: DNS lookup failed")


def test_unconfigured_wins():
    assert judge_crawl(CrawlCounts.from_stats(
        {}, "finished", unconfigured="no boards configured")) == (
        "unconfigured", "no boards configured")


def test_failed_run_summary_is_the_first_error():
    outcome, summary = judge_crawl(CrawlCounts.from_stats(
        {"log_count/ERROR": 1}, "finished",
        error_lines=["unreadable JSON from http://x (HTTP 200)"]))
    assert outcome == "failed" and summary.startswith("unreadable JSON")


class Run:
    """The counts every worker added to a distributed run."""

    def __init__(self, items_seen: int, errors: int, error_summary: str | None = None):
        self.items_seen, self.errors, self.error_summary = items_seen, errors, error_summary


@pytest.mark.parametrize("run, expected", [
    (Run(120, 0), (RunOutcome.OK, None)),
    (Run(120, 2, "HTTP 500 from page 7"), (RunOutcome.PARTIAL, "HTTP 500 from page 7")),
    (Run(0, 3), (RunOutcome.FAILED, "errors and no listing")),
    (Run(0, 0), (RunOutcome.OK, None)),  # nothing new today
])
def test_a_distributed_run_is_judged_by_the_same_rules(run, expected):
    assert judge_crawl(CrawlCounts.of_run(run)) == expected


NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("header, expected", [
    (b"120", 120.0),
    ("7", 7.0),
    ("Sat, 28 Nov 2026 12:00:30 GMT", 30.0),
    ("Sat, 28 Nov 2026 11:00:00 GMT", 0.0),  # in the past: retry now
    ("soon", 5.0),  # unreadable: the default
    (None, 5.0),
    ("99999", 99999.0),  # what it asks: the middleware decides whether to wait
])
def test_retry_after(header, expected):
    assert retry_after_seconds(header, default=5, now=NOW) == expected


def test_a_replay_set_keeps_endpoints_not_secrets_nor_stores():
    from aggregator.crawling.process import endpoint_settings

    assert endpoint_settings({
        "BOAMP_API_URL": "http://127.0.0.1:8000/api", "RECRUITEE_URL_TEMPLATE": "http://{board}",
        "FRANCE_TRAVAIL_CLIENT_SECRET": "s3cret", "DATABASE_URL": "postgresql://u:p@db/x",
        "REDIS_URL": "redis://:p@q/0", "DOWNLOAD_DELAY": "0",
    }) == {"BOAMP_API_URL": "http://127.0.0.1:8000/api", "RECRUITEE_URL_TEMPLATE": "http://{board}"}


def test_old_crawl_logs_are_pruned_and_the_rest_kept(tmp_path):
    import os
    import time

    from aggregator.crawling.runner import prune_logs

    old = tmp_path / "boamp-20260101T060000-123.log"
    recent = tmp_path / "boamp-20261127T060000-456.log"
    scheduler_log = tmp_path / "scheduler.log"
    for path in (old, recent, scheduler_log):
        path.write_text("log")
    month_ago = time.time() - 31 * 86400
    os.utime(old, (month_ago, month_ago))
    os.utime(scheduler_log, (month_ago, month_ago))
    assert prune_logs(tmp_path) == 1
    assert not old.exists() and recent.exists() and scheduler_log.exists()
