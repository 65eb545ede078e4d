"""Starting a crawler: its Scrapy settings, its run record, and what the store tells its spider.

A spider never reads the store. Whoever creates a crawler — the crawl process
(aggregator.crawling.process), `scrapy crawl` (aggregator.crawling.commands.crawl), a
distributed worker (aggregator.crawling.distributed.worker) — reads what the store knows of
the source first and hands it to the spider as arguments, with the id of the run the crawl
records into (spiders/base/listing_spider.py accepts them).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from aggregator.crawling.outcome import STOP_REASON
from aggregator.crawling.registry import SETTINGS_MODULE
from aggregator.crawling.replay import cache_settings
from aggregator.store.run_outcome import RunOutcome
from aggregator.store.runs import (
    finish_run,
    get_run,
    latest_published,
    latest_published_by_scope,
    start_run,
)


def build_settings(*, overrides: Mapping[str, Any], replay: Path | None = None,
                   record: Path | None = None, progress: bool = False,
                   extra: Mapping[str, Any] | None = None) -> Any:
    """The project's Scrapy settings for one crawl process. ``extra`` holds a distributed
    role's settings (aggregator.crawling.distributed.crawl_settings); its component dicts
    (``EXTENSIONS``...) add to the project's. ``overrides`` (``-s``) win over everything."""
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    settings = get_project_settings()
    for name, value in (extra or {}).items():
        if isinstance(value, dict):
            value = {**settings.getdict(name), **value}
        settings.set(name, value, priority="cmdline")
    if replay is not None:
        settings.setdict(cache_settings(replay, replay=True), priority="cmdline")
    elif record is not None:
        settings.setdict(cache_settings(record, replay=False), priority="cmdline")
    if progress:
        settings.set("AGGREGATOR_PROGRESS", True, priority="cmdline")
        # Progress lines own stdout; the log goes to stderr.
        settings.set("LOG_FILE", None, priority="cmdline")
    settings.setdict(dict(overrides), priority="cmdline")
    return settings


def store_arguments(engine: Engine, source: str) -> dict[str, Any]:
    """The spider arguments read from the store: when the newest stored listing of the
    source, and of each of its scopes, was published (incremental crawls start there)."""
    return {"last_published_at": latest_published(engine, source),
            "last_published_by_scope": latest_published_by_scope(engine, source)}


def open_crawl(engine: Engine, source: str, args: Mapping[str, str], *,
               replayed: bool = False) -> tuple[int, dict[str, Any]]:
    """Open the run record of a crawl asked for with ``args`` (``replayed``: from a replay
    set); returns its id and every argument its spider is created with."""
    run_id = start_run(engine, source, args=dict(args), replayed=replayed)
    return run_id, {**args, **store_arguments(engine, source), "crawl_run_id": run_id}


def _still_open(engine: Engine, run_id: int) -> bool:
    run = get_run(engine, run_id)
    return run is not None and run.outcome is RunOutcome.RUNNING


def close_unstarted(engine: Engine, run_id: int, error: BaseException | None) -> None:
    """Record why a crawl never got going (its spider could not be created, say): the run
    recorder, which closes every crawl that opened, never saw it."""
    if not _still_open(engine, run_id):
        return
    why = f"{type(error).__name__}: {error}" if error is not None else "see the crawl's log"
    finish_run(engine, run_id, outcome=RunOutcome.FAILED, finish_reason="crashed",
               error_summary=f"the crawl could not start — {why}"[:2000])


def close_stopped(engine: Engine, run_id: int) -> None:
    """Record a crawl stopped (SIGTERM, SIGINT) before its spider had opened, which the run
    recorder never sees close: as one stopped later, nothing stored."""
    if _still_open(engine, run_id):
        finish_run(engine, run_id, outcome=RunOutcome.STOPPED, finish_reason=STOP_REASON,
                   error_summary=f"stopped: {STOP_REASON}")
