"""Dates and instants. (Provisional: ISO 8601 only; the Normalisation issue completes it.)"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_datetime(value: object, *, tz: str = "Europe/Paris",
                   relative_base: datetime | None = None) -> datetime | None:
    """An aware datetime from what a source gives, or None when it cannot be read."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(tz))
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(tz))


def parse_deadline(value: object, *, tz: str = "Europe/Paris",
                   relative_base: datetime | None = None) -> tuple[datetime, bool] | None:
    """(instant, time_given). A date without a time means the end of that day in ``tz``."""
    if isinstance(value, date) and not isinstance(value, datetime):
        end = datetime.combine(value, time(23, 59, 59), ZoneInfo(tz))
        return end, False
    text = str(value).strip() if value is not None else ""
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None
        return datetime.combine(day, time(23, 59, 59), ZoneInfo(tz)), False
    parsed = parse_datetime(value, tz=tz, relative_base=relative_base)
    return (parsed, True) if parsed else None


__all__ = ["parse_datetime", "parse_deadline", "timedelta"]
