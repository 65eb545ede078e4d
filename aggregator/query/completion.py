"""Completion of a filter being typed (the TUI's filter bar): keys, then their values, as the
key table (``keys``) offers them."""

from __future__ import annotations

import re

from aggregator.normalize.folding import fold
from aggregator.query import keys
from aggregator.query.values import quote_value


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
        candidates = [k.name + ("<" if isinstance(k, keys.RangeKey) else ":")
                      for k in keys.TABLE]
        return [head + c for c in candidates if c.startswith(last.lower()) and c != last][:limit]
    name, op, partial = match.groups()
    key = keys.find(name)
    options = key.suggest(partial) if key is not None else ()
    return [head + f"{name}{op}" + quote_value(o) for o in options
            if fold(o).startswith(fold(partial)) and o != partial][:limit]


def place_names(key: str, typed: str) -> list[str]:
    """Departments, regions and communes whose name starts like ``typed`` (for key ``key``)."""
    folded = fold(typed)
    if not folded:
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
