"""Saved searches in the store: add, read, change, remove, and what each one's outbox holds.

What an alert may hold (a valid query, addresses, a rhythm) is checked before it gets here,
by ``aggregator.mail.alerts``; this module only keeps names unique and finds alerts by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aggregator.i18n import _
from aggregator.store.models import Alert, AlertDelivery, AlertSent


class AlertError(ValueError):
    """An alert cannot be saved or found; the message says why, for the user."""


def _not_found(name: str) -> AlertError:
    return AlertError(_("no alert named %(name)r (see `aggregator alerts list`)")
                      % {"name": name})


@dataclass(frozen=True)
class AlertState:
    """An alert with what its outbox holds, for `alerts list` / `alerts show`."""

    alert: Alert
    sent_listings: int
    pending: int
    last_error: str | None


def save_alert(engine: Engine, *, name: str, query: str, recipients: list[str], every: str,
               now: datetime) -> Alert:
    """Store a new alert; AlertError when the name is taken."""
    alert = Alert(name=name, query=query, recipients=recipients, every=every, created_at=now,
                  updated_at=now)
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            session.add(alert)
    except IntegrityError:
        raise AlertError(_("an alert named %(name)r already exists")
                         % {"name": name}) from None
    return alert


def get_alert(engine: Engine, name: str) -> Alert:
    with Session(engine, expire_on_commit=False) as session:
        alert = session.scalar(select(Alert).where(Alert.name == name.strip()))
    if alert is None:
        raise _not_found(name)
    return alert


def list_alerts(engine: Engine) -> list[Alert]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(select(Alert).order_by(Alert.name)))


def alert_state(engine: Engine, alert: Alert) -> AlertState:
    with Session(engine) as session:
        sent = session.scalar(select(func.count()).select_from(AlertSent)
                              .where(AlertSent.alert_id == alert.id)) or 0
        pending = session.scalar(select(func.count()).select_from(AlertDelivery)
                                 .where(AlertDelivery.alert_id == alert.id,
                                        AlertDelivery.status == "pending")) or 0
        error = session.scalar(select(AlertDelivery.last_error)
                               .where(AlertDelivery.alert_id == alert.id,
                                      AlertDelivery.last_error.is_not(None))
                               .order_by(AlertDelivery.id.desc()).limit(1))
    return AlertState(alert, sent, pending, error)


def update_alert(engine: Engine, name: str, changes: Mapping[str, Any], *,
                 now: datetime) -> Alert:
    """Set ``changes`` (column → value) on the alert named ``name``; AlertError when there
    is none or a new name is taken."""
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            alert = session.scalar(select(Alert).where(Alert.name == name.strip()))
            if alert is None:
                raise _not_found(name)
            for key, value in changes.items():
                setattr(alert, key, value)
            alert.updated_at = now
    except IntegrityError:
        raise AlertError(_("an alert named %(name)r already exists")
                         % {"name": changes.get("name")}) from None
    return alert


def remove_alert(engine: Engine, name: str) -> None:
    """Delete the alert with its outbox and sent records."""
    with Session(engine) as session, session.begin():
        alert = session.scalar(select(Alert).where(Alert.name == name.strip()))
        if alert is None:
            raise _not_found(name)
        # explicit, not only ON DELETE CASCADE: SQLite connections opened without the
        # foreign_keys pragma would otherwise leave orphans
        session.execute(delete(AlertSent).where(AlertSent.alert_id == alert.id))
        session.execute(delete(AlertDelivery).where(AlertDelivery.alert_id == alert.id))
        session.delete(alert)
