"""Crawl run records (one row per crawl of one source, written by the crawl itself), and
what the store tells a crawl and source health about a source.

How a run ended is a ``RunOutcome`` (aggregator.store.run_outcome).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select, update
from sqlalchemy.orm import Session

from aggregator.store.models import CrawlRun, Listing
from aggregator.store.owners import is_alive, this_process
from aggregator.store.run_outcome import RunOutcome
from aggregator.store.status import status_condition

runs = CrawlRun.__table__


def start_run(engine: Engine, source: str, *, args: dict[str, Any] | None = None,
              started_at: datetime | None = None, replayed: bool = False) -> int:
    """Open a ``running`` run owned by this process (aggregator.store.owners)."""
    owner = this_process()
    now = datetime.now(UTC)
    with engine.begin() as conn:
        return conn.execute(
            runs.insert().returning(runs.c.id),
            {"source": source, "started_at": started_at or now,
             "outcome": RunOutcome.RUNNING, "complete": False, "items_seen": 0, "items_new": 0,
             "items_updated": 0, "items_unchanged": 0, "items_dropped": 0,
             "dropped_reasons": {}, "errors": 0, "requests": 0, "args": args or {},
             "stats": {}, "host": owner.host, "pid": owner.pid,
             "pid_started": owner.started, "heartbeat_at": now, "replayed": replayed},
        ).scalar_one()


def beat(engine: Engine, run_id: int) -> None:
    """The run's owner is alive (renewed every owners.HEARTBEAT_SECONDS while it runs)."""
    with engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id)
                     .values(heartbeat_at=datetime.now(UTC)))


def hand_over(engine: Engine, run_id: int) -> None:
    """The run is no longer its process's: distributed workers fill and close it."""
    with engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(pid=None))


def close_run(engine: Engine, run_id: int, outcome: RunOutcome, note: str,
              finish_reason: str) -> bool:
    """Close a run that is still ``running`` from outside it, keeping the counts it stored
    (the store adds them to the run as it writes); False when it had already ended."""
    with engine.begin() as conn:
        closed = conn.execute(
            update(runs).where(runs.c.id == run_id, runs.c.outcome == RunOutcome.RUNNING)
            .values(outcome=outcome, finish_reason=finish_reason, error_summary=note,
                    finished_at=datetime.now(UTC)))
        return closed.rowcount == 1


def close_dead_runs(engine: Engine, *, now: datetime | None = None) -> list[int]:
    """Close ``interrupted`` every running run whose owner is dead (killed, power loss);
    returns their ids. Cheap: it reads only the running runs."""
    with engine.connect() as conn:
        running = conn.execute(
            select(runs.c.id, runs.c.host, runs.c.pid, runs.c.pid_started,
                   runs.c.heartbeat_at)
            .where(runs.c.outcome == RunOutcome.RUNNING, runs.c.pid.is_not(None))).all()
    closed = []
    for run in running:
        if is_alive(run.host, run.pid, run.pid_started, run.heartbeat_at, now=now):
            continue
        note = f"its process {run.host}:{run.pid} ended without closing it (killed?)"
        if close_run(engine, run.id, RunOutcome.INTERRUPTED, note, "interrupted"):
            closed.append(run.id)
    return closed


def finish_run(engine: Engine, run_id: int, **values: Any) -> None:
    values.setdefault("finished_at", datetime.now(UTC))
    with engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(**values))


def add_to_run(conn: Connection, run_id: int, **counts: int) -> None:
    """Add to a run's counters (several workers fill one distributed run)."""
    counts = {name: value for name, value in counts.items() if value}
    if counts:
        conn.execute(update(runs).where(runs.c.id == run_id)
                     .values({name: runs.c[name] + value for name, value in counts.items()}))


def add_worker_counts(engine: Engine, run_id: int, *, errors: int = 0, requests: int = 0,
                      dropped: Mapping[str, int] | None = None) -> None:
    """Add one worker's new errors, requests and dropped items (by reason) to a distributed
    run; the run's row is locked while its drop reasons are merged (several workers)."""
    dropped = {reason: count for reason, count in (dropped or {}).items() if count}
    with engine.begin() as conn:
        add_to_run(conn, run_id, errors=errors, requests=requests,
                   items_dropped=sum(dropped.values()), items_seen=sum(dropped.values()))
        if not dropped:
            return
        reasons = conn.execute(select(runs.c.dropped_reasons).where(runs.c.id == run_id)
                               .with_for_update()).scalar_one_or_none()
        merged = dict(reasons or {})
        for reason, count in dropped.items():
            merged[reason] = merged.get(reason, 0) + count
        conn.execute(update(runs).where(runs.c.id == run_id).values(dropped_reasons=merged))


def get_run(engine: Engine, run_id: int) -> CrawlRun | None:
    with Session(engine) as session:
        return session.get(CrawlRun, run_id)


def recent_runs(engine: Engine, *, source: str | None = None, limit: int = 20) -> list[CrawlRun]:
    query = select(CrawlRun).order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc()).limit(limit)
    if source:
        query = query.where(CrawlRun.source == source)
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(query))


def sources_with_runs(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(select(runs.c.source).distinct()))


def open_listings_by_source(engine: Engine, now: datetime | None = None) -> dict[str, int]:
    """How many listings of each source are open (aggregator.store.status)."""
    query = (select(Listing.source, func.count())
             .where(status_condition("open", now or datetime.now(UTC)))
             .group_by(Listing.source))
    with engine.connect() as conn:
        return {source: count for source, count in conn.execute(query)}


def latest_published_by_scope(engine: Engine, source: str) -> dict[str, datetime]:
    """When the newest stored listing of each scope (board, site) of ``source`` was
    published: a scope with nothing stored yet is crawled in full."""
    with engine.connect() as conn:
        rows = conn.execute(select(Listing.scope, func.max(Listing.published_at))
                            .where(Listing.source == source, Listing.scope.is_not(None))
                            .group_by(Listing.scope))
        return {scope: published for scope, published in rows if published is not None}


def latest_published(engine: Engine, source: str) -> datetime | None:
    """When the newest stored listing of ``source`` was published (incremental crawls)."""
    with engine.connect() as conn:
        return conn.execute(select(func.max(Listing.published_at))
                            .where(Listing.source == source)).scalar_one_or_none()


def slot_runs(engine: Engine, source: str, slot: datetime) -> list[Any]:
    """The runs of ``source`` that may settle its slot starting at ``slot`` — started since,
    or still ``running`` — newest first (outcome, started_at, replayed)."""
    with engine.connect() as conn:
        return list(conn.execute(
            select(CrawlRun.outcome, CrawlRun.started_at, CrawlRun.replayed)
            .where(CrawlRun.source == source,
                   or_(CrawlRun.started_at >= slot, CrawlRun.outcome == RunOutcome.RUNNING))
            .order_by(CrawlRun.started_at.desc())).all())
