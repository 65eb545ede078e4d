"""From a spider's raw Listing item to the normalised record the store keeps.

This is the only place that turns raw item fields into columns; it calls the pure
normalisers (text, dates, places, contracts, salaries) and never touches the network or
the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aggregator.normalize.contracts import parse_contract, parse_working_time
from aggregator.normalize.dates import parse_datetime, parse_deadline
from aggregator.normalize.places import resolve_place
from aggregator.normalize.salary import parse_salary
from aggregator.normalize.text import clean_text

# The columns a normalised listing carries (the store's `listings` table, minus bookkeeping).
FIELDS = (
    "kind", "source", "source_id", "url", "title", "organization", "description",
    "city", "postal_code", "insee_code", "department", "region", "country", "remote",
    "latitude", "longitude",
    "published_at", "modified_at", "deadline_at", "deadline_time_given",
    "contract_type", "working_time",
    "salary_min", "salary_max", "salary_currency", "salary_period", "salary_basis",
    "cpv", "procedure", "contract_nature", "estimated_value", "currency", "lots",
    "status", "notice_type", "details", "raw", "match_keys",
)


class NormalizationError(ValueError):
    """The item cannot become a listing; the message is the drop reason."""


def _one_line(value: object) -> str | None:
    return clean_text(value, multiline=False)


def _float(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(str(value).replace(" ", "").replace(",", "."))
    except ValueError:
        return None


def _codes(value: object) -> list[str]:
    if not value:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    seen: dict[str, None] = {}
    for code in items:
        text = str(code).strip()
        if text:
            seen.setdefault(text, None)
    return list(seen)


def _lots(raw_lots: object, tz: str, crawled_at: datetime) -> list[dict[str, Any]]:
    lots = []
    for lot in raw_lots if isinstance(raw_lots, list) else []:
        if not isinstance(lot, Mapping):
            continue
        deadline = parse_deadline(lot.get("deadline_at"), tz=tz, relative_base=crawled_at)
        lots.append({
            "id": _one_line(lot.get("id")),
            "title": _one_line(lot.get("title")),
            "deadline_at": deadline[0].isoformat() if deadline else None,
            "cpv": _codes(lot.get("cpv")),
            "estimated_value": _float(lot.get("estimated_value")),
        })
    return lots


def _earliest_open_deadline(lots: list[dict[str, Any]], now: datetime) -> datetime | None:
    deadlines = sorted(datetime.fromisoformat(lot["deadline_at"])
                       for lot in lots if lot.get("deadline_at"))
    if not deadlines:
        return None
    upcoming = [d for d in deadlines if d >= now]
    return upcoming[0] if upcoming else deadlines[-1]


def normalize_listing(item: Mapping[str, Any], *, crawled_at: datetime,
                      tz: str = "Europe/Paris") -> dict[str, Any]:
    """The store record for a raw item. Raises NormalizationError with the drop reason."""
    title = _one_line(item.get("title"))
    if not title:
        raise NormalizationError("empty title")

    published = parse_datetime(item.get("published_at"), tz=tz, relative_base=crawled_at)
    if item.get("published_at") not in (None, "") and published is None:
        raise NormalizationError("unreadable published_at")

    lots = _lots(item.get("lots"), tz, crawled_at)
    deadline = parse_deadline(item.get("deadline_at"), tz=tz, relative_base=crawled_at) \
        if item.get("deadline_at") not in (None, "") else None
    if item.get("deadline_at") not in (None, "") and deadline is None:
        raise NormalizationError("unreadable deadline_at")
    deadline_at, time_given = deadline if deadline else (None, None)
    if deadline_at is None and lots:
        deadline_at = _earliest_open_deadline(lots, crawled_at)
        time_given = deadline_at is not None or None

    location_text = _one_line(item.get("location"))
    place = resolve_place(location_text, postal_code=_one_line(item.get("postal_code")),
                          country_hint=_one_line(item.get("country")) or "FR")
    remote_raw = item.get("remote")
    remote = bool(remote_raw) if isinstance(remote_raw, bool) else place.remote

    salary = parse_salary(item.get("salary"))
    status = item.get("status") or "open"

    details: dict[str, Any] = {}
    if location_text:
        details["location_text"] = location_text
    if item.get("nuts"):
        details["nuts"] = _codes(item.get("nuts"))
    if item.get("descriptors"):
        details["descriptors"] = _codes(item.get("descriptors"))
    if place.ambiguous:
        details["place_ambiguous"] = True
    if isinstance(item.get("salary"), str):
        details["salary_text"] = _one_line(item.get("salary"))
    if item.get("extra"):
        details["extra"] = dict(item["extra"])

    return {
        "kind": item.get("kind"),
        "source": item.get("source"),
        "source_id": str(item.get("source_id")).strip(),
        "url": str(item.get("url")).strip(),
        "title": title,
        "organization": _one_line(item.get("organization")),
        "description": clean_text(item.get("description")),
        "city": place.city,
        "postal_code": place.postal_code,
        "insee_code": _one_line(item.get("insee_code")) or place.insee_code,
        "department": _one_line(item.get("department")) or place.department,
        "region": place.region,
        "country": place.country,
        "remote": remote,
        "latitude": _float(item.get("latitude")),
        "longitude": _float(item.get("longitude")),
        "published_at": published or crawled_at,
        "modified_at": parse_datetime(item.get("modified_at"), tz=tz, relative_base=crawled_at),
        "deadline_at": deadline_at,
        "deadline_time_given": time_given,
        "contract_type": parse_contract(item.get("contract_type")),
        "working_time": parse_working_time(item.get("working_time")),
        "salary_min": salary.min if salary else None,
        "salary_max": salary.max if salary else None,
        "salary_currency": salary.currency if salary else None,
        "salary_period": salary.period if salary else None,
        "salary_basis": salary.basis if salary else None,
        "cpv": _codes(item.get("cpv")),
        "procedure": _one_line(item.get("procedure")),
        "contract_nature": _one_line(item.get("contract_nature")),
        "estimated_value": _float(item.get("estimated_value")),
        "currency": _one_line(item.get("currency")),
        "lots": lots,
        "status": status,
        "notice_type": _one_line(item.get("notice_type")),
        "details": details,
        "raw": item.get("raw"),
        "match_keys": _codes(item.get("match_keys")),
    }
