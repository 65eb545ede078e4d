"""The seeding and worker sides of a distributed crawl (see the package's docstring).

- ``SeededStartMiddleware``: a worker runs the spider's ``start()`` for the state it sets up
  (tokens, boards, sites) but drops its requests: the seeding process queued them already.
- ``Seeding``: used by the crawl run recorder of a seeding process to open a generation.
- ``DistributedRun``: a worker's extension that adds its counts to the shared crawl run and
  closes the run once the generation's queue is drained.
- ``run_worker``: the `aggregator worker` process: every source's spider, waiting on Redis.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from sqlalchemy import select
from twisted.internet.task import LoopingCall

from aggregator.crawling.distributed import Keys, connect, current_generation, pending
from aggregator.crawling.pipelines import DROPPED_PREFIX
from aggregator.store.engine import get_engine
from aggregator.store.models import CrawlRun
from aggregator.store.runs import add_to_run, finish_run

logger = logging.getLogger(__name__)

SEEDING_TTL_SECONDS = 3600  # a seeding process that died does not block the run for ever
FINISHED_TTL_SECONDS = 7 * 24 * 3600  # a finished generation's keys are kept this long
TICK_SECONDS = 2.0


class SeededStartMiddleware:
    def __init__(self, role: str | None) -> None:
        self.role = role

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeededStartMiddleware:
        return cls(crawler.settings.get("DISTRIBUTED_ROLE"))

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if self.role == "worker":
            async for _ in start:
                pass
            return
        async for request in start:
            yield request


class Seeding:
    """A seeding process's generation: opened with its crawl run, left to the workers."""

    def __init__(self, url: str, spider: str) -> None:
        self.server = connect(url)
        self.keys = Keys(spider)
        self.spider = spider

    def begin(self, run_id: int) -> None:
        self.server.set(self.keys.seeding(run_id), 1, ex=SEEDING_TTL_SECONDS)
        self.server.set(self.keys.generation, run_id)

    def seeded(self, run_id: int) -> None:
        """Every start request is queued: the workers may close the run once drained."""
        self.server.delete(self.keys.seeding(run_id))

    def abandon(self, run_id: int) -> None:
        """The seeding failed: nothing to crawl (the run is recorded as failed)."""
        self.server.delete(*self.keys.of_generation(run_id))
        if current_generation(self.server, self.spider) == run_id:
            self.server.delete(self.keys.generation)


def busy_generation(server: Any, spider: str) -> tuple[int, int, int] | None:
    """(generation, queued, in flight) of a crawl still running, or None."""
    generation = current_generation(server, spider)
    if generation is None or server.exists(Keys(spider).finished(generation)):
        return None
    queued, inflight = pending(server, spider, generation)
    if queued or inflight or server.exists(Keys(spider).seeding(generation)):
        return generation, queued, inflight
    return None


def judge(run: CrawlRun) -> tuple[str, str | None]:
    """The outcome of a distributed run from the counts its workers added up."""
    items = run.items_seen
    if run.errors and not items:
        return "failed", run.error_summary or "errors and no listing"
    if run.errors:
        return "partial", run.error_summary
    return "ok", None


class DistributedRun:
    """A worker crawler's side of its generation's shared crawl run."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.engine = get_engine(crawler.settings.get("DATABASE_URL"))
        self.server = connect(crawler.settings["REDIS_URL"])
        self.pushed: dict[str, int] = {}
        self.generation: int | None = None
        self.task: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedRun:
        if crawler.settings.get("DISTRIBUTED_ROLE") != "worker":
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.generation = current_generation(self.server, spider.name)
        spider.crawl_run_id = self.generation  # type: ignore[attr-defined]  # history rows
        self.task = LoopingCall(self.push_stats)
        self.task.start(TICK_SECONDS, now=False)

    def spider_idle(self, spider: Spider) -> None:
        """Nothing to do here: close the run if the generation is drained, else wait."""
        if self.generation is None:
            return
        try:
            self.push_stats()
            if self.close_if_drained(spider.name, self.generation):
                return
            finished = self.server.exists(Keys(spider.name).finished(self.generation))
        except Exception:  # Redis or the database away for a moment: try again when idle
            logger.exception("%s: distributed bookkeeping failed", spider.name)
            finished = False
        if not finished:
            raise DontCloseSpider

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.push_stats()

    def push_stats(self) -> None:
        """Add this worker's new dropped items, errors and requests to the run (the stored
        listings are counted by the store, in their own transaction)."""
        if self.generation is None or self.crawler.stats is None:
            return
        stats = self.crawler.stats.get_stats()
        counted = {key: value for key, value in stats.items() if isinstance(value, int) and (
            key.startswith(DROPPED_PREFIX) or key in ("log_count/ERROR",
                                                      "downloader/request_count"))}
        delta = {key: value - self.pushed.get(key, 0) for key, value in counted.items()
                 if value != self.pushed.get(key, 0)}
        if not delta:
            return
        dropped = {key[len(DROPPED_PREFIX):]: value for key, value in delta.items()
                   if key.startswith(DROPPED_PREFIX)}
        with self.engine.begin() as conn:
            add_to_run(conn, self.generation, errors=delta.get("log_count/ERROR", 0),
                       requests=delta.get("downloader/request_count", 0),
                       items_dropped=sum(dropped.values()), items_seen=sum(dropped.values()))
            if dropped:
                reasons = conn.execute(select(CrawlRun.dropped_reasons).where(
                    CrawlRun.id == self.generation).with_for_update()).scalar_one_or_none()
                merged = dict(reasons or {})
                for reason, count in dropped.items():
                    merged[reason] = merged.get(reason, 0) + count
                conn.execute(CrawlRun.__table__.update()
                             .where(CrawlRun.id == self.generation)
                             .values(dropped_reasons=merged))
        self.pushed.update(counted)

    def close_if_drained(self, spider: str, generation: int) -> bool:
        """Close the generation's run if nothing is left to do; True if this worker did."""
        keys = Keys(spider)
        if self.server.exists(keys.seeding(generation), keys.finished(generation)):
            return False
        if any(pending(self.server, spider, generation)):
            return False
        # One worker closes the run: the first to set the flag.
        if not self.server.set(keys.finished(generation), 1, nx=True,
                               ex=FINISHED_TTL_SECONDS):
            return False
        self.server.delete(keys.requests(generation), keys.inflight(generation))
        self.server.expire(keys.dupefilter(generation), FINISHED_TTL_SECONDS)
        with self.engine.connect() as conn:
            run = conn.execute(select(CrawlRun).where(CrawlRun.id == generation)).first()
        if run is not None:
            outcome, summary = judge(run)
            finish_run(self.engine, generation, outcome=outcome, finish_reason="finished",
                       error_summary=summary, finished_at=datetime.now(UTC))
            logger.info("%s: distributed crawl %d finished (%s, %d listings)", spider,
                        generation, outcome, run.items_seen)
        return True


def without_password(url: str) -> str:
    """A Redis URL fit for a log line."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + netloc))


def run_worker(sources: list[str], *, overrides: dict[str, Any] | None = None,
               redis: str | None = None, poll_seconds: float = 2.0) -> int:
    """The worker process: for each source, a crawler per seeded generation, until SIGTERM.

    A crawler starts when a generation of its source is seeded and not finished, with the
    seeding's spider arguments (from its crawl run), and closes once the generation is
    drained; the next generation gets a fresh crawler.
    """
    from scrapy.crawler import AsyncCrawlerProcess

    from aggregator.crawling.distributed import redis_url
    from aggregator.crawling.process import build_settings
    from aggregator.store.runs import get_run

    url = redis or redis_url()
    settings = build_settings(overrides=overrides or {}, distributed="worker", redis=url)
    server = connect(url)
    server.ping()
    engine = get_engine(settings.get("DATABASE_URL"))
    process = AsyncCrawlerProcess(settings)
    working: dict[str, int] = {}  # source → the generation its crawler works on

    def watch() -> None:
        try:
            start_new_crawls()
        except Exception:  # Redis or the store away for a moment: the next poll tries again
            logger.exception("worker: could not look for new crawls")

    def start_new_crawls() -> None:
        for source in sources:
            generation = current_generation(server, source)
            if (generation is None or working.get(source) == generation
                    or server.exists(Keys(source).finished(generation))):
                continue
            run = get_run(engine, generation)
            if run is None:
                continue
            working[source] = generation
            logger.info("%s: working on distributed crawl %d", source, generation)
            crawler = process.create_crawler(source)
            task = process.crawl(crawler, **{k: str(v) for k, v in (run.args or {}).items()})
            task.add_done_callback(lambda _task, s=source, g=generation: logger.info(
                "%s: done with distributed crawl %d", s, g))

    watcher = LoopingCall(watch)
    watcher.start(poll_seconds, now=True)
    logger.info("worker started for %s (Redis %s)", ", ".join(sources), without_password(url))
    process.start(stop_after_crawl=False)
    return 0
