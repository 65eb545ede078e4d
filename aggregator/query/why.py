"""Why a listing matched a filter: the query words found and where (highlighted by the
full-text engine: FTS5 ``highlight()``/``snippet()``, PostgreSQL ``ts_headline``), the CPV
codes under a ``cpv:`` prefix, the place and the key that took it in, the descriptors named
by ``descriptor:``, the deadline window.

:func:`explain` works on the page being shown, never on the whole result set: the CPV, place
and deadline parts come from the loaded rows, the highlights from one statement over the
page's ids (per 500 ids). :class:`Why` is plain data: the terminal and the digests style it,
``--json --why`` prints :meth:`Why.record`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, case, cast, func, literal, select
from sqlalchemy.dialects.postgresql import REGCONFIG

from aggregator.i18n import _, language
from aggregator.normalize.folding import fold
from aggregator.presentation import deadline_text, descriptor_texts
from aggregator.query import keys
from aggregator.query.fulltext import fts5_query, pg_tsquery
from aggregator.query.language import Filter
from aggregator.query.values import quote_value, resolve_location
from aggregator.store.batches import chunks
from aggregator.store.models import Listing
from aggregator.store.search_index import FTS_TABLE, PG_CONFIG

# Marks around a matched word in what the engines return: control characters, which listing
# text never holds (normalisation strips them).
START, STOP = "\x02", "\x03"
_FIELDS = ("title", "organization", "description")  # where words are looked for, in order
_SNIPPET_WORDS = 16  # an excerpt of a long description: about this many words
# PostgreSQL cuts its excerpt from this many characters around the first match
_WINDOW, _WINDOW_BEFORE = 320, 120


@dataclass(frozen=True, slots=True)
class Highlight:
    """A field (or an excerpt of it) with the matched words' spans."""

    field: str  # "title" | "organization" | "description"
    text: str
    spans: tuple[tuple[int, int], ...]

    @classmethod
    def read(cls, field: str, marked: str | None) -> Highlight | None:
        """From the engine's marked text; None when no word is marked."""
        if not marked or START not in marked:
            return None
        first, *rest = marked.split(START)
        plain, spans, at = [first], [], len(first)
        for piece in rest:
            word, _, after = piece.partition(STOP)
            spans.append((at, at + len(word)))
            plain += [word, after]
            at += len(word) + len(after)
        return cls(field, "".join(plain), tuple(spans))

    def words(self) -> list[str]:
        return [self.text[a:b] for a, b in self.spans]

    def segments(self) -> list[tuple[str, bool]]:
        """The text in pieces: (text, is a matched word)."""
        pieces, at = [], 0
        for start, end in self.spans:
            pieces += [(self.text[at:start], False), (self.text[start:end], True)]
            at = end
        pieces.append((self.text[at:], False))
        return [(t, marked) for t, marked in pieces if t]


@dataclass(frozen=True, slots=True)
class CpvMatch:
    code: str
    label: str | None  # in the reader's language; None for a code not in the nomenclature
    prefix: str  # the cpv: prefix it is under


@dataclass(frozen=True, slots=True)
class KeyMatch:
    what: str  # the listing's place ("Marseille 13e") or descriptor ("365 Voirie")
    token: str  # the filter's key that took it in: "dep:13", "descriptor:voirie"


@dataclass(frozen=True, slots=True)
class DeadlineMatch:
    deadline: str  # "03/04/2026 12:00 (7d)"
    tokens: tuple[str, ...]  # "deadline<15d"


@dataclass(slots=True)
class Why:
    """What made one listing match."""

    text: list[Highlight] = field(default_factory=list)
    cpv: list[CpvMatch] = field(default_factory=list)
    places: list[KeyMatch] = field(default_factory=list)
    descriptors: list[KeyMatch] = field(default_factory=list)
    deadline: DeadlineMatch | None = None

    @property
    def words(self) -> list[str]:
        """The query words found, as the listing writes them (each once)."""
        found: dict[str, str] = {}
        for part in self.text:
            for word in part.words():
                found.setdefault(fold(word), word)
        return list(found.values())

    def __bool__(self) -> bool:
        return bool(self.text or self.cpv or self.places or self.descriptors or self.deadline)

    def record(self) -> dict[str, Any]:
        """The ``matched`` object of ``--json --why``."""
        return {
            "words": self.words,
            "text": [{"field": h.field, "text": h.text, "highlights": [list(s) for s in h.spans]}
                     for h in self.text],
            "cpv": [{"code": c.code, "label": c.label, "prefix": c.prefix} for c in self.cpv],
            "places": [{"place": p.what, "filter": p.token} for p in self.places],
            "descriptors": [{"descriptor": d.what, "filter": d.token}
                            for d in self.descriptors],
            "deadline": None if self.deadline is None else {
                "deadline": self.deadline.deadline, "filter": list(self.deadline.tokens)},
        }

    def lines(self) -> list[tuple[str, list[tuple[str, bool]]]]:
        """One (label, segments) per part, segments as :meth:`Highlight.segments`: what the
        CLI, the TUI and the digests show. The label ends with the reader's colon ("titre :"
        in French)."""
        names = {"title": _("title"), "organization": _("buyer/employer"),
                 "description": _("description")}
        out = [(names[h.field], h.segments()) for h in self.text]
        out += [(_("CPV"), [(f"{c.code} {c.label or ''}".strip(), True),
                            (f" → cpv:{c.prefix}", False)]) for c in self.cpv]
        out += [(_("place"), [(p.what, True), (f" → {p.token}", False)]) for p in self.places]
        out += [(_("descriptor"), [(d.what, True), (f" → {d.token}", False)])
                for d in self.descriptors]
        if self.deadline is not None:
            out.append((_("deadline"), [(self.deadline.deadline, True),
                                        (f" → {' '.join(self.deadline.tokens)}", False)]))
        return [(_("%(label)s:") % {"label": label}, pieces) for label, pieces in out]


def explain(engine: Engine, filter: Filter, listings: Sequence[Listing], *,
            now: datetime | None = None, lang: str | None = None) -> dict[int, Why]:
    """Each listing's id → why it matches ``filter`` (the page shown: ``listings``)."""
    now = now or datetime.now(UTC)
    lang = lang or language()
    why = {listing.id: Why() for listing in listings}
    positive = [t for t in filter.terms() if not t.negated]
    if positive and listings:
        for listing_id, parts in _highlights(engine, positive, list(why)).items():
            why[listing_id].text = parts
    places = [(keys.location_token(loc), resolve_location(loc)) for loc in filter.locations]
    window = _deadline_tokens(filter)
    for listing in listings:
        found = why[listing.id]
        if filter.cpv:
            found.cpv = _cpv(listing, filter.cpv, lang)
        if places:
            found.places = [KeyMatch(_place(listing), token)
                            for token, place in places if _in_place(listing, place)]
        if filter.descriptors:
            found.descriptors = _descriptors(listing, filter.descriptors)
        if window and listing.deadline_at is not None:
            found.deadline = DeadlineMatch(deadline_text(listing, now=now), window)
    return why


# --------------------------------------------------------------------------- the words
def _highlights(engine: Engine, terms: Sequence[Any],
                ids: list[int]) -> dict[int, list[Highlight]]:
    """The page's fields with the words marked: one statement (per 500 ids on PostgreSQL)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            # The ids as one JSON parameter: the same statement text for every page, so
            # neither SQLAlchemy nor SQLite compiles it again.
            rows = [conn.exec_driver_sql(_SQLITE_MARKED, (
                START, STOP, START, STOP, START, STOP, fts5_query(terms)[0], json.dumps(ids)))]
        else:
            rows = [conn.execute(_pg_marked(terms, list(chunk))) for chunk in chunks(ids)]
        return {listing_id: [part for name, value in zip(_FIELDS, marked, strict=True)
                             if (part := Highlight.read(name, value)) is not None]
                for result in rows for listing_id, *marked in result}


# FTS5 marks what its MATCH found; highlight() gives a whole field, snippet() an excerpt.
_SQLITE_MARKED = (
    f"SELECT rowid, highlight({FTS_TABLE}, 0, ?, ?), highlight({FTS_TABLE}, 1, ?, ?), "
    f"snippet({FTS_TABLE}, 2, ?, ?, '…', {_SNIPPET_WORDS}) "
    f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? AND +rowid IN (SELECT value FROM json_each(?))"
)


def _pg_marked(terms: Sequence[Any], ids: list[int]) -> Any:
    config = cast(literal(PG_CONFIG), REGCONFIG)
    query = pg_tsquery(terms)
    marks = f'StartSel="{START}", StopSel="{STOP}"'
    whole = literal(f"HighlightAll=true, {marks}")
    excerpt = literal(f"MaxFragments=2, MaxWords={_SNIPPET_WORDS}, "
                      f"MinWords={_SNIPPET_WORDS // 2}, FragmentDelimiter=\" … \", {marks}")
    return select(
        Listing.id,
        func.ts_headline(config, Listing.title, query, whole),
        func.ts_headline(config, func.coalesce(Listing.organization, ""), query, whole),
        func.ts_headline(config, _pg_window(terms, config), query, excerpt),
    ).where(Listing.id.in_(ids))


def _pg_window(terms: Sequence[Any], config: Any) -> Any:
    """The part of the description an excerpt is cut from. ts_headline parses and stems all
    the text it is given, most of the cost of --why on PostgreSQL: it gets the characters
    around the first match, found as the words are typed or by their stems in the unaccented
    text, and the whole description only when neither finds it."""
    description = func.coalesce(Listing.description, "")
    words = [word for term in terms for word in term.words()]
    typed = func.least(*(func.nullif(func.strpos(description, word), 0) for word in words))
    lexemes = func.unnest(func.tsvector_to_array(
        func.to_tsvector(config, " ".join(words)))).table_valued("lexeme").render_derived()
    stemmed = select(func.min(func.nullif(
        func.strpos(func.unaccent(description), lexemes.c.lexeme), 0))).scalar_subquery()
    at = func.coalesce(typed, stemmed)
    return case((at.is_(None), description),
                else_=func.substr(description, func.greatest(at - _WINDOW_BEFORE, 1), _WINDOW))


# --------------------------------------------------------------------------- the keys
def _cpv(listing: Listing, prefixes: Sequence[str], lang: str) -> list[CpvMatch]:
    """The listing's codes under the filter's prefixes, each with the first prefix it is
    under."""
    from aggregator.normalize.cpv import label

    found = []
    for code in listing.cpv or ():
        prefix = next((p for p in prefixes if code.startswith(p)), None)
        if prefix is not None:
            found.append(CpvMatch(code, label(code, lang), prefix))
    return found


def _descriptors(listing: Listing, wanted: Sequence[str]) -> list[KeyMatch]:
    """The listing's descriptors the filter names, by folded label or code."""
    found = []
    for entry in (listing.details or {}).get("descriptors") or ():
        if not isinstance(entry, dict):
            continue
        named = next((w for w in wanted if fold(w) == fold(entry.get("label") or "")
                      or w == entry.get("code")), None)
        if named is not None:
            found.append(KeyMatch(descriptor_texts({"descriptors": [entry]})[0],
                                  f"descriptor:{quote_value(named)}"))
    return found


def _place(listing: Listing) -> str:
    """The listing's place as precisely as it is known: ``Marseille 13e``, else its
    department, region or country code."""
    city = (listing.city or "").replace(" Arrondissement", "")
    return city or listing.department or listing.region or listing.country or ""


def _in_place(listing: Listing, place: Any) -> bool:
    """What the search's location condition (query/sql.py) checks, for one loaded row."""
    if place.level == "remote":
        return bool(listing.remote)
    if place.level in ("department", "region", "country"):
        return getattr(listing, place.level) in place.codes
    return listing.insee_code in place.codes or (
        place.postal_code is not None and listing.postal_code == place.postal_code)


def _deadline_tokens(filter: Filter) -> tuple[str, ...]:
    key = keys.BY_NAME["deadline"]
    assert isinstance(key, keys.RangeKey)
    return tuple(token for name in key.fields if getattr(filter, name) is not None
                 for token in key.tokens(name, getattr(filter, name)))
