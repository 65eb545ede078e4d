"""The keys of the compact form, as a table: each entry says how a key reads its value into
a :class:`~aggregator.query.language.Filter` field and how that field is written back.

A new key is one entry here (its name, aliases, value reader and Filter field) plus the
field itself; the grammar does not change. Two shapes:

- :class:`Key`: ``name:value`` sets one field; ``many`` keys take lists (``cpv:45,71``) and
  add up when repeated;
- :class:`RangeKey`: ``name<value``, ``<=``, ``>``, ``>=`` bound a date field from either
  side; with ``within``, ``name<15d`` means "within 15 local days from today";
  :class:`AmountKey` bounds an amount in euros so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aggregator.i18n import N_, _
from aggregator.normalize.contracts import CONTRACT_TYPES
from aggregator.query import values as v
from aggregator.query.errors import BadValue, FilterError
from aggregator.query.grammar import KeyClause


@dataclass(frozen=True)
class Key:
    """``name:value`` → ``field``."""

    name: str
    field: str
    read: Callable[[str], Any]  # one value (one item of a list) → what the field holds
    problem: str | None  # how an error names a bad value ("bad kind"); None: the reader's
    aliases: tuple[str, ...] = ()
    many: bool = False  # a tuple field: lists and repeated keys add up
    write: Callable[[Any], str] | None = str  # one value → its text; None: not written
    # the whole field as tokens, when it is not written as one ``name:value``
    write_tokens: Callable[[Any], list[str]] | None = None
    suggest: Callable[[str], Sequence[str]] = lambda typed: ()  # values to complete

    def tokens(self, value: Any) -> list[str]:
        """The field's value as text-form tokens."""
        if self.write_tokens is not None:
            return self.write_tokens(value)
        if self.write is None:
            return []
        if self.many:
            return [f"{self.name}:{','.join(v.quote_value(self.write(i)) for i in value)}"]
        return [f"{self.name}:{v.quote_value(self.write(value))}"]


@dataclass(frozen=True)
class RangeKey:
    """``name<when`` / ``name>when`` (``<=``/``>=`` include the day) → ``before``/``after``;
    ``name<15d`` → ``within`` (when given)."""

    name: str
    before: str
    after: str
    within: str | None
    problem: str  # "bad deadline date"
    aliases: tuple[str, ...] = ()
    suggest: Callable[[str], Sequence[str]] = lambda typed: ()

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for f in (self.within, self.after, self.before) if f)

    def read_bound(self, op: str, value: str) -> dict[str, Any]:
        """A date or an instant after ``<``, ``<=``, ``>`` or ``>=``; BadValue otherwise."""
        when = v.read_when(value)
        if isinstance(when, datetime):  # an instant: < and <= are the same to the second
            return {self.before if op[0] == "<" else self.after: when}
        if op == "<=":
            when += timedelta(days=1)
        elif op == ">=":
            when -= timedelta(days=1)
        return {self.before if op[0] == "<" else self.after: when}

    def tokens(self, field: str, value: Any) -> list[str]:
        if field == self.within:
            return [f"{self.name}<{v.write_days(value)}"]
        return [f"{self.name}{'<' if field == self.before else '>'}{v.write_when(value)}"]


@dataclass(frozen=True)
class AmountKey(RangeKey):
    """``name>=40k`` / ``name<=1.5M``: an amount in euros, at least (``after``) or at most
    (``before``); ``>`` reads as ``>=`` and ``<`` as ``<=`` (a euro makes no difference)."""

    def read_bound(self, op: str, value: str) -> dict[str, Any]:
        return {self.after if op[0] == ">" else self.before: v.read_amount(value)}

    def tokens(self, field: str, value: Any) -> list[str]:
        return [f"{self.name}{'>=' if field == self.after else '<='}{v.write_amount(value)}"]


def _write_locations(locations: Iterable[str]) -> list[str]:
    tokens = []
    for location in locations:
        prefix, _, rest = location.partition(":")
        key = next((k for k, p in LOCATION_KEYS.items() if p and p == prefix.lower()), None)
        tokens.append(f"{key}:{v.quote_value(rest)}" if key and rest
                      else f"loc:{v.quote_value(location)}")
    return tokens


def location_token(location: str) -> str:
    """One location as the text form writes it: ``dep:13``, ``loc:Marseille``."""
    return _write_locations([location])[0]


def _places(key: str) -> Callable[[str], Sequence[str]]:
    return lambda typed: v.place_names(key, typed)


def _choices(*options: str) -> Callable[[str], Sequence[str]]:
    return lambda typed: options


# location key → the prefix the place resolver reads ("" = anything)
LOCATION_KEYS = {"loc": "", "dep": "dep", "region": "region", "cp": "cp", "commune": "commune",
                 "insee": "insee", "country": "country", "nuts": "nuts"}
_LOCATION_ALIASES = {"loc": ("location", "place", "where"),
                     "dep": ("dept", "department", "departement"), "region": ("reg",),
                     "cp": ("postal",), "commune": ("city", "ville"), "country": ("pays",)}

TABLE: tuple[Key | RangeKey, ...] = (
    Key("kind", "kind", v.read_kind, N_("bad kind"), aliases=("type",),
        suggest=_choices(*v.KINDS)),
    # several location keys read the one ``locations`` field; "loc" writes all of it
    *(Key(name, "locations", v.location_reader(prefix), None,
          aliases=_LOCATION_ALIASES.get(name, ()), many=True, write=None,
          write_tokens=_write_locations if name == "loc" else None,
          suggest=_places(name)) for name, prefix in LOCATION_KEYS.items()),
    RangeKey("deadline", before="deadline_before", after="deadline_after",
             within="closing_within", problem=N_("bad deadline date"),
             suggest=_choices("7d", "15d", "30d")),
    Key("since", "published_since", v.read_since, N_("bad since date"), aliases=("published",),
        write=v.write_since),
    Key("new", "seen_since", v.read_since, N_("bad new-since date"), aliases=("seen",),
        write=v.write_since),
    Key("contract", "contract_types", v.read_contract, N_("bad contract type"),
        aliases=("contract_type", "contracts"), many=True,
        suggest=_choices(*CONTRACT_TYPES)),
    # a value may be words: it reads as the prefixes of the codes they name
    Key("cpv", "cpv", v.read_cpv, N_("bad CPV prefix"), many=True, suggest=v.cpv_values),
    Key("descriptor", "descriptors", v.read_descriptor, N_("bad descriptor"),
        aliases=("descripteur", "descriptors"), many=True),
    Key("source", "sources", v.read_source, N_("bad source"), aliases=("sources",), many=True),
    Key("buyer", "buyer_ids", v.read_identifier, N_("bad buyer"), aliases=("acheteur",),
        many=True),
    Key("supplier", "supplier_ids", v.read_identifier, N_("bad supplier"),
        aliases=("titulaire", "winner"), many=True),
    RangeKey("awarded", before="awarded_before", after="awarded_after", within=None,
             problem=N_("bad award date"), aliases=("notified",)),
    RangeKey("ends", before="ends_before", after="ends_after", within="ending_within",
             problem=N_("bad end date"), aliases=("ending",), suggest=_choices("90d", "365d")),
    # a job's pay as a year's (query.sql.YEARLY); a tender's estimated value or an
    # award's amount
    AmountKey("salary", before="salary_at_most", after="salary_at_least", within=None,
              problem=N_("bad salary"), aliases=("salaire", "pay"),
              suggest=_choices("30k", "40k", "50k")),
    AmountKey("value", before="value_at_most", after="value_at_least", within=None,
              problem=N_("bad amount"), aliases=("valeur", "montant"),
              suggest=_choices("40k", "100k", "1M")),
    Key("status", "status", v.read_status, N_("bad status"), suggest=_choices(*v.STATUSES)),
    Key("starred", "starred", v.read_yes_no_any, N_("bad starred value"), aliases=("star",),
        write=v.write_yes_no_any, suggest=_choices("yes", "no", "any")),
    Key("hidden", "hidden", v.read_yes_no_any, N_("bad hidden value"),
        write=v.write_yes_no_any, suggest=_choices("yes", "no", "any")),
    Key("sort", "sort", v.read_sort, N_("bad sort"), aliases=("order",),
        suggest=_choices(*v.SORTS)),
)
BY_NAME: dict[str, Key | RangeKey] = {k.name: k for k in TABLE} | {
    alias: k for k in TABLE for alias in k.aliases}
KEYS = tuple(k.name for k in TABLE)
# the Filter fields that hold tuples (the list keys')
LIST_FIELDS = tuple(dict.fromkeys(k.field for k in TABLE if isinstance(k, Key) and k.many))


def find(name: str) -> Key | RangeKey | None:
    return BY_NAME.get(name.lower())


def _range_names() -> str:
    """The range keys as a sentence says them: ``deadline, awarded and ends``."""
    names = [k.name for k in TABLE if isinstance(k, RangeKey)]
    return names[0] if len(names) == 1 else _("%(names)s and %(last)s") % {
        "names": ", ".join(names[:-1]), "last": names[-1]}


# --------------------------------------------------------------------------- reading
def read_clause(clause: KeyClause, fields: dict[str, Any]) -> None:
    """Add what ``clause`` says to ``fields`` (Filter field → value; lists for tuples)."""
    key = find(clause.key)
    if key is None:
        raise FilterError(_("unknown key %(key)r in %(token)r (known keys: %(keys)s); to "
                            "search for this text, put it in quotes")
                          % {"key": clause.key, "token": clause.token, "keys": ", ".join(KEYS)})
    if isinstance(key, Key) and clause.op != ":":
        raise FilterError(_("%(token)r: only %(ranges)s take < or >; write %(key)s:VALUE")
                          % {"token": clause.token, "ranges": _range_names(), "key": key.name})
    if not clause.values:
        raise FilterError(_("%(word)r: %(key)s needs a value") % {"word": clause.token,
                                                                   "key": key.name})
    if isinstance(key, RangeKey):
        fields.update(_read_range(key, clause))
        return
    if not key.many and len(clause.values) > 1:
        raise FilterError(_("%(token)r: %(key)s takes one value") % {"token": clause.token,
                                                                      "key": key.name})
    try:
        read = [key.read(item) for item in clause.values]
    except BadValue as exc:
        if key.problem is None:
            raise
        raise BadValue(exc.value, exc.expected, key.problem) from None
    if key.many:
        fields.setdefault(key.field, []).extend(_flat(read))
    else:
        fields[key.field] = read[0]


def _read_range(key: RangeKey, clause: KeyClause) -> dict[str, Any]:
    name, op, value = key.name, clause.op, clause.value
    if isinstance(key, AmountKey):
        if op == ":":
            raise FilterError(_("%(token)r: write %(key)s>=40k (at least) or %(key)s<=60k "
                                "(at most)") % {"token": clause.token, "key": name})
        try:
            return key.read_bound(op, value)
        except BadValue:
            raise BadValue(value, _(v.AMOUNT_EXPECTED), key.problem) from None
    if op == ":":
        forms = {"token": clause.token, "key": name}
        raise FilterError((_("%(token)r: write %(key)s<15d (closing within 15 days), "
                             "%(key)s<2026-12-01 or %(key)s>2026-12-01") if key.within else
                           _("%(token)r: write %(key)s<2026-12-01 or %(key)s>2026-12-01"))
                          % forms)
    if key.within and v.is_days(value):
        if op != "<":
            raise FilterError(_("%(token)r: a number of days only works with <, as in "
                                "%(key)s<15d; after a date, write %(key)s>2026-12-01")
                              % {"token": clause.token, "key": name})
        return {key.within: v.read_days(value)}
    try:
        return key.read_bound(op, value)
    except BadValue:
        expected = (_("expected a number of days such as 15d, a date such as 2026-12-01 or a "
                      "local time such as 2026-12-01T12:00") if key.within and op == "<"
                    else _(v.WHEN_EXPECTED))
        raise BadValue(value, expected, key.problem) from None


def read_option(option: str, name: str, value: str, form: str = ":") -> dict[str, Any]:
    """A command-line option's value read as key ``name`` reads it; ``form`` picks a range
    key's side: ``<`` (before), ``>`` (after) or ``within``. Errors name the option:
    ``--closing-within 'abc': expected a number of days such as 7d or 2w``."""
    key = BY_NAME[name]
    try:
        if isinstance(key, RangeKey):
            if form == "within" and key.within:
                return {key.within: v.read_days(value)}
            return key.read_bound(form, value)
        items = [i for i in value.split(",") if i.strip()] if key.many else [value]
        if not items:
            raise BadValue(value, _("expected a value"))
        read = [key.read(item) for item in items]
    except BadValue as exc:
        raise FilterError(_("%(option)s %(value)r: %(expected)s") % {
            "option": option, "value": exc.value, "expected": exc.expected}) from None
    return {key.field: tuple(_flat(read)) if key.many else read[0]}


def _flat(values: list[Any]) -> list[Any]:
    """A list key's values, a value read as several (``cpv:"éclairage public"``) spread."""
    return [item for value in values
            for item in (value if isinstance(value, tuple) else (value,))]


# --------------------------------------------------------------------------- writing
def tokens(values: dict[str, Any], defaults: dict[str, Any]) -> list[str]:
    """Filter fields → the text form's key tokens, in the table's order (defaults left out)."""
    out: list[str] = []
    for key in TABLE:
        if isinstance(key, RangeKey):
            for field in key.fields:
                if values[field] != defaults[field]:
                    out += key.tokens(field, values[field])
        elif values[key.field] != defaults[key.field]:
            out += key.tokens(values[key.field])
    return out


def key_fields() -> tuple[str, ...]:
    """Every Filter field a key reads or writes."""
    names: list[str] = []
    for key in TABLE:
        names += key.fields if isinstance(key, RangeKey) else (key.field,)
    return tuple(dict.fromkeys(names))

