"""When a listing is open: the one rule, in Python and as SQL.

A listing is open when its source says so and its deadline, if it has one, is still ahead. An
open listing whose deadline has passed is closed, whatever its source says; the store closes
it for good after the crawl (``lifecycle.close_past_deadlines``), and every read in between
already judges it closed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from aggregator.store.models import Listing


def deadline_passed(deadline: datetime | None, now: datetime) -> bool:
    return deadline is not None and deadline <= now


def effective_status(status: str | None, deadline: datetime | None, now: datetime) -> str:
    """The status a listing has at ``now``: ``open`` turns ``closed`` once its deadline passes."""
    status = status or "open"
    if status == "open" and deadline_passed(deadline, now):
        return "closed"
    return status


def deadline_passed_condition(now: datetime) -> ColumnElement[bool]:
    return and_(Listing.deadline_at.is_not(None), Listing.deadline_at <= now)


def status_condition(status: str, now: datetime) -> ColumnElement[bool] | None:
    """The listings whose effective status at ``now`` is ``status`` (None for ``all``)."""
    if status == "open":
        return and_(Listing.status == "open",
                    or_(Listing.deadline_at.is_(None), Listing.deadline_at > now))
    if status == "closed":
        return or_(Listing.status == "closed",
                   and_(Listing.status == "open", Listing.deadline_at <= now))
    if status == "cancelled":
        return Listing.status == "cancelled"
    return None
