"""Distributed crawling: one crawl frontier in Redis (scrapy-redis), drained by N workers.

`aggregator crawl --distributed SOURCE` *seeds*: it runs the spider's ``start()`` once, in a
process whose scheduler pushes the start requests into Redis and downloads nothing, and
opens a crawl run in the shared store. `aggregator worker` processes, on any number of
machines, run every source's spider with the same Redis-backed scheduler: they pop requests,
download, parse, store into the shared (PostgreSQL) store, and push follow-up requests back
to the shared queue. The crawl run's counts are the sum of every worker's; the worker that
finds the queue drained closes the run.

What the engines guarantee, and what this adds on top of scrapy-redis:

- **Generations.** Each seeding starts a generation, numbered by its crawl run id; the queue
  and the dupe filter are keyed by it (``aggregator:{spider}:{run}:requests`` ...). A page is
  fetched once per generation across all workers, and tomorrow's generation starts with an
  empty dupe filter — scrapy-redis' persisted dupe filter would otherwise make every later
  crawl return nothing.
- **Leases.** A worker pops a request by moving it, atomically, from the queue to the
  generation's in-flight set with a lease (a deadline it renews while it works). The request
  leaves the in-flight set only once everything it produced is stored (the store pipeline's
  batch committed) and its follow-up requests are in the queue. A worker that dies — even
  with SIGKILL — stops renewing; its requests go back to the queue when their lease runs out
  and another worker does them again. Storage is an idempotent upsert, so nothing is lost
  and nothing is stored twice. A worker stopped cleanly hands its requests back at once.
- **Persistence.** Redis holds the frontier only while a crawl runs; listings, history and
  runs live in the SQL store. Run Redis with persistence (AOF) if a Redis restart must not
  lose a running crawl; without it, the crawl is seeded again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from aggregator.config import Config, ConfigError, load_config
from aggregator.i18n import _

REDIS_URL_ENV = "AGGREGATOR_REDIS_URL"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
PREFIX = "aggregator"


def redis_url(config: Config | None = None) -> str:
    """AGGREGATOR_REDIS_URL, else ``[distributed] redis_url``, else the local default."""
    if os.environ.get(REDIS_URL_ENV):
        return os.environ[REDIS_URL_ENV]
    config = config or load_config()
    return config.distributed.redis_url or DEFAULT_REDIS_URL


def connect(url: str) -> Any:
    """A Redis client (by URL: scrapy-redis' host/port path warns with redis-py 8)."""
    import redis

    try:
        return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
    except ValueError:  # redis-py's "Redis URL must specify one of the following schemes"
        raise ConfigError(_("Redis URL %(url)r: expected redis://HOST:PORT/DB, rediss:// "
                            "(TLS) or unix://PATH") % {"url": url}) from None


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one source; those of a generation need its number."""

    spider: str

    @property
    def generation(self) -> str:
        """The current generation (crawl run id) of this source."""
        return f"{PREFIX}:{self.spider}:generation"

    def requests(self, generation: int) -> str:
        return f"{PREFIX}:{self.spider}:{generation}:requests"

    def inflight(self, generation: int) -> str:
        return f"{PREFIX}:{self.spider}:{generation}:inflight"

    def dupefilter(self, generation: int) -> str:
        return f"{PREFIX}:{self.spider}:{generation}:dupefilter"

    def seeding(self, generation: int) -> str:
        """Present while the seeding process still pushes start requests."""
        return f"{PREFIX}:{self.spider}:{generation}:seeding"

    def finished(self, generation: int) -> str:
        """Set by the one worker that closes the generation's run."""
        return f"{PREFIX}:{self.spider}:{generation}:finished"

    def of_generation(self, generation: int) -> list[str]:
        return [self.requests(generation), self.inflight(generation),
                self.dupefilter(generation), self.seeding(generation),
                self.finished(generation)]


def current_generation(server: Any, spider: str) -> int | None:
    value = server.get(Keys(spider).generation)
    return int(value) if value else None


def pending(server: Any, spider: str, generation: int) -> tuple[int, int]:
    """(queued, in flight) requests of a generation."""
    keys = Keys(spider)
    return server.zcard(keys.requests(generation)), server.zcard(keys.inflight(generation))


def crawl_settings(role: str, url: str) -> dict[str, Any]:
    """Scrapy settings of a seeding (``role="seed"``) or worker (``"worker"``) process; the
    component dicts add to the project's (aggregator.crawling.launch.build_settings)."""
    if role not in ("seed", "worker"):
        raise ValueError(f"unknown distributed role {role!r}")
    return {
        "DISTRIBUTED_ROLE": role,
        "REDIS_URL": url,
        "SCHEDULER": "aggregator.crawling.distributed.scheduler.DistributedScheduler",
        "SCHEDULER_QUEUE_CLASS": "aggregator.crawling.distributed.queue.LeasedQueue",
        "DUPEFILTER_CLASS": "aggregator.crawling.distributed.scheduler.GenerationDupeFilter",
        # The frontier is shared: no process may flush it when it closes.
        "SCHEDULER_PERSIST": True,
        "SPIDER_MIDDLEWARES": {"aggregator.crawling.distributed.worker.SeededStartMiddleware": 10},
        # Each is enabled in its role only (the one-process run recorder in neither).
        "EXTENSIONS": {"aggregator.crawling.distributed.seeding.SeedingRecorder": 100,
                       "aggregator.crawling.distributed.worker.DistributedRun": 150},
    }
