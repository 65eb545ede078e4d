"""One listing with every source of its duplicate group and their change history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session, defer

from aggregator.store.batches import chunks
from aggregator.store.models import Listing, ListingChange


@dataclass
class ListingDetail:
    listing: Listing
    sources: list[Listing]  # its duplicate group: the listing that stands for it first
    changes: list[ListingChange]  # of every listing of the group, oldest first
    # a tender's buyer before: its past awards in the same CPV class (query/awards.py)
    buyer_before: list[Listing] = field(default_factory=list)


def listing_groups(engine: Engine, listing_ids: Iterable[int]) -> dict[int, list[Listing]]:
    """Each id → its cross-source duplicate group: the listing that stands for the group
    (``duplicate_of`` NULL) first, then the others by first sighting. Missing ids are left out.
    """
    ids = sorted(set(listing_ids))
    if not ids:
        return {}
    with Session(engine, expire_on_commit=False) as session:
        roots: dict[int, int] = {}
        for chunk in chunks(ids):
            for listing_id, duplicate_of in session.execute(
                    select(Listing.id, Listing.duplicate_of).where(Listing.id.in_(chunk))):
                roots[listing_id] = duplicate_of or listing_id
        root_ids = sorted(set(roots.values()))
        members: dict[int, list[Listing]] = {}
        for chunk in chunks(root_ids):
            query = (select(Listing).options(defer(Listing.raw))
                     .where(or_(Listing.id.in_(chunk), Listing.duplicate_of.in_(chunk)))
                     .order_by(Listing.first_seen_at, Listing.id))
            for listing in session.scalars(query):
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
    with Session(engine, expire_on_commit=False) as session:
        listing = session.get(Listing, listing_id)
        if listing is None:
            return None
    group = listing_groups(engine, [listing_id]).get(listing_id) or [listing]
    with Session(engine, expire_on_commit=False) as session:
        changes = list(session.scalars(
            select(ListingChange).where(ListingChange.listing_id.in_([g.id for g in group]))
            .order_by(ListingChange.changed_at, ListingChange.id)))
    if as_of is not None and any(c.listing_id == listing.id and c.field == "status"
                                 and c.changed_at > as_of for c in changes):
        listing.status = "open"  # as it stood then (store/status.py); never written back
    from aggregator.query.awards import past_awards

    before = past_awards(engine, listing.buyer_id, listing.organization, listing.cpv or ()) \
        if listing.kind == "tender" else []
    return ListingDetail(listing, group, changes, before)
