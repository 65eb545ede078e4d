"""Closing listings: past their deadline, or gone from a source's complete listing."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import Engine, and_, select, update

from aggregator.store.batches import chunks
from aggregator.store.status import deadline_passed_condition
from aggregator.store.writer import changes, listings

# A listing missed by this many consecutive complete crawls of its scope is closed: one
# miss may be a glitch of the source, two is a pattern.
MISSES_BEFORE_CLOSING = 2


def _close(conn, condition, now: datetime, run_id: int | None) -> int:
    ids = [row.id for row in conn.execute(select(listings.c.id).where(condition))]
    if not ids:
        return 0
    for chunk in chunks(ids):
        # content_hash reset: should the listing come back, it is "changed" and reopens.
        conn.execute(update(listings).where(listings.c.id.in_(chunk))
                     .values(status="closed", content_hash="closed", updated_at=now))
        conn.execute(changes.insert(), [
            {"listing_id": i, "run_id": run_id, "changed_at": now, "field": "status",
             "old_value": "open", "new_value": "closed"} for i in chunk])
    return len(ids)


def close_past_deadlines(engine: Engine, *, now: datetime | None = None) -> int:
    """Close every open listing whose deadline has passed; returns how many."""
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        return _close(conn, and_(listings.c.status == "open", deadline_passed_condition(now)),
                      now, None)


def expire_missing(engine: Engine, source: str, scopes: Collection[str], *,
                   crawl_started_at: datetime, run_id: int | None = None,
                   now: datetime | None = None) -> int:
    """Count a miss for each open listing of ``scopes`` not seen since the crawl started.

    Call it only for scopes the crawl listed completely (no error, no cap). Returns how many
    listings were closed.
    """
    if not scopes:
        return 0
    now = now or datetime.now(UTC)
    in_scope = and_(listings.c.source == source, listings.c.scope.in_(list(scopes)),
                    listings.c.status == "open")
    with engine.begin() as conn:
        conn.execute(update(listings)
                     .where(in_scope, listings.c.last_seen_at < crawl_started_at)
                     .values(missed_crawls=listings.c.missed_crawls + 1))
        return _close(conn, and_(in_scope, listings.c.missed_crawls >= MISSES_BEFORE_CLOSING),
                      now, run_id)
