"""Listing records as DESIGN.md defines them, and the writers that print them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from aggregator.store.models import Listing

# DESIGN.md's listing fields, in its order; `aggregator list --json` prints these names.
LISTING_FIELDS = (
    "kind", "source", "source_id", "url", "title", "organization", "description",
    "city", "postal_code", "department", "region", "country", "remote",
    "published_at", "deadline_at", "contract_type", "cpv", "status",
    "first_seen_at", "last_seen_at",
)
# More fields, welcome by DESIGN.md, after the required ones.
EXTRA_FIELDS = (
    "id", "insee_code", "deadline_time_given", "working_time", "salary_min", "salary_max",
    "salary_currency", "salary_period", "procedure", "estimated_value", "currency",
)


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def listing_record(listing: Listing) -> dict[str, Any]:
    """One listing as a JSON-ready dict with DESIGN.md's field names."""
    return {name: _value(getattr(listing, name)) for name in (*LISTING_FIELDS, *EXTRA_FIELDS)}


def write_jsonl(listings: Iterable[Listing], out: IO[str]) -> int:
    count = 0
    for listing in listings:
        out.write(json.dumps(listing_record(listing), ensure_ascii=False) + "\n")
        count += 1
    return count
