"""Completion of a filter being typed (the TUI's filter bar): keys, then their values, as the
key table (``keys``) offers them."""

from __future__ import annotations

import re

from aggregator.normalize.folding import fold
from aggregator.query import keys
from aggregator.query.grammar import KeyClause, parse_clauses
from aggregator.query.values import cpv_hint, quote_value

_HINTS_SHOWN = 3
# the operator a key name is completed with: dates are mostly "before" (deadline<15d), amounts
# "at least" (salary>=40k)
_OPERATOR = {keys.RangeKey: "<", keys.AmountKey: ">="}


def complete(text: str, limit: int = 10) -> list[str]:
    """Completions of the last word of a filter being typed: keys, then values.

    ``dep:bou`` → ``dep:Bouches-du-Rhône``; ``kind:t`` → ``kind:tender``; ``dea`` →
    ``deadline<``; ``sal`` → ``salary>=``. Returns whole strings (the text with its last
    word completed).
    """
    head, _, last = text.rpartition(" ")
    head = head + " " if head else ""
    if not last:
        return []
    match = re.fullmatch(r"([A-Za-z_]+)(:|<=|>=|<|>)(.*)", last)
    if match is None:
        candidates = [k.name + _OPERATOR.get(type(k), ":") for k in keys.TABLE]
        return [head + c for c in candidates if c.startswith(last.lower()) and c != last][:limit]
    name, op, partial = match.groups()
    key = keys.find(name)
    # a date key suggests numbers of days, which only "<" takes
    days_only = type(key) is keys.RangeKey and op != "<"
    options = key.suggest(partial) if key is not None and not days_only else ()
    return [head + f"{name}{op}" + quote_value(o) for o in options
            if fold(o).startswith(fold(partial)) and o != partial][:limit]


def hint(text: str) -> str | None:
    """What the last clause being typed stands for, when words cannot show it: a ``cpv:``
    value's codes with their labels (``45310000 Travaux d'équipement électrique``)."""
    try:
        clauses = parse_clauses(text)
    except ValueError:  # an unclosed quote while typing
        return None
    last = clauses[-1] if clauses and not text.endswith(" ") else None
    if not isinstance(last, KeyClause) or keys.find(last.key) is not keys.find("cpv"):
        return None
    lines = [line for value in last.values for line in cpv_hint(value)]
    if not lines:
        return None
    more = f" (+{len(lines) - _HINTS_SHOWN})" if len(lines) > _HINTS_SHOWN else ""
    return "cpv: " + " · ".join(lines[:_HINTS_SHOWN]) + more
