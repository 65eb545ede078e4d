"""Sending digests: built once, kept in an outbox, recorded as sent atomically.

What a digest holds is ``contents``' job, the message ``render``'s, the outbox rows
``aggregator.store.outbox``'s. The guarantees — never missed, never sent twice:

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

``send_due_digests(engine, config, now=...)`` is what the scheduler calls after crawls (with
the lines naming broken sources, from their health).
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
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from aggregator.config import LOCAL_TZ, Config
from aggregator.i18n import _, pgettext
from aggregator.mail.alerts import is_due
from aggregator.mail.contents import BrokenSources, Digest, build_digest
from aggregator.mail.render import (
    build_message,
    count_words,
    digest_view,
    render_text,
    subject_line,
)
from aggregator.mail.smtp import (
    SmtpFailure,
    describe,
    envelope_sender,
    error_text,
    send_message,
)
from aggregator.store.alerts import list_alerts
from aggregator.store.locks import held_lock, new_owner
from aggregator.store.models import Alert, AlertDelivery
from aggregator.store.outbox import (
    finish_delivery,
    mark_run,
    pending_deliveries,
    queue_delivery,
    record_attempt,
    record_progress,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # of a delivery some recipients keep refusing temporarily (4xx)
LOCK_LEASE = timedelta(minutes=2)


# --- Into the outbox -------------------------------------------------------------------------

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
    return queue_delivery(
        engine, alert_id=digest.alert_id, message_id=message_id, created_at=digest.now,
        subject=subject_line(digest), recipients=digest.recipients, counts=digest.counts(),
        entries=digest.outbox_entries(), message=message)


# --- Sending one delivery --------------------------------------------------------------------

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
    record_attempt(engine, delivery.id, attempts=attempts, now=now)
    try:
        result = send_message(config.smtp, delivery.message, remaining, ssl_context=ssl_context)
    except SmtpFailure as exc:
        give_up = exc.permanent and not delivered
        record_progress(engine, delivery.id, delivered=delivered, refused=refused,
                        error=str(exc), failed=give_up)
        # the alert's run line says it to the reader (run_alerts), in their language
        logger.info("digest %s not sent: %s", delivery.message_id, exc)
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
        record_progress(engine, delivery.id, delivered=delivered, refused=refused, error=error)
        return Attempt(delivery.message_id, "pending", delivered, refused | later, error)
    if not delivered:  # everyone refused it for good: nothing was sent, nothing is marked
        finish_delivery(engine, delivery.id, now, status="failed", delivered=delivered,
                        refused=refused, error=error)
        return Attempt(delivery.message_id, "failed", delivered, refused, error)
    finish_delivery(engine, delivery.id, now, status="sent", delivered=delivered,
                    refused=refused, error=error)
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
        """One line in the reader's language: ``Électricité 13 : envoyé — (2 nouvelles
        offres) — <id> accepté pour achats@example.fr``."""
        outcomes = {"sent": pgettext("alert run", "sent"),
                    "nothing": pgettext("alert run", "nothing new"),
                    "not-due": pgettext("alert run", "not due"),
                    "pending": pgettext("alert run", "pending"),
                    "failed": pgettext("alert run", "failed"),
                    "busy": pgettext("alert run", "busy"),
                    "dry-run": pgettext("alert run", "dry run")}
        parts = [_("%(alert)s: %(outcome)s") % {
            "alert": self.alert, "outcome": outcomes.get(self.outcome, self.outcome)}]
        if counts := count_words(self.counts):
            parts.append(f"({', '.join(counts)})")
        for attempt in self.attempts:
            if attempt.delivered:
                parts.append(_("%(message)s accepted for %(addresses)s") % {
                    "message": attempt.message_id, "addresses": ", ".join(attempt.delivered)})
            for address, reply in attempt.refused.items():
                parts.append(_("%(address)s refused: %(reply)s")
                             % {"address": address, "reply": reply})
            if attempt.error and not attempt.refused:
                parts.append(error_text(attempt.error))
        if self.error:
            parts.append(self.error)
        parts += [_("wrote %(path)s") % {"path": path} for path in self.files]
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


def _slug(name: str) -> str:
    from unidecode import unidecode

    return re.sub(r"[^A-Za-z0-9]+", "-", unidecode(name)).strip("-").lower() or "alert"


def write_dry_run(engine: Engine, alert: Alert, config: Config, now: datetime, out: Path, *,
                  broken_sources: BrokenSources | None = None) -> AlertRun:
    """Write what a run would send as .eml files: nothing is sent, stored or marked."""
    run = AlertRun(alert.name, "dry-run")
    out.mkdir(parents=True, exist_ok=True)
    stamp = now.astimezone(LOCAL_TZ).strftime("%Y%m%d-%H%M%S")
    for delivery in pending_deliveries(engine, alert.id):
        path = out / f"{_slug(alert.name)}-{stamp}-pending-{delivery.id}.eml"
        path.write_bytes(delivery.message)
        run.files.append(path)
    digest = build_digest(engine, alert, now, broken_sources)
    run.counts = digest.counts()
    if not digest.empty:
        message_id = new_message_id(_sender_domain(config))
        path = out / f"{_slug(alert.name)}-{stamp}.eml"
        path.write_bytes(build_message(digest, sender=config.smtp.sender,
                                       message_id=message_id))
        run.files.append(path)
    return run


def run_alert(engine: Engine, config: Config, alert: Alert, now: datetime, *,
              force: bool = False, ssl_context: Any = None,
              broken_sources: BrokenSources | None = None) -> AlertRun:
    """Send what the alert has pending, then — when due (or ``force``) — its new digest."""
    tz = ZoneInfo(config.schedule.timezone)  # when the alert is due, not how it reads
    run = AlertRun(alert.name)
    for delivery in pending_deliveries(engine, alert.id):
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
    digest = build_digest(engine, alert, now, broken_sources)
    if digest.empty:
        mark_run(engine, alert.id, now)
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
                     broken_sources: BrokenSources | None = None,
                     log: bool = True) -> DigestRunSummary:
    """Send every alert's pending digests, and the new digest of each alert that is due.

    What the scheduler's steps call. ``names`` limits the run to those alerts, ``force``
    ignores ``--every`` (``alerts run``), ``dry_run`` writes .eml files there instead of
    sending (nothing stored, nothing marked). ``broken_sources`` gives the lines naming
    broken sources, asked once, when a digest has something to send. One alert failing does
    not stop the others. Each alert's line is logged (the scheduler's console and log file)
    unless ``log`` is false: a command that prints the lines itself, where Python's
    last-resort handler would print them a second time, a failure's traceback included.
    """
    now = now or datetime.now(UTC)
    wanted = set(names) if names is not None else None
    broken = cache(broken_sources) if broken_sources is not None else None
    summary = DigestRunSummary()
    owner = new_owner()
    for alert in list_alerts(engine):
        if wanted is not None and alert.name not in wanted:
            continue
        try:
            if dry_run is not None:
                summary.runs.append(write_dry_run(engine, alert, config, now, dry_run,
                                                  broken_sources=broken))
                continue
            with held_lock(engine, f"alert:{alert.id}", owner, lease=LOCK_LEASE) as held:
                if not held:
                    summary.runs.append(AlertRun(alert.name, "busy",
                                                 error="another process is sending it"))
                    continue
                summary.runs.append(run_alert(engine, config, alert, now, force=force,
                                              ssl_context=ssl_context, broken_sources=broken))
        except Exception as exc:  # reported; the other alerts still run
            if log:
                logger.exception("alert %s failed", alert.name)
            summary.runs.append(AlertRun(alert.name, "failed",
                                         error=f"{type(exc).__name__}: {exc}"))
    for run in summary.runs if log else ():
        if run.outcome != "not-due":
            emit = logger.warning if run.outcome in ("failed", "pending") else logger.info
            emit("alert %s", run.describe())
    return summary


def preview(engine: Engine, alert: Alert, now: datetime | None = None, *,
            broken_sources: BrokenSources | None = None) -> tuple[Digest, Callable[[], str]]:
    """What the alert would send now, and a function rendering its text part."""
    digest = build_digest(engine, alert, now or datetime.now(UTC), broken_sources)
    return digest, lambda: render_text(digest_view(digest))
