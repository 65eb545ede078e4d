"""Listings for the mail and export tests, stored the way a crawl stores them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.normalize import normalize_listing
from aggregator.store.models import Listing
from aggregator.store.writer import ListingWriter

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # a Saturday, 10:00 in Paris


def tender(source_id: str, **fields) -> dict:
    return {
        "kind": "tender", "source": "boamp", "source_id": source_id,
        "url": f"https://www.boamp.fr/pages/avis/?q=idweb:{source_id}",
        "title": f"Travaux d'électricité {source_id}", "organization": "Ville de Marseille",
        "location": "Marseille", "postal_code": "13001",
        "published_at": "2026-11-20T00:00:00+01:00",
        "deadline_at": "2026-12-15T12:00:00+01:00", "cpv": ["45310000"],
        "raw": {"idweb": source_id},
    } | fields


def job(source_id: str, **fields) -> dict:
    return {
        "kind": "job", "source": "francetravail", "source_id": source_id,
        "url": f"https://candidat.francetravail.fr/offres/recherche/detail/{source_id}",
        "title": f"Électricien bâtiment {source_id}", "organization": "Elec Sud",
        "location": "Aix-en-Provence", "postal_code": "13090",
        "published_at": "2026-11-25T08:00:00+01:00",
        "deadline_at": None, "contract_type": "CDI",
        "raw": {"id": source_id},
    } | fields


def store(engine, *items: dict, now: datetime = NOW) -> list[Listing]:
    """Write ``items`` as one crawl batch; returns the stored rows of those items."""
    records = [normalize_listing(item, crawled_at=now) | {"scope": None} for item in items]
    ListingWriter(engine).write(records, now=now)
    keys = {(i["source"], i["source_id"]) for i in items}
    with Session(engine, expire_on_commit=False) as session:
        rows = session.scalars(select(Listing).order_by(Listing.id))
        return [r for r in rows if (r.source, r.source_id) in keys]


def in_memory(id: int, **fields) -> Listing:
    """A listing as the store holds it, without a database (rendering and export tests)."""
    values = {
        "id": id, "kind": "tender", "source": "boamp", "source_id": f"26-{id}",
        "url": f"https://www.boamp.fr/pages/avis/?q=idweb:26-{id}",
        "title": f"Travaux d'électricité {id}", "organization": "Ville de Marseille",
        "city": "Marseille", "postal_code": "13001", "department": "13", "region": "93",
        "country": "FR", "remote": False,
        "published_at": datetime(2026, 11, 20, tzinfo=UTC),
        "deadline_at": datetime(2026, 12, 15, 11, 0, tzinfo=UTC), "deadline_time_given": True,
        "cpv": ["45310000"], "status": "open", "lots": [],
        "first_seen_at": NOW, "last_seen_at": NOW, "updated_at": NOW,
    } | fields
    return Listing(**values)


def assert_golden(path, actual: str) -> None:
    """Compare with a golden file; ``UPDATE_GOLDEN=1`` rewrites it (then review the diff)."""
    import os
    from pathlib import Path

    path = Path(path)
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        if not os.environ.get("UPDATE_GOLDEN"):
            raise AssertionError(f"golden file {path} was missing: written, check it in")
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"differs from {path} (UPDATE_GOLDEN=1 to accept)"
