"""The user's own marks on listings: starred, hidden. Crawls never reset them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, update

from aggregator.store.tables import listings


def set_flags(engine: Engine, listing_ids: Iterable[int], *, starred: bool | None = None,
              hidden: bool | None = None) -> int:
    """Star/unstar, hide/unhide listings (the user's own state; crawls never reset it)."""
    values = {k: v for k, v in (("starred", starred), ("hidden", hidden)) if v is not None}
    ids = list(listing_ids)
    if not values or not ids:
        return 0
    with engine.begin() as conn:
        changed = update(listings).where(listings.c.id.in_(ids)).values(**values)
        return conn.execute(changed).rowcount
