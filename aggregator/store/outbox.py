"""The digests' outbox (``alert_deliveries``) and what each alert has sent (``alert_sent``).

A delivery is committed ``pending`` with its complete message before any SMTP traffic
(``queue_delivery``). Once the SMTP server has accepted it, ``finish_delivery`` marks it
``sent`` and writes the per-listing sent records in one transaction: both happen or neither.
The rules of when to do what are in ``aggregator.mail.digests``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aggregator.store.models import Alert, AlertDelivery, AlertSent, Listing


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def sent_records(engine: Engine, alert_id: int) -> dict[int, AlertSent]:
    """What the alert has sent, by listing id (detached rows: read-only)."""
    with Session(engine) as session:
        sent = {r.listing_id: r for r in session.scalars(
            select(AlertSent).where(AlertSent.alert_id == alert_id))}
        for record in sent.values():
            session.expunge(record)
    return sent


def queue_delivery(engine: Engine, *, alert_id: int, message_id: str, created_at: datetime,
                   subject: str, recipients: list[str], counts: dict[str, int],
                   entries: list[dict[str, Any]], message: bytes) -> AlertDelivery:
    """Commit a built message to the outbox as ``pending``.

    ``entries`` say what to record once it is accepted: for each digest entry its
    ``section``, ``listing_id``, ``records`` (``[listing id, deadline ISO, status]`` for
    every listing of the group) and the deadline it reminds of (``remind``, ISO or None).
    """
    delivery = AlertDelivery(
        alert_id=alert_id, message_id=message_id, created_at=created_at, status="pending",
        subject=subject, recipients=list(recipients), delivered_to=[], refused={},
        counts=counts, entries=entries, message=message, attempts=0)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.add(delivery)
    return delivery


def pending_deliveries(engine: Engine, alert_id: int) -> list[AlertDelivery]:
    """The alert's deliveries not accepted yet, oldest first."""
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(
            select(AlertDelivery).where(AlertDelivery.alert_id == alert_id,
                                        AlertDelivery.status == "pending")
            .order_by(AlertDelivery.id)))


def record_attempt(engine: Engine, delivery_id: int, *, attempts: int, now: datetime) -> None:
    """Count a sending attempt, before it is made."""
    with Session(engine) as session, session.begin():
        row = session.get(AlertDelivery, delivery_id)
        assert row is not None
        row.attempts = attempts
        row.last_attempt_at = now


def record_progress(engine: Engine, delivery_id: int, *, delivered: list[str],
                    refused: dict[str, str], error: str | None, failed: bool = False) -> None:
    """Who has accepted or refused the message so far; ``failed``: given up (nothing is
    recorded as sent)."""
    with Session(engine) as session, session.begin():
        delivery = session.get(AlertDelivery, delivery_id)
        assert delivery is not None
        delivery.delivered_to = delivered
        delivery.refused = refused
        delivery.last_error = error
        if failed:
            delivery.status = "failed"


def _record_sent(session: Session, delivery: AlertDelivery, now: datetime) -> None:
    """Write the sent records of ``delivery`` (inside the caller's transaction)."""
    wanted = {record[0] for entry in delivery.entries for record in entry["records"]}
    existing = set(session.scalars(select(Listing.id).where(Listing.id.in_(wanted))))
    rows = {r.listing_id: r for r in session.scalars(
        select(AlertSent).where(AlertSent.alert_id == delivery.alert_id,
                                AlertSent.listing_id.in_(wanted)))}
    for entry in delivery.entries:
        remind = _instant(entry.get("remind"))
        for listing_id, deadline, status in entry["records"]:
            if listing_id not in existing:
                continue  # deleted since the digest was built
            row = rows.get(listing_id)
            if row is None:
                row = rows[listing_id] = AlertSent(
                    alert_id=delivery.alert_id, listing_id=listing_id, first_sent_at=now)
                session.add(row)
            row.last_sent_at = now
            row.deadline_at = _instant(deadline)
            row.status = status
            row.delivery_id = delivery.id
            if remind is not None:
                row.reminded_deadline_at = remind


def finish_delivery(engine: Engine, delivery_id: int, now: datetime, *, status: str,
                    delivered: list[str], refused: dict[str, str], error: str | None) -> None:
    """Close a delivery (``sent`` or ``failed``); when ``sent``, record what it held and the
    alert's last run in the same transaction."""
    with Session(engine) as session, session.begin():
        delivery = session.get(AlertDelivery, delivery_id)
        assert delivery is not None
        delivery.status = status
        delivery.delivered_to = delivered
        delivery.refused = refused
        delivery.last_error = error
        if status == "sent":
            delivery.sent_at = now
            _record_sent(session, delivery, now)
            alert = session.get(Alert, delivery.alert_id)
            if alert is not None:
                alert.last_sent_at = now
                alert.last_run_at = now


def mark_run(engine: Engine, alert_id: int, now: datetime) -> None:
    """The alert ran and had nothing to send: it is not due again before its next time."""
    with Session(engine) as session, session.begin():
        alert = session.get(Alert, alert_id)
        if alert is not None:
            alert.last_run_at = now
