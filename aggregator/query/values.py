"""The values keys take: readers (one value as typed → what the filter holds; a
:class:`BadValue` saying which forms are expected otherwise), their canonical text, and the
local-calendar arithmetic the search shares with them.

All days are calendar days in Europe/Paris; instants are stored in UTC.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from aggregator.config import LOCAL_TZ
from aggregator.i18n import N_, _
from aggregator.normalize.contracts import CONTRACT_TYPES, parse_contract
from aggregator.query.errors import BadValue

KINDS = ("job", "tender", "award")
STATUSES = ("open", "closed", "cancelled", "all")
# sort key → does its natural order put the largest first? ("-key" reverses it)
SORTS = {"relevance": False, "deadline": False, "published": True, "seen": True,
         "title": False, "organization": False, "place": False, "source": False,
         "kind": False, "awarded": True, "ends": False, "amount": True, "value": True,
         "salary": True}
_YES = {"yes": True, "true": True, "1": True, "y": True, "oui": True,
        "no": False, "false": False, "0": False, "n": False, "non": False}
_ANY = ("any", "all")

DAYS_EXPECTED = N_("expected a number of days such as 7d or 2w")
WHEN_EXPECTED = N_("expected a date such as 2026-12-01 or a local time such as "
                   "2026-12-01T12:00")
AMOUNT_EXPECTED = N_("expected an amount in euros such as 40000, 40k or 1.5M")
PLACE_EXPECTED = N_("expected a commune, postal code, department (13 or Bouches-du-Rhône), "
                    "region (PACA, IDF), country or remote")


# --------------------------------------------------------------------------- local time
def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL_TZ)


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()


def since_instant(value: date | datetime | timedelta, now: datetime) -> datetime:
    """When "since" starts: local midnight N days ago, a local day's start, or an instant."""
    if isinstance(value, timedelta):
        return local_midnight(local_today(now) - value)
    if isinstance(value, datetime):
        return value
    return local_midnight(value)


# --------------------------------------------------------------------------- amounts
_AMOUNT = re.compile(r"(\d{1,18}(?:[.,]\d{1,17})?)\s*([km]?)\s*(?:€|eur|euros?)?", re.I)
_UNITS = {"": 1, "k": 1_000, "m": 1_000_000}


def euros(amount: int | float | Decimal) -> int | float:
    """An amount to the cent, an int when whole: what a filter holds."""
    cents = round(Decimal(amount), 2)
    return int(cents) if cents == cents.to_integral_value() else float(cents)


def read_amount(value: str) -> int | float:
    """``40000``, ``40k``, ``1.5M`` or ``1,5M`` (euros) → the amount (an int when whole)."""
    match = _AMOUNT.fullmatch(value.strip())
    if match is None:
        raise BadValue(value, AMOUNT_EXPECTED)
    return euros(Decimal(match[1].replace(",", ".")) * _UNITS[match[2].lower()])


def write_amount(amount: int | float) -> str:
    """The amount as read_amount reads it back: ``40k``, ``1M``, ``1500k``, ``40250``."""
    if isinstance(amount, float) and not amount.is_integer():
        return repr(amount)
    whole = int(amount)
    if whole >= 1_000_000 and whole % 100_000 == 0:
        millions = whole / 1_000_000
        return f"{int(millions) if millions.is_integer() else millions!r}M"  # 1M, 1.5M
    if whole and whole % 1_000 == 0:
        return f"{whole // 1_000}k"
    return str(whole)


# --------------------------------------------------------------------------- days and dates
_DURATION = re.compile(r"(\d{1,4})\s*(d|j|w|days?|jours?|weeks?|semaines?)?", re.I)


def is_days(value: str) -> bool:
    return _DURATION.fullmatch(value.strip()) is not None


def read_days(value: str) -> timedelta:
    """``7``, ``7d``, ``7j``, ``2w`` → a whole number of days."""
    match = _DURATION.fullmatch(value.strip())
    if not match:
        raise BadValue(value, DAYS_EXPECTED)
    unit = (match.group(2) or "d").lower()
    return timedelta(days=int(match.group(1)) * (7 if unit[0] in "ws" else 1))


def write_days(value: timedelta) -> str:
    return f"{value.days}d"


def read_when(value: str) -> date | datetime:
    """``2026-12-01`` (a local day), ``2026-12-01T12:00`` (local) or an ISO instant."""
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        when = datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        raise BadValue(value, WHEN_EXPECTED) from None
    return when.replace(tzinfo=LOCAL_TZ) if when.tzinfo is None else when


def read_as_of(value: str) -> datetime:
    """The instant ``--as-of`` reads at: a local day (at its end: everything published that
    day is in), a local time or an ISO instant."""
    when = read_when(value)
    if isinstance(when, datetime):
        return when
    return local_midnight(when + timedelta(days=1)) - timedelta(seconds=1)


def write_when(value: date | datetime) -> str:
    if isinstance(value, datetime):
        if value.utcoffset() == value.astimezone(LOCAL_TZ).utcoffset() and (
                getattr(value.tzinfo, "key", None) == "Europe/Paris"):
            return value.strftime("%Y-%m-%dT%H:%M") + (
                f":{value.second:02d}" if value.second else "")
        return value.isoformat()
    return value.isoformat()


def read_since(value: str) -> date | datetime | timedelta:
    """``7d`` (since local midnight 7 days ago), a date or an instant."""
    if is_days(value):
        return read_days(value)
    try:
        return read_when(value)
    except BadValue:
        raise BadValue(value, _("expected a number of days such as 7d, a date such as "
                                "2026-12-01 or a local time such as 2026-12-01T12:00")) from None


def write_since(value: date | datetime | timedelta) -> str:
    return write_days(value) if isinstance(value, timedelta) else write_when(value)


# --------------------------------------------------------------------------- words
def read_kind(value: str) -> str:
    kind = value.strip().lower().rstrip("s")
    if kind not in KINDS:
        raise BadValue(value, _("expected job, tender or award"))
    return kind


def read_identifier(value: str) -> str:
    """A SIRET (or another identifier of a buyer or supplier), spaces removed. Every such
    identifier has digits: a name ("supplier:trabet") matched nothing, it is refused."""
    identifier = re.sub(r"\s+", "", value)
    if not identifier or len(identifier) > 40:
        raise BadValue(value, _("expected a SIRET such as 21590392300013"))
    if not any(character.isdigit() for character in identifier):
        raise BadValue(value, _("expected a SIRET such as 21590392300013, not a name "
                                "(`aggregator buyer NAME` and `aggregator supplier NAME` "
                                "find one)"))
    return identifier


def read_contract(value: str) -> str:
    item = value.strip()
    contract = item.lower() if item.lower() in CONTRACT_TYPES else parse_contract(item)
    if contract is None:
        raise BadValue(value, _("expected one of %(choices)s")
                       % {"choices": ", ".join(CONTRACT_TYPES)})
    return contract


def read_cpv(value: str) -> str | tuple[str, ...]:
    """A CPV prefix (``4531``), or a trade's words (``"éclairage public"``): the prefixes of
    the codes whose labels hold them (aggregator.normalize.cpv)."""
    text = value.strip()
    if re.fullmatch(r"\d{1,8}", text):
        return text
    if re.fullmatch(r"[\d\s-]*", text) or not re.search(r"[^\W\d_]{2}", text):
        raise BadValue(value, _("expected 1 to 8 digits, e.g. 45, or words of a CPV label, "
                                "e.g. \"éclairage public\""))
    from aggregator.normalize.cpv import MAX_PREFIXES, prefixes_for

    prefixes = prefixes_for(" ".join(text.split()).lower())
    if not prefixes:
        raise BadValue(value, _("no CPV label holds these words (aggregator cpv WORDS… "
                                "suggests codes)"))
    if len(prefixes) > MAX_PREFIXES:
        raise BadValue(value, _("these words name %(n)d groups of CPV codes: add a word "
                                "(aggregator cpv WORDS… shows them)") % {"n": len(prefixes)})
    return prefixes


def cpv_values(typed: str) -> list[str]:
    """What completes a ``cpv:`` value: codes' prefixes after digits, labels after letters,
    in the reader's language."""
    from aggregator.i18n import language
    from aggregator.normalize.cpv import code_completions, label_completions

    text = typed.strip().strip('"')
    if text.isdigit():
        return [entry.prefix for entry in code_completions(text)]
    return label_completions(text, language())


def cpv_hint(typed: str) -> list[str]:
    """The codes a ``cpv:`` value being typed stands for, with their labels (the filter bar
    shows them): ``4531`` → ``45310000 Travaux d'équipement électrique``, ``"éclairage
    public"`` → the codes it resolves to."""
    from aggregator.i18n import language
    from aggregator.normalize.cpv import with_label

    lang = language()
    try:
        read = read_cpv(typed.strip().strip('"')) if typed.strip('" ') else ()
    except BadValue:
        return []
    return [with_label(prefix.ljust(8, "0"), lang)
            for prefix in ((read,) if isinstance(read, str) else read)]


def read_descriptor(value: str) -> str:
    """A source's descriptor, by its label (``Voirie``, any case and accents) or its code
    (``365``)."""
    text = " ".join(value.split())
    if not text or len(text) > 200:
        raise BadValue(value, _("expected a descriptor's label such as Voirie or its code"))
    return text


def read_source(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]+", value.strip().lower()):
        raise BadValue(value, _("expected a spider name such as boamp"))
    return value.strip().lower()


def read_status(value: str) -> str:
    status = value.strip().lower()
    status = "all" if status == "any" else status
    if status not in STATUSES:
        raise BadValue(value, _("expected one of %(choices)s")
                       % {"choices": ", ".join(STATUSES)})
    return status


def read_yes_no_any(value: str) -> bool | None:
    choice = value.strip().lower()
    if choice in _ANY:
        return None
    if choice not in _YES:
        raise BadValue(value, _("expected yes, no or any"))
    return _YES[choice]


def write_yes_no_any(value: bool | None) -> str:
    return "any" if value is None else "yes" if value else "no"


def read_sort(value: str) -> str:
    key = value.strip().lower()
    if key.lstrip("-") not in SORTS:
        raise BadValue(value, _("expected one of %(choices)s (a leading - reverses it)")
                       % {"choices": ", ".join(SORTS)})
    return key


# --------------------------------------------------------------------------- places
def location_reader(prefix: str):
    """The reader of a location key: ``dep`` + ``13`` → ``dep:13``, checked by the place
    resolver (``""``: anything it accepts)."""

    def read(value: str) -> str:
        location = f"{prefix}:{value.strip()}" if prefix else value.strip()
        resolve_location(location)
        return location

    return read


@lru_cache(maxsize=256)
def resolve_location(text: str) -> Any:
    """The place resolver's reading of a location (a LocationFilter); BadValue if none."""
    from aggregator.normalize.location_filter import resolve_location_filter

    try:
        resolved = resolve_location_filter(text)
    except ValueError as exc:
        raise BadValue(text, str(exc), problem=N_("bad location")) from None
    if resolved is None:
        raise BadValue(text, PLACE_EXPECTED, problem=N_("unknown place"))
    return resolved


def place_names(key: str, typed: str) -> list[str]:
    """Departments, regions and communes whose name starts like ``typed``, for location key
    ``key`` (what completion offers)."""
    from aggregator.normalize.folding import fold
    from aggregator.normalize.geography import geography

    folded = fold(typed)
    if not folded:
        return []
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


def quote_value(value: str) -> str:
    """A value as the text form writes it: quoted when it holds a space or a comma."""
    return f'"{value}"' if (not value or re.search(r'[\s",]', value)) else value
