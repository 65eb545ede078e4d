"""Dates and instants: whatever a source writes → an aware ``datetime``.

Read, in this order (the first ones are plain regular expressions, fast on the bulk of the
data; ``dateparser`` is imported only when they all fail):

- ``datetime``/``date`` objects, epoch seconds or milliseconds (numbers or digit strings);
- ISO 8601 with or without offset, a date with an offset (``2026-08-06+02:00``, TED and
  eForms), ``2024-08-05 08:35:38 UTC``;
- TED's split pair ``["2026-09-16+02:00", "16:30:00+02:00"]`` (or a ``{date, time}`` mapping);
- ``30/06/2023``, ``30/06/2023 à 12h00``, ``30.06.2023 12:00``;
- ``30 juin 2023 à 12h00``, ``le 6 juin 2023``, ``lundi 1er juin 2026``, ``June 6, 2023``;
- relative French and English against the crawl time: ``il y a 3 jours``,
  ``Publié aujourd'hui``, ``hier``, ``Posted 2 days ago``, ``Posted 30+ Days Ago``.

A naive time is wall-clock time in ``tz`` (Europe/Paris by default, summer and winter
offsets from the zone database). A date without a time is the start of that day for
:func:`parse_datetime`; for :func:`parse_deadline` it is the *end* of that day (23:59:59) in
the source's zone or offset, and the result says the time was not given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from aggregator.normalize.folding import strip_accents

# Plausible instants of a listing: none was published before 1990 nor closes after 2100. A
# value outside (9999-12-31, 0001-01-01, the number 12345 read as seconds since 1970) is an
# unreadable value, not an instant.
_MIN_YEAR, _MAX_YEAR = 1990, 2100
# "Thu, 23 Jul 2026 11:20:15 +0100" (RFC 2822 / RFC 9110 dates; the weekday is optional)
_RFC2822 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}"
                      r"(?::\d{2})?\s+(?:[+-]\d{4}|GMT|UTC?|Z|[ECMP][SD]T)$")
_END_OF_DAY = time(23, 59, 59)


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _offset(text: str | None) -> tzinfo | None:
    """``Z``, ``+02:00``, ``+0200``, ``+02`` → a fixed offset."""
    if not text:
        return None
    if text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _valid(dt: datetime | None) -> datetime | None:
    return dt if dt is not None and _MIN_YEAR <= dt.year <= _MAX_YEAR else None


def _make(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
          tz: tzinfo | None = None) -> datetime | None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        if hour == 24 and minute == 0 and second == 0:  # ISO "24:00" is the next midnight
            return datetime(year, month, day, tzinfo=tz) + timedelta(days=1)
        return datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None


# (instant, time given). Internal results are always aware.
_Parsed = tuple[datetime, bool]

# --- fast paths ----------------------------------------------------------------------------
_OFFSET_RE = r"(Z|z|[+-]\d{2}(?::?\d{2})?)"
_ISO_DATE_OFFSET = re.compile(rf"(\d{{4}})-(\d{{2}})-(\d{{2}}){_OFFSET_RE}")
_TIME_ONLY = re.compile(
    rf"T?(\d{{1,2}})\s*[:hH]\s*(\d{{2}})?(?::(\d{{2}})(?:[.,]\d+)?)?\s*{_OFFSET_RE}?")
_UTC_SUFFIX = re.compile(r"\s*(?:UTC|GMT|utc|gmt)$")
_DMY = re.compile(
    r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)"
    r"(?:\s*(?:[àaT,-]|at|vers)?\s*(\d{1,2})\s*[:hH]\s*(\d{2})?(?::(\d{2}))?"
    r"(?:\s*(?:h|heures?))?)?")
_EPOCH_DIGITS = re.compile(r"\d{10}(?:\d{3})?(?:\.\d+)?")

_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "feb": 2, "february": 2,
    "mars": 3, "mar": 3, "march": 3,
    "avril": 4, "avr": 4, "apr": 4, "april": 4,
    "mai": 5, "may": 5,
    "juin": 6, "jun": 6, "june": 6,
    "juillet": 7, "juil": 7, "jul": 7, "july": 7,
    "aout": 8, "aug": 8, "august": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}
# "à 12h", ", 17:00", and both (", à 12 heures", as BOAMP's 2006 notices write it)
_TIME_TAIL = (r"(?:\s*,?\s*(?:a|at|,|-|vers|des)?\s*(\d{1,2})\s*(?:heures?|h|:)\s*(\d{2})?"
              r"(?::(\d{2}))?\s*(am|pm)?(?!\w)|\s*(?:a|at)\s+(midi|minuit|noon|midnight))?")
_DAY_MONTH_YEAR = re.compile(
    r"(?<!\d)(\d{1,2})(?:er|st|nd|rd|th)?\s+(?:de\s+)?([a-z]{3,9})\.?,?\s+(\d{4})(?!\d)"
    + _TIME_TAIL)
_MONTH_DAY_YEAR = re.compile(
    r"(?<![a-z])([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)" + _TIME_TAIL)

_NUMBER_WORDS = {
    "un": 1, "une": 1, "a": 1, "an": 1, "one": 1, "deux": 2, "two": 2, "trois": 3,
    "three": 3, "quatre": 4, "four": 4, "cinq": 5, "five": 5, "six": 6, "sept": 7,
    "seven": 7, "huit": 8, "eight": 8, "neuf": 9, "nine": 9, "dix": 10, "ten": 10,
    "quinze": 15, "trente": 30, "few": 3, "quelques": 3,
}
_UNITS = (  # prefix → (timedelta of one, is a time of day)
    ("min", timedelta(minutes=1), True), ("heure", timedelta(hours=1), True),
    ("hour", timedelta(hours=1), True), ("hr", timedelta(hours=1), True),
    ("h", timedelta(hours=1), True), ("jour", timedelta(days=1), False),
    ("day", timedelta(days=1), False), ("j", timedelta(days=1), False),
    ("semaine", timedelta(weeks=1), False), ("sem", timedelta(weeks=1), False),
    ("week", timedelta(weeks=1), False), ("mois", timedelta(days=30), False),
    ("month", timedelta(days=30), False), ("annee", timedelta(days=365), False),
    ("an", timedelta(days=365), False), ("year", timedelta(days=365), False),
)
_AMOUNT = r"(\d{1,4}|un|une|a|an|one|deux|two|trois|three|quatre|four|cinq|five|six|sept|" \
          r"seven|huit|eight|neuf|nine|dix|ten|quinze|trente|few|quelques)"
_UNIT = r"(minutes?|mins?|heures?|hours?|hrs?|h|jours?|days?|j|semaines?|sem|weeks?|mois|" \
        r"months?|annees?|ans?|years?)"
_AGO = re.compile(rf"(?:il y a|depuis|voici)\s+(?:plus de\s+)?{_AMOUNT}\s*\+?\s*{_UNIT}(?!\w)"
                  rf"|(?<!\w){_AMOUNT}\s*\+?\s*{_UNIT}\s+ago(?!\w)")
_AHEAD = re.compile(rf"(?:dans|in)\s+{_AMOUNT}\s*{_UNIT}(?!\w)")
_TODAY = re.compile(r"(?<!\w)(?:aujourd\W?hui|today|ce jour|just posted|a l.instant|just now"
                    r"|posted now)(?!\w)")
_YESTERDAY = re.compile(r"(?<!\w)(avant.hier|hier|yesterday)(?!\w)")
_TOMORROW = re.compile(r"(?<!\w)(apres.demain|demain|tomorrow)(?!\w)")
_HAS_TIME = re.compile(r"\d\s*(?::|h\s*\d|h\b|heures?\b)|\d\s*(?:am|pm)\b|midi|minuit|noon"
                       r"|midnight", re.IGNORECASE)


def _amount(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _NUMBER_WORDS.get(word)


def _unit(word: str) -> tuple[timedelta, bool]:
    for prefix, delta, is_time in _UNITS:
        if word.startswith(prefix):
            return delta, is_time
    raise ValueError(word)  # unreachable: _UNIT only matches known units


def _relative(text: str, base: datetime) -> _Parsed | None:
    found = _AGO.search(text)
    if found:
        amount_word, unit_word = (found.group(1), found.group(2)) if found.group(1) \
            else (found.group(3), found.group(4))
        amount = _amount(amount_word)
        if amount is None or amount > 3650:
            return None
        delta, is_time = _unit(unit_word)
        return base - amount * delta, is_time
    found = _AHEAD.search(text)
    if found:
        amount = _amount(found.group(1))
        if amount is None or amount > 3650:
            return None
        delta, is_time = _unit(found.group(2))
        return base + amount * delta, is_time
    found = _YESTERDAY.search(text)
    if found:
        return base - timedelta(days=2 if found.group(1).startswith("avant") else 1), False
    found = _TOMORROW.search(text)
    if found:
        return base + timedelta(days=2 if found.group(1).startswith("apres") else 1), False
    if _TODAY.search(text):
        return base, False
    return None


def _clock(hour: str | None, minute: str | None, second: str | None, ampm: str | None,
           word: str | None) -> tuple[int, int, int] | None:
    if word:
        return (12, 0, 0) if word in ("midi", "noon") else (0, 0, 0)
    if hour is None:
        return None
    h, m, s = int(hour), int(minute or 0), int(second or 0)
    if ampm:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ampm == "pm" else 0)
    if h > 23 or m > 59 or s > 59:
        return None
    return h, m, s


def _textual(text: str, zone: tzinfo) -> _Parsed | None:
    """``30 juin 2023 à 12h00``, ``le 6 juin 2023``, ``June 6, 2023 5:00 pm``."""
    found = _DAY_MONTH_YEAR.search(text)
    if found and found.group(2) in _MONTHS:
        day, month_word, year = found.group(1), found.group(2), found.group(3)
        rest = found.groups()[3:]
    else:
        found = _MONTH_DAY_YEAR.search(text)
        if not found or found.group(1) not in _MONTHS:
            return None
        month_word, day, year = found.group(1), found.group(2), found.group(3)
        rest = found.groups()[3:]
    clock = _clock(*rest)
    if clock is None:
        dt = _make(int(year), _MONTHS[month_word], int(day), tz=zone)
        return (dt, False) if dt else None
    dt = _make(int(year), _MONTHS[month_word], int(day), *clock, tz=zone)
    return (dt, True) if dt else None


def _from_epoch(number: float, zone: tzinfo) -> _Parsed | None:
    seconds = number / 1000 if abs(number) >= 1e11 else number
    if not 6e8 < seconds < 4.2e9:  # 1989 .. 2103, then the years exactly
        return None
    dt = _valid(datetime.fromtimestamp(seconds, UTC).astimezone(zone))
    return (dt, True) if dt else None


def _parse_time(text: str) -> tuple[int, int, int, tzinfo | None] | None:
    found = _TIME_ONLY.fullmatch(text.strip())
    if not found:
        return None
    hour, minute, second, offset = found.groups()
    if minute is None and second is None and ":" in text:
        return None
    clock = _clock(hour, minute, second, None, None)
    if clock is None:
        return None
    tz = _offset(offset)
    if offset and tz is None:
        return None
    return (*clock, tz)


def _parse_string(text: str, zone: tzinfo, base: datetime | None) -> _Parsed | None:
    s = text.strip()
    if not s:
        return None
    s = s[:200]
    # ISO 8601 first: the bulk of API data.
    if len(s) >= 8 and s[:4].isdigit() and s[4:5] == "-":
        found = _ISO_DATE_OFFSET.fullmatch(s)
        if found:  # "2026-08-06+02:00": a date in a given offset (not 02:00 local!)
            tz = _offset(found.group(4))
            dt = _make(int(found.group(1)), int(found.group(2)), int(found.group(3)), tz=tz) \
                if tz else None
            return (dt, False) if dt else None
        iso = _UTC_SUFFIX.sub("+00:00", s) if s[-1] in "CTct" else s
        try:
            dt = datetime.fromisoformat(iso)
        except ValueError:
            dt = None
            if "T24:00" in iso or " 24:00" in iso:
                day = _ISO_DATE_OFFSET.match(iso[:10] + "Z")
                dt = _make(int(day.group(1)), int(day.group(2)), int(day.group(3)), 24,
                           tz=zone) if day else None
        if dt is not None:
            if not _MIN_YEAR <= dt.year <= _MAX_YEAR:
                return None
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=zone)
            return dt, len(iso) > 10
    if s.isdigit() or _EPOCH_DIGITS.fullmatch(s):
        return _from_epoch(float(s), zone) if _EPOCH_DIGITS.fullmatch(s) else None
    if _RFC2822.match(s):  # RSS pubDate, HTTP dates: the offset is part of the instant
        try:
            dt = parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError):
            dt = None
        if dt is not None and _MIN_YEAR <= dt.year <= _MAX_YEAR:
            return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)), True
    found = _DMY.search(s)
    if found:
        day, month, year, hour, minute, second = found.groups()
        if hour is not None:
            clock = _clock(hour, minute, second, None, None)
            dt = _make(int(year), int(month), int(day), *clock, tz=zone) if clock else None
            if dt:
                return dt, True
        dt = _make(int(year), int(month), int(day), tz=zone)
        return (dt, False) if dt else None
    lowered = strip_accents(s)
    parsed = _textual(lowered, zone)
    if parsed:
        return parsed
    parsed = _relative(lowered, (base or datetime.now(UTC)).astimezone(zone))
    if parsed:
        return parsed
    return _dateparser(s, zone, base)


def _dateparser(text: str, zone: tzinfo, base: datetime | None) -> _Parsed | None:
    """The slow fallback for whatever the fast paths do not read. Never raises."""
    if len(text) < 6 or len(text) > 80 or not any(ch.isdigit() for ch in text):
        return None
    try:
        import dateparser  # slow to import: only here

        settings = {
            "TIMEZONE": str(zone), "RETURN_AS_TIMEZONE_AWARE": True, "DATE_ORDER": "DMY",
            # Only full dates: "3" or "juin" alone must not become a day of this month.
            "STRICT_PARSING": True, "PREFER_DAY_OF_MONTH": "first",
        }
        if base is not None:
            settings["RELATIVE_BASE"] = base.astimezone(zone).replace(tzinfo=None)
        dt = dateparser.parse(text, languages=["fr", "en"], settings=settings)
    except Exception:  # dateparser raises odd errors on odd input; unknown is the answer
        return None
    dt = _valid(dt)
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone)
    return dt, bool(_HAS_TIME.search(text))


def _combine(day: object, clock: object, zone: tzinfo, base: datetime | None) -> _Parsed | None:
    """TED's ``[date, time]``: ``2026-09-16+02:00`` and ``16:30:00+02:00``."""
    if not isinstance(clock, str):
        return None
    parsed_time = _parse_time(clock)
    if parsed_time is None:
        return None
    parsed_day = _parse(day, zone, base, deadline=False)
    if parsed_day is None or parsed_day[1]:  # the first must be a date without time
        return None
    hour, minute, second, tz = parsed_time
    d = parsed_day[0]
    dt = _make(d.year, d.month, d.day, hour, minute, second, tz=tz or d.tzinfo or zone)
    return (dt, True) if dt else None


def _flatten(value: object) -> object:
    while isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    return value


def _parse(value: object, zone: tzinfo, base: datetime | None, *,
           deadline: bool) -> _Parsed | None:
    value = _flatten(value)
    parsed: _Parsed | None
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        parsed = (_valid(value if value.tzinfo else value.replace(tzinfo=zone)), True)
    elif isinstance(value, date):
        parsed = (_make(value.year, value.month, value.day, tz=zone), False)
    elif isinstance(value, (int, float)):
        parsed = _from_epoch(value, zone) if value == value else None  # NaN
    elif isinstance(value, str):
        parsed = _parse_string(value, zone, base)
    elif isinstance(value, (list, tuple)):
        items = [_flatten(v) for v in value]
        if len(items) == 2:
            combined = _combine(items[0], items[1], zone, base)
            if combined:
                return _end_of_day(combined) if deadline else combined
        # Several instants (one per lot): the earliest, so that no deadline is missed.
        found = [p for p in (_parse(v, zone, base, deadline=deadline) for v in items[:50]) if p]
        return min(found, key=lambda p: p[0]) if found else None
    elif isinstance(value, Mapping):
        parsed = _parse_mapping(value, zone, base)
    else:
        return None
    if parsed is None or _valid(parsed[0]) is None:
        return None
    return _end_of_day(parsed) if deadline else parsed


def _parse_mapping(value: Mapping, zone: tzinfo, base: datetime | None) -> _Parsed | None:
    """``{"date": ..., "time": ...}`` or eForms ``{"cbc:EndDate": ..., "cbc:EndTime": ...}``."""
    day = clock = None
    for key, item in value.items():
        name = str(key).lower()
        if "date" in name and day is None:
            day = item
        elif "time" in name and clock is None:
            clock = item
    if day is None:
        for key in ("value", "@value", "#text"):
            if key in value:
                return _parse(value[key], zone, base, deadline=False)
        return None
    if clock is not None:
        combined = _combine(day, clock, zone, base)
        if combined:
            return combined
    return _parse(day, zone, base, deadline=False)


def _end_of_day(parsed: _Parsed) -> _Parsed:
    dt, time_given = parsed
    if time_given:
        return parsed
    return datetime.combine(dt.date(), _END_OF_DAY, tzinfo=dt.tzinfo), False


def parse_datetime(value: object, *, tz: str = "Europe/Paris",
                   relative_base: datetime | None = None) -> datetime | None:
    """An aware datetime from what a source gives, or None when it cannot be read.

    ``relative_base`` is the crawl time that ``il y a 3 jours`` counts from (now if None).
    A date without a time is the start of that day in ``tz`` (or in its own offset).
    """
    parsed = _parse(value, _zone(tz), relative_base, deadline=False)
    return parsed[0] if parsed else None


def parse_deadline(value: object, *, tz: str = "Europe/Paris",
                   relative_base: datetime | None = None) -> tuple[datetime, bool] | None:
    """(instant, time_given) of a deadline. A date without a time means the end of that day
    (23:59:59) in ``tz`` or in the date's own offset, and ``time_given`` is False.

    Accepts everything :func:`parse_datetime` does, TED's ``[date, time]`` pair, and a list
    of deadlines (the earliest wins).
    """
    return _parse(value, _zone(tz), relative_base, deadline=True)
