"""scrapy-redis' scheduler and dupe filter, per crawl generation and with leased requests.

Roles (the DISTRIBUTED_ROLE setting):

- ``seed``: start requests go into the generation's queue, through its dupe filter; nothing is
  handed to the downloader, so the seeding process ends once ``start()`` is done.
- ``worker``: requests come from the generation's queue (with a lease) and follow-up requests
  go back to it.

A crawler works on one generation: that of its crawl run (the spider's ``crawl_run_id``: the
seeding's own run, or the one a worker process started this crawler for, see worker.py).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from aggregator.crawling.distributed import Keys, connect
from aggregator.crawling.distributed.queue import LeasedQueue
from aggregator.crawling.pipelines import batch_stored
from aggregator.i18n import _, for_reader, ngettext
from aggregator.run_notes import problem_text

logger = logging.getLogger(__name__)

class GenerationDupeFilter(RFPDupeFilter):
    """The dupe filter of the scheduler's current generation (its key moves with it)."""

    def __init__(self, server: Any, scheduler: DistributedScheduler) -> None:
        super().__init__(server, key="", debug=False)
        self.scheduler = scheduler

    @property  # type: ignore[override]
    def key(self) -> str:
        return Keys(self.scheduler.spider.name).dupefilter(self.scheduler.generation)

    @key.setter
    def key(self, _value: str) -> None:
        pass  # fixed by the generation

    def close(self, reason: str = "") -> None:
        pass  # the filter is shared by every worker: never cleared by one of them


class DistributedScheduler(Scheduler):
    def __init__(self, server: Any, crawler: Crawler) -> None:
        super().__init__(server, persist=True, serializer=None, idle_before_close=0)
        self.crawler = crawler
        self.stats = crawler.stats
        self.role = crawler.settings.get("DISTRIBUTED_ROLE")
        self.lease_seconds = crawler.settings.getfloat("DISTRIBUTED_LEASE_SECONDS", 120)
        self.generation = 0
        self.queue: LeasedQueue | None = None  # type: ignore[assignment]
        self.keeper: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedScheduler:
        server = connect(crawler.settings["REDIS_URL"])
        server.ping()  # fail at start, with the URL in the error, not at the first request
        return cls(server, crawler)

    # -- Scrapy's scheduler interface ------------------------------------------------------

    def _follow_generation(self) -> None:
        """Work on the generation of the crawl's run."""
        generation = getattr(self.spider, "crawl_run_id", None)
        if generation is None:
            raise RuntimeError(f"{self.spider.name}: a distributed crawl needs its crawl run")
        keys = Keys(self.spider.name)
        self.generation = generation
        self.queue = LeasedQueue(self.server, self.spider, keys.requests(generation),
                                 inflight_key=keys.inflight(generation),
                                 lease_seconds=self.lease_seconds)

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = None
        self.df = GenerationDupeFilter(self.server, self)
        self._follow_generation()
        if self.role == "worker":
            # The engine has no signal for "done with this request" (parsed, or replaced by
            # a queued retry or redirect); its slot's remove_request is exactly that moment.
            slot = self.crawler.engine._slot
            remove_request = slot.remove_request

            def removed(request: Request) -> None:
                remove_request(request)
                self.queue.finish(request)

            slot.remove_request = removed
            self.crawler.signals.connect(self.ack_finished, signal=batch_stored)
            self.keeper = LoopingCall(self.keep_leases)
            self.keeper.start(max(0.5, self.lease_seconds / 4), now=False)

    def close(self, reason: str) -> None:
        if self.keeper is not None and self.keeper.running:
            self.keeper.stop()
        if self.queue is None:
            return
        handed_back = self.queue.release()
        if handed_back:
            logger.info("%s: handed %d unfinished request(s) back to the shared queue",
                        self.spider.name, handed_back)

    def __len__(self) -> int:
        return len(self.queue) if self.queue is not None else 0

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        if self.role != "worker":
            return None  # a seeding process downloads nothing
        request = self.queue.pop()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return self.role == "worker" and len(self) > 0

    # -- leases ----------------------------------------------------------------------------

    def ack_finished(self) -> int:
        """After a store flush: the finished requests' output is committed."""
        return self.queue.ack_finished()

    def keep_leases(self) -> None:
        try:
            self.queue.renew()
            requeued = self.queue.reap()
            if requeued:
                logger.warning("%s: %d request(s) of a worker that stopped answering are "
                               "back in the queue", self.spider.name, requeued, extra=for_reader(
                                   ngettext("%(source)s: %(n)d request of a worker that stopped "
                                            "answering is back in the queue",
                                            "%(source)s: %(n)d requests of a worker that "
                                            "stopped answering are back in the queue", requeued)
                                   % {"source": self.spider.name, "n": requeued}))
        except Exception as exc:  # Redis away for a moment: the leases are long enough to wait
            logger.exception("%s: could not renew leases", self.spider.name, extra=for_reader(
                _("%(source)s: could not extend the hold of this worker on its requests "
                  "(%(problem)s); it lasts long enough to try again")
                % {"source": self.spider.name, "problem": problem_text(exc)}))
