"""Helpers for the scheduler tests: a scheduler driven by the test's clock, a recording crawl.

``ManualScheduler`` is APScheduler 3's own ``BaseScheduler`` (its job stores, coalescing,
misfire handling and the DebugExecutor) with no thread of its own: a test moves the clock
with time-machine and calls ``tick()``, which is the one pass APScheduler's background thread
makes when it wakes up.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.base import BaseScheduler

from aggregator.config import load_config
from aggregator.config.sources import register_section
from aggregator.scheduling.service import Scheduler
from aggregator.store.engine import get_engine
from aggregator.store.runs import finish_run, start_run
from tests.scheduler import spiders_for_tests  # noqa: F401  (declares the test spiders' sections)

for _fake in ("alpha", "beta"):  # the sources of the schedulers built below, without spiders
    register_section(_fake)


class ManualScheduler(BaseScheduler):
    def wakeup(self) -> None:
        pass  # nothing runs until the test calls tick()

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait)

    def tick(self) -> None:
        self._process_jobs()


def manual_apscheduler(**options):
    # DebugExecutor: a due job runs inside tick(), so when tick() returns it has queued its crawl.
    return ManualScheduler(**(options | {"executors": {"default": DebugExecutor()}}))


@dataclass
class RecordingCrawl:
    """Stands for ``run_crawl``: records each crawl (source, when) and writes a real run
    record (``ok`` with ``items`` items) so the scheduler's due checks see it. ``gate``, when
    set, holds every crawl until the test opens it."""

    database_url: str
    items: int = 10
    calls: list[tuple[str, datetime]] = field(default_factory=list)
    requests: list = field(default_factory=list)  # the CrawlRequests, as given
    gate: threading.Event | None = None
    started: threading.Event = field(default_factory=threading.Event)

    def __call__(self, request, *, timeout, database_url, stop_event, progress=None) -> int:
        engine = get_engine(database_url)
        now = datetime.now(UTC)
        self.calls.append((request.source, now))
        self.requests.append(request)
        run_id = start_run(engine, request.source, started_at=now)
        self.started.set()
        if self.gate is not None:
            self.gate.wait(10)
        finish_run(engine, run_id, outcome="ok", items_seen=self.items, finished_at=now)
        return run_id

    def sources(self) -> list[str]:
        return [source for source, _ in self.calls]


def write_config(text: str) -> None:
    """The test's configuration file (AGGREGATOR_CONFIG, set by tests/conftest.py)."""
    Path(os.environ["AGGREGATOR_CONFIG"]).write_text(text, encoding="utf-8")


@pytest.fixture
def make_scheduler(store_url):
    """Builds fake-clock schedulers on the test store; stops them at the end."""
    made: list[Scheduler] = []

    def build(config_text: str | None = None, *, sources=("alpha",), crawl=None, **options):
        if config_text is not None:
            write_config(config_text)
        scheduler = Scheduler(load_config(), database_url=store_url,
                              sources=list(sources), crawl=crawl or RecordingCrawl(store_url),
                              apscheduler=manual_apscheduler, settle_seconds=0, **options)
        made.append(scheduler)
        return scheduler

    yield build
    for scheduler in made:
        if not scheduler._stopping:
            scheduler.stop(timeout=5)
