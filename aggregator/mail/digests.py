"""Digests of saved searches: built once, kept in an outbox, recorded as sent atomically.

What a digest holds, for one alert at one moment:

- **new**: every listing the alert's query matches (``aggregator.query``) that the alert has
  never sent, open listings only. Cross-source duplicates are one entry: the listing that
  stands for the group (``duplicate_of`` NULL) with all its sources; a group counts as sent
  as soon as any of its listings was sent, so a new source for it never re-sends it.
- **changed**: listings already sent whose deadline or status differs from what was sent
  (a moved deadline, a cancellation), marked with the old and new value — whether or not
  they still match. A listing closing because its deadline passed is not a change.
- **closing within 7 days**: matches already sent whose deadline is still ahead and at
  most 7 local calendar days away (``aggregator.presentation.closing_soon``, what ``deadline<7d``
  matches), once per deadline (a listing first sent within those days counts as reminded).
- a line for each **broken source** (``aggregator.scheduling.health.broken_sources``), so a silent
  source is not mistaken for "nothing new". Such lines alone do not make a digest.

The guarantees — never missed, never sent twice:

1. **Built once, stored before sending.** The complete message (bytes, with its
   Message-ID and Date) is committed to the outbox (``alert_deliveries``, status
   ``pending``) together with the list of what it holds, before any SMTP traffic.
2. **Recorded only with the successful send, in one transaction.** When the SMTP server has
   accepted the message, one transaction marks the delivery ``sent`` *and* writes the
   per-alert, per-listing sent records (``alert_sent``: deadline and status as sent). So
   either both happen or neither does.
3. **SMTP failure → nothing marked.** Server down, timeout, 4xx, TLS or login failure: the
   delivery stays pending, nothing is recorded, the alert stays due; the next run sends the
   stored message. Listings that arrive meanwhile go in the *next* digest: a pending
   digest is always sent before a new one is built, so nothing is sent twice.
4. **Crash between send and record → the very same message again.** If the process dies
   after the server accepted the message but before the transaction of (2), the delivery is
   still pending and the next run sends the stored bytes again: same Message-ID, same
   content, which mail clients collapse into one. That is the only way a recipient can get
   a message twice, and it is then recognisably the same message.
5. **Some recipients refused.** Those who accepted it are recorded in the delivery and are
   not sent it again. A permanent refusal (5xx) is reported and that address given up for
   this message; a temporary one (4xx) is retried with the same message at the next runs
   (up to ``MAX_ATTEMPTS``, then given up and reported). If every recipient refuses
   permanently, or the server refuses the message itself for good (5xx after DATA), the
   delivery is ``failed`` and nothing is recorded: the listings stay unsent and go in the
   next digest (a new message, since nobody received this one).
6. **One sender per alert.** A run holds the database lock ``alert:<id>``
   (``aggregator.store.locks``), so the scheduler and a manual ``alerts run`` never send
   the same alert at the same time.

``send_due_digests(engine, config, now=...)`` is what the scheduler calls after crawls.
``[schedule] timezone`` decides when an alert is due (``daily``, ``HH:MM``); what a digest
shows is in local time (``aggregator.config.LOCAL_TZ``), as in the CLI and the TUI.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aggregator.config import LOCAL_TZ, Config
from aggregator.mail.alerts import is_due, list_alerts, matching
from aggregator.mail.render import build_message, subject_line
from aggregator.mail.smtp import SmtpFailure, describe, envelope_sender, send_message
from aggregator.presentation import closing_soon, local
from aggregator.scheduling.health import broken_sources
from aggregator.store.models import Alert, AlertDelivery, AlertSent, Listing
from aggregator.store.status import deadline_passed

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # of a delivery some recipients keep refusing temporarily (4xx)
# Sent listings are watched for changes while recorded open and not long past their deadline.
WATCH_AFTER_DEADLINE = timedelta(days=30)
LOCK_LEASE = timedelta(minutes=2)


# --- What a digest holds -------------------------------------------------------------------

@dataclass
class Entry:
    """One listing group in a digest: the listing standing for it and its other sources."""

    section: str  # "new" | "changed" | "closing"
    listing: Listing
    members: list[Listing] = field(default_factory=list)
    # for "changed": the values as sent, and the listing of the group whose values changed
    previous: dict[str, Any] | None = None
    changed: Listing | None = None

    def group(self) -> list[Listing]:
        return [self.listing, *self.members]


@dataclass
class Digest:
    alert_id: int
    alert_name: str
    query: str
    recipients: list[str]
    now: datetime
    entries: list[Entry] = field(default_factory=list)
    broken_sources: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.entries

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.entries:
            key = f"new_{entry.listing.kind}" if entry.section == "new" else entry.section
            counts[key] = counts.get(key, 0) + 1
        return counts


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _outbox_entries(digest: Digest) -> list[dict[str, Any]]:
    """What to record once the digest is accepted: every listing of every group, with the
    deadline and status it was sent with, and the deadline it was reminded of."""
    rows = []
    for entry in digest.entries:
        remind = entry.listing.deadline_at if closing_soon(entry.listing, digest.now) else None
        rows.append({
            "section": entry.section,
            "listing_id": entry.listing.id,
            "records": [[m.id, _iso(m.deadline_at), m.status] for m in entry.group()],
            "remind": _iso(remind),
        })
    return rows


def _natural_closure(record: AlertSent, listing: Listing, now: datetime) -> bool:
    return (record.status == "open" and listing.status == "closed"
            and record.deadline_at == listing.deadline_at
            and deadline_passed(listing.deadline_at, now))


def _changed(record: AlertSent, listing: Listing, now: datetime) -> bool:
    if record.deadline_at == listing.deadline_at and record.status == listing.status:
        return False
    return not _natural_closure(record, listing, now)


def broken_source_lines(engine: Engine, config: Config) -> list[str]:
    """One line per enabled source whose health verdict is ``broken``."""
    lines = []
    for health in broken_sources(engine, config):
        since = (f"; last success {local(health.last_success_at)}"
                 if health.last_success_at else "; no successful run yet")
        lines.append(f"{health.source}: {health.reason}{since}. Its listings may be missing.")
    return lines


def build_digest(engine: Engine, alert: Alert, now: datetime, config: Config) -> Digest:
    """What the alert would send at ``now`` (read-only: nothing is stored or marked)."""
    from aggregator.query import listing_groups

    digest = Digest(alert.id, alert.name, alert.query, list(alert.recipients), now)
    matches = matching(engine, alert.query, now)
    with Session(engine) as session:
        sent = {r.listing_id: r for r in session.scalars(
            select(AlertSent).where(AlertSent.alert_id == alert.id))}
        for record in sent.values():
            session.expunge(record)
    watched = [r for r in sent.values() if r.status != "closed" and (
        r.deadline_at is None or r.deadline_at >= now - WATCH_AFTER_DEADLINE)]
    groups = listing_groups(engine, [m.id for m in matches] + [r.listing_id for r in watched])

    # Changed since sent: compare each watched listing with the values it was sent with.
    changed: dict[int, Entry] = {}
    for record in watched:
        group = groups.get(record.listing_id)
        if not group:
            continue  # deleted since
        listing = next(m for m in group if m.id == record.listing_id)
        if not _changed(record, listing, now):
            continue
        root = group[0]
        entry = changed.get(root.id)
        if entry is None or listing.id == root.id:  # the group's own record explains best
            changed[root.id] = Entry("changed", root, group[1:], changed=listing, previous={
                "deadline_at": record.deadline_at, "status": record.status})

    new: list[Entry] = []
    closing: list[Entry] = []
    for match in matches:
        group = groups.get(match.id)
        if not group or group[0].id in changed:
            continue
        root = group[0]
        records = [sent[m.id] for m in group if m.id in sent]
        if not records:
            if root.status == "open":
                new.append(Entry("new", root, group[1:]))
        elif closing_soon(root, now) and not any(
                r.reminded_deadline_at == root.deadline_at for r in records):
            closing.append(Entry("closing", root, group[1:]))
    digest.entries = [*new, *changed.values(), *closing]
    if digest.entries:
        digest.broken_sources = broken_source_lines(engine, config)
    return digest


# --- The outbox ------------------------------------------------------------------------------

def new_message_id(sender_domain: str) -> str:
    """A fresh Message-ID (tests replace this function to get deterministic ones)."""
    return f"<digest.{uuid.uuid4().hex}@{sender_domain}>"


def _sender_domain(config: Config) -> str:
    domain = envelope_sender(config.smtp).rpartition("@")[2]
    return domain if re.fullmatch(r"[A-Za-z0-9.-]+", domain or "") else "localhost"


def queue_digest(engine: Engine, digest: Digest, config: Config) -> AlertDelivery:
    """Build the message once and commit it to the outbox as ``pending``."""
    message_id = new_message_id(_sender_domain(config))
    message = build_message(digest, sender=config.smtp.sender, message_id=message_id)
    delivery = AlertDelivery(
        alert_id=digest.alert_id, message_id=message_id, created_at=digest.now,
        status="pending", subject=subject_line(digest), recipients=list(digest.recipients),
        delivered_to=[], refused={}, counts=digest.counts(), entries=_outbox_entries(digest),
        message=message, attempts=0)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.add(delivery)
    return delivery


def _record_sent(session: Session, delivery: AlertDelivery, now: datetime) -> int:
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
    return len(rows)


def _finish(engine: Engine, delivery_id: int, now: datetime, *, status: str,
            delivered: list[str], refused: dict[str, str], error: str | None) -> None:
    """Close a delivery; when ``sent``, record what it held in the same transaction."""
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


def _progress(engine: Engine, delivery_id: int, *, delivered: list[str],
              refused: dict[str, str], error: str | None, failed: bool = False) -> None:
    with Session(engine) as session, session.begin():
        delivery = session.get(AlertDelivery, delivery_id)
        assert delivery is not None
        delivery.delivered_to = delivered
        delivery.refused = refused
        delivery.last_error = error
        if failed:
            delivery.status = "failed"


@dataclass
class Attempt:
    message_id: str
    outcome: str  # sent | pending | failed
    delivered: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def deliver(engine: Engine, delivery: AlertDelivery, config: Config, now: datetime, *,
            ssl_context: Any = None) -> Attempt:
    """Send a stored delivery to those who have not accepted it yet; record the outcome."""
    delivered = list(delivery.delivered_to or [])
    refused = dict(delivery.refused or {})
    remaining = [r for r in delivery.recipients if r not in delivered and r not in refused]
    attempts = (delivery.attempts or 0) + 1
    with Session(engine) as session, session.begin():
        row = session.get(AlertDelivery, delivery.id)
        assert row is not None
        row.attempts = attempts
        row.last_attempt_at = now
    try:
        result = send_message(config.smtp, delivery.message, remaining, ssl_context=ssl_context)
    except SmtpFailure as exc:
        give_up = exc.permanent and not delivered
        _progress(engine, delivery.id, delivered=delivered, refused=refused, error=str(exc),
                  failed=give_up)
        logger.warning("digest %s not sent: %s", delivery.message_id, exc)
        return Attempt(delivery.message_id, "failed" if give_up else "pending",
                       delivered, refused, str(exc))
    delivered += result.accepted
    refused |= result.refused_permanently()
    later = result.refused_temporarily()
    if later and attempts >= MAX_ATTEMPTS:
        refused |= {a: f"{reply} (given up after {attempts} attempts)"
                    for a, reply in later.items()}
        later = {}
    error = "; ".join(f"{a}: {r}" for a, r in (refused | later).items()) or None
    if later:  # retried with this same message at the next run
        _progress(engine, delivery.id, delivered=delivered, refused=refused, error=error)
        return Attempt(delivery.message_id, "pending", delivered, refused | later, error)
    if not delivered:  # everyone refused it for good: nothing was sent, nothing is marked
        _finish(engine, delivery.id, now, status="failed", delivered=delivered,
                refused=refused, error=error)
        return Attempt(delivery.message_id, "failed", delivered, refused, error)
    _finish(engine, delivery.id, now, status="sent", delivered=delivered, refused=refused,
            error=error)
    return Attempt(delivery.message_id, "sent", delivered, refused, error)


# --- Runs ------------------------------------------------------------------------------------

@dataclass
class AlertRun:
    """What one run did for one alert."""

    alert: str
    outcome: str = "nothing"  # sent | nothing | not-due | pending | failed | busy | dry-run
    attempts: list[Attempt] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    error: str | None = None

    def describe(self) -> str:
        counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(self.counts.items()))
        parts = [f"{self.alert}: {self.outcome}"]
        if counts:
            parts.append(f"({counts})")
        for attempt in self.attempts:
            if attempt.delivered:
                parts.append(f"{attempt.message_id} accepted for {', '.join(attempt.delivered)}")
            for address, reply in attempt.refused.items():
                parts.append(f"{address} refused: {reply}")
            if attempt.error and not attempt.refused:
                parts.append(attempt.error)
        if self.error:
            parts.append(self.error)
        parts += [f"wrote {path}" for path in self.files]
        return " — ".join(parts)


@dataclass
class DigestRunSummary:
    runs: list[AlertRun] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(1 for run in self.runs for a in run.attempts if a.outcome == "sent")

    @property
    def failed(self) -> list[AlertRun]:
        return [run for run in self.runs if run.outcome in ("failed", "pending")]

    @property
    def ok(self) -> bool:
        return not self.failed and not any(a.refused for r in self.runs for a in r.attempts)

    def __str__(self) -> str:
        done = [run for run in self.runs if run.outcome != "not-due"]
        return (f"{self.sent} digest(s) sent, {len(self.failed)} alert(s) failing"
                + "".join(f"\n  {run.describe()}" for run in done))


def _pending(engine: Engine, alert_id: int) -> list[AlertDelivery]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(
            select(AlertDelivery).where(AlertDelivery.alert_id == alert_id,
                                        AlertDelivery.status == "pending")
            .order_by(AlertDelivery.id)))


def _mark_run(engine: Engine, alert_id: int, now: datetime) -> None:
    with Session(engine) as session, session.begin():
        alert = session.get(Alert, alert_id)
        if alert is not None:
            alert.last_run_at = now


def _slug(name: str) -> str:
    from unidecode import unidecode

    return re.sub(r"[^A-Za-z0-9]+", "-", unidecode(name)).strip("-").lower() or "alert"


def write_dry_run(engine: Engine, alert: Alert, config: Config, now: datetime,
                  out: Path) -> AlertRun:
    """Write what a run would send as .eml files: nothing is sent, stored or marked."""
    run = AlertRun(alert.name, "dry-run")
    out.mkdir(parents=True, exist_ok=True)
    stamp = now.astimezone(LOCAL_TZ).strftime("%Y%m%d-%H%M%S")
    for delivery in _pending(engine, alert.id):
        path = out / f"{_slug(alert.name)}-{stamp}-pending-{delivery.id}.eml"
        path.write_bytes(delivery.message)
        run.files.append(path)
    digest = build_digest(engine, alert, now, config)
    run.counts = digest.counts()
    if not digest.empty:
        message_id = new_message_id(_sender_domain(config))
        path = out / f"{_slug(alert.name)}-{stamp}.eml"
        path.write_bytes(build_message(digest, sender=config.smtp.sender,
                                       message_id=message_id))
        run.files.append(path)
    return run


def run_alert(engine: Engine, config: Config, alert: Alert, now: datetime, *,
              force: bool = False, ssl_context: Any = None) -> AlertRun:
    """Send what the alert has pending, then — when due (or ``force``) — its new digest."""
    tz = ZoneInfo(config.schedule.timezone)  # when the alert is due, not how it reads
    run = AlertRun(alert.name)
    for delivery in _pending(engine, alert.id):
        attempt = deliver(engine, delivery, config, now, ssl_context=ssl_context)
        run.attempts.append(attempt)
        run.counts = dict(delivery.counts)
        if attempt.outcome != "sent":
            # An older digest is not out yet: building a new one now could repeat its
            # listings. It goes first, at the next run.
            run.outcome = attempt.outcome
            return run
    if not (force or is_due(alert, now, tz)):
        run.outcome = "sent" if run.attempts else "not-due"
        return run
    digest = build_digest(engine, alert, now, config)
    if digest.empty:
        _mark_run(engine, alert.id, now)
        run.outcome = "sent" if run.attempts else "nothing"
        return run
    delivery = queue_digest(engine, digest, config)
    logger.info("digest %s for alert %s: %s, to %s via %s", delivery.message_id, alert.name,
                delivery.subject, ", ".join(delivery.recipients), describe(config.smtp))
    attempt = deliver(engine, delivery, config, now, ssl_context=ssl_context)
    run.attempts.append(attempt)
    run.counts = digest.counts()
    run.outcome = attempt.outcome
    return run


def send_due_digests(engine: Engine, config: Config, now: datetime | None = None, *,
                     names: Iterable[str] | None = None, force: bool = False,
                     dry_run: Path | None = None, ssl_context: Any = None,
                     ) -> DigestRunSummary:
    """Send every alert's pending digests, and the new digest of each alert that is due.

    The scheduler's post-crawl step. ``names`` limits the run to those alerts, ``force``
    ignores ``--every`` (``alerts run``), ``dry_run`` writes .eml files there instead of
    sending (nothing stored, nothing marked). One alert failing does not stop the others.
    """
    from aggregator.store.locks import held_lock, new_owner

    now = now or datetime.now(UTC)
    wanted = set(names) if names is not None else None
    summary = DigestRunSummary()
    owner = new_owner()
    for alert in list_alerts(engine):
        if wanted is not None and alert.name not in wanted:
            continue
        try:
            if dry_run is not None:
                summary.runs.append(write_dry_run(engine, alert, config, now, dry_run))
                continue
            with held_lock(engine, f"alert:{alert.id}", owner, lease=LOCK_LEASE) as held:
                if not held:
                    summary.runs.append(AlertRun(alert.name, "busy",
                                                 error="another process is sending it"))
                    continue
                summary.runs.append(run_alert(engine, config, alert, now, force=force,
                                              ssl_context=ssl_context))
        except Exception as exc:  # reported; the other alerts still run
            logger.exception("alert %s failed", alert.name)
            summary.runs.append(AlertRun(alert.name, "failed",
                                         error=f"{type(exc).__name__}: {exc}"))
    for run in summary.runs:
        if run.outcome != "not-due":
            log = logger.warning if run.outcome in ("failed", "pending") else logger.info
            log("alert %s", run.describe())
    return summary


def preview(engine: Engine, config: Config, alert: Alert, now: datetime | None = None,
            ) -> tuple[Digest, Callable[[], str]]:
    """What the alert would send now, and a function rendering its text part."""
    from aggregator.mail.render import digest_view, render_text

    digest = build_digest(engine, alert, now or datetime.now(UTC), config)
    return digest, lambda: render_text(digest_view(digest))
