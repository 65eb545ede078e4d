"""Pure normalisers: text, dates, places (French geography), contract types, salaries.

Public API (every function is pure, never raises on odd input, and answers "unknown"
rather than guess):

- ``resolve_place(text, *, postal_code=None, country_hint="FR", insee_code=None,
  department=None) -> Place`` and ``resolve_nuts(code) -> Place | None`` (places.py);
- ``resolve_location_filter(text, *, kind=None) -> LocationFilter | None``: a user's
  ``--location`` value → the communes, department(s), region, country or remote flag to
  match (location_filter.py);
- ``resolve_country(value) -> str | None``: ISO alpha-2 from a code or name (countries.py);
- ``parse_datetime(value, *, tz, relative_base) -> datetime | None`` and
  ``parse_deadline(value, *, tz, relative_base) -> (datetime, time_given) | None`` (dates.py);
- ``parse_contract(value) -> str | None``, ``parse_working_time(value) -> str | None``;
- ``parse_salary(value, *, currency_hint="EUR") -> Salary | None``;
- ``parse_remote(value) -> bool | None``; ``clean_text(value, *, multiline=True)``;
- ``normalize_listing(item, *, crawled_at, tz) -> NormalizedListing``: a raw item → the
  store's columns.

The French geography (data/geography.json.gz) is loaded on the first place lookup, not at
import; dateparser is imported only when the fast date paths fail. The names below are read from
their modules on first use, so importing one normaliser (``normalize.text``) does not load
them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aggregator.normalize.contracts import (
        CONTRACT_TYPES,
        parse_contract,
        parse_working_time,
    )
    from aggregator.normalize.countries import resolve_country
    from aggregator.normalize.dates import parse_datetime, parse_deadline
    from aggregator.normalize.listing import (
        NormalizationError,
        NormalizedListing,
        normalize_listing,
    )
    from aggregator.normalize.location_filter import LocationFilter, resolve_location_filter
    from aggregator.normalize.places import Place, parse_remote, resolve_nuts, resolve_place
    from aggregator.normalize.salary import Salary, parse_salary
    from aggregator.normalize.text import clean_text

# public name → the module that defines it
_MODULES = {
    "CONTRACT_TYPES": "contracts", "parse_contract": "contracts",
    "parse_working_time": "contracts", "resolve_country": "countries",
    "parse_datetime": "dates", "parse_deadline": "dates", "NormalizationError": "listing",
    "NormalizedListing": "listing", "normalize_listing": "listing",
    "LocationFilter": "location_filter", "resolve_location_filter": "location_filter",
    "Place": "places", "parse_remote": "places", "resolve_nuts": "places",
    "resolve_place": "places", "Salary": "salary", "parse_salary": "salary",
    "clean_text": "text",
}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
    globals()[name] = value
    return value


__all__ = [
    "CONTRACT_TYPES",
    "LocationFilter",
    "NormalizationError",
    "NormalizedListing",
    "Place",
    "Salary",
    "clean_text",
    "normalize_listing",
    "parse_contract",
    "parse_datetime",
    "parse_deadline",
    "parse_remote",
    "parse_salary",
    "parse_working_time",
    "resolve_country",
    "resolve_location_filter",
    "resolve_nuts",
    "resolve_place",
]
