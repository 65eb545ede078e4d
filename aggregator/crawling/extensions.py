"""Scrapy extensions: the crawl run record, and progress lines for `aggregator crawl`."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from aggregator.crawling.pipelines import DROPPED_PREFIX, STORE_ERROR
from aggregator.store.engine import get_engine
from aggregator.store.lifecycle import expire_missing
from aggregator.store.runs import (
    finish_run,
    latest_published,
    latest_published_by_scope,
    start_run,
)

logger = logging.getLogger(__name__)

# Exceptions that mean "we could not reach the source at all" rather than "the source failed".
NETWORK_ERRORS = {
    # Scrapy 2.19 wraps the download handlers' errors in its own exceptions.
    "scrapy.exceptions.CannotResolveHostError": "DNS lookup failed",
    "scrapy.exceptions.DownloadConnectionRefusedError": "connection refused",
    "scrapy.exceptions.DownloadTimeoutError": "connection timed out",
    "twisted.internet.error.DNSLookupError": "DNS lookup failed",
    "twisted.internet.error.ConnectionRefusedError": "connection refused",
    "twisted.internet.error.NoRouteError": "no route to host",
    "twisted.internet.error.TCPTimedOutError": "connection timed out",
    "twisted.internet.error.TimeoutError": "connection timed out",
    "twisted.internet.error.ConnectError": "could not connect",
    "twisted.internet.error.ConnectionLost": "connection lost",
}
_EXCEPTION_PREFIX = "downloader/exception_type_count/"
_HOST = re.compile(r"<[A-Z]+ https?://([^/:>]+)")
MAX_ERROR_LINES = 10


def classify_run(stats: dict[str, Any], reason: str | None, *,
                 unconfigured: str | None = None,
                 error_lines: list[str] | None = None) -> tuple[str, str | None]:
    """(outcome, one-line summary) of a finished crawl from its stats.

    ``scrapy crawl`` exits 0 even when every request failed (STACK-NOTES §2), so the run is
    judged here: offline, unconfigured, failed, partial (some errors) or ok.
    """
    if unconfigured:
        return "unconfigured", unconfigured
    items = stats.get("item_scraped_count", 0) + stats.get("item_dropped_count", 0)
    responses = stats.get("downloader/response_count", 0)
    errors = stats.get("log_count/ERROR", 0)
    network = {NETWORK_ERRORS[key[len(_EXCEPTION_PREFIX):]]
               for key in stats if key.startswith(_EXCEPTION_PREFIX)
               and key[len(_EXCEPTION_PREFIX):] in NETWORK_ERRORS}
    first_error = (error_lines or [None])[0]
    if reason not in ("finished", None):
        return "failed", f"stopped: {reason}" + (f" — {first_error}" if first_error else "")
    if items == 0 and responses == 0 and network:
        hosts = sorted({m.group(1) for line in error_lines or () if (m := _HOST.search(line))})
        where = f" ({', '.join(hosts[:3])})" if hosts else ""
        return "offline", "network unreachable: " + ", ".join(sorted(network)) + where
    if items == 0 and (errors or network):
        return "failed", first_error or "no listing: " + ", ".join(sorted(network))
    if errors or network:
        return "partial", first_error or ", ".join(sorted(network))
    return "ok", None


class _ErrorCollector(logging.Handler):
    """Keeps the first error messages of the crawl for the run's error summary."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.lines) < MAX_ERROR_LINES:
            message = record.getMessage().splitlines()[0][:300]
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                message += f" — {type(exc).__name__}: {str(exc)[:200]}"
            self.lines.append(message)


class CrawlRunRecorder:
    """Writes the crawl_runs row: opened with the crawl, completed with its counts at close.

    On a clean finish it also counts misses for the scopes the spider listed completely
    (``spider.completed_scopes``), which is what closes jobs gone from their board.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run_id: int | None = None
        self.started_at: datetime | None = None
        self.errors = _ErrorCollector()
        self.seeding: Any = None  # a distributed crawl's generation, when seeding one

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        if crawler.settings.get("DISTRIBUTED_ROLE") == "worker":
            raise NotConfigured  # workers add to the seeded run (distributed.DistributedRun)
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        self.started_at = datetime.now(UTC)
        logging.getLogger().addHandler(self.errors)
        engine = get_engine(self.crawler.settings.get("DATABASE_URL"))
        self.run_id = start_run(engine, spider.name, started_at=self.started_at,
                                args=dict(getattr(spider, "run_args", {}) or {}))
        spider.crawl_run_id = self.run_id  # type: ignore[attr-defined]
        if self.crawler.settings.get("DISTRIBUTED_ROLE") == "seed":
            from aggregator.crawling.distributed.worker import Seeding

            self.seeding = Seeding(self.crawler.settings["REDIS_URL"], spider.name)
            self.seeding.begin(self.run_id)
        # Incremental spiders start from what the store already has (read before start()).
        spider.last_published_at = latest_published(engine, spider.name)  # type: ignore[attr-defined]
        spider.last_published_by_scope = latest_published_by_scope(  # type: ignore[attr-defined]
            engine, spider.name)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        logging.getLogger().removeHandler(self.errors)
        if self.run_id is None:
            return
        stats = dict(self.crawler.stats.get_stats()) if self.crawler.stats else {}
        outcome, summary = classify_run(
            stats, reason, unconfigured=getattr(spider, "unconfigured_reason", None),
            error_lines=self.errors.lines)
        dropped = {key[len(DROPPED_PREFIX):]: value for key, value in stats.items()
                   if key.startswith(DROPPED_PREFIX)}
        complete = outcome == "ok" and not getattr(spider, "partial", False)
        engine = get_engine(self.crawler.settings.get("DATABASE_URL"))
        if self.seeding is not None:
            if outcome == "ok" and reason == "finished":
                # The workers crawl what was queued; the last of them finishes the run.
                self.seeding.seeded(self.run_id)
                finish_run(engine, self.run_id, finished_at=None,
                           args=dict(getattr(spider, "run_args", {}) or {}),
                           stats={"seeded": stats.get("scheduler/enqueued/redis", 0)})
                return
            self.seeding.abandon(self.run_id)
        scopes = getattr(spider, "completed_scopes", ()) or ()
        # A listing the store refused keeps its old last_seen_at: it must not count as missed.
        store_errors = dropped.get(STORE_ERROR, 0)
        if reason == "finished" and scopes and self.started_at and not store_errors:
            closed = expire_missing(engine, spider.name, scopes,
                                    crawl_started_at=self.started_at, run_id=self.run_id)
            stats["aggregator/closed_missing"] = closed
        finish_run(
            engine, self.run_id,
            outcome=outcome, complete=complete, finish_reason=reason,
            # a store error is an item scraped, then dropped: count it once
            items_seen=stats.get("item_scraped_count", 0) + sum(dropped.values()) - store_errors,
            items_new=stats.get("aggregator/items_new", 0),
            items_updated=stats.get("aggregator/items_updated", 0),
            items_unchanged=stats.get("aggregator/items_unchanged", 0),
            items_dropped=sum(dropped.values()), dropped_reasons=dropped,
            errors=stats.get("log_count/ERROR", 0),
            # Offline and unconfigured runs say why in one line; others keep their errors.
            error_summary=summary if outcome in ("offline", "unconfigured")
            else "\n".join(self.errors.lines) or summary,
            requests=stats.get("downloader/request_count", 0),
            args=dict(getattr(spider, "run_args", {}) or {}),
            stats=json.loads(json.dumps(stats, default=str)),
        )
        if summary and outcome != "ok":
            spider.logger.warning("%s: %s", outcome, summary)


class ProgressReporter:
    """With AGGREGATOR_PROGRESS, prints JSON progress lines on stdout for the parent process."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.task: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressReporter:
        if not crawler.settings.getbool("AGGREGATOR_PROGRESS"):
            raise NotConfigured
        reporter = cls(crawler, crawler.settings.getfloat("AGGREGATOR_PROGRESS_INTERVAL", 0.5))
        crawler.signals.connect(reporter.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(reporter.spider_closed, signal=signals.spider_closed)
        return reporter

    def _emit(self, event: str, **extra: Any) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        line = {"event": event,
                "items": stats.get("item_scraped_count", 0),
                "dropped": stats.get("item_dropped_count", 0),
                "requests": stats.get("downloader/request_count", 0),
                "responses": stats.get("downloader/response_count", 0), **extra}
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()

    def spider_opened(self, spider: Spider) -> None:
        self._emit("opened", run_id=getattr(spider, "crawl_run_id", None))
        self.task = LoopingCall(self._emit, "progress")
        self.task.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task and self.task.running:
            self.task.stop()
        self._emit("closed", reason=reason, run_id=getattr(spider, "crawl_run_id", None))
