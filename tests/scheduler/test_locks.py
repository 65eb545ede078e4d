"""Database locks shared by processes: one holder at a time, leases, renewal, release."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from aggregator.store.locks import (
    acquire,
    held_lock,
    holder,
    new_owner,
    release,
    release_all,
    renew,
)
from aggregator.store.models import SchedulerLock

NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


def test_one_holder_until_released_or_expired(engine):
    assert acquire(engine, "crawl:boamp", "a", lease=LEASE, now=NOW)
    assert not acquire(engine, "crawl:boamp", "b", lease=LEASE, now=NOW + timedelta(seconds=1))
    assert acquire(engine, "crawl:ted", "b", lease=LEASE, now=NOW)  # another name is free
    assert holder(engine, "crawl:boamp", now=NOW) == "a"
    assert acquire(engine, "crawl:boamp", "a", lease=LEASE, now=NOW + timedelta(minutes=1))
    # a's lease now runs to 04:03; at 04:02:30 b still cannot take it
    assert not acquire(engine, "crawl:boamp", "b", lease=LEASE, now=NOW + timedelta(seconds=150))
    assert release(engine, "crawl:boamp", "a")
    assert not release(engine, "crawl:boamp", "a")
    assert acquire(engine, "crawl:boamp", "b", lease=LEASE, now=NOW + timedelta(seconds=151))


def test_a_dead_holders_lock_is_taken_after_its_lease(engine):
    assert acquire(engine, "crawl:boamp", "dead", lease=LEASE, now=NOW)
    later = NOW + LEASE + timedelta(seconds=1)
    assert holder(engine, "crawl:boamp", now=later) is None
    assert acquire(engine, "crawl:boamp", "alive", lease=LEASE, now=later)
    assert not renew(engine, "crawl:boamp", "dead", now=later)  # the dead one lost it
    assert not release(engine, "crawl:boamp", "dead")
    assert holder(engine, "crawl:boamp", now=later) == "alive"


def test_release_all_gives_back_only_the_owners_locks(engine):
    for name in ("crawl:a", "crawl:b"):
        acquire(engine, name, "me", now=NOW)
    acquire(engine, "crawl:c", "other", now=NOW)
    assert release_all(engine, "me") == 2
    with engine.connect() as conn:
        assert conn.execute(select(SchedulerLock.name)).scalars().all() == ["crawl:c"]


def test_concurrent_takers_get_it_once(engine):
    owners = [new_owner() for _ in range(8)]
    barrier = threading.Barrier(len(owners))
    won: list[str] = []

    def take(owner: str) -> None:
        barrier.wait()
        if acquire(engine, "crawl:boamp", owner):
            won.append(owner)

    threads = [threading.Thread(target=take, args=(owner,)) for owner in owners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(won) == 1
    assert holder(engine, "crawl:boamp") == won[0]


def test_held_lock_renews_beyond_its_lease_and_releases(engine):
    lease = timedelta(seconds=0.6)
    with held_lock(engine, "crawl:boamp", "a", lease=lease) as held:
        assert held
        time.sleep(1.5)  # two and a half leases: renewed meanwhile
        assert not acquire(engine, "crawl:boamp", "b", lease=lease)
        with held_lock(engine, "crawl:boamp", "b", lease=lease) as other:
            assert other is False
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SchedulerLock)).scalar() == 0


def test_held_lock_is_released_when_the_work_fails(engine):
    try:
        with held_lock(engine, "crawl:boamp", "a"):
            raise RuntimeError("crawl failed")
    except RuntimeError:
        pass
    assert holder(engine, "crawl:boamp") is None


def test_held_lock_is_not_reentrant_for_one_owner(engine):
    # two threads of one scheduler (a crawl worker and the periodic digests) share an owner
    with held_lock(engine, "post-crawl", "sched-1") as first:
        with held_lock(engine, "post-crawl", "sched-1") as second:
            assert (first, second) == (True, False)
        assert holder(engine, "post-crawl").startswith("sched-1#")  # still held
    assert holder(engine, "post-crawl") is None


def test_release_all_includes_the_held_lock_blocks(engine):
    with held_lock(engine, "crawl:boamp", "sched-1") as held:
        assert held
        assert release_all(engine, "sched-1") == 1
        assert holder(engine, "crawl:boamp") is None
