"""Why a listing matched a filter: the query words found and where (highlighted by the
full-text engine: FTS5 ``highlight()``, PostgreSQL ``ts_headline``), the CPV
codes under a ``cpv:`` prefix, the place and the key that took it in, the descriptors named
by ``descriptor:``, the deadline window.

:func:`explain` works on the page being shown, never on the whole result set: the CPV, place
and deadline parts come from the loaded rows, the highlights from one statement over the
page's ids (per 500 ids). :class:`Why` is plain data: the terminal and the digests style it,
``--json --why`` prints :meth:`Why.record`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from aggregator.i18n import _, language
from aggregator.normalize.folding import fold
from aggregator.presentation import deadline_text, descriptor_texts
from aggregator.query import keys
from aggregator.query.fulltext import fts5_query, pg_tsquery_terms
from aggregator.query.language import Filter
from aggregator.query.records import ListingRecord
from aggregator.query.values import quote_value, resolve_location
from aggregator.store.batches import chunks
from aggregator.store.search_index import (
    FTS_TABLE,
    PG_CONFIG,
    PG_DOCUMENT_COLUMN,
    PG_TITLE_COLUMN,
)

# Marks around a matched word in what the engines return: control characters, which listing
# text never holds (normalisation strips them).
START, STOP = "\x02", "\x03"
_FIELDS = ("title", "organization", "description")  # where words are looked for, in order
_WINDOW, _BEFORE = 120, 40  # the description's excerpt, in characters around a match
_SNIPPET_WORDS = 16  # PostgreSQL, where that window misses: ts_headline's own excerpt
_NEEDLE = 5  # characters of a word that find it in a text, whatever its ending
# both cases written out: the "i" flag may fold ASCII letters only (a C locale)
_ACCENTS = {"oe": "(oe|œ|Œ)", "ae": "(ae|æ|Æ)"} | {
    letter: f"[{variants}{variants.upper()}]" for letter, variants in (
        ("a", "aàâäá"), ("c", "cç"), ("e", "eéèêë"), ("i", "iîïí"), ("o", "oôöó"),
        ("u", "uùûü"), ("y", "yÿ"))}
_ACCENTED = re.compile("|".join(_ACCENTS))


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
        first, *rest = marked.split(START)  # each rest: word STOP text
        plain, spans, at = [first], [], len(first)
        for piece in rest:
            word, _stop, after = piece.partition(STOP)
            spans.append((at, at + len(word)))
            plain += [word, after]
            at += len(word) + len(after)
        return cls(field, "".join(plain), tuple(spans))

    def words(self) -> list[str]:
        return [self.text[a:b] for a, b in self.spans]

    def excerpt(self, before: int, width: int) -> Highlight:
        """About ``width`` characters from ``before`` characters ahead of the first marked
        word: what PostgreSQL's window is (a whole field's highlight cut as both backends
        show it)."""
        if not self.spans:
            return self
        start = max(self.spans[0][0] - before, 0)
        end = max(start + width, self.spans[0][1])
        end = max([end] + [b for a, b in self.spans if a < end])  # no marked word cut
        spans = [(a, b) for a, b in self.spans if b <= end]
        cut = Highlight(self.field, self.text[start:end],
                        tuple((a - start, b - start) for a, b in spans))
        return cut.window(cut_start=start > 0, cut_end=end < len(self.text))

    def window(self, *, cut_start: bool, cut_end: bool) -> Highlight:
        """A window cut out of a longer text: the words it cut in half left out, "…" where
        text was cut."""
        if not (cut_start or cut_end):
            return self
        text, spans = self.text, list(self.spans)
        first = text.find(" ") + 1 if cut_start else 0
        last = text.rfind(" ") if cut_end else len(text)
        first = first if spans and 0 < first <= spans[0][0] else 0
        last = last if spans and last >= spans[-1][1] else len(text)
        lead = "… " if cut_start else ""
        shift = len(lead) - first
        return Highlight(self.field, lead + text[first:last] + (" …" if cut_end else ""),
                         tuple((a + shift, b + shift) for a, b in spans))

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


def explain(engine: Engine, filter: Filter, listings: Sequence[ListingRecord], *,
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
        found.cpv = _cpv(listing, filter.cpv, lang)
        found.places = [KeyMatch(_place(listing), token)
                        for token, place in places if _in_place(listing, place)]
        found.descriptors = _descriptors(listing, filter.descriptors)
        if window and listing.deadline_at is not None:
            found.deadline = DeadlineMatch(deadline_text(listing, now=now), window)
    return why


# --------------------------------------------------------------------------- the words
def _highlights(engine: Engine, terms: Sequence[Any],
                ids: list[int]) -> dict[int, list[Highlight]]:
    """The page's fields with the words marked, in one statement after a small one."""
    found: dict[int, list[Highlight]] = {}
    sqlite = engine.dialect.name == "sqlite"
    # a read alone: on PostgreSQL no BEGIN and ROLLBACK around it, two round trips fewer
    with engine.connect().execution_options(
            **{} if sqlite else {"isolation_level": "AUTOCOMMIT"}) as conn:
        if sqlite:
            rows: Any = _sqlite_marked(conn, terms, ids)
        else:
            every, anyone, words = _pg_tsquery(terms)
            statement = _PG_MARKED.replace(_EVERY, every).replace(_ANY, anyone)
            rows = conn.exec_driver_sql(statement, {
                **words, "needle": _needle(terms), "ids": ids})
        for listing_id, *marked in rows:
            parts = [Highlight.read(name, value)
                     for name, value in zip(_FIELDS, marked[:3], strict=True)]
            if parts[2] is not None:  # a window of the description
                parts[2] = (parts[2].window(cut_start=marked[3], cut_end=marked[4])
                            if len(marked) > 3 else parts[2].excerpt(_BEFORE, _WINDOW))
            found[listing_id] = [p for p in parts if p is not None]
    return found


# FTS5 marks what its MATCH found, in whole fields: the description's excerpt is cut here
# (snippet() scores every fragment of it, which costs more than the marking itself).
# "rowid IN" makes FTS5 look each id up in the words' lists, "+rowid IN" (not given to FTS5)
# reads those lists once: cheaper while they are short. The driver's own statements:
# compiling one for 50 ids costs as much as running it.
_SQLITE_MARKED = (
    f"SELECT rowid, highlight({FTS_TABLE}, 0, ?, ?), highlight({FTS_TABLE}, 1, ?, ?), "
    f"highlight({FTS_TABLE}, 2, ?, ?) "
    f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? AND %s IN (%s)")
_SQLITE_FEW = (f"SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? "
               "LIMIT ?)")
_FEW = 3000  # matches under which one pass over them beats a look-up per id (measured)


def _sqlite_marked(conn: Any, terms: Sequence[Any], ids: Sequence[int]) -> list[Any]:
    query = fts5_query(terms)[0]
    # a prefix is expanded again at every look-up: one pass however many it matches
    few = (any(term.prefix for term in terms)
           or conn.exec_driver_sql(_SQLITE_FEW, (query, _FEW)).one()[0] < _FEW)
    rows = []
    for chunk in chunks(ids):  # within SQLite's limit on parameters
        statement = _SQLITE_MARKED % ("+rowid" if few else "rowid", ",".join("?" * len(chunk)))
        rows += conn.exec_driver_sql(statement, (START, STOP) * 3 + (query, *chunk)).all()
    return rows


def _pg_tsquery(terms: Sequence[Any]) -> tuple[str, str, dict[str, str]]:
    """The terms' tsquery as SQL, every term (what the search matched) and any of them (a
    field worth marking), and its parameters (the words). The SQL is the statement's shape:
    how many terms, which are prefixes."""
    parts, words = [], {}
    for n, (function, text, _negated) in enumerate(pg_tsquery_terms(terms)):
        parts.append(f"{function}('{PG_CONFIG}'::regconfig, %(w{n})s)")
        words[f"w{n}"] = text
    every, anyone = parts[0], parts[0]
    for part in parts[1:]:
        every, anyone = f"tsquery_and({every}, {part})", f"tsquery_or({anyone}, {part})"
    return every, anyone, words


def _needle(terms: Sequence[Any]) -> str:
    """A regular expression that finds the first words' place in a description, accents or
    not: the longest word of the first term less its last two letters (a plural, a feminine),
    at least _NEEDLE, at a word's start. (Cheaper than unaccent() on the whole text.)"""
    word = max((fold(w) for w in terms[0].words()), key=len, default="")
    return r"\m" + _ACCENTED.sub(lambda found: _ACCENTS[found.group()],
                                 re.escape(word[:max(_NEEDLE, len(word) - 2)]))


# ts_headline parses all the text it is given, which on whole descriptions costs more than
# the search: a description is marked in a window of _WINDOW characters from a little before
# the first place its needle starts a word; whole only when that window holds no match (the
# needle was found elsewhere first); not at all without the needle. The title and the buyer
# are marked only when their stored vectors hold a word (ts_filter keeps the buyer's, weight
# B). One statement per shape of query, its tsqueries made in it (no round trip before), the
# words and the ids (an array) as parameters: the driver prepares it once per connection
# instead of PostgreSQL planning it for every page. OFFSET 0: each lateral subquery
# evaluated once, not inlined into every use of its columns.
_EVERY, _ANY = "__EVERY__", "__ANY__"  # replaced by the query's tsqueries (_pg_tsquery)
_MARKS = f'StartSel="{START}", StopSel="{STOP}"'
_WHOLE = f"HighlightAll=true, {_MARKS}"
_PG_MARKED = f"""
SELECT l.id,
  CASE WHEN l.{PG_TITLE_COLUMN} @@ k.qa
       THEN ts_headline('{PG_CONFIG}'::regconfig, l.title, k.q, '{_WHOLE}') END,
  CASE WHEN ts_filter(l.{PG_DOCUMENT_COLUMN}, '{{b}}') @@ k.qa
       THEN ts_headline('{PG_CONFIG}'::regconfig, coalesce(l.organization, ''), k.q,
                        '{_WHOLE}') END,
  CASE WHEN f.at = 0 THEN NULL WHEN strpos(w.marked, '{START}') > 0 THEN w.marked
       ELSE ts_headline('{PG_CONFIG}'::regconfig, coalesce(l.description, ''), k.q,
                        'MaxFragments=2, MaxWords={_SNIPPET_WORDS}, MinWords={_SNIPPET_WORDS // 2},
                         FragmentDelimiter=" … ", {_MARKS}') END,
  strpos(w.marked, '{START}') > 0 AND w.start > 1,
  strpos(w.marked, '{START}') > 0 AND w.start + {_WINDOW} <= length(coalesce(l.description, ''))
FROM listings l
CROSS JOIN (SELECT __EVERY__ AS q, __ANY__ AS qa OFFSET 0) k
CROSS JOIN LATERAL (SELECT regexp_instr(coalesce(l.description, ''), %(needle)s, 1, 1, 0, 'i')
                    AS at OFFSET 0) f
CROSS JOIN LATERAL (SELECT greatest(f.at - {_BEFORE}, 1) AS start,
                           CASE WHEN f.at > 0 THEN ts_headline(
                             '{PG_CONFIG}'::regconfig, substr(coalesce(l.description, ''),
                                                   greatest(f.at - {_BEFORE}, 1), {_WINDOW}),
                             k.q, '{_WHOLE}') END AS marked
                    OFFSET 0) w
WHERE l.id = ANY(%(ids)s)
"""


# --------------------------------------------------------------------------- the keys
def _cpv(listing: ListingRecord, prefixes: Sequence[str], lang: str) -> list[CpvMatch]:
    """The listing's codes under the filter's prefixes, each with the first prefix it is
    under."""
    from aggregator.normalize.cpv import label

    found = []
    for code in listing.cpv or () if prefixes else ():
        prefix = next((p for p in prefixes if code.startswith(p)), None)
        if prefix is not None:
            found.append(CpvMatch(code, label(code, lang), prefix))
    return found


def _descriptors(listing: ListingRecord, wanted: Sequence[str]) -> list[KeyMatch]:
    """The listing's descriptors the filter names, by folded label or code."""
    found = []
    for entry in (listing.details or {}).get("descriptors") or () if wanted else ():
        if not isinstance(entry, dict):
            continue
        named = next((w for w in wanted if fold(w) == fold(entry.get("label") or "")
                      or w == entry.get("code")), None)
        if named is not None:
            found.append(KeyMatch(descriptor_texts({"descriptors": [entry]})[0],
                                  f"descriptor:{quote_value(named)}"))
    return found


def _place(listing: ListingRecord) -> str:
    """The listing's place as precisely as it is known: ``Marseille 13e``, else its
    department, region or country code."""
    city = (listing.city or "").replace(" Arrondissement", "")
    return city or listing.department or listing.region or listing.country or ""


def _in_place(listing: ListingRecord, place: Any) -> bool:
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
