"""Scrapy extensions: the crawl run record, and progress lines for `aggregator crawl`."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, ClassVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from aggregator.crawling.outcome import CrawlCounts, judge_crawl
from aggregator.drop_reasons import DROPPED_PREFIX, STORE_ERROR
from aggregator.store.engine import get_engine
from aggregator.store.lifecycle import expire_missing
from aggregator.store.owners import HEARTBEAT_SECONDS
from aggregator.store.run_outcome import RunOutcome
from aggregator.store.runs import beat, finish_run

logger = logging.getLogger(__name__)

MAX_ERROR_LINES = 10


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
    """Completes the crawl's run record at close: its outcome and counts.

    The run was opened by whoever started the crawl (aggregator.crawling.launch), which gave
    its id to the spider (``crawl_run_id``); a spider without one (`scrapy parse`, a shell)
    records nothing. On a clean finish it also counts misses for the scopes the spider
    listed completely (``spider.completed_scopes``), which is what closes jobs gone from
    their board.
    """

    # The DISTRIBUTED_ROLE this recorder serves: none (a one-process crawl). A distributed
    # crawl's seeding has its own (distributed.seeding); workers add to its run instead.
    role: ClassVar[str | None] = None

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.engine = get_engine(crawler.settings.get("DATABASE_URL"))
        self.run_id: int | None = None
        self.started_at: datetime | None = None
        self.errors = _ErrorCollector()
        self.heartbeat: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        if crawler.settings.get("DISTRIBUTED_ROLE") != cls.role:
            raise NotConfigured
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        self.run_id = getattr(spider, "crawl_run_id", None)
        if self.run_id is None:
            logger.debug("%s: no crawl run to record into", spider.name)
            return
        # Listings seen before this instant and missing from a complete scope are missed.
        self.started_at = datetime.now(UTC)
        logging.getLogger().addHandler(self.errors)
        # the run's owner says it is alive (a run whose owner fell silent is dead elsewhere)
        self.heartbeat = LoopingCall(self._beat)
        self.heartbeat.start(HEARTBEAT_SECONDS, now=False)

    def _beat(self) -> None:
        try:
            assert self.run_id is not None
            beat(self.engine, self.run_id)
        except Exception:  # a database hiccup: the next beat will do
            logger.warning("could not renew the run's heartbeat", exc_info=True)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        logging.getLogger().removeHandler(self.errors)
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        if self.run_id is None:
            return
        stats = dict(self.crawler.stats.get_stats()) if self.crawler.stats else {}
        outcome, summary = judge_crawl(CrawlCounts.from_stats(
            stats, reason, error_lines=self.errors.lines,
            unconfigured=getattr(spider, "unconfigured_reason", None)))
        self.record(spider, reason, stats, outcome, summary)
        if summary and outcome is not RunOutcome.OK:
            spider.logger.warning("%s: %s", outcome, summary)

    def record(self, spider: Spider, reason: str, stats: dict[str, Any], outcome: RunOutcome,
               summary: str | None) -> None:
        """Complete the run record (and close what a complete crawl no longer lists)."""
        assert self.run_id is not None
        dropped = {key[len(DROPPED_PREFIX):]: value for key, value in stats.items()
                   if key.startswith(DROPPED_PREFIX)}
        complete = outcome is RunOutcome.OK and not getattr(spider, "partial", False)
        scopes = getattr(spider, "completed_scopes", ()) or ()
        # A listing the store refused keeps its old last_seen_at: it must not count as missed.
        store_errors = dropped.get(STORE_ERROR, 0)
        # A replay says nothing about what vanished since the recording.
        replay = self.crawler.settings.get("REPLAY_AS_OF")
        if reason == "finished" and scopes and self.started_at and not store_errors and not replay:
            closed = expire_missing(self.engine, spider.name, scopes,
                                    crawl_started_at=self.started_at, run_id=self.run_id)
            stats["aggregator/closed_missing"] = closed
        finish_run(
            self.engine, self.run_id,
            outcome=outcome, complete=complete, finish_reason=reason,
            # a store error is an item scraped, then dropped: count it once
            items_seen=stats.get("item_scraped_count", 0) + sum(dropped.values()) - store_errors,
            items_new=stats.get("aggregator/items_new", 0),
            items_updated=stats.get("aggregator/items_updated", 0),
            items_unchanged=stats.get("aggregator/items_unchanged", 0),
            items_dropped=sum(dropped.values()), dropped_reasons=dropped,
            errors=stats.get("log_count/ERROR", 0),
            # Offline and unconfigured runs say why in one line; others keep their errors.
            error_summary=summary if outcome in (RunOutcome.OFFLINE, RunOutcome.UNCONFIGURED)
            else "\n".join(self.errors.lines) or summary,
            requests=stats.get("downloader/request_count", 0),
            args=run_args(spider),
            stats=json.loads(json.dumps(stats, default=str)),
        )


def run_args(spider: Spider) -> dict[str, Any]:
    """What the crawl was asked for, as its spider completed it (since, until...)."""
    return dict(getattr(spider, "run_args", {}) or {})


def write_progress(event: str, **fields: Any) -> None:
    """One JSON progress line on stdout, read by the parent (aggregator.crawling.runner)."""
    try:
        sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # the parent is gone: the crawl is being stopped
        pass


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
        write_progress(event, items=stats.get("item_scraped_count", 0),
                       dropped=stats.get("item_dropped_count", 0),
                       requests=stats.get("downloader/request_count", 0),
                       responses=stats.get("downloader/response_count", 0), **extra)

    def spider_opened(self, spider: Spider) -> None:
        self._emit("opened")
        self.task = LoopingCall(self._emit, "progress")
        self.task.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task and self.task.running:
            self.task.stop()
        self._emit("closed", reason=reason)
