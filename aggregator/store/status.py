"""When a listing is open: the one rule, in Python and as SQL.

A listing is open when its source says so and its deadline, if it has one, is still ahead. An
open listing whose deadline has passed is closed, whatever its source says; the store closes
it for good after the crawl (``lifecycle.close_past_deadlines``), and every read in between
already judges it closed.

Read "as of" an instant (``aggregator search --as-of 2026-09-01``), the rule is judged at that
instant from the history: a listing first seen after it did not exist yet, and one whose
status changed after it (closed by the store or by its source since) was still open then.

An award (a notified contract) is neither open nor closed: its status is ``awarded``, and a
search for awards ignores the status filter.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, case, exists, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from aggregator.store.tables import listing_changes, listings


def deadline_passed(deadline: datetime | None, now: datetime) -> bool:
    return deadline is not None and deadline <= now


def effective_status(status: str | None, deadline: datetime | None, now: datetime) -> str:
    """The status a listing has at ``now``: ``open`` turns ``closed`` once its deadline passes."""
    status = status or "open"
    if status == "open" and deadline_passed(deadline, now):
        return "closed"
    return status


def deadline_passed_condition(now: datetime) -> ColumnElement[bool]:
    return and_(listings.c.deadline_at.is_not(None), listings.c.deadline_at <= now)


def status_at(instant: datetime) -> ColumnElement[str]:
    """The stored status as it was at ``instant``: open if it changed since."""
    changed_since = exists(select(listing_changes.c.id).where(
        listing_changes.c.listing_id == listings.c.id, listing_changes.c.field == "status",
        listing_changes.c.changed_at > instant))
    return case((changed_since, literal("open")), else_=listings.c.status)


def changed_status_since(conn: Connection, ids: list[int], instant: datetime) -> set[int]:
    """Which of ``ids`` changed status after ``instant``: they were open then (the rule of
    :func:`status_condition` with ``as_of``)."""
    return set(conn.scalars(select(listing_changes.c.listing_id).where(
        listing_changes.c.listing_id.in_(ids), listing_changes.c.field == "status",
        listing_changes.c.changed_at > instant)))


def status_condition(status: str, now: datetime, *, as_of: bool = False,
                     kind: str | None = None) -> ColumnElement[bool] | None:
    """The listings whose effective status at ``now`` is ``status`` (None for ``all``, and for
    awards, which have no open or closed).

    ``as_of``: ``now`` is a past instant, judged from the history (see the module doc)."""
    if kind == "award":
        status = "all"
    stored: ColumnElement[str] = status_at(now) if as_of else listings.c.status  # type: ignore[assignment]
    condition: ColumnElement[bool] | None
    if status == "open":
        condition = and_(stored == "open",
                         or_(listings.c.deadline_at.is_(None), listings.c.deadline_at > now))
    elif status == "closed":
        condition = or_(stored == "closed", and_(stored == "open", listings.c.deadline_at <= now))
    elif status == "cancelled":
        condition = stored == "cancelled"
    else:
        condition = None
    if not as_of:
        return condition
    existed = listings.c.first_seen_at <= now
    return existed if condition is None else and_(existed, condition)
