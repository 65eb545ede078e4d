"""`aggregator worker`: crawl the distributed crawls seeded in Redis, until stopped."""

from __future__ import annotations

from typing import Annotated

import typer

from aggregator.cli import UserError, app
from aggregator.cli.long_running import Verbose, read_set_options, start_log
from aggregator.i18n import _


@app.command(help=_("Take requests from the shared Redis queue of every seeded crawl "
            "and store what they give into the shared store. Run one per "
            "machine; stop with SIGTERM or Ctrl-C (requests in hand go back "
            "to the queue)."))
def worker(
    sources: Annotated[str | None, typer.Option(
        help=_("Comma-separated sources to work on (default: every enabled source)."))] = None,
    setting: Annotated[list[str] | None, typer.Option(
        "-s", "--set", help=_("Scrapy setting NAME=VALUE, as for `aggregator crawl`."))] = None,
    redis: Annotated[str | None, typer.Option(
        help=_("Redis URL (default: AGGREGATOR_REDIS_URL, else [distributed] redis_url, else "
        "redis://127.0.0.1:6379/0)."))] = None,
    verbose: Verbose = False,
) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    from aggregator.crawling import registry
    from aggregator.crawling.distributed.worker import run_worker, worker_redis_url
    from aggregator.run_notes import redis_error
    from aggregator.scheduling.logs import worker_log_path

    overrides = read_set_options(setting)
    names = [s.strip() for s in sources.split(",") if s.strip()] if sources else \
        registry.enabled_sources()
    known = registry.spider_names()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UserError(_("unknown source %(unknown)s (known: %(known)s)")
                        % {"unknown": ", ".join(unknown), "known": ", ".join(known)})
    redis = worker_redis_url(redis, overrides)  # a URL that is none: refused before the log
    # Scrapy's own -s LOG_LEVEL and LOG_FILE say what the log file holds and where it is.
    level = overrides.get("LOG_LEVEL") or registry.project_settings().get("LOG_LEVEL")
    start_log(worker_log_path(overrides.get("LOG_FILE")), verbose=verbose, level=level)
    try:
        run_worker(names, overrides=overrides, redis=redis)
    except RedisConnectionError as exc:
        raise UserError(_("cannot reach Redis: %(error)s")
                        % {"error": redis_error(str(exc))}) from None
