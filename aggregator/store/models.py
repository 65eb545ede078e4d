"""The schema: listings, their change history, cross-source keys, CPV codes and crawl runs.

Alembic migrations in ``db/versions`` are the schema's history; these models are its
current shape. Every instant is stored in UTC and read back timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Unicode,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from aggregator.store.run_outcome import RunOutcome

# Indexes follow the filters; a column led by a composite index has none of its own.
# Stable constraint names, so Alembic batch migrations on SQLite can find them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, UTC stored, aware UTC out (SQLite has no time zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: every instant must be aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic autogenerate filter: the full-text tables, PostgreSQL's generated tsvector
    columns (``fts_*``) and their indexes are made by hand (op.execute), so they must not
    look like things to drop."""
    if name is None:
        return True
    if type_ == "column":
        return not name.startswith("fts_")
    return not (type_ in ("table", "index") and "_fts" in name)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Listing(Base):
    __tablename__ = "listings"
    __table_args__ = (
        # Also serves every "source = ?" lookup (expiry by scope). No other index may start
        # with source: before its first ANALYZE, PostgreSQL would pick it for the writer's
        # "source = ? AND source_id IN (...)" and read the whole source on every batch.
        UniqueConstraint("source", "source_id", name="uq_listings_source_source_id"),
        Index("ix_listings_status_deadline", "status", "deadline_at"),
        Index("ix_listings_kind_published", "kind", "published_at"),
        Index("ix_listings_buyer_awarded", "buyer_id", "awarded_at"),
        # renewals in a department: the contracts ending in the window, in end order
        Index("ix_listings_department_ends", "department", "ends_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(512))
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    organization: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)

    city: Mapped[str | None] = mapped_column(String(120))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    insee_code: Mapped[str | None] = mapped_column(String(5))  # see SEARCH_ORDER
    department: Mapped[str | None] = mapped_column(String(3))  # see SEARCH_ORDER
    region: Mapped[str | None] = mapped_column(String(3))  # see SEARCH_ORDER
    country: Mapped[str | None] = mapped_column(String(2))  # see SEARCH_ORDER
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    modified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    deadline_time_given: Mapped[bool | None] = mapped_column(Boolean)

    contract_type: Mapped[str | None] = mapped_column(String(20), index=True)
    working_time: Mapped[str | None] = mapped_column(String(12))
    salary_min: Mapped[float | None] = mapped_column(Float)
    salary_max: Mapped[float | None] = mapped_column(Float)
    salary_currency: Mapped[str | None] = mapped_column(String(3))
    salary_period: Mapped[str | None] = mapped_column(String(8))
    salary_basis: Mapped[str | None] = mapped_column(String(6))

    cpv: Mapped[list[str]] = mapped_column(JSONType, default=list)
    procedure: Mapped[str | None] = mapped_column(String(120))
    contract_nature: Mapped[str | None] = mapped_column(String(40))
    estimated_value: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))
    lots: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)

    # awards (DECP): what the buyer notified; see docs/awards.md
    buyer_id: Mapped[str | None] = mapped_column(String(20))
    suppliers: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list, nullable=True)
    amount: Mapped[float | None] = mapped_column(Float)
    awarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    duration_months: Mapped[int | None] = mapped_column(Integer)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    nature: Mapped[str | None] = mapped_column(String(80))
    offers_received: Mapped[int | None] = mapped_column(Integer)

    status: Mapped[str] = mapped_column(String(10), default="open")
    notice_type: Mapped[str | None] = mapped_column(String(60))
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    raw: Mapped[Any] = mapped_column(JSONType, nullable=True)
    content_hash: Mapped[str] = mapped_column(String(32))

    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scope: Mapped[str | None] = mapped_column(String(200))
    # consecutive complete crawls of its source that did not see it (jobs expire after 2)
    missed_crawls: Mapped[int] = mapped_column(Integer, default=0)
    # set on a listing that another source's listing already stands for (cross-source duplicate)
    duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("listings.id", ondelete="SET NULL"), index=True)
    starred: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)


# Search reads a page in its default order (deadline soonest first, no deadline last, then
# newest) straight from an index instead of sorting every match: one index for "all open"
# and one per place level, each leading with the column the place filter compares
# (aggregator/query). They replace the plain indexes of these columns.
SEARCH_ORDER = (Listing.status, Listing.deadline_at.is_(None), Listing.deadline_at,
                Listing.published_at.desc())
Index("ix_listings_search_open", *SEARCH_ORDER)
# "this buyer before" finds a tender's buyer among the awards by name (tenders seldom carry
# the SIRET): awards only, case folded
Index("ix_listings_award_organization", func.lower(Listing.organization),
      sqlite_where=Listing.kind == "award", postgresql_where=Listing.kind == "award")
for _place in ("insee_code", "department", "region", "country"):
    Index(f"ix_listings_search_{_place}", Listing.__table__.c[_place], *SEARCH_ORDER)


class ListingChange(Base):
    """One field of one listing changed by a re-crawl (or a corrigendum): old and new value."""

    __tablename__ = "listing_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSONType, nullable=True)


class ListingCpv(Base):
    """CPV codes one per row, so a prefix filter (`45` → `45310000`) is an index range scan."""

    __tablename__ = "listing_cpv"
    # the ids of a code range from the index alone, without a table lookup per code
    __table_args__ = (Index("ix_listing_cpv_code_listing", "code", "listing_id"),)

    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)


class ListingDescriptor(Base):
    """A source's own keywords (BOAMP descriptors) one per row, for the ``descriptor:`` filter:
    by the source's code or by the label's folded form (``voirie`` finds "Voirie")."""

    __tablename__ = "listing_descriptors"

    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    folded: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    code: Mapped[str | None] = mapped_column(String(20), index=True)
    label: Mapped[str] = mapped_column(String(200))


class AwardSupplier(Base):
    """The suppliers of an award, one per row, so a supplier's wins are an index lookup."""

    __tablename__ = "award_suppliers"

    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    supplier_id: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class ListingKey(Base):
    """Keys that identify the same offer or procedure across sources (duplicates)."""

    __tablename__ = "listing_keys"

    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True, index=True)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    __table_args__ = (Index("ix_crawl_runs_source_started", "source", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the outcome's text in a VARCHAR (no database enum type: a new outcome needs no migration)
    outcome: Mapped[RunOutcome] = mapped_column(
        Enum(RunOutcome, native_enum=False, length=20,
             values_callable=lambda outcomes: [outcome.value for outcome in outcomes]),
        default=RunOutcome.RUNNING, index=True)
    # the whole crawl went without error or cap (expiry itself goes by the scopes a crawl
    # listed completely: aggregator.crawling.extensions.CrawlRunRecorder)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    items_seen: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    items_updated: Mapped[int] = mapped_column(Integer, default=0)
    items_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    items_dropped: Mapped[int] = mapped_column(Integer, default=0)
    dropped_reasons: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    error_summary: Mapped[str | None] = mapped_column(Text)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    finish_reason: Mapped[str | None] = mapped_column(String(60))
    args: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    stats: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # the process that owns the run while it is ``running`` (aggregator.store.owners): a
    # run whose owner is gone is closed ``interrupted``; no pid: owned by distributed workers
    host: Mapped[str | None] = mapped_column(String(120))
    pid: Mapped[int | None] = mapped_column(Integer)
    pid_started: Mapped[float | None] = mapped_column(Float)  # the process's start time
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # read a replay set, not the source: settles no schedule, says nothing of its health
    replayed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class SchedulerLock(Base):
    """A named lock shared by every process on the database (aggregator.store.locks).

    A scheduler takes ``crawl:SOURCE`` before crawling a source, so two schedulers on one
    database never run the same crawl twice; a holder that dies stops renewing and its lock
    is free again once ``expires_at`` has passed.
    """

    __tablename__ = "scheduler_locks"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the holding process (aggregator.store.owners): gone from this host, the lock is free
    host: Mapped[str | None] = mapped_column(String(120))
    pid: Mapped[int | None] = mapped_column(Integer)
    pid_started: Mapped[float | None] = mapped_column(Float)


class SchedulerJob(Base):
    """APScheduler 3's SQLAlchemyJobStore table (`aggregator schedule`), declared here with
    APScheduler's own column types so that the schema stays in Alembic's hands."""

    __tablename__ = "scheduler_jobs"

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)


class Alert(Base):
    """A saved search (aggregator.mail.alerts): a query in the filter's compact text form,
    who receives its digests and how often."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    query: Mapped[str] = mapped_column(Text)
    recipients: Mapped[list[str]] = mapped_column(JSONType, default=list)
    every: Mapped[str] = mapped_column(String(10), default="daily")  # daily | weekly | HH:MM
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the last run that completed (sent its digest, or found nothing to send)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AlertDelivery(Base):
    """The outbox: one digest, built once and stored (with its Message-ID) before sending.

    ``message`` holds the exact bytes sent, so a retry sends the very same message.
    ``entries`` says what to record as sent once the SMTP server has accepted it.
    """

    __tablename__ = "alert_deliveries"
    __table_args__ = (Index("ix_alert_deliveries_alert_status", "alert_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sent | failed
    subject: Mapped[str] = mapped_column(Text)
    recipients: Mapped[list[str]] = mapped_column(JSONType, default=list)
    delivered_to: Mapped[list[str]] = mapped_column(JSONType, default=list)
    refused: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)  # address → reply
    counts: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    entries: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    message: Mapped[bytes] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AlertSent(Base):
    """A listing an alert has sent, with its deadline and status as sent ("changed since")."""

    __tablename__ = "alert_sent"

    alert_id: Mapped[int] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True, index=True)
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_deliveries.id", ondelete="SET NULL"), index=True)
    first_sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10))
    # the deadline a "closing within 7 days" reminder was sent for (one reminder per deadline)
    reminded_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StoreState(Base):
    """Facts about the whole store, by name (aggregator/store/state.py): e.g. the instant
    the recorded listings it holds were recorded, when it holds a replay."""

    __tablename__ = "store_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
