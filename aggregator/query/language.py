"""The one filter model, :class:`Filter`, and its compact text form.

The CLI flags, the TUI filter bar, saved searches, digests and exports all build a
:class:`Filter`; it has one compact text form that round-trips::

    kind:tender dep:13 deadline<15d cpv:45 "électricité" -nettoyage

``Filter.parse(text)`` reads it (a :class:`FilterError` names any unknown key or bad value),
``filter.to_text()`` writes it back, and ``Filter.parse(f.to_text()) == f`` always holds.
The syntax is a grammar (``grammar``), the keys a table (``keys``), the values their readers
(``values``), the free text its terms (``terms``); this module is the filter itself.

Meanings (all days are calendar days in Europe/Paris; instants are stored in UTC):

- open only by default: status ``open`` and no deadline or a deadline still ahead
  (``status:closed`` / ``status:cancelled`` / ``status:all`` change that);
- ``deadline<15d``: closing within 15 days, i.e. a deadline still ahead whose local day is at
  most 15 days after today (the days-left count the CLI/TUI show is then ≤ 15);
- ``deadline<2026-12-01``: due before that local day begins (at the latest 30/11 23:59:59);
  ``deadline>2026-12-01``: due after that local day ends (2/12 00:00 or later); ``<=``/``>=``
  include the day itself. A local time may be given: ``deadline<2026-12-01T12:00``;
- ``since:7d`` / ``new:7d``: published / first seen since local midnight 7 days ago;
  a date means since that local day began; an ISO instant with offset is exact;
- location (``loc:``, ``dep:``, ``region:``, ``cp:``, ``commune:``, ``insee:``, ``country:``):
  anything the place resolver accepts; Paris, Marseille and Lyon include their
  arrondissements; several locations are alternatives;
- ``cpv:45`` matches every code starting with 45; lists (``cpv:45,71``) are alternatives;
  ``cpv:"éclairage public"`` reads as the prefixes of the codes whose labels hold the words;
- ``salary>=40k``: a job whose pay, as a year's (12 months, 1,607 hours...), can reach 40,000
  euros (its range's top); ``salary<=30k``: whose range starts at most there; ``value>=100k``
  / ``value<=1M``: a tender's estimated value, an award's amount. Only euros (or no currency
  given) are compared; a listing that states none is left out;
- ``descriptor:voirie``: a source's own keyword (BOAMP descriptors), by label (any case and
  accents) or code (``descriptor:365``); lists are alternatives;
- text: words, ``"phrases"``, ``-exclusions`` (also ``-"a phrase"``), ``prefix*``; accent-
  and case-insensitive; a word starting with a key (``foo:bar``) must be quoted to be text;
  results by relevance when there is text, else by deadline (soonest first, then no deadline
  by newest) unless ``sort:`` says otherwise.

Cross-source duplicates are shown once, as the listing they point to (``duplicate_of``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from aggregator.i18n import _
from aggregator.query import keys
from aggregator.query.errors import FilterError
from aggregator.query.grammar import KeyClause, Piece, parse_clauses
from aggregator.query.terms import Term, canonical_text, parse_terms, term
from aggregator.query.values import euros

# the amount keys' fields: held to the cent, so that a filter built with any float still reads
# back from its text form
AMOUNT_FIELDS = tuple(field for key in keys.TABLE if isinstance(key, keys.AmountKey)
                      for field in key.fields)

# an unquoted word that starts like a key clause: "kind:" (no value), "-kind:job"
_KEY_WORD = re.compile(r"(-*)([A-Za-z][A-Za-z_]*)(<=|>=|<|>|:)(.*)", re.S)


@dataclass(frozen=True)
class Filter:
    """What to search for. Every field is optional; the default is every open listing."""

    text: str | None = None
    kind: str | None = None
    locations: tuple[str, ...] = ()
    closing_within: timedelta | None = None
    deadline_before: date | datetime | None = None
    deadline_after: date | datetime | None = None
    published_since: date | datetime | timedelta | None = None
    seen_since: date | datetime | timedelta | None = None
    contract_types: tuple[str, ...] = ()
    cpv: tuple[str, ...] = ()
    descriptors: tuple[str, ...] = ()  # the source's own keywords (BOAMP descriptors)
    sources: tuple[str, ...] = ()
    # awards: buyer and supplier SIRETs, notification and end dates
    buyer_ids: tuple[str, ...] = ()
    supplier_ids: tuple[str, ...] = ()
    awarded_before: date | datetime | None = None
    awarded_after: date | datetime | None = None
    ends_before: date | datetime | None = None
    ends_after: date | datetime | None = None
    ending_within: timedelta | None = None
    # euros: a job's pay as a year's, a tender's estimated value or an award's amount
    salary_at_least: int | float | None = None
    salary_at_most: int | float | None = None
    value_at_least: int | float | None = None
    value_at_most: int | float | None = None
    status: str = "open"
    starred: bool | None = None
    hidden: bool | None = False  # False: hide hidden listings; True: only them; None: both
    sort: str | None = None  # None: relevance with text, else deadline
    # paging: not part of the text form
    limit: int | None = field(default=50, compare=False)
    offset: int = field(default=0, compare=False)
    # the instant the listings are read at (None: now), not part of the text form either:
    # open/closed, days left and relative dates are judged then, from the history (`--as-of`)
    as_of: datetime | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", canonical_text(self.text))
        for name in AMOUNT_FIELDS:
            if getattr(self, name) is not None:
                object.__setattr__(self, name, euros(getattr(self, name)))
        for name in keys.LIST_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(dict.fromkeys(value)))

    # ---- text form
    @classmethod
    def parse(cls, text: str | None, **overrides: Any) -> Filter:
        """Read the compact text form; ``overrides`` set paging (limit, offset) and as_of."""
        values: dict[str, Any] = {}
        terms: list[Term] = []
        for clause in parse_clauses(text or ""):
            if isinstance(clause, KeyClause):
                keys.read_clause(clause, values)
                continue
            for piece in clause.pieces:
                _refuse_key_word(piece)
                found = term(piece)
                if found is not None:
                    terms.append(found)
        values = {name: tuple(value) if isinstance(value, list) else value
                  for name, value in values.items()}
        return cls(text=" ".join(map(str, terms)) or None, **values, **overrides)

    def to_text(self) -> str:
        """The canonical compact text form (what a saved search stores)."""
        values = {name: getattr(self, name) for name in keys.key_fields()}
        parts = keys.tokens(values, _defaults())
        if self.text:
            parts.append(self.text)
        return " ".join(parts)

    def __str__(self) -> str:
        return self.to_text()

    def terms(self) -> tuple[Term, ...]:
        return parse_terms(self.text)

    def page(self, offset: int, limit: int | None) -> Filter:
        return replace(self, offset=offset, limit=limit)

    def combine(self, values: Mapping[str, Any], source: str) -> Filter:
        """This filter and more fields (e.g. from command-line options): lists add up; a
        value that contradicts one already set is refused, naming ``source`` and the key."""
        changes: dict[str, Any] = {}
        for name, value in values.items():
            current = getattr(self, name)
            if isinstance(current, tuple):
                changes[name] = current + tuple(value)
            elif current not in (_defaults()[name], value):
                written = replace(Filter(), **{name: current}).to_text()
                raise FilterError(_("%(source)s contradicts %(written)r in the query")
                                  % {"source": source, "written": written})
            else:
                changes[name] = value
        return replace(self, **changes)

    def validate(self) -> None:
        """Raise FilterError for a value the query cannot use (e.g. an unknown place)."""
        Filter.parse(self.to_text())  # a built Filter's values are checked like typed ones


@cache
def _defaults() -> dict[str, Any]:
    return {f.name: f.default for f in fields(Filter)}


def _refuse_key_word(piece: Piece) -> None:
    """A word that starts with a known key but is no key clause: ``kind:`` with no value,
    ``-kind:job`` (keys are not excluded), ``"x"kind:job`` (glued to a phrase)."""
    match = None if piece.quoted else _KEY_WORD.fullmatch(piece.text)
    key = keys.find(match[2]) if match else None
    if match is None or key is None:
        return
    dashes, name, rest = match[1], key.name, match[4]
    if dashes:
        raise FilterError(_("%(word)r: a key cannot be excluded; to exclude these words, "
                            "quote them: %(quoted)s")
                          % {"word": piece.text, "quoted": f'-"{name}{match[3]}{rest}"'})
    if not rest.strip():
        raise FilterError(_("%(word)r: %(key)s needs a value") % {"word": piece.text,
                                                                   "key": name})
    raise FilterError(_("%(word)r: put a space before %(key)s")
                      % {"word": piece.text, "key": f"{name}{match[3]}"})
