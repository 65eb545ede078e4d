"""Store-wide state: the instant a store of recorded listings is read at.

A crawl that replays a recorded set (``aggregator crawl --replay``, or ``--fallback-replay``
with no network) stores when that set was recorded; reading commands then judge open/closed
and days left at that instant by default, and say so. A live crawl clears it: the store
then holds the present again. Recorded dates themselves are never rewritten.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, delete, select

from aggregator.store.tables import store_state

RECORDED_AS_OF = "recorded_as_of"


def recorded_as_of(engine: Engine) -> datetime | None:
    """The instant the store's recorded listings were recorded at; None for a live store."""
    with engine.connect() as conn:
        value = conn.scalar(select(store_state.c.value).where(store_state.c.name == RECORDED_AS_OF))
    return datetime.fromisoformat(value) if value else None


def set_recorded_as_of(engine: Engine, instant: datetime | None) -> None:
    """Note that the store holds listings recorded at ``instant`` (None: live listings)."""
    with engine.begin() as conn:
        conn.execute(delete(store_state).where(store_state.c.name == RECORDED_AS_OF))
        if instant is not None:
            conn.execute(store_state.insert().values(
                name=RECORDED_AS_OF, value=instant.astimezone(UTC).isoformat(),
                updated_at=datetime.now(UTC)))
