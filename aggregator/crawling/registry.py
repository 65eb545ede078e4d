"""The project's spiders: their names, classes, endpoints, needs and configuration problems.

Everything that needs to know which sources exist (the runner, the scheduler, source health,
`aggregator sources`, the tests) asks here; the spider classes themselves say what they are
(``about``), what they need (``needs()``) and where they read (``endpoints()``: a Scrapy
setting, its default, its ``[sources.NAME]`` key). Nothing lists the sources one by one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from aggregator.config import Config, load_config

SETTINGS_MODULE = "aggregator.crawling.settings"
# Settings the project's code reads that neither Scrapy's defaults nor SETTINGS_MODULE define
# (tests/crawl/test_setting_names.py checks the code reads no other).
READ_SETTINGS = frozenset({"DISTRIBUTED_LEASE_SECONDS", "DISTRIBUTED_ROLE", "REDIS_URL",
                           "REPLAY_AS_OF"})


def project_settings() -> Any:
    """The project's Scrapy settings (aggregator.crawling.settings over Scrapy's defaults)."""
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    return get_project_settings()


@cache
def spider_loader(spider_modules: tuple[str, ...] | None = None) -> Any:
    """Scrapy's loader of the project's spiders (``spider_modules`` replaces
    SPIDER_MODULES, as ``-s SPIDER_MODULES=...`` does for a crawl); built once per process."""
    from scrapy.spiderloader import SpiderLoader

    settings = project_settings()
    if spider_modules is not None:
        settings.set("SPIDER_MODULES", list(spider_modules), priority="cmdline")
    return SpiderLoader.from_settings(settings)


def spider_names() -> list[str]:
    return sorted(spider_loader().list())


def spider_class(name: str) -> type:
    return spider_loader().load(name)


def configuration_problem(name: str, config: Config, args: dict[str, Any],
                          settings: dict[str, Any] | None = None) -> str | None:
    """Why ``name`` cannot run as configured (missing credentials, no boards), or None;
    ``settings``: the crawl's ``-s`` ones (a credential may be given that way)."""
    check = getattr(spider_class(name), "configuration_problem", None)
    return check(config.source(name), args, settings or {}) if check else None


def enabled_sources(config: Config | None = None) -> list[str]:
    """Every spider not disabled in the configuration."""
    config = config or load_config()
    return [name for name in spider_names() if config.source(name).enabled]


@dataclass(frozen=True)
class SourceInfo:
    """What `aggregator sources list` shows of a spider, read from its class."""

    name: str
    kind: str  # "job" or "tender"
    about: str
    needs: str | None  # None: runs with no configuration
    endpoints: tuple[Any, ...]  # spiders.base.listing_spider.Endpoint: setting, default, key
    board_platform: bool  # followed board by board (`aggregator sources add NAME BOARD`)


def source_info(name: str) -> SourceInfo:
    cls = spider_class(name)
    return SourceInfo(name=name, kind=cls.kind, about=cls.about, needs=cls.needs(),
                      endpoints=cls.endpoints(),
                      board_platform=callable(getattr(cls, "parse_board", None)))


def sources() -> list[SourceInfo]:
    return [source_info(name) for name in spider_names()]


def board_platforms() -> list[str]:
    """The job-board platforms: spiders that follow boards (``parse_board``)."""
    return [info.name for info in sources() if info.board_platform]


def endpoint_defaults(spider_modules: tuple[str, ...] | None = None) -> dict[str, str]:
    """Every endpoint setting of every spider (of ``spider_modules``, as for
    ``spider_loader``), with its default (the real service)."""
    return {endpoint.setting: endpoint.default
            for cls in spider_classes(spider_modules) for endpoint in cls.endpoints()}


def spider_classes(spider_modules: tuple[str, ...] | None = None) -> list[type]:
    loader = spider_loader(spider_modules)
    return [loader.load(name) for name in sorted(loader.list())]
