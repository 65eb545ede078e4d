"""The worker side of a distributed crawl (see the package's docstring; seeding.py is the
other side).

- ``SeededStartMiddleware``: a worker runs the spider's ``start()`` for the state it sets up
  (tokens, boards, sites) but drops its requests: the seeding process queued them already.
- ``DistributedRun``: a worker's extension that adds its counts to the shared crawl run and
  closes the run once the generation's queue is drained.
- ``run_worker``: the `aggregator worker` process: every source's spider, waiting on Redis.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet.task import LoopingCall

from aggregator.crawling.distributed import Keys, connect, current_generation, pending
from aggregator.crawling.outcome import CrawlCounts, judge_crawl
from aggregator.drop_reasons import DROPPED_PREFIX
from aggregator.i18n import _, for_reader
from aggregator.run_notes import problem_text
from aggregator.store.engine import get_engine
from aggregator.store.runs import add_worker_counts, finish_run, get_run

logger = logging.getLogger(__name__)

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
        self.generation = getattr(spider, "crawl_run_id", None)  # given by run_worker
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
        except Exception as exc:  # Redis or the database away for a moment: try again when idle
            logger.exception("%s: distributed bookkeeping failed", spider.name, extra=for_reader(
                _("%(source)s: could not update the shared crawl (%(problem)s); trying again "
                  "in a moment") % {"source": spider.name, "problem": problem_text(exc)}))
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
        add_worker_counts(self.engine, self.generation, errors=delta.get("log_count/ERROR", 0),
                          requests=delta.get("downloader/request_count", 0),
                          dropped={key[len(DROPPED_PREFIX):]: value
                                   for key, value in delta.items()
                                   if key.startswith(DROPPED_PREFIX)})
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
        run = get_run(self.engine, generation)
        if run is not None:
            outcome, summary = judge_crawl(CrawlCounts.of_run(run))
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


def worker_settings(overrides: dict[str, Any], url: str) -> Any:
    """The worker process's Scrapy settings. Its log goes where the command sent it
    (aggregator.scheduling.logs): Scrapy installs no console handler of its own."""
    from aggregator.crawling.distributed import crawl_settings
    from aggregator.crawling.launch import build_settings

    return build_settings(overrides=overrides, extra={**crawl_settings("worker", url),
                                                      "LOG_INSTALL_ROOT_HANDLER": False})


def worker_redis_url(redis: str | None, overrides: Mapping[str, Any]) -> str:
    """The worker's Redis: ``redis`` (--redis), else ``-s REDIS_URL``, else ``redis_url()``;
    ConfigError when it is no Redis URL (nothing is reached yet)."""
    from aggregator.crawling.distributed import redis_url

    url = redis or overrides.get("REDIS_URL") or redis_url()
    connect(url)
    return url


def run_worker(sources: list[str], *, overrides: dict[str, Any] | None = None,
               redis: str | None = None, poll_seconds: float = 2.0) -> int:
    """The worker process: for each source, a crawler per seeded generation, until SIGTERM.

    A crawler starts when a generation of its source is seeded and not finished, with the
    seeding's spider arguments (from its crawl run), the generation's run and what the store
    knows of the source (aggregator.crawling.launch), and closes once the generation is
    drained; the next generation gets a fresh crawler.
    """
    from scrapy.crawler import AsyncCrawlerProcess

    from aggregator.crawling.launch import store_arguments

    overrides = overrides or {}
    url = worker_redis_url(redis, overrides)
    settings = worker_settings(overrides, url)
    process = AsyncCrawlerProcess(settings)  # its banner (versions) is in the log either way
    server = connect(url)
    server.ping()
    engine = get_engine(settings.get("DATABASE_URL"))
    working: dict[str, int] = {}  # source → the generation its crawler works on

    def watch() -> None:
        try:
            start_new_crawls()
        except Exception as exc:  # Redis or the store away for a moment: the next poll tries again
            logger.exception("worker: could not look for new crawls", extra=for_reader(
                _("could not look for new crawls (%(problem)s); trying again at the next poll")
                % {"problem": problem_text(exc)}))

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
            task = process.crawl(crawler, **{k: str(v) for k, v in (run.args or {}).items()},
                                 **store_arguments(engine, source), crawl_run_id=generation)
            task.add_done_callback(lambda _task, s=source, g=generation: logger.info(
                "%s: done with distributed crawl %d", s, g))

    watcher = LoopingCall(watch)
    watcher.start(poll_seconds, now=True)
    logger.info("worker started for %s (Redis %s)", ", ".join(sources), without_password(url))
    process.start(stop_after_crawl=False)
    return 0
