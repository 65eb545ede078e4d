"""The one place that builds search SQL. CLI, TUI, mail and export all query through here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aggregator.store.models import Listing


@dataclass(frozen=True)
class Filter:
    limit: int | None = 50
    offset: int = 0


def search(engine: Engine, filter: Filter) -> list[Listing]:
    """Listings matching ``filter``, newest first."""
    query = (select(Listing).where(Listing.duplicate_of.is_(None))
             .order_by(Listing.published_at.desc(), Listing.id.desc())
             .offset(filter.offset).limit(filter.limit))
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(query))
