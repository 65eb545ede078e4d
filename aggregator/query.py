"""The one filter model, and the only place that builds search SQL.

The CLI flags, the TUI filter bar, saved searches, digests and exports all build a
:class:`Filter`; it has one compact text form that round-trips::

    kind:tender dep:13 deadline<15d cpv:45 "électricité" -nettoyage

``Filter.parse(text)`` reads it (a :class:`FilterError` names any unknown key or bad value),
``filter.to_text()`` writes it back, and ``Filter.parse(f.to_text()) == f`` always holds.

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
- text: words, ``"phrases"``, ``-exclusions``, ``prefix*``; accent- and case-insensitive;
  results by relevance when there is text, else by deadline (soonest first, then no deadline
  by newest) unless ``sort:`` says otherwise.

Cross-source duplicates are shown once, as the listing they point to (``duplicate_of``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Engine,
    Select,
    and_,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import REGCONFIG, TSQUERY
from sqlalchemy.orm import Session, defer
from sqlalchemy.sql.elements import ColumnElement

from aggregator.config import LOCAL_TZ
from aggregator.normalize.contracts import CONTRACT_TYPES, parse_contract
from aggregator.normalize.folding import fold
from aggregator.store.batches import chunks
from aggregator.store.models import Listing, ListingChange, ListingCpv
from aggregator.store.search_index import FTS_TABLE, LIGATURES, PG_CONFIG

KINDS = ("job", "tender")
STATUSES = ("open", "closed", "cancelled", "all")
# sort key → does its natural order put the largest first? ("-key" reverses it)
SORTS = {"relevance": False, "deadline": False, "published": True, "seen": True,
         "title": False, "organization": False, "place": False, "source": False,
         "kind": False}
# location keys of the text form → the prefix the place resolver reads ("" = anything)
LOCATION_KEYS = {"loc": "", "dep": "dep", "region": "region", "cp": "cp", "commune": "commune",
                 "insee": "insee", "country": "country", "nuts": "nuts"}
_LOCATION_ALIASES = {"location": "loc", "place": "loc", "where": "loc", "dept": "dep",
                     "department": "dep", "departement": "dep", "reg": "region",
                     "postal": "cp", "city": "commune", "ville": "commune", "pays": "country"}
_KEY_ALIASES = {"type": "kind", "contract_type": "contract", "contracts": "contract",
                "sources": "source", "published": "since", "seen": "new", "order": "sort",
                "star": "starred", **_LOCATION_ALIASES}
KEYS = ("kind", *LOCATION_KEYS, "deadline", "since", "new", "contract", "cpv", "source",
        "status", "starred", "hidden", "sort")
_YES = {"yes": True, "true": True, "1": True, "y": True, "oui": True,
        "no": False, "false": False, "0": False, "n": False, "non": False}


class FilterError(ValueError):
    """A filter that cannot be read or run; the message names the problem."""


# --------------------------------------------------------------------------- free text
@dataclass(frozen=True, slots=True)
class Term:
    """One piece of free text: a word, a quoted phrase, a ``-`` exclusion, a ``prefix*``."""

    text: str
    phrase: bool = False
    negated: bool = False
    prefix: bool = False

    def __str__(self) -> str:
        body = f'"{self.text}"' if self.phrase else self.text + ("*" if self.prefix else "")
        return ("-" if self.negated else "") + body

    def words(self) -> list[str]:
        """The words the tokenizer will see (letters and digits, as written)."""
        return re.findall(r"\w+", self.text.replace("_", " "))


_KEY_TOKEN = r"(?P<key>[A-Za-z][A-Za-z_]*)(?P<op><=|>=|<|>|:)" \
             r"(?:\"(?P<qvalue>[^\"]*)\"?|(?P<value>\S+))"
_KEY = re.compile(_KEY_TOKEN)
_TOKENS = re.compile(
    rf"\s*(?:{_KEY_TOKEN}|(?P<neg>-?)\"(?P<phrase>[^\"]*)\"?|(?P<word>\S+))")


def _term(text: str, *, phrase: bool, negated: bool) -> Term | None:
    text = " ".join(text.split())
    prefix = False
    if not phrase:
        stripped = text.lstrip("-")  # "-nettoyage" excludes; a lone "-" is nothing
        negated, text = negated or stripped != text, stripped
        if text.endswith("*") and re.fullmatch(r"[^\W_]+", text[:-1]):
            text, prefix = text[:-1], True
    term = Term(text, phrase=phrase, negated=negated, prefix=prefix)
    if not term.words():  # "+++", "-", '""': nothing a full-text index could match
        return None
    if not phrase and not negated and _KEY.match(str(term)):
        return replace(term, phrase=True, prefix=False)  # "foo:bar" as text, not a key
    return term


def parse_terms(text: str | None) -> tuple[Term, ...]:
    """Free text → terms. Key-like words (``foo:bar``) are taken as text here."""
    terms: list[Term] = []
    for match in _TOKENS.finditer(text or ""):
        if match.group("key") is not None:
            term = _term(match.group(0).strip(), phrase=True, negated=False)
        elif match.group("phrase") is not None:
            term = _term(match.group("phrase"), phrase=True, negated=bool(match.group("neg")))
        elif match.group("word"):
            term = _term(match.group("word"), phrase=False, negated=False)
        else:
            continue
        if term is not None:
            terms.append(term)
    return tuple(terms)


def _canonical_text(text: str | None) -> str | None:
    terms = parse_terms(text)
    return " ".join(map(str, terms)) or None


# --------------------------------------------------------------------------- values
def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL_TZ)


def _today(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()


_DURATION = re.compile(r"(\d{1,4})\s*(d|j|w|days?|jours?|weeks?|semaines?)?", re.I)


def parse_days(value: str, what: str) -> timedelta:
    """``7``, ``7d``, ``7j``, ``2w`` → a whole number of days."""
    match = _DURATION.fullmatch(value.strip())
    if not match:
        raise FilterError(f"bad {what} {value!r}: expected a number of days such as 7d")
    unit = (match.group(2) or "d").lower()
    days = int(match.group(1)) * (7 if unit[0] in "ws" else 1)
    return timedelta(days=days)


def _format_days(value: timedelta) -> str:
    return f"{value.days}d"


def parse_when(value: str, what: str) -> date | datetime:
    """``2026-12-01`` (a local day), ``2026-12-01T12:00`` (local) or an ISO instant."""
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        when = datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        raise FilterError(f"bad {what} {value!r}: expected a date such as 2026-12-01 "
                          "or a local time such as 2026-12-01T12:00") from None
    return when.replace(tzinfo=LOCAL_TZ) if when.tzinfo is None else when


def _format_when(value: date | datetime) -> str:
    if isinstance(value, datetime):
        if value.utcoffset() == value.astimezone(LOCAL_TZ).utcoffset() and (
                getattr(value.tzinfo, "key", None) == "Europe/Paris"):
            return value.strftime("%Y-%m-%dT%H:%M") + (
                f":{value.second:02d}" if value.second else "")
        return value.isoformat()
    return value.isoformat()


def _parse_since(value: str, what: str) -> date | datetime | timedelta:
    if _DURATION.fullmatch(value.strip()):
        return parse_days(value, what)
    return parse_when(value, what)


def _format_since(value: date | datetime | timedelta) -> str:
    return _format_days(value) if isinstance(value, timedelta) else _format_when(value)


def _since_instant(value: date | datetime | timedelta, now: datetime) -> datetime:
    if isinstance(value, timedelta):
        return _local_midnight(_today(now) - value)
    if isinstance(value, datetime):
        return value
    return _local_midnight(value)


def _quote(value: str) -> str:
    return f'"{value}"' if (not value or re.search(r'[\s"]', value)) else value


def _split_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


# --------------------------------------------------------------------------- the filter
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
    sources: tuple[str, ...] = ()
    status: str = "open"
    starred: bool | None = None
    hidden: bool | None = False  # False: hide hidden listings; True: only them; None: both
    sort: str | None = None  # None: relevance with text, else deadline
    # paging: not part of the text form
    limit: int | None = field(default=50, compare=False)
    offset: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", _canonical_text(self.text))
        for name in ("locations", "contract_types", "cpv", "sources"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(dict.fromkeys(value)))

    # ---- text form
    @classmethod
    def parse(cls, text: str | None, **overrides: Any) -> Filter:
        """Read the compact text form; ``overrides`` set paging (limit, offset)."""
        values: dict[str, Any] = {}
        lists: dict[str, list[str]] = {"locations": [], "contract_types": [], "cpv": [],
                                       "sources": []}
        words: list[str] = []
        for match in _TOKENS.finditer(text or ""):
            key = match.group("key")
            if key is None:
                if match.group("phrase") is not None:
                    words.append(f'{match.group("neg")}"{match.group("phrase")}"')
                elif match.group("word"):
                    word = match.group("word")
                    bare = re.fullmatch(r"([A-Za-z][A-Za-z_]*)(?:<=|>=|<|>|:)", word)
                    if bare and _KEY_ALIASES.get(bare[1].lower(), bare[1].lower()) in KEYS:
                        raise FilterError(f"{word!r}: {bare[1]} needs a value")
                    words.append(word)
                continue
            value = match.group("qvalue")
            if value is None:
                value = match.group("value") or ""
            _read_key(key, match.group("op"), value, match.group(0).strip(), values, lists)
        for name, items in lists.items():
            if items:
                values[name] = tuple(items)
        values["text"] = " ".join(words) or None
        result = cls(**values, **overrides)
        return result

    def to_text(self) -> str:
        """The canonical compact text form (what a saved search stores)."""
        parts: list[str] = []
        if self.kind:
            parts.append(f"kind:{self.kind}")
        for location in self.locations:
            prefix, _, rest = location.partition(":")
            key = next((k for k, p in LOCATION_KEYS.items() if p and p == prefix.lower()), None)
            parts.append(f"{key}:{_quote(rest)}" if key and rest else f"loc:{_quote(location)}")
        if self.closing_within is not None:
            parts.append(f"deadline<{_format_days(self.closing_within)}")
        if self.deadline_after is not None:
            parts.append(f"deadline>{_format_when(self.deadline_after)}")
        if self.deadline_before is not None:
            parts.append(f"deadline<{_format_when(self.deadline_before)}")
        if self.published_since is not None:
            parts.append(f"since:{_format_since(self.published_since)}")
        if self.seen_since is not None:
            parts.append(f"new:{_format_since(self.seen_since)}")
        for key, items in (("contract", self.contract_types), ("cpv", self.cpv),
                           ("source", self.sources)):
            if items:
                parts.append(f"{key}:{','.join(items)}")
        if self.status != "open":
            parts.append(f"status:{self.status}")
        if self.starred is not None:
            parts.append(f"starred:{'yes' if self.starred else 'no'}")
        if self.hidden is not False:
            parts.append(f"hidden:{'yes' if self.hidden else 'any'}")
        if self.sort:
            parts.append(f"sort:{self.sort}")
        if self.text:
            parts.append(self.text)
        return " ".join(parts)

    def __str__(self) -> str:
        return self.to_text()

    def terms(self) -> tuple[Term, ...]:
        return parse_terms(self.text)

    def page(self, offset: int, limit: int | None) -> Filter:
        return replace(self, offset=offset, limit=limit)

    def validate(self) -> None:
        """Raise FilterError for a value the query cannot use (e.g. an unknown place)."""
        Filter.parse(self.to_text())  # a built Filter's values are checked like typed ones


def _read_key(key: str, op: str, value: str, token: str, values: dict[str, Any],
              lists: dict[str, list[str]]) -> None:
    name = key.lower()
    name = _KEY_ALIASES.get(name, name)
    if name not in KEYS:
        raise FilterError(f"unknown key {key!r} in {token!r} (known keys: {', '.join(KEYS)}); "
                          "to search for this text, put it in quotes")
    if name != "deadline" and op != ":":
        raise FilterError(f"{token!r}: only deadline takes < or >; write {name}:VALUE")
    if not value.strip():
        raise FilterError(f"{token!r}: {name} needs a value")
    if name == "deadline":
        _read_deadline(op, value, token, values)
    elif name == "kind":
        kind = value.strip().lower().rstrip("s")
        if kind not in KINDS:
            raise FilterError(f"bad kind {value!r}: expected job or tender")
        values["kind"] = kind
    elif name in LOCATION_KEYS:
        prefix = LOCATION_KEYS[name]
        location = f"{prefix}:{value.strip()}" if prefix else value.strip()
        resolve_location(location)
        lists["locations"].append(location)
    elif name in ("since", "new"):
        values["published_since" if name == "since" else "seen_since"] = _parse_since(
            value, "since date" if name == "since" else "new-since date")
    elif name == "contract":
        for item in _split_list(value):
            contract = item.lower() if item.lower() in CONTRACT_TYPES else parse_contract(item)
            if contract is None:
                raise FilterError(f"bad contract type {item!r}: expected one of "
                                  f"{', '.join(CONTRACT_TYPES)}")
            lists["contract_types"].append(contract)
    elif name == "cpv":
        for item in _split_list(value):
            if not re.fullmatch(r"\d{1,8}", item):
                raise FilterError(f"bad CPV prefix {item!r}: expected 1 to 8 digits, e.g. 45")
            lists["cpv"].append(item)
    elif name == "source":
        for item in _split_list(value):
            if not re.fullmatch(r"[a-z0-9_]+", item.lower()):
                raise FilterError(f"bad source {item!r}: a spider name such as boamp")
            lists["sources"].append(item.lower())
    elif name == "status":
        status = value.strip().lower()
        status = "all" if status == "any" else status
        if status not in STATUSES:
            raise FilterError(f"bad status {value!r}: expected one of {', '.join(STATUSES)}")
        values["status"] = status
    elif name in ("starred", "hidden"):
        choice = value.strip().lower()
        if choice in ("any", "all"):
            values[name] = None
        elif choice in _YES:
            values[name] = _YES[choice]
        else:
            raise FilterError(f"bad {name} value {value!r}: expected yes, no or any")
    elif name == "sort":
        key_name = value.strip().lower()
        if key_name.lstrip("-") not in SORTS:
            raise FilterError(f"bad sort {value!r}: expected one of {', '.join(SORTS)} "
                              "(a leading - reverses it)")
        values["sort"] = key_name


def _read_deadline(op: str, value: str, token: str, values: dict[str, Any]) -> None:
    if op == ":":
        raise FilterError(f"{token!r}: write deadline<15d (closing within 15 days), "
                          "deadline<2026-12-01 or deadline>2026-12-01")
    if _DURATION.fullmatch(value.strip()):
        if op != "<":
            raise FilterError(f"{token!r}: a number of days only works with <, as in "
                              "deadline<15d; after a date, write deadline>2026-12-01")
        values["closing_within"] = parse_days(value, "deadline window")
        return
    when = parse_when(value, "deadline date")
    if isinstance(when, datetime):  # an instant: < and <= are the same to the second
        values["deadline_before" if op[0] == "<" else "deadline_after"] = when
    elif op == "<":
        values["deadline_before"] = when
    elif op == "<=":
        values["deadline_before"] = when + timedelta(days=1)
    elif op == ">":
        values["deadline_after"] = when
    else:  # >=
        values["deadline_after"] = when - timedelta(days=1)



# --------------------------------------------------------------------------- places
@lru_cache(maxsize=256)
def resolve_location(text: str) -> Any:
    """The place resolver's reading of a location (a LocationFilter); FilterError if none."""
    from aggregator.normalize.location_filter import resolve_location_filter

    try:
        resolved = resolve_location_filter(text)
    except ValueError as exc:
        raise FilterError(f"bad location {text!r}: {exc}") from None
    if resolved is None:
        raise FilterError(f"unknown place {text!r}: give a commune, postal code, department "
                          "(13 or Bouches-du-Rhône), region (PACA, IDF), country or remote")
    return resolved


def _unindexed(column_: Any, dialect: str) -> Any:
    """``column`` in a form SQLite will not pick an index for (its unary ``+``), so that the
    planner keeps reading the search-order index instead of sorting every match."""
    if dialect != "sqlite":
        return column_
    return literal_column(f"+{column_.table.name}.{column_.name}", type_=column_.type)


def _location_condition(text: str, dialect: str) -> ColumnElement[bool]:
    place = resolve_location(text)
    codes = sorted(place.codes)
    if place.level == "remote":
        return Listing.remote == true()
    if place.level != "commune":
        column_ = {"department": Listing.department, "region": Listing.region,
                   "country": Listing.country}[place.level]
        return column_ == codes[0] if len(codes) == 1 else column_.in_(codes)
    if len(codes) == 1 and not place.postal_code:
        return Listing.insee_code == codes[0]
    conditions_: list[ColumnElement[bool]] = []
    if codes:
        conditions_.append(_unindexed(Listing.insee_code, dialect).in_(codes))
    if place.postal_code:
        conditions_.append(Listing.postal_code == place.postal_code)
    matched = or_(*conditions_)
    # Paris, Marseille, Lyon: 17-21 codes of one department. Reading that department's rows
    # in search order and keeping the commune's is far cheaper than sorting all of them.
    from aggregator.normalize.geography import geography

    communes = geography().communes
    departments = {communes[c].department for c in codes if c in communes}
    if len(departments) == 1 and (not place.postal_code or codes):
        return and_(Listing.department == departments.pop(), matched)
    return matched


# --------------------------------------------------------------------------- full text
_LIGATURES = str.maketrans(LIGATURES)  # the index reads œ/æ as oe/ae (store/search_index.py)
_fts = table(FTS_TABLE, column("rowid"), column("listing_id"), column("document"),
             column("title"))
# Above this many matching rows, a text or CPV search reads listings in search order and keeps
# the matching ones; below it, it starts from the matches and sorts them (SQLite; PostgreSQL's
# planner has the statistics to choose by itself).
INDEX_DRIVEN_ABOVE = 4000


def _fts5_string(term: Term) -> str:
    # Every token is quoted: FTS5 operators and punctuation in user text stay text
    # (STACK-NOTES §4). Inside quotes, unicode61 splits "café-crème" into a phrase.
    body = '"' + " ".join(term.words()).translate(_LIGATURES) + '"'
    return body + " *" if term.prefix else body


def fts5_query(terms: Sequence[Term]) -> tuple[str | None, str | None]:
    """(positive query, excluded query) in FTS5 syntax; either may be None."""
    positive = [_fts5_string(t) for t in terms if not t.negated]
    negative = [_fts5_string(t) for t in terms if t.negated]
    return (" AND ".join(positive) or None, " OR ".join(negative) or None)


def _more_than(conn: Any, ids: Any, threshold: int) -> bool:
    """Whether the id subquery ``ids`` yields more than ``threshold`` rows (reads at most
    threshold + 1 of them)."""
    capped = ids.limit(threshold + 1).subquery()
    return conn.execute(select(func.count()).select_from(capped)).scalar_one() > threshold


def _pg_tsquery(terms: Sequence[Term]) -> ColumnElement[Any] | None:
    config = cast(literal(PG_CONFIG), REGCONFIG)
    query: ColumnElement[Any] | None = None
    for term in terms:
        if term.prefix:
            word = fold(term.text).replace(" ", "")
            # stemmed like the index ("maintenance*" → 'mainten':*), or it misses words
            part = func.to_tsquery(config, literal(f"{word}:*"), type_=TSQUERY)
        else:
            part = func.phraseto_tsquery(config, literal(" ".join(term.words())),
                                         type_=TSQUERY)
        if term.negated:
            part = func.tsquery_not(part, type_=TSQUERY)
        query = part if query is None else func.tsquery_and(query, part, type_=TSQUERY)
    return query


@dataclass
class TextMatch:
    """The full-text part of a search as conditions on ``listings.id``.

    ``matches``: the listing matches (every column, exclusions applied). ``in_title``: the
    positive terms are all in its title — relevance: these come first, each group in the
    usual deadline order. None when there is no positive term.
    """

    matches: ColumnElement[bool]
    in_title: ColumnElement[bool] | None
    index_driven: bool = False  # read in search order, keeping matches (SQLite, many matches)


def text_match(terms: Sequence[Term], dialect: str, conn: Any = None) -> TextMatch | None:
    if not terms:
        return None
    positive = [t for t in terms if not t.negated]
    if dialect == "sqlite":
        pos, neg = fts5_query(terms)
        match_ = literal_column(FTS_TABLE).op("MATCH")

        def ids(query: str) -> Select[Any]:
            return select(_fts.c.rowid).where(match_(literal(query)))

        def rows(query: str) -> Any:
            return ids(query).scalar_subquery()

        if pos is None:
            return TextMatch(Listing.id.not_in(rows(neg)), None)
        full = pos if neg is None else f"({pos}) NOT ({neg})"
        title = f"{{title}} : ({pos})"
        # many matches: read listings in search order and keep the matching ones; few: start
        # from the matches. Decided for all matches and for title matches apart (a word
        # found only in descriptions has few or no title matches).
        index_driven = conn is not None and _more_than(conn, ids(pos), INDEX_DRIVEN_ABOVE)
        title_driven = index_driven and _more_than(conn, ids(title), INDEX_DRIVEN_ABOVE)
        listing_id = _unindexed(Listing.id, dialect) if index_driven else Listing.id
        title_id = _unindexed(Listing.id, dialect) if title_driven else Listing.id
        return TextMatch(listing_id.in_(rows(full)), title_id.in_(rows(title)), index_driven)
    query = _pg_tsquery(terms)
    empty = func.numnode(query) == 0  # French stop words only ("le"): no text condition
    matches = Listing.id.in_(select(_fts.c.listing_id).where(
        or_(empty, _fts.c.document.op("@@")(query))).scalar_subquery())
    if not positive:
        return TextMatch(matches, None, False)
    in_title = Listing.id.in_(select(_fts.c.listing_id).where(
        or_(empty, _fts.c.title.op("@@")(_pg_tsquery(positive)))).scalar_subquery())
    return TextMatch(matches, in_title, False)


# --------------------------------------------------------------------------- SQL
def _status_condition(status: str, now: datetime) -> ColumnElement[bool] | None:
    ahead = or_(Listing.deadline_at.is_(None), Listing.deadline_at > now)
    if status == "open":
        return and_(Listing.status == "open", ahead)
    if status == "closed":
        return or_(Listing.status == "closed",
                   and_(Listing.status == "open", Listing.deadline_at <= now))
    if status == "cancelled":
        return Listing.status == "cancelled"
    return None


def _deadline_bound(value: date | datetime, *, after: bool) -> datetime:
    if isinstance(value, datetime):
        return value
    return _local_midnight(value + timedelta(days=1) if after else value)


def conditions(filter: Filter, now: datetime, dialect: str,
               conn: Any = None) -> list[ColumnElement[bool]]:
    """The WHERE conditions of ``filter`` except its free text (``conn``: to choose plans)."""
    # shown once per duplicate group; "+ 0" keeps the planner off the duplicate_of index,
    # which would fetch almost every row (most are NULL)
    where: list[ColumnElement[bool]] = [(Listing.duplicate_of + 0).is_(None)]
    status = _status_condition(filter.status, now)
    if status is not None:
        where.append(status)
    if filter.hidden is not None:
        where.append(Listing.hidden == (true() if filter.hidden else false()))
    if filter.starred is not None:
        where.append(Listing.starred == (true() if filter.starred else false()))
    if filter.kind:
        where.append(Listing.kind == filter.kind)
    if filter.locations:
        where.append(or_(*(_location_condition(loc, dialect) for loc in filter.locations)))
    if filter.closing_within is not None:
        last_day = _today(now) + filter.closing_within
        where.append(and_(Listing.deadline_at > now,
                          Listing.deadline_at < _local_midnight(last_day + timedelta(days=1))))
    if filter.deadline_before is not None:
        where.append(Listing.deadline_at < _deadline_bound(filter.deadline_before, after=False))
    if filter.deadline_after is not None:
        bound = _deadline_bound(filter.deadline_after, after=True)
        where.append(Listing.deadline_at > bound if isinstance(filter.deadline_after, datetime)
                     else Listing.deadline_at >= bound)
    if filter.published_since is not None:
        where.append(Listing.published_at >= _since_instant(filter.published_since, now))
    if filter.seen_since is not None:
        where.append(Listing.first_seen_at >= _since_instant(filter.seen_since, now))
    if filter.contract_types:
        where.append(Listing.contract_type.in_(filter.contract_types))
    if filter.sources:
        where.append(Listing.source.in_(filter.sources))
    if filter.cpv:
        # Stored codes are 8 digits (the writer keeps the stem of "45310000-3"): bounds made
        # of digits order the same under every collation, "4:" would not (PostgreSQL ICU).
        ranges = [ListingCpv.code.between(p.ljust(8, "0"), p.ljust(8, "9"))
                  for p in filter.cpv]
        coded = select(ListingCpv.listing_id).where(or_(*ranges))
        many = conn is not None and _more_than(conn, coded, INDEX_DRIVEN_ABOVE)
        listing_id = _unindexed(Listing.id, dialect) if many else Listing.id
        where.append(listing_id.in_(coded.scalar_subquery()))
    return where


def _deadline_order(reverse: bool) -> list[Any]:
    # no deadline last, then newest: the order of the ix_listings_search_* indexes, so a page
    # is read in order instead of sorting every match
    if reverse:
        return [Listing.deadline_at.is_(None).desc(), Listing.deadline_at.desc(),
                Listing.published_at.asc(), Listing.id.desc()]
    return [Listing.deadline_at.is_(None), Listing.deadline_at, Listing.published_at.desc(),
            Listing.id]


def _order(sort: str) -> list[Any]:
    reverse = sort.startswith("-")
    key = sort.lstrip("-")
    if key in ("deadline", "relevance"):
        return _deadline_order(reverse)
    desc = SORTS[key] != reverse
    columns = {"published": [Listing.published_at], "seen": [Listing.first_seen_at],
               "title": [Listing.title], "organization": [Listing.organization],
               "place": [Listing.department, Listing.city], "source": [Listing.source],
               "kind": [Listing.kind]}[key]
    # missing values last whatever the direction, the same on both dialects
    ordered = [(c.desc() if desc else c.asc()).nulls_last() for c in columns]
    return [*ordered, Listing.id.desc() if desc else Listing.id]


def _effective_sort(filter: Filter, text: TextMatch | None) -> str:
    sort = filter.sort or ("relevance" if text is not None else "deadline")
    if sort.lstrip("-") == "relevance" and (text is None or text.in_title is None):
        return "-deadline" if sort.startswith("-") else "deadline"
    return sort


def build_queries(filter: Filter, *, dialect: str, now: datetime | None = None,
                  conn: Any = None) -> list[Select[Any]]:
    """The SELECT(s) of one page of ``filter``, in the order their rows are shown.

    One statement, except for relevance order: then one per group (title matches, then the
    other matches), each read in deadline order; :func:`search` takes the page from them.
    """
    now = now or datetime.now(UTC)
    text = text_match(filter.terms(), dialect, conn)
    where = conditions(filter, now, dialect, conn)
    sort = _effective_sort(filter, text)
    if text is not None and sort == "relevance":
        assert text.in_title is not None
        groups = [and_(text.matches, text.in_title), and_(text.matches, not_(text.in_title))]
        end = None if filter.limit is None else filter.offset + filter.limit
        return [select(Listing.id).where(*where, group).order_by(*_deadline_order(False))
                .limit(end) for group in groups]
    query = select(Listing).options(defer(Listing.raw)).where(*where)
    if text is not None:
        query = query.where(text.matches)
    query = query.order_by(*_order(sort))
    if filter.offset:
        query = query.offset(filter.offset)
    if filter.limit is not None:
        query = query.limit(filter.limit)
    return [query]


def search(engine: Engine, filter: Filter, *, now: datetime | None = None) -> list[Listing]:
    """One page of the listings matching ``filter``, in its order (the raw payload deferred)."""
    with Session(engine, expire_on_commit=False) as session:
        queries = build_queries(filter, dialect=engine.dialect.name, now=now,
                                conn=session.connection())
        if len(queries) == 1:
            return list(session.scalars(queries[0]))
        ids: list[int] = []
        for query in queries:  # title matches first, then the others
            end = None if filter.limit is None else filter.offset + filter.limit
            if end is not None and len(ids) >= end:
                break
            if end is not None:
                query = query.limit(end - len(ids))
            ids += session.scalars(query)
        page = ids[filter.offset:None if filter.limit is None else filter.offset + filter.limit]
        loaded: dict[int, Listing] = {}
        for chunk in chunks(page):
            loaded.update((row.id, row) for row in session.scalars(
                select(Listing).options(defer(Listing.raw)).where(Listing.id.in_(chunk))))
        return [loaded[i] for i in page if i in loaded]


def count(engine: Engine, filter: Filter, *, now: datetime | None = None,
          cap: int | None = None) -> int:
    """How many listings match (stops counting at ``cap`` when given: "10,000+")."""
    now = now or datetime.now(UTC)
    dialect = engine.dialect.name
    with Session(engine) as session:
        text = text_match(filter.terms(), dialect, session.connection())
        inner = select(Listing.id).where(*conditions(filter, now, dialect, session.connection()))
        if text is not None:
            inner = inner.where(text.matches)
        if cap is not None:
            inner = inner.limit(cap)
        return session.scalar(select(func.count()).select_from(inner.subquery())) or 0


# --------------------------------------------------------------------------- one listing
@dataclass
class ListingDetail:
    listing: Listing
    sources: list[Listing]  # its duplicate group: the listing that stands for it first
    changes: list[ListingChange]  # of every listing of the group, oldest first


def listing_groups(engine: Engine, listing_ids: Iterable[int]) -> dict[int, list[Listing]]:
    """Each id → its cross-source duplicate group: the listing that stands for the group
    (``duplicate_of`` NULL) first, then the others by first sighting. Missing ids are left out.
    """
    ids = sorted(set(listing_ids))
    if not ids:
        return {}
    with Session(engine, expire_on_commit=False) as session:
        roots: dict[int, int] = {}
        for chunk in chunks(ids):
            for listing_id, duplicate_of in session.execute(
                    select(Listing.id, Listing.duplicate_of).where(Listing.id.in_(chunk))):
                roots[listing_id] = duplicate_of or listing_id
        root_ids = sorted(set(roots.values()))
        members: dict[int, list[Listing]] = {}
        for chunk in chunks(root_ids):
            query = (select(Listing).options(defer(Listing.raw))
                     .where(or_(Listing.id.in_(chunk), Listing.duplicate_of.in_(chunk)))
                     .order_by(Listing.first_seen_at, Listing.id))
            for listing in session.scalars(query):
                root = listing.duplicate_of or listing.id
                group = members.setdefault(root, [])
                if listing.id == root:
                    group.insert(0, listing)
                else:
                    group.append(listing)
    return {listing_id: members[root] for listing_id, root in roots.items() if root in members}


def get_listing(engine: Engine, listing_id: int) -> ListingDetail | None:
    """A listing (with its raw payload) with every source of its group and their history."""
    with Session(engine, expire_on_commit=False) as session:
        listing = session.get(Listing, listing_id)
        if listing is None:
            return None
    group = listing_groups(engine, [listing_id]).get(listing_id) or [listing]
    with Session(engine, expire_on_commit=False) as session:
        changes = list(session.scalars(
            select(ListingChange).where(ListingChange.listing_id.in_([g.id for g in group]))
            .order_by(ListingChange.changed_at, ListingChange.id)))
    return ListingDetail(listing, group, changes)


def set_flags(engine: Engine, listing_ids: Iterable[int], *, starred: bool | None = None,
              hidden: bool | None = None) -> int:
    """Star/unstar, hide/unhide listings (the user's own state; crawls never reset it)."""
    values = {k: v for k, v in (("starred", starred), ("hidden", hidden)) if v is not None}
    ids = list(listing_ids)
    if not values or not ids:
        return 0
    with engine.begin() as conn:
        return conn.execute(update(Listing).where(Listing.id.in_(ids)).values(**values)).rowcount


# --------------------------------------------------------------------------- completion
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
    name = _KEY_ALIASES.get(key.lower(), key.lower())
    options = _value_options(name, partial)
    prefix = f"{key}{op}"
    return [head + prefix + _quote(o) for o in options
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
