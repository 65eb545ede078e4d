"""The one way tests build listings: as a spider yields them (:func:`item`), stored the way a
crawl stores them (:func:`write`: normalize_listing → ListingWriter, which also fills the
full-text index), or as a stored row without a database (:func:`row`). The instant they are
made at is :data:`NOW`, the frozen time of the ``clock`` fixture (tests/conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from aggregator.normalize import normalize_listing
from aggregator.store.models import Listing
from aggregator.store.writer import ListingWriter

PARIS = ZoneInfo("Europe/Paris")
# Friday 27 March 2026, 10:00 in Paris; summer time starts on Sunday 29 March at 02:00.
NOW = datetime(2026, 3, 27, 10, 0, tzinfo=PARIS)


def item(source_id: str, **fields: Any) -> dict[str, Any]:
    """A listing as a spider yields it: a BOAMP tender of the Ville de Lyon unless
    ``fields`` say otherwise (``kind="job"``, ``deadline_at="2026-04-03T12:00:00+02:00"``…)."""
    base = {"kind": "tender", "source": "boamp", "source_id": source_id,
            "url": f"https://www.boamp.fr/avis/{source_id}", "title": f"Avis {source_id}",
            "organization": "Ville de Lyon", "published_at": "2026-03-20T09:00:00+01:00",
            "location": "Lyon (69)", "raw": {"id": source_id}}
    return base | fields


def write(engine: Any, items: list[dict[str, Any]], now: datetime = NOW) -> dict[str, int]:
    """Store the items as one crawl batch at ``now``; returns source_id → listing id."""
    records = [normalize_listing(i, crawled_at=now) | {"scope": None} for i in items]
    ListingWriter(engine).write(records, now=now.astimezone(UTC))
    with engine.connect() as conn:
        return dict(conn.execute(select(Listing.source_id, Listing.id)).all())


def row(id: int, now: datetime = NOW, **fields: Any) -> Listing:
    """A stored listing without a database: :func:`item` normalised as the writer would
    store it, then ``fields`` set on the row (``city="Paris"``, ``status="cancelled"``…)."""
    record = normalize_listing(item(f"26-{id}"), crawled_at=now)
    record.pop("match_keys")
    at = now.astimezone(UTC)  # the store gives instants back in UTC
    values = record | {"id": id, "first_seen_at": at, "last_seen_at": at, "updated_at": at,
                       "starred": False, "hidden": False} | fields
    return Listing(**values)
