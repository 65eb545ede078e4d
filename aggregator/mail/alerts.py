"""Saved searches: a name, a query in the filter's compact text form, recipients, a rhythm.

Storage and validation only; building and sending digests is ``digests``' job. A query is
checked by ``aggregator.query`` (the one filter model) when the alert is added or edited, so
a bad query is refused then, with the parser's reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aggregator.store.models import Alert, AlertDelivery, AlertSent

EVERY_CHOICES = ("daily", "weekly")
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
# One address: no spaces, quotes, brackets or separators (they would let a header be forged);
# the domain part ASCII (an IDN can be written in its xn-- form).
_ADDRESS = re.compile(r"[^@\s<>(),;:\"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
NAME_MAX = 80


class AlertError(ValueError):
    """An alert cannot be saved or found; the message says why, for the user."""


# --- The filter model (aggregator.query) -------------------------------------------------------

def parse_query(text: str) -> Any:
    """The query's Filter; AlertError with the parser's reason when it is not valid."""
    from aggregator.query import Filter

    try:
        parsed = Filter.parse(text)
        parsed.validate()
    except ValueError as exc:  # FilterError: names the unknown key or bad value
        raise AlertError(f"invalid query {text!r}: {exc}") from None
    return parsed


def canonical_query(text: str) -> str:
    """The compact form as the filter model writes it back (what the alert stores)."""
    return parse_query(text).to_text()


def matching(engine: Engine, text: str, now: datetime) -> list[Any]:
    """Every listing the query matches at ``now`` (no page limit), through aggregator.query:
    one per duplicate group, the listing that stands for it."""
    from aggregator.query import search

    return search(engine, parse_query(text).page(0, None), now=now)


# --- Validation ---------------------------------------------------------------------------------

def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX or _CONTROL.search(name) or name.startswith("-"):
        raise AlertError(f"an alert name is 1 to {NAME_MAX} printable characters, not "
                         f"starting with '-': {name!r}")
    return name


def parse_recipients(value: str | Iterable[str]) -> list[str]:
    """``a@x.fr,b@y.fr`` (or a list) → the addresses, checked, duplicates removed."""
    parts = value.split(",") if isinstance(value, str) else [p for v in value
                                                            for p in v.split(",")]
    seen: dict[str, str] = {}
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if not _ADDRESS.fullmatch(part):
            raise AlertError(f"not an e-mail address: {part!r}")
        seen.setdefault(part.lower(), part)
    if not seen:
        raise AlertError("an alert needs at least one recipient (--to ADDR[,ADDR])")
    return list(seen.values())


def check_every(value: str) -> str:
    """``daily``, ``weekly`` or ``HH:MM`` (every day at that local time)."""
    value = value.strip().lower()
    if value in EVERY_CHOICES or _HHMM.fullmatch(value):
        return value
    raise AlertError(f"--every is daily, weekly or HH:MM (24-hour local time), not {value!r}")


def last_slot(every: str, now: datetime, tz: tzinfo) -> datetime:
    """The latest instant at or before ``now`` when an alert with this rhythm falls due."""
    local = now.astimezone(tz)
    match = _HHMM.fullmatch(every)
    at = time(int(match[1]), int(match[2])) if match else time(0, 0)
    slot = datetime.combine(local.date(), at, tzinfo=tz)
    if slot > local:
        slot = datetime.combine(local.date() - timedelta(days=1), at, tzinfo=tz)
    return slot.astimezone(UTC)


def is_due(alert: Alert, now: datetime, tz: tzinfo) -> bool:
    """Daily: once per local day; weekly: 7 local days after the last run; HH:MM: once the
    day's HH:MM has passed. A run that failed does not count, so the alert stays due."""
    if alert.last_run_at is None:
        return True
    if alert.every == "weekly":
        last = alert.last_run_at.astimezone(tz).date()
        return (now.astimezone(tz).date() - last).days >= 7
    return alert.last_run_at < last_slot(alert.every, now, tz)


# --- CRUD ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AlertState:
    """An alert with what its outbox holds, for `alerts list` / `alerts show`."""

    alert: Alert
    sent_listings: int
    pending: int
    last_error: str | None


def add_alert(engine: Engine, name: str, query: str, recipients: str | Iterable[str],
              every: str = "daily", *, now: datetime | None = None) -> Alert:
    now = now or datetime.now(UTC)
    name = check_name(name)
    alert = Alert(name=name, query=canonical_query(query), recipients=parse_recipients(recipients),
                  every=check_every(every), created_at=now, updated_at=now)
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            session.add(alert)
    except IntegrityError:
        raise AlertError(f"an alert named {name!r} already exists") from None
    return alert


def get_alert(engine: Engine, name: str) -> Alert:
    with Session(engine, expire_on_commit=False) as session:
        alert = session.scalar(select(Alert).where(Alert.name == name.strip()))
    if alert is None:
        raise AlertError(f"no alert named {name!r} (see `aggregator alerts list`)")
    return alert


def list_alerts(engine: Engine) -> list[Alert]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(select(Alert).order_by(Alert.name)))


def alert_state(engine: Engine, alert: Alert) -> AlertState:
    with Session(engine) as session:
        sent = session.scalar(select(func.count()).select_from(AlertSent)
                              .where(AlertSent.alert_id == alert.id)) or 0
        pending = list(session.scalars(
            select(AlertDelivery).where(AlertDelivery.alert_id == alert.id,
                                        AlertDelivery.status == "pending")))
        error = session.scalar(select(AlertDelivery.last_error)
                               .where(AlertDelivery.alert_id == alert.id,
                                      AlertDelivery.last_error.is_not(None))
                               .order_by(AlertDelivery.id.desc()).limit(1))
    return AlertState(alert, sent, len(pending), error)


def edit_alert(engine: Engine, name: str, *, new_name: str | None = None,
               query: str | None = None, recipients: str | Iterable[str] | None = None,
               every: str | None = None, now: datetime | None = None) -> Alert:
    """Change what is given; what the alert has already sent stays sent."""
    changes: dict[str, Any] = {}
    if new_name is not None:
        changes["name"] = check_name(new_name)
    if query is not None:
        changes["query"] = canonical_query(query)
    if recipients is not None:
        changes["recipients"] = parse_recipients(recipients)
    if every is not None:
        changes["every"] = check_every(every)
    if not changes:
        raise AlertError("nothing to change: give --name, --query, --to or --every")
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            alert = session.scalar(select(Alert).where(Alert.name == name.strip()))
            if alert is None:
                raise AlertError(f"no alert named {name!r} (see `aggregator alerts list`)")
            for key, value in changes.items():
                setattr(alert, key, value)
            alert.updated_at = now or datetime.now(UTC)
    except IntegrityError:
        raise AlertError(f"an alert named {new_name!r} already exists") from None
    return alert


def remove_alert(engine: Engine, name: str) -> None:
    """Delete the alert with its outbox and sent records."""
    with Session(engine) as session, session.begin():
        alert = session.scalar(select(Alert).where(Alert.name == name.strip()))
        if alert is None:
            raise AlertError(f"no alert named {name!r} (see `aggregator alerts list`)")
        # explicit, not only ON DELETE CASCADE: SQLite connections opened without the
        # foreign_keys pragma would otherwise leave orphans
        session.execute(delete(AlertSent).where(AlertSent.alert_id == alert.id))
        session.execute(delete(AlertDelivery).where(AlertDelivery.alert_id == alert.id))
        session.delete(alert)
