"""What a digest holds, for one alert at one moment (read-only: nothing is stored or marked).

- **new**: every listing the alert's query matches (``aggregator.query``) that the alert has
  never sent, open listings only. Cross-source duplicates are one entry: the listing that
  stands for the group (``duplicate_of`` NULL) with all its sources; a group counts as sent
  as soon as any of its listings was sent, so a new source for it never re-sends it.
- **changed**: listings already sent whose deadline or status differs from what was sent
  (a moved deadline, a cancellation), marked with the old and new value — whether or not
  they still match. A listing closing because its deadline passed is not a change.
- **closing within 7 days**: matches already sent whose deadline is still ahead and at
  most 7 local calendar days away (``aggregator.presentation.closing_soon``, what
  ``deadline<7d`` matches), once per deadline (a listing first sent within those days counts
  as reminded).
- a line for each **broken source**, handed in by the caller (the scheduler's step and the
  CLI read them from the sources' health), so a silent source is not mistaken for "nothing
  new". Such lines alone do not make a digest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from aggregator.mail.alerts import matching, parse_query
from aggregator.presentation import closing_soon
from aggregator.query import listing_groups
from aggregator.query.awards import past_awards
from aggregator.query.records import ListingRecord
from aggregator.query.why import Why, explain
from aggregator.store.batches import batched
from aggregator.store.models import Alert, AlertSent
from aggregator.store.outbox import sent_records
from aggregator.store.status import deadline_passed

# Sent listings are watched for changes while recorded open and not long past their deadline.
WATCH_AFTER_DEADLINE = timedelta(days=30)

# The lines naming broken sources, asked for only when a digest has something to send.
BrokenSources = Callable[[], list[str]]


@dataclass
class Entry:
    """One listing group in a digest: the listing standing for it and its other sources."""

    section: str  # "new" | "changed" | "closing"
    listing: ListingRecord
    members: list[ListingRecord] = field(default_factory=list)
    # for "changed": the values as sent, and the listing of the group whose values changed
    previous: dict[str, Any] | None = None
    changed: ListingRecord | None = None
    why: Why | None = None  # why it matches the alert's query
    # a new tender's buyer before: its past awards of the kind (aggregator.query.awards)
    buyer_before: list[ListingRecord] = field(default_factory=list)

    def group(self) -> list[ListingRecord]:
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

    def outbox_entries(self) -> list[dict[str, Any]]:
        """What to record once the digest is accepted (``aggregator.store.outbox``): every
        listing of every group, with the deadline and status it was sent with, and the
        deadline it was reminded of."""
        rows = []
        for entry in self.entries:
            remind = entry.listing.deadline_at if closing_soon(entry.listing, self.now) else None
            rows.append({
                "section": entry.section,
                "listing_id": entry.listing.id,
                "records": [[m.id, _iso(m.deadline_at), m.status] for m in entry.group()],
                "remind": _iso(remind),
            })
        return rows


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _natural_closure(record: AlertSent, listing: ListingRecord, now: datetime) -> bool:
    return (record.status == "open" and listing.status == "closed"
            and record.deadline_at == listing.deadline_at
            and deadline_passed(listing.deadline_at, now))


def _changed(record: AlertSent, listing: ListingRecord, now: datetime) -> bool:
    if record.deadline_at == listing.deadline_at and record.status == listing.status:
        return False
    return not _natural_closure(record, listing, now)


def build_digest(engine: Engine, alert: Alert, now: datetime,
                 broken_sources: BrokenSources | None = None) -> Digest:
    """What the alert would send at ``now``; ``broken_sources`` gives the lines naming the
    broken sources (asked only when there is something to send)."""
    digest = Digest(alert.id, alert.name, alert.query, list(alert.recipients), now)
    sent = sent_records(engine, alert.id)
    watched = [r for r in sent.values() if r.status != "closed" and (
        r.deadline_at is None or r.deadline_at >= now - WATCH_AFTER_DEADLINE)]
    groups = listing_groups(engine, [r.listing_id for r in watched])

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
    # the matches are read in batches, their groups loaded a batch at a time
    for match_ids in batched(matching(engine, alert.query, now)):
        groups = listing_groups(engine, match_ids)
        for match_id in match_ids:
            group = groups.get(match_id)
            if not group or group[0].id in changed:
                continue
            root = group[0]
            records = [sent[m.id] for m in group if m.id in sent]
            if not records:
                # an award is never open: an alert on awards (renewals) sends each one once
                if root.status == "open" or root.kind == "award":
                    new.append(Entry("new", root, group[1:], buyer_before=past_awards(
                        engine, root.buyer_id, root.organization, root.cpv or (), limit=3)
                        if root.kind == "tender" else []))
            elif closing_soon(root, now) and not any(
                    r.reminded_deadline_at == root.deadline_at for r in records):
                closing.append(Entry("closing", root, group[1:]))
    digest.entries = [*new, *changed.values(), *closing]
    whys = explain(engine, parse_query(alert.query), [e.listing for e in digest.entries], now=now)
    for entry in digest.entries:
        entry.why = whys[entry.listing.id]
    if digest.entries and broken_sources is not None:
        digest.broken_sources = broken_sources()
    return digest
