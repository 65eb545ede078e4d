"""One listing with every source of its duplicate group and their change history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, or_, select

from aggregator.query.records import ListingRecord, records
from aggregator.query.sql import STREAM_COLUMNS
from aggregator.store.batches import chunks
from aggregator.store.tables import listing_changes, listings


@dataclass
class ListingDetail:
    listing: ListingRecord
    sources: list[ListingRecord]  # its duplicate group: the listing that stands for it first
    changes: list[Row[Any]]  # of every listing of the group, oldest first
    # a tender's buyer before: its past awards in the same CPV class (query/awards.py)
    buyer_before: list[Row[Any]] = field(default_factory=list)


def listing_groups(engine: Engine,
                   listing_ids: Iterable[int]) -> dict[int, list[ListingRecord]]:
    """Each id → its cross-source duplicate group: the listing that stands for the group
    (``duplicate_of`` NULL) first, then the others by first sighting. Missing ids are left out.
    """
    ids = sorted(set(listing_ids))
    if not ids:
        return {}
    with engine.connect() as conn:
        roots: dict[int, int] = {}
        for chunk in chunks(ids):
            for listing_id, duplicate_of in conn.execute(
                    select(listings.c.id, listings.c.duplicate_of).where(listings.c.id.in_(chunk))):
                roots[listing_id] = duplicate_of or listing_id
        root_ids = sorted(set(roots.values()))
        members: dict[int, list[ListingRecord]] = {}
        for chunk in chunks(root_ids):
            query = (select(*STREAM_COLUMNS)
                     .where(or_(listings.c.id.in_(chunk), listings.c.duplicate_of.in_(chunk)))
                     .order_by(listings.c.first_seen_at, listings.c.id))
            for listing in records(conn.execute(query)):
                root = listing.duplicate_of or listing.id
                group = members.setdefault(root, [])
                if listing.id == root:
                    group.insert(0, listing)
                else:
                    group.append(listing)
    return {listing_id: members[root] for listing_id, root in roots.items() if root in members}


def get_listing(engine: Engine, listing_id: int, *,
                as_of: datetime | None = None) -> ListingDetail | None:
    """A listing (with its raw payload) with every source of its group and their history;
    ``as_of`` an instant, with the status it had then."""
    with engine.connect() as conn:
        found = records(conn.execute(select(listings).where(listings.c.id == listing_id)))
    if not found:
        return None
    listing = found[0]
    group = listing_groups(engine, [listing_id]).get(listing_id) or [listing]
    with engine.connect() as conn:
        changes = list(conn.execute(
            select(listing_changes)
            .where(listing_changes.c.listing_id.in_([g.id for g in group]))
            .order_by(listing_changes.c.changed_at, listing_changes.c.id)))
    if as_of is not None and any(c.listing_id == listing.id and c.field == "status"
                                 and c.changed_at > as_of for c in changes):
        listing.status = "open"  # as it stood then (store/status.py); never written back
    from aggregator.query.awards import past_awards

    before = past_awards(engine, listing.buyer_id, listing.organization, listing.cpv or ()) \
        if listing.kind == "tender" else []
    return ListingDetail(listing, group, changes, before)
