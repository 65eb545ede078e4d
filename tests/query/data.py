"""Listings for search tests, written the way a crawl writes them: raw item fields →
normalize_listing → ListingWriter (so the full-text index is filled by the writer's hook)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aggregator.normalize import normalize_listing
from aggregator.store.writer import ListingWriter

PARIS = ZoneInfo("Europe/Paris")
# Friday 27 March 2026, 10:00 in Paris; summer time starts on Sunday 29 March at 02:00.
NOW = datetime(2026, 3, 27, 10, 0, tzinfo=PARIS)


def item(source_id: str, **fields) -> dict:
    base = {"kind": "tender", "source": "boamp", "source_id": source_id,
            "url": f"https://www.boamp.fr/avis/{source_id}", "title": f"Avis {source_id}",
            "organization": "Ville de Lyon", "published_at": "2026-03-20T09:00:00+01:00",
            "location": "Lyon (69)", "raw": {"id": source_id}}
    return base | fields


def write(engine, items: list[dict], now: datetime = NOW) -> dict[str, int]:
    """Store the items; returns source_id → listing id."""
    records = [normalize_listing(i, crawled_at=now) | {"scope": None} for i in items]
    ListingWriter(engine).write(records, now=now.astimezone(UTC))
    from sqlalchemy import select

    from aggregator.store.models import Listing

    with engine.connect() as conn:
        return dict(conn.execute(select(Listing.source_id, Listing.id)).all())
