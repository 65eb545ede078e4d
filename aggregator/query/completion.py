"""Completion of a filter being typed (the TUI's filter bar): keys, then their values."""

from __future__ import annotations

import re

from aggregator.normalize.contracts import CONTRACT_TYPES
from aggregator.normalize.folding import fold
from aggregator.query.language import (
    KEY_ALIASES,
    KEYS,
    KINDS,
    LOCATION_KEYS,
    SORTS,
    STATUSES,
    quote_value,
)


def complete(text: str, limit: int = 10) -> list[str]:
    """Completions of the last word of a filter being typed: keys, then values.

    ``dep:bou`` → ``dep:Bouches-du-Rhône``; ``kind:t`` → ``kind:tender``; ``dea`` →
    ``deadline<``. Returns whole strings (the text with its last word completed).
    """
    head, _, last = text.rpartition(" ")
    head = head + " " if head else ""
    if not last:
        return []
    match = re.fullmatch(r"([A-Za-z_]+)(:|<|>)(.*)", last)
    if match is None:
        candidates = [k + ("<" if k == "deadline" else ":") for k in KEYS]
        return [head + c for c in candidates if c.startswith(last.lower()) and c != last][:limit]
    key, op, partial = match.groups()
    name = KEY_ALIASES.get(key.lower(), key.lower())
    options = _value_options(name, partial)
    prefix = f"{key}{op}"
    return [head + prefix + quote_value(o) for o in options
            if fold(o).startswith(fold(partial)) and o != partial][:limit]


def _value_options(name: str, partial: str) -> list[str]:
    if name == "kind":
        return list(KINDS)
    if name == "status":
        return list(STATUSES)
    if name in ("starred", "hidden"):
        return ["yes", "no", "any"]
    if name == "sort":
        return list(SORTS)
    if name == "contract":
        return list(CONTRACT_TYPES)
    if name == "deadline":
        return ["7d", "15d", "30d"]
    if name in LOCATION_KEYS:
        return _place_names(name, fold(partial))
    return []


def _place_names(key: str, folded: str) -> list[str]:
    if len(folded) < 1:
        return []
    from aggregator.normalize.geography import geography

    geo = geography()
    names: list[str] = []
    if key in ("loc", "dep"):
        names += [d.name for d in geo.departments.values()]
    if key in ("loc", "region"):
        names += [r.name for r in geo.regions.values()]
    if key in ("loc", "commune") and len(folded) >= 2:
        names += sorted({c.name for c in geo.communes.values() if not c.parent
                         and fold(c.name).startswith(folded)}, key=len)[:20]
    if key == "loc":
        names.append("remote")
    return [n for n in names if fold(n).startswith(folded)]
