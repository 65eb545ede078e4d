"""Named locks in the database, shared by every process that uses it (SQLite or PostgreSQL).

A lock is a row of ``scheduler_locks``: name, owner, expiry. Taking it is one atomic
statement — an INSERT (the primary key lets only one process create the row) or, when the
row exists, an UPDATE that only matches an expired lock or one we already own — so two
processes can never both believe they hold it. A holder renews its lease while it works
(``held_lock`` does it from a thread); a holder that dies stops renewing, and the lock is
free again once its lease has run out — or at once when the holder's process is gone from
this host (aggregator.store.owners: host, pid and start time are kept with the lock). No file
locks: the processes may be on different
machines sharing one PostgreSQL database (leases then assume clocks kept by NTP).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from aggregator.store.models import SchedulerLock
from aggregator.store.owners import is_alive, this_process

logger = logging.getLogger(__name__)
locks = SchedulerLock.__table__

DEFAULT_LEASE = timedelta(minutes=2)


def new_owner() -> str:
    """An owner name unique to this holder, readable in the table: host:pid:random."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(engine: Engine, name: str, owner: str, *, lease: timedelta = DEFAULT_LEASE,
            now: datetime | None = None) -> bool:
    """Take ``name`` for ``owner`` until now + ``lease``; False when someone else holds it.

    Taking a lock one already holds renews it; a lock whose holder's process is gone from
    this host is taken over at once.
    """
    now = now or datetime.now(UTC)
    process = this_process()
    values = {"owner": owner, "acquired_at": now, "expires_at": now + lease,
              "host": process.host, "pid": process.pid, "pid_started": process.started}
    try:
        with engine.begin() as conn:
            conn.execute(locks.insert().values(name=name, **values))
        return True
    except IntegrityError:
        pass  # the row exists: take it over only if it has expired (or is ours)
    with engine.begin() as conn:
        taken = conn.execute(
            update(locks)
            .where(locks.c.name == name,
                   or_(locks.c.expires_at < now, locks.c.owner == owner))
            .values(**values))
        if taken.rowcount == 1:
            return True
        held = conn.execute(select(locks.c.owner, locks.c.host, locks.c.pid,
                                   locks.c.pid_started).where(locks.c.name == name)).first()
    if held is None or is_alive(held.host, held.pid, held.pid_started, None):
        return False
    with engine.begin() as conn:  # only if the dead holder still has it (one taker wins)
        taken = conn.execute(update(locks)
                             .where(locks.c.name == name, locks.c.owner == held.owner)
                             .values(**values))
    if taken.rowcount == 1:
        logger.info("lock %s taken over from %s (its process is gone)", name, held.owner)
    return taken.rowcount == 1


def renew(engine: Engine, name: str, owner: str, *, lease: timedelta = DEFAULT_LEASE,
          now: datetime | None = None) -> bool:
    """Extend a lock we hold; False when we no longer hold it (it expired and was taken)."""
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        renewed = conn.execute(
            update(locks).where(locks.c.name == name, locks.c.owner == owner)
            .values(expires_at=now + lease))
        return renewed.rowcount == 1


def release(engine: Engine, name: str, owner: str) -> bool:
    """Give the lock back (only if we hold it); True when it was ours."""
    with engine.begin() as conn:
        released = conn.execute(
            delete(locks).where(locks.c.name == name, locks.c.owner == owner))
        return released.rowcount == 1


def release_all(engine: Engine, owner: str) -> int:
    """Give back every lock of ``owner`` (a scheduler shutting down), those its ``held_lock``
    blocks took too."""
    mine = or_(locks.c.owner == owner,
               func.substr(locks.c.owner, 1, len(owner) + 1) == f"{owner}#")
    with engine.begin() as conn:
        return conn.execute(delete(locks).where(mine)).rowcount


def holder(engine: Engine, name: str, *, now: datetime | None = None) -> str | None:
    """Who holds ``name`` now (None when free or expired)."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        return conn.execute(select(locks.c.owner).where(
            and_(locks.c.name == name, locks.c.expires_at >= now))).scalar_one_or_none()


@contextmanager
def held_lock(engine: Engine, name: str, owner: str, *,
              lease: timedelta = DEFAULT_LEASE) -> Iterator[bool]:
    """``with held_lock(...) as held:`` — held is False when another process has it.

    While held, a thread renews the lease every third of it, so work longer than the lease
    keeps the lock; the lock is released on exit, whatever happens inside.
    """
    # A holder of its own per block: two threads of one process (or one source named twice)
    # must not both get the lock, nor the first to finish free it for the other.
    owner = f"{owner}#{uuid.uuid4().hex[:6]}"
    if not acquire(engine, name, owner, lease=lease):
        yield False
        return
    done = threading.Event()

    def keep() -> None:
        while not done.wait(lease.total_seconds() / 3):
            try:
                if not renew(engine, name, owner, lease=lease):
                    logger.error("lock %s was lost (lease expired and taken over)", name)
                    return
            except Exception:  # a database hiccup: try again next period
                logger.warning("could not renew lock %s", name, exc_info=True)

    keeper = threading.Thread(target=keep, name=f"lock {name}", daemon=True)
    keeper.start()
    try:
        yield True
    finally:
        done.set()
        keeper.join()
        release(engine, name, owner)
