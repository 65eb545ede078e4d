"""The ``-a NAME=VALUE`` (spider arguments) and ``-s NAME=VALUE`` (settings) of a crawl, read
and checked before any crawl starts: a bad one is refused in one line, and no run is stored."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from difflib import get_close_matches
from typing import Any

from aggregator.config.sources import endpoint_url
from aggregator.i18n import _


def parse_pairs(values: Iterable[str], flag: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise ValueError(_("%(flag)s %(value)r: expected NAME=VALUE") % {
                "flag": flag, "value": value})
        pairs[key] = val
    return pairs


def check_settings(overrides: Mapping[str, str], endpoints: Iterable[str],
                   defaults: Any, known: Collection[str]) -> None:
    """Refuse a ``-s`` name not in ``known`` (Scrapy would silently ignore a misspelt one),
    a value Scrapy could not read as its setting's type (``DOWNLOAD_DELAY=fast``,
    ``ITEM_PIPELINES=nonsense``: the type of its value in ``defaults``, the project's
    settings), and an endpoint setting (``endpoints``: BOAMP_API_URL...) that holds no http(s)
    URL. ValueError naming the setting and what it takes."""
    from scrapy.settings import BaseSettings, Settings

    endpoints = set(endpoints)
    for name in overrides:
        if name not in known:
            # upper(): download_delay is DOWNLOAD_DELAY misspelt (settings are case-sensitive)
            close = get_close_matches(name.upper(), known, n=1)
            if close:
                raise ValueError(_("-s %(name)s: unknown setting (did you mean %(close)s?)")
                                 % {"name": name, "close": close[0]})
            raise ValueError(_("-s %(name)s: unknown setting") % {"name": name})
    for name, value in overrides.items():
        if name in endpoints:
            try:
                endpoint_url(value)
            except ValueError:
                raise ValueError(_("-s %(name)s=%(value)r: expected an http(s) URL") % {
                    "name": name, "value": value}) from None
            continue
        default = defaults.get(name)
        # Read as Scrapy reads the setting, by the type of its default (bool before number:
        # a bool is an int; a number may be a float where the default is a whole one).
        for kinds, getter, expected in (((bool,), "getbool", _("true or false")),
                                        ((int, float), "getfloat", _("a number")),
                                        ((dict, BaseSettings), "getdict",
                                         _('a JSON object ({"NAME": 1})'))):
            if isinstance(default, kinds):
                try:
                    given = Settings()
                    given.set(name, value, priority="cmdline")
                    getattr(given, getter)(name)
                except (ValueError, TypeError):
                    raise ValueError(_("-s %(name)s=%(value)r: expected %(expected)s") % {
                        "name": name, "value": value, "expected": expected}) from None
                break
