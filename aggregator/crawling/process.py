"""One crawl of one source, in its own process: ``python -m aggregator.crawling.process SOURCE``.

Scrapy's reactor cannot restart inside a process, and a crash or a leak in one source must
not take the caller down, so `aggregator crawl` and the scheduler start this entry point
once per source. It opens the crawl's run record (announced on stdout with ``--progress``)
and hands the store's state to the spider (aggregator.crawling.launch); the crawl completes
the record itself (aggregator.crawling.extensions.CrawlRunRecorder).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from aggregator.crawling.options import parse_pairs
from aggregator.crawling.replay import (
    ReplayError,
    read_manifest,
    record_in_manifest,
    recorded_as_of,
)
from aggregator.i18n import _


def endpoint_settings(overrides: dict[str, Any]) -> dict[str, Any]:
    """The settings a replay must repeat: the sources' endpoints. Never credentials, nor
    where this machine's store or Redis is (a replay must not write into the recorder's)."""
    return {name: value for name, value in overrides.items()
            if name.endswith(("_URL", "_URL_TEMPLATE"))
            and name not in ("DATABASE_URL", "REDIS_URL")}


def hold_stop_signals() -> threading.Event:
    """Keep a stop (SIGTERM, SIGINT) asked before Scrapy listens for one, which it does once
    its reactor runs: Python's default would end the process there and then, its run left
    open. :func:`pass_on_held_stop` hands it to Scrapy."""
    asked = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: asked.set())
    return asked


def pass_on_held_stop(asked: threading.Event) -> None:
    """Once the reactor runs, with Scrapy's handlers installed, send again the stop
    ``asked`` holds (if any)."""
    from twisted.internet import reactor

    def pass_on() -> None:
        if asked.is_set():  # after Scrapy's own startup triggers, which install its handlers
            reactor.callLater(0, os.kill, os.getpid(), signal.SIGTERM)

    reactor.addSystemEventTrigger("after", "startup", pass_on)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aggregator.crawling.process")
    parser.add_argument("source")
    parser.add_argument("-a", dest="args", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("-s", dest="settings", action="append", default=[],
                        metavar="NAME=VALUE")
    parser.add_argument("--replay", type=Path)
    parser.add_argument("--record", type=Path)
    parser.add_argument("--progress", action="store_true")
    parser.add_argument("--seed", action="store_true",
                        help="queue the start requests of a distributed crawl in Redis")
    parser.add_argument("--parent", type=int, metavar="PID",
                        help="stop (SIGTERM) when this process, the one that started it, dies")
    options = parser.parse_args(argv)
    stop_asked = hold_stop_signals()
    if options.parent is not None:
        from aggregator.crawling.parent_watch import die_with_parent

        die_with_parent(options.parent)

    try:
        args = parse_pairs(options.args, "-a")
        overrides: dict[str, Any] = parse_pairs(options.settings, "-s")
    except ValueError as exc:
        parser.error(str(exc))
    if options.replay is not None:
        try:
            manifest = read_manifest(options.replay)
            recorded = manifest["sources"].get(options.source)
            as_of = recorded_as_of(manifest)
        except ReplayError as exc:
            print(_("error: %(problem)s") % {"problem": exc}, file=sys.stderr)
            return 2
        if recorded is None:
            print(_("error: %(source)s is not in the replay set %(replay)s")
                  % {"source": options.source, "replay": options.replay}, file=sys.stderr)
            return 2
        args = {**recorded.get("args", {}), **args}
        overrides = {**recorded.get("settings", {}), **overrides}
        if as_of is not None:  # what the replay stores is judged when it was recorded
            overrides.setdefault("REPLAY_AS_OF", as_of.isoformat())

    from scrapy.crawler import AsyncCrawlerProcess

    from aggregator.crawling.extensions import write_progress
    from aggregator.crawling.launch import (
        build_settings,
        close_stopped,
        close_unstarted,
        open_crawl,
    )
    from aggregator.store.engine import get_engine

    extra = None
    if options.seed:
        from aggregator.crawling.distributed import crawl_settings, redis_url

        extra = crawl_settings("seed", overrides.get("REDIS_URL") or redis_url())
    settings = build_settings(overrides=overrides, replay=options.replay,
                              record=options.record, progress=options.progress, extra=extra)
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(options.source)
    engine = get_engine(settings.get("DATABASE_URL"))
    run_id, spider_arguments = open_crawl(engine, options.source, args,
                                          replayed=options.replay is not None)
    if options.progress:  # the parent learns the run before anything can go wrong
        write_progress("started", run_id=run_id)
    task = process.crawl(crawler, **spider_arguments)
    pass_on_held_stop(stop_asked)
    process.start()
    if process.bootstrap_failed:  # Scrapy's word for "the crawl could not start"
        failed = task.done() and not task.cancelled()
        close_unstarted(engine, run_id, task.exception() if failed else None)
        return 1
    if not task.done():
        # Stopped while its engine opened the spider: Scrapy's stop then only ends the
        # process, and the spider never closes for the run recorder to see.
        close_stopped(engine, run_id)
    if options.record is not None and crawler.spider is not None:
        record_in_manifest(options.record, options.source,
                           dict(getattr(crawler.spider, "run_args", args)),
                           endpoint_settings(overrides))
    return 0


if __name__ == "__main__":
    sys.exit(main())
