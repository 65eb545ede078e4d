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
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from aggregator.config import LOCAL_TZ
from aggregator.normalize.contracts import CONTRACT_TYPES, parse_contract

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
KEY_ALIASES = {"type": "kind", "contract_type": "contract", "contracts": "contract",
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
def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL_TZ)


def local_today(now: datetime) -> date:
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


def since_instant(value: date | datetime | timedelta, now: datetime) -> datetime:
    if isinstance(value, timedelta):
        return local_midnight(local_today(now) - value)
    if isinstance(value, datetime):
        return value
    return local_midnight(value)


def quote_value(value: str) -> str:
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
                    if bare and KEY_ALIASES.get(bare[1].lower(), bare[1].lower()) in KEYS:
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
            parts.append(f"{key}:{quote_value(rest)}" if key and rest
                         else f"loc:{quote_value(location)}")
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
    name = KEY_ALIASES.get(name, name)
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

