"""TEST-ONLY spiders for the scheduler tests — not sources, never in ``spiders/``.

They are loaded only when a test passes ``-s SPIDER_MODULES=spiders,tests.scheduler.
spiders_for_tests`` (``SPIDER_MODULES`` below). Each one misbehaves the way a real source
or parser can, so that the tests see what the scheduler does about it:

- ``sched_crash``: the crawl process dies abruptly once its run has opened (as a crash in a
  native parser library would): no clean close, no run record finished by the crawl.
- ``sched_hang``: the crawl process hangs with its reactor blocked, so it does not even
  react to SIGTERM: only a kill ends it.
- ``sched_stall``: waits on a server that never answers (``{SCHED_TEST_URL}/stall``): a
  crawl that is alive, responsive to SIGTERM, and never done.
- ``sched_slow_open``: its spider takes long to open (a slow ``spider_opened`` handler, as
  a store or a proxy slow to answer makes it) and says when it began opening by creating
  the file ``SCHED_OPENING_FILE`` names: a stop that comes then finds Scrapy's engine not
  yet running.
- ``sched_notices``: a working crawl of ``{SCHED_TEST_URL}/notices.json`` (a JSON list the
  test serves), for tests that need real listings through the real pipelines.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.internet import defer, task

from aggregator.config.sources import register_section
from spiders.base.listing_spider import ListingSpider

SPIDER_MODULES = "spiders,tests.scheduler.spiders_for_tests"


class _TestSpider(ListingSpider):
    kind = "tender"
    endpoint_setting = "SCHED_TEST_URL"


class CrashingSpider(_TestSpider):
    name = "sched_crash"

    async def start(self) -> AsyncIterator[Any]:
        os._exit(70)
        yield  # pragma: no cover


class HangingSpider(_TestSpider):
    name = "sched_hang"

    async def start(self) -> AsyncIterator[Any]:
        time.sleep(3600)  # blocks the reactor: SIGTERM is never handled
        yield  # pragma: no cover


class StallingSpider(_TestSpider):
    name = "sched_stall"

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(f"{self.endpoint}/stall", callback=self.parse)

    def parse(self, response: Response) -> Iterator[Any]:
        return iter(())  # pragma: no cover


class SlowOpeningSpider(_TestSpider):
    name = "sched_slow_open"

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SlowOpeningSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.opening, signal=signals.spider_opened)
        return spider

    def opening(self, spider: scrapy.Spider) -> defer.Deferred[None]:
        from twisted.internet import reactor

        Path(self.settings["SCHED_OPENING_FILE"]).touch()
        return task.deferLater(reactor, 60, lambda: None)

    async def start(self) -> AsyncIterator[Any]:  # pragma: no cover - stopped before
        yield scrapy.Request(f"{self.endpoint}/stall", callback=self.parse)

    def parse(self, response: Response) -> Iterator[Any]:
        return iter(())  # pragma: no cover


class NoticesSpider(_TestSpider):
    name = "sched_notices"

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(f"{self.endpoint}/notices.json", callback=self.parse)

    def parse(self, response: Response) -> Iterator[Any]:
        for record in self.read_json(response) or []:
            yield self.listing(source_id=record["id"], url=record["url"],
                               title=record["title"], published_at=record["published"],
                               deadline_at=record.get("deadline"), raw=record)


for _spider in (CrashingSpider, HangingSpider, StallingSpider, SlowOpeningSpider,
                NoticesSpider):
    register_section(_spider.name)  # their [sources.NAME] sections in the tests' files
