"""A command's ``-s NAME=VALUE`` settings, read and checked against every setting name a
crawl reads: Scrapy ignores a name it does not know, so a misspelt one would change nothing
without a word."""

from __future__ import annotations

from collections.abc import Iterable

from aggregator.crawling import registry
from aggregator.crawling.options import check_settings, parse_pairs


def known_settings(spider_modules: tuple[str, ...] | None = None) -> frozenset[str]:
    """Every setting name a crawl reads: Scrapy's, the project's (SETTINGS_MODULE,
    READ_SETTINGS, a distributed role's), and the spiders' endpoints and credentials."""
    from scrapy.settings import default_settings

    from aggregator.crawling.distributed import crawl_settings

    return frozenset(
        {name for name in dir(default_settings) if name.isupper()}
        | set(registry.project_settings()) | registry.READ_SETTINGS
        | set(crawl_settings("worker", ""))
        | set(registry.endpoint_defaults(spider_modules))
        | {name for cls in registry.spider_classes(spider_modules)
           for name in getattr(cls, "credential_settings", ())})


def read_settings(values: Iterable[str]) -> dict[str, str]:
    """A command's ``-s NAME=VALUE`` options, parsed and checked (``check_settings``) against
    the project's spiders, or those of its own ``-s SPIDER_MODULES=a,b``. ValueError as there."""
    overrides = parse_pairs(values, "-s")
    modules = tuple(m.strip() for m in overrides.get("SPIDER_MODULES", "").split(",")
                    if m.strip()) or None
    check_settings(overrides, registry.endpoint_defaults(modules), registry.project_settings(),
                   known_settings(modules))
    return overrides
