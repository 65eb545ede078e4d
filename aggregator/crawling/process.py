"""One crawl of one source, in its own process: ``python -m aggregator.crawling.process SOURCE``.

Scrapy's reactor cannot restart inside a process, and a crash or a leak in one source must
not take the caller down (STACK-NOTES §2), so `aggregator crawl` and the scheduler start
this entry point once per source. The run record is written by the crawl itself
(aggregator.crawling.extensions.CrawlRunRecorder).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from aggregator.crawling.options import parse_pairs
from aggregator.crawling.registry import SETTINGS_MODULE
from aggregator.crawling.replay import (
    ReplayError,
    cache_settings,
    read_manifest,
    record_in_manifest,
)


def endpoint_settings(overrides: dict[str, Any]) -> dict[str, Any]:
    """The settings a replay must repeat: the sources' endpoints. Never credentials, nor
    where this machine's store or Redis is (a replay must not write into the recorder's)."""
    return {name: value for name, value in overrides.items()
            if name.endswith(("_URL", "_URL_TEMPLATE"))
            and name not in ("DATABASE_URL", "REDIS_URL")}


def build_settings(*, overrides: dict[str, Any], replay: Path | None = None,
                   record: Path | None = None, progress: bool = False,
                   distributed: str | None = None, redis: str | None = None) -> Any:
    """The project's Scrapy settings for one crawl process; ``distributed`` is the role
    ("seed" or "worker") in a distributed crawl on the Redis at ``redis``."""
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    settings = get_project_settings()
    if distributed is not None:
        from aggregator.crawling.distributed import crawl_settings, redis_url

        extensions = settings.getdict("EXTENSIONS")
        settings.setdict(crawl_settings(distributed, redis or redis_url()), priority="cmdline")
        settings.set("EXTENSIONS", {**extensions,
                                    "aggregator.crawling.distributed.worker.DistributedRun": 150},
                     priority="cmdline")
    if replay is not None:
        settings.setdict(cache_settings(replay, replay=True), priority="cmdline")
    elif record is not None:
        settings.setdict(cache_settings(record, replay=False), priority="cmdline")
    if progress:
        settings.set("AGGREGATOR_PROGRESS", True, priority="cmdline")
        # Progress lines own stdout; the log goes to stderr.
        settings.set("LOG_FILE", None, priority="cmdline")
    settings.setdict(overrides, priority="cmdline")
    return settings


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
    options = parser.parse_args(argv)

    try:
        args = parse_pairs(options.args, "-a")
        overrides: dict[str, Any] = parse_pairs(options.settings, "-s")
    except ValueError as exc:
        parser.error(str(exc))
    if options.replay is not None:
        try:
            recorded = read_manifest(options.replay)["sources"].get(options.source)
        except ReplayError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if recorded is None:
            print(f"error: {options.source} is not in the replay set {options.replay}",
                  file=sys.stderr)
            return 2
        args = {**recorded.get("args", {}), **args}
        overrides = {**recorded.get("settings", {}), **overrides}

    from scrapy.crawler import AsyncCrawlerProcess

    settings = build_settings(overrides=overrides, replay=options.replay,
                              record=options.record, progress=options.progress,
                              distributed="seed" if options.seed else None)
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(options.source)
    process.crawl(crawler, **args)
    process.start()
    if options.record is not None and crawler.spider is not None:
        record_in_manifest(options.record, options.source,
                           dict(getattr(crawler.spider, "run_args", args)),
                           endpoint_settings(overrides))
    return 0


if __name__ == "__main__":
    sys.exit(main())
