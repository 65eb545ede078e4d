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
