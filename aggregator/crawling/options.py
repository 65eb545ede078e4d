"""The ``-a NAME=VALUE`` (spider arguments) and ``-s NAME=VALUE`` (settings) of a crawl."""

from __future__ import annotations

from collections.abc import Iterable


def parse_pairs(values: Iterable[str], flag: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise ValueError(f"{flag} {value!r}: expected NAME=VALUE")
        pairs[key] = val
    return pairs
