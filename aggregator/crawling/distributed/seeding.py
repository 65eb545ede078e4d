"""The seeding side of a distributed crawl (see the package's docstring).

- ``Seeding``: a source's generation in Redis, opened with the seeding's crawl run;
- ``SeedingRecorder``: the run recorder of a seeding process — it opens the generation with
  the run, and on a clean seeding leaves the run open for the workers to finish;
- ``busy_generation``: whether a source's last distributed crawl still runs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from scrapy import Spider
from scrapy.crawler import Crawler

from aggregator.crawling.distributed import Keys, connect, current_generation, pending
from aggregator.crawling.extensions import CrawlRunRecorder, run_args
from aggregator.store.run_outcome import RunOutcome
from aggregator.store.runs import finish_run

SEEDING_TTL_SECONDS = 3600  # a seeding process that died does not block the run for ever


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


class SeedingRecorder(CrawlRunRecorder):
    """The run of a seeding process is the generation's: the workers add to it and the last
    of them finishes it. A seeding that failed records its run as any crawl does."""

    role: ClassVar[str | None] = "seed"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.seeding: Seeding | None = None

    def spider_opened(self, spider: Spider) -> None:
        super().spider_opened(spider)
        if self.run_id is not None:
            self.seeding = Seeding(self.crawler.settings["REDIS_URL"], spider.name)
            self.seeding.begin(self.run_id)

    def record(self, spider: Spider, reason: str, stats: dict[str, Any], outcome: RunOutcome,
               summary: str | None) -> None:
        assert self.run_id is not None and self.seeding is not None
        if outcome is RunOutcome.OK:
            self.seeding.seeded(self.run_id)
            finish_run(self.engine, self.run_id, finished_at=None, args=run_args(spider),
                       stats={"seeded": stats.get("scheduler/enqueued/redis", 0)})
            return
        self.seeding.abandon(self.run_id)
        super().record(spider, reason, stats, outcome, summary)
