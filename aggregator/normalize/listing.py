"""From a spider's raw listing item (``RawListing``) to the normalised record the store keeps.

This is the only place that turns raw item fields into columns; it calls the pure
normalisers (text, dates, places, contracts, salaries) and never touches the network or
the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, TypedDict

from aggregator.normalize.awards import AwardError, award_fields, identifier, repair_text
from aggregator.normalize.contracts import parse_contract, parse_working_time
from aggregator.normalize.countries import resolve_country
from aggregator.normalize.dates import parse_datetime, parse_deadline
from aggregator.normalize.folding import fold
from aggregator.normalize.place_source import PLACE_FROM_BUYER
from aggregator.normalize.places import (
    Place,
    combine_places,
    department_code,
    parse_remote,
    resolve_nuts,
    resolve_place,
)
from aggregator.normalize.salary import parse_salary, read_amount
from aggregator.normalize.text import clean_text


class ListingContent(TypedDict):
    """What a listing says, normalised: the columns of the store's ``listings`` table, minus
    bookkeeping (the ORM row is ``aggregator.store.models.Listing``)."""

    kind: str  # "job" | "tender" | "award"
    source: str
    source_id: str
    url: str
    title: str
    organization: str | None
    description: str | None
    city: str | None
    postal_code: str | None
    insee_code: str | None
    department: str | None
    region: str | None
    country: str | None  # ISO alpha-2
    remote: bool | None
    latitude: float | None
    longitude: float | None
    published_at: datetime
    modified_at: datetime | None
    deadline_at: datetime | None
    deadline_time_given: bool | None
    contract_type: str | None
    working_time: str | None
    salary_min: float | None
    salary_max: float | None
    salary_currency: str | None
    salary_period: str | None
    salary_basis: str | None
    cpv: list[str]
    procedure: str | None
    contract_nature: str | None
    estimated_value: float | None
    currency: str | None
    lots: list[dict[str, Any]]
    # awards (aggregator/normalize/awards.py); None or empty for the other kinds
    buyer_id: str | None
    suppliers: list[dict[str, Any]]
    amount: float | None
    awarded_at: datetime | None
    duration_months: int | None
    ends_at: datetime | None  # awarded_at + duration_months, amendments included
    nature: str | None
    offers_received: int | None
    status: str  # "open" | "closed" | "cancelled" as the source says; "awarded" for awards
    notice_type: str | None
    details: dict[str, Any]
    raw: Any  # the source's payload, kept to re-derive fields without a new crawl
    match_keys: list[str]


class NormalizedListing(ListingContent, total=False):
    """A listing as the store writer takes it: what ``normalize_listing`` makes of a raw item
    (the Scrapy ``RawListing``), with what the crawl adds (aggregator.crawling.pipelines)."""

    scope: str | None  # the scope (board, site) of the source that listed it
    amends: bool  # it amends a stored listing: its empty fields keep the stored values


# The content columns, in the order the store's content hash reads them (store/writer.py).
FIELDS = tuple(ListingContent.__annotations__)


class NormalizationError(ValueError):
    """The item cannot become a listing; the message is the drop reason."""


def _one_line(value: object) -> str | None:
    return clean_text(value, multiline=False)


def _coordinate(value: object, limit: float) -> float | None:
    """A latitude or longitude: signed, decimal point or comma ("48,8566"), within ±limit."""
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        number = float(value) if isinstance(value, (int, float)) else \
            float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    return number if -limit <= number <= limit else None  # also drops NaN


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


def read_descriptors(value: object) -> list[dict[str, str | None]]:
    """A source's own keywords as ``{"code", "label"}`` (code None when the source gives
    none; a bare string is a label), each label once."""
    found: dict[str, dict[str, str | None]] = {}
    for entry in value if isinstance(value, (list, tuple)) else []:
        code, label = (entry.get("code"), entry.get("label")) if isinstance(entry, dict) \
            else (None, entry)
        label = _one_line(label)
        if label:
            code = _one_line(code)
            found.setdefault(fold(label), {"code": code or None, "label": label})
    return list(found.values())


def descriptor_rows(pairs: list[tuple[int, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """The store's listing_descriptors rows of (listing id, normalised record): the
    descriptors :func:`read_descriptors` put in ``details``, one per folded label."""
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for listing_id, record in pairs:
        for entry in (record.get("details") or {}).get("descriptors") or ():
            if isinstance(entry, dict) and entry.get("label"):
                label = str(entry["label"])[:200]
                folded = fold(label)[:200]
                code = entry.get("code")
                if folded:
                    rows.setdefault((listing_id, folded), {
                        "listing_id": listing_id, "folded": folded, "label": label,
                        "code": str(code)[:20] if code else None})
    return list(rows.values())


# The currency a salary without one is in, by the listing's country.
_EURO = {"FR", "BE", "DE", "AT", "NL", "LU", "IE", "IT", "ES", "PT", "FI", "GR", "SK", "SI",
         "EE", "LV", "LT", "MT", "CY", "HR", "MC", "AD", "SM", "VA"}
_CURRENCY = {"GB": "GBP", "US": "USD", "CH": "CHF", "CA": "CAD", "AU": "AUD", "NZ": "NZD",
             "SE": "SEK", "NO": "NOK", "DK": "DKK", "PL": "PLN", "CZ": "CZK", "HU": "HUF",
             "RO": "RON", "BG": "BGN", "IN": "INR", "SG": "SGD", "JP": "JPY"}
_INSEE = re.compile(r"[0-9][0-9AB][0-9]{3}")
# A job "valid through" further than this after its publication does not expire: career
# sites write ten years on (Neura Robotics' 2035 for a 2025 offer) where schema.org's
# validThrough has no "none"; real ones run to about a year (Meta: 363 days).
LONGEST_JOB_VALIDITY = timedelta(days=730)


def _country(value: object) -> str | None:
    """ISO alpha-2 of the item's own country field (a code, a name, or a list of them)."""
    for candidate in value if isinstance(value, (list, tuple)) else [value]:
        if isinstance(candidate, Mapping):
            candidate = candidate.get("name") or candidate.get("alpha2Code")
            if isinstance(candidate, list) and candidate:
                candidate = candidate[0]
        if isinstance(candidate, str):
            code = resolve_country(candidate)
            if code:
                return code
    return None


def _from_buyer(item: Mapping[str, Any], place: Place) -> Place | None:
    """The buyer's commune, when the notice names no commune of its own and the buyer's
    address lies inside whatever area it does name (a department, a region, a country)."""
    if place.kind in ("commune", "city", "remote") or not (
            item.get("buyer_location") or item.get("buyer_postal_code")):
        return None
    buyer = resolve_place(_one_line(item.get("buyer_location")),
                          postal_code=_one_line(item.get("buyer_postal_code")),
                          country_hint=place.country or "FR")
    if buyer.kind != "commune" or any(
            getattr(place, level) not in (None, getattr(buyer, level))
            for level in ("department", "region", "country")):
        return None
    return buyer


def _place(item: Mapping[str, Any]) -> tuple[Place, list[str]]:
    """Where the listing is, from every place field the item has; and the location texts."""
    texts = [t for t in (_one_line(v) for v in (
        item.get("location") if isinstance(item.get("location"), (list, tuple))
        else [item.get("location")])[:20]) if t]
    country = _country(item.get("country"))
    departments = {d for d in (department_code(c) for c in _codes(item.get("department"))) if d}
    department = departments.pop() if len(departments) == 1 else None
    postal = _one_line(item.get("postal_code"))
    insee = _one_line(item.get("insee_code"))
    # No country, no department: France is not assumed (a Greenhouse board's "Montreal");
    # the French sources say FR themselves, and French codes in the text still count.
    hint = country or ("FR" if department else None) or _one_line(item.get("country"))

    places = [resolve_place(t, postal_code=postal, country_hint=hint, insee_code=insee,
                            department=department) for t in texts] or \
        [resolve_place(None, postal_code=postal, country_hint=hint, insee_code=insee,
                       department=department)]
    place = places[0] if len(places) == 1 else (combine_places(places) or places[0])

    nuts = combine_places([p for p in (resolve_nuts(c) for c in _codes(item.get("nuts"))) if p])
    if nuts is not None:
        if place.kind in ("unknown", "remote", "country") and nuts.kind != "unknown" and (
                place.country in (None, nuts.country)):
            place = replace(nuts, remote=place.remote)
        elif place.ambiguous and nuts.department and texts:
            # A homonym ("Saint-Denis"): the NUTS department picks the right one.
            narrowed = resolve_place(texts[0], postal_code=postal, country_hint=hint,
                                     department=nuts.department)
            if narrowed.kind == "commune" and narrowed.department == nuts.department:
                place = replace(narrowed, remote=place.remote)
    if place.country is None and country and place.kind in ("unknown", "remote"):
        place = replace(place, country=country)
    if place.insee_code is None and insee and _INSEE.fullmatch(insee) and place.kind in (
            "unknown", "department") and (place.department is None
                                          or insee.startswith(place.department[:2])):
        place = replace(place, insee_code=insee)  # a commune newer than our geography
    return place, texts


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
            # A date-only deadline is the end of that day: say so, per lot.
            "deadline_time_given": deadline[1] if deadline else None,
            "cpv": _codes(lot.get("cpv")),
            "estimated_value": read_amount(lot.get("estimated_value")),
        })
    return lots


def _earliest_open_deadline(lots: list[dict[str, Any]],
                            now: datetime) -> tuple[datetime, bool] | None:
    """The earliest deadline still ahead (else the latest one) and whether its time was given
    (if several lots share that instant, any one that states the time)."""
    deadlines = sorted((datetime.fromisoformat(lot["deadline_at"]),
                        lot.get("deadline_time_given") is True)
                       for lot in lots if lot.get("deadline_at"))
    if not deadlines:
        return None
    upcoming = [d for d in deadlines if d[0] >= now]
    chosen = upcoming[0][0] if upcoming else deadlines[-1][0]
    return chosen, any(given for instant, given in deadlines if instant == chosen)


_NO_AWARD = {"buyer_id": None, "suppliers": [], "amount": None, "awarded_at": None,
             "duration_months": None, "ends_at": None, "nature": None,
             "offers_received": None}


def _award(item: Mapping[str, Any], tz: str, details: dict[str, Any]) -> dict[str, Any]:
    """The award columns of an award item (amendments and repairs noted in ``details``); of
    a tender, only the buyer's SIRET when its notice gives one."""
    if item.get("kind") != "award":
        return _NO_AWARD | {"buyer_id": identifier(item.get("buyer_id"))}
    try:
        fields = award_fields(item, tz)
    except AwardError as exc:
        raise NormalizationError(str(exc)) from None
    amendments, initial, repaired = (fields.pop(k) for k in ("amendments", "initial", "repaired"))
    if amendments:
        details["amendments"] = amendments
        details["initial"] = initial
    if repaired:
        details["repaired"] = repaired
    return fields


def normalize_listing(item: Mapping[str, Any], *, crawled_at: datetime,
                      tz: str = "Europe/Paris") -> NormalizedListing:
    """The store record for a raw item. Raises NormalizationError with the drop reason."""
    award = item.get("kind") == "award"
    title = repair_text(item.get("title")) if award else _one_line(item.get("title"))
    if not title:
        raise NormalizationError("empty title")

    # An optional field that cannot be read (a date of 9999-12-31, of 0001-01-01, a number
    # that is no instant) is left empty and named in details["unreadable"], which the crawl
    # counts: the rest of the listing is kept.
    unreadable: list[str] = []

    def read(name: str, parse: Any) -> Any:
        value = item.get(name)
        if value in (None, ""):
            return None
        parsed = parse(value, tz=tz, relative_base=crawled_at)
        if parsed is None:
            unreadable.append(name)
        return parsed

    published = read("published_at", parse_datetime)
    lots = _lots(item.get("lots"), tz, crawled_at)
    deadline = read("deadline_at", parse_deadline)
    deadline_at, time_given = deadline if deadline else (None, None)
    if deadline_at is None and lots:
        deadline_at, time_given = _earliest_open_deadline(lots, crawled_at) or (None, None)
    valid_through = None
    if item.get("kind") == "job" and deadline_at is not None and \
            deadline_at - (published or crawled_at) > LONGEST_JOB_VALIDITY:
        # no deadline to count days to ("3,373 days left"), and none to sort by
        valid_through, deadline_at, time_given = deadline_at, None, None

    place, location_texts = _place(item)
    buyer_place = _from_buyer(item, place)
    if buyer_place is not None:
        place = buyer_place
    # A flag or a raw word: booleans, schema.org jobLocationType "TELECOMMUTE", Lever
    # workplaceType "hybrid", Teamtailor remoteStatus "none", "Télétravail".
    remote = parse_remote(item.get("remote"))
    if remote is None:
        remote = place.remote

    currency = _CURRENCY.get(place.country or "", "EUR" if place.country in _EURO else None)
    salary = parse_salary(item.get("salary"), currency_hint=currency if place.country else "EUR")
    status = "awarded" if award else item.get("status") or "open"

    details: dict[str, Any] = {}
    award_columns = _award(item, tz, details)
    if location_texts:
        details["location_text"] = location_texts[0]
        if len(location_texts) > 1:
            details["locations"] = location_texts
    if item.get("nuts"):
        details["nuts"] = _codes(item.get("nuts"))
    descriptors = read_descriptors(item.get("descriptors"))
    if descriptors:
        details["descriptors"] = descriptors
    if place.ambiguous:
        details["place_ambiguous"] = True
    if buyer_place is not None:
        details["place_source"] = PLACE_FROM_BUYER
    if place.kind != "unknown":
        details["place_kind"] = place.kind
        details["place_confidence"] = place.confidence
    if isinstance(item.get("salary"), str):
        details["salary_text"] = _one_line(item.get("salary"))
    if salary and salary.months:
        details["salary_months"] = salary.months
    if item.get("extra"):
        details["extra"] = dict(item["extra"])
    if valid_through is not None:
        details["valid_through"] = valid_through.isoformat()
    modified = read("modified_at", parse_datetime)
    if unreadable:
        details["unreadable"] = unreadable

    return {
        "kind": item.get("kind"),
        "source": item.get("source"),
        "source_id": str(item.get("source_id")).strip(),
        "url": str(item.get("url")).strip(),
        "title": title,
        "organization": (repair_text if award else _one_line)(item.get("organization")),
        "description": clean_text(item.get("description")),
        "city": place.city,
        "postal_code": place.postal_code,
        "insee_code": place.insee_code,
        "department": place.department,
        "region": place.region,
        "country": place.country,
        "remote": remote,
        "latitude": _coordinate(item.get("latitude"), 90),
        "longitude": _coordinate(item.get("longitude"), 180),
        "published_at": published or award_columns["awarded_at"] or crawled_at,
        "modified_at": modified,
        "deadline_at": deadline_at,
        "deadline_time_given": time_given,
        "contract_type": parse_contract(item.get("contract_type")),
        # schema.org puts FULL_TIME in employmentType, next to the contract
        "working_time": parse_working_time(item.get("working_time"))
        or parse_working_time(item.get("contract_type")),
        "salary_min": salary.min if salary else None,
        "salary_max": salary.max if salary else None,
        "salary_currency": salary.currency if salary else None,
        "salary_period": salary.period if salary else None,
        "salary_basis": salary.basis if salary else None,
        "cpv": _codes(item.get("cpv")),
        "procedure": _one_line(item.get("procedure")),
        "contract_nature": _one_line(item.get("contract_nature")),
        "estimated_value": read_amount(item.get("estimated_value")),
        "currency": _one_line(item.get("currency")),
        "lots": lots,
        **award_columns,  # type: ignore[typeddict-item]
        "status": status,
        "notice_type": _one_line(item.get("notice_type")),
        "details": details,
        "raw": item.get("raw"),
        "match_keys": _codes(item.get("match_keys")),
    }
