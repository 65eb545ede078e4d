"""The schema as SQLAlchemy Core tables: listings, their change history, cross-source keys,
CPV codes, crawl runs, locks, saved searches and their outbox.

Alembic migrations in ``db/versions`` are the schema's history; these tables are its
current shape. The reading commands (`list`, `search`, `show`, exports) build their
statements on these tables and read rows, without loading the ORM (a quarter of their
start-up); the writers' ORM classes in :mod:`aggregator.store.models` map onto the same
tables. Every instant is stored in UTC and read back timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeDecorator, TypeEngine

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

metadata = MetaData(naming_convention=NAMING_CONVENTION)


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


class JSONType(TypeDecorator[Any]):
    """JSON, stored as JSONB on PostgreSQL. PostgreSQL's dialect is imported only once a
    PostgreSQL engine asks for it (``JSON().with_variant(JSONB())`` imported it on every
    SQLite command)."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic autogenerate filter: the full-text tables, PostgreSQL's tsvector
    columns (``fts_*``) and their indexes are made by hand (op.execute), so they must not
    look like things to drop."""
    if name is None:
        return True
    if type_ == "column":
        return not name.startswith("fts_")
    return not (type_ in ("table", "index") and "_fts" in name)


def _required(name: str, type_: Any, *args: Any, **kwargs: Any) -> Column[Any]:
    return Column(name, type_, *args, nullable=False, **kwargs)


listings = Table(
    "listings", metadata,
    Column("id", Integer, primary_key=True),
    _required("kind", String(8)),
    _required("source", String(40)),
    _required("source_id", String(512)),
    _required("url", Text),
    _required("title", Text),
    Column("organization", Text),
    Column("description", Text),

    Column("city", String(120)),
    Column("postal_code", String(10)),
    Column("insee_code", String(5)),  # see SEARCH_ORDER
    Column("department", String(3)),  # see SEARCH_ORDER
    Column("region", String(3)),  # see SEARCH_ORDER
    Column("country", String(2)),  # see SEARCH_ORDER
    _required("remote", Boolean, default=False),
    Column("latitude", Float),
    Column("longitude", Float),

    _required("published_at", UTCDateTime, index=True),
    Column("modified_at", UTCDateTime),
    Column("deadline_at", UTCDateTime, index=True),
    Column("deadline_time_given", Boolean),

    Column("contract_type", String(20), index=True),
    Column("working_time", String(12)),
    Column("salary_min", Float),
    Column("salary_max", Float),
    Column("salary_currency", String(3)),
    Column("salary_period", String(8)),
    Column("salary_basis", String(6)),

    _required("cpv", JSONType, default=list),
    Column("procedure", String(120)),
    Column("contract_nature", String(40)),
    Column("estimated_value", Float),
    Column("currency", String(3)),
    _required("lots", JSONType, default=list),

    # awards (DECP): what the buyer notified; see docs/awards.md
    Column("buyer_id", String(20)),
    Column("suppliers", JSONType, default=list),
    Column("amount", Float),
    Column("awarded_at", UTCDateTime, index=True),
    Column("duration_months", Integer),
    Column("ends_at", UTCDateTime, index=True),
    Column("nature", String(80)),
    Column("offers_received", Integer),

    _required("status", String(10), default="open"),
    Column("notice_type", String(60)),
    _required("details", JSONType, default=dict),
    Column("raw", JSONType),
    _required("content_hash", String(32)),

    _required("first_seen_at", UTCDateTime, index=True),
    _required("last_seen_at", UTCDateTime),
    _required("updated_at", UTCDateTime),
    Column("scope", String(200)),
    # consecutive complete crawls of its source that did not see it (jobs expire after 2)
    _required("missed_crawls", Integer, default=0),
    # set on a listing that another source's listing already stands for (cross-source duplicate)
    Column("duplicate_of", ForeignKey("listings.id", ondelete="SET NULL"), index=True),
    _required("starred", Boolean, default=False),
    _required("hidden", Boolean, default=False),

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

# Search reads a page in its default order (deadline soonest first, no deadline last, then
# newest) straight from an index instead of sorting every match: one index for "all open"
# and one per place level, each leading with the column the place filter compares
# (aggregator/query). They replace the plain indexes of these columns.
SEARCH_ORDER = (listings.c.status, listings.c.deadline_at.is_(None), listings.c.deadline_at,
                listings.c.published_at.desc())
Index("ix_listings_search_open", *SEARCH_ORDER)
# ix_listings_award_organization is declared in aggregator.store.models: its
# ``postgresql_where`` would load PostgreSQL's dialect on every SQLite command.
for _place in ("insee_code", "department", "region", "country"):
    Index(f"ix_listings_search_{_place}", listings.c[_place], *SEARCH_ORDER)

# One field of one listing changed by a re-crawl (or a corrigendum): old and new value.
listing_changes = Table(
    "listing_changes", metadata,
    Column("id", Integer, primary_key=True),
    _required("listing_id", ForeignKey("listings.id", ondelete="CASCADE"), index=True),
    Column("run_id", ForeignKey("crawl_runs.id", ondelete="SET NULL")),
    _required("changed_at", UTCDateTime, index=True),
    _required("field", String(40)),
    Column("old_value", JSONType),
    Column("new_value", JSONType),
)

# CPV codes one per row, so a prefix filter (`45` → `45310000`) is an index range scan.
listing_cpv = Table(
    "listing_cpv", metadata,
    Column("listing_id", ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(10), primary_key=True),
    # the ids of a code range from the index alone, without a table lookup per code
    Index("ix_listing_cpv_code_listing", "code", "listing_id"),
)

# A source's own keywords (BOAMP descriptors) one per row, for the ``descriptor:`` filter:
# by the source's code or by the label's folded form (``voirie`` finds "Voirie").
listing_descriptors = Table(
    "listing_descriptors", metadata,
    Column("listing_id", ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True),
    Column("folded", String(200), primary_key=True, index=True),
    Column("code", String(20), index=True),
    _required("label", String(200)),
)

# The suppliers of an award, one per row, so a supplier's wins are an index lookup.
award_suppliers = Table(
    "award_suppliers", metadata,
    Column("listing_id", ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True),
    Column("supplier_id", String(40), primary_key=True, index=True),
)

# Keys that identify the same offer or procedure across sources (duplicates).
listing_keys = Table(
    "listing_keys", metadata,
    Column("listing_id", ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(300), primary_key=True, index=True),
)

crawl_runs = Table(
    "crawl_runs", metadata,
    Column("id", Integer, primary_key=True),
    _required("source", String(40)),
    _required("started_at", UTCDateTime),
    Column("finished_at", UTCDateTime),
    # the outcome's text in a VARCHAR (no database enum type: a new outcome needs no migration)
    _required("outcome", Enum(
        RunOutcome, native_enum=False, length=20,
        values_callable=lambda outcomes: [outcome.value for outcome in outcomes]),
        default=RunOutcome.RUNNING, index=True),
    # the whole crawl went without error or cap (expiry itself goes by the scopes a crawl
    # listed completely: aggregator.crawling.extensions.CrawlRunRecorder)
    _required("complete", Boolean, default=False),
    _required("items_seen", Integer, default=0),
    _required("items_new", Integer, default=0),
    _required("items_updated", Integer, default=0),
    _required("items_unchanged", Integer, default=0),
    _required("items_dropped", Integer, default=0),
    _required("dropped_reasons", JSONType, default=dict),
    _required("errors", Integer, default=0),
    Column("error_summary", Text),
    _required("requests", Integer, default=0),
    Column("finish_reason", String(60)),
    _required("args", JSONType, default=dict),
    _required("stats", JSONType, default=dict),
    # the process that owns the run while it is ``running`` (aggregator.store.owners): a
    # run whose owner is gone is closed ``interrupted``; no pid: owned by distributed workers
    Column("host", String(120)),
    Column("pid", Integer),
    Column("pid_started", Float),  # the process's start time
    Column("heartbeat_at", UTCDateTime),
    # read a replay set, not the source: settles no schedule, says nothing of its health
    _required("replayed", Boolean, default=False, server_default=false()),
    Index("ix_crawl_runs_source_started", "source", "started_at"),
)

# A named lock shared by every process on the database (aggregator.store.locks).
scheduler_locks = Table(
    "scheduler_locks", metadata,
    Column("name", String(200), primary_key=True),
    _required("owner", String(200)),
    _required("acquired_at", UTCDateTime),
    _required("expires_at", UTCDateTime),
    # the holding process (aggregator.store.owners): gone from this host, the lock is free
    Column("host", String(120)),
    Column("pid", Integer),
    Column("pid_started", Float),
)

# APScheduler 3's SQLAlchemyJobStore table (`aggregator schedule`), declared here with
# APScheduler's own column types so that the schema stays in Alembic's hands.
scheduler_jobs = Table(
    "scheduler_jobs", metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    _required("job_state", LargeBinary),
)

# A saved search (aggregator.mail.alerts): a query in the filter's compact text form, who
# receives its digests and how often.
alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True),
    _required("name", String(80), unique=True),
    _required("query", Text),
    _required("recipients", JSONType, default=list),
    _required("every", String(10), default="daily"),  # daily | weekly | HH:MM
    _required("created_at", UTCDateTime),
    _required("updated_at", UTCDateTime),
    # the last run that completed (sent its digest, or found nothing to send)
    Column("last_run_at", UTCDateTime),
    Column("last_sent_at", UTCDateTime),
)

# The outbox: one digest, built once and stored (with its Message-ID) before sending.
# ``message`` holds the exact bytes sent, so a retry sends the very same message.
# ``entries`` says what to record as sent once the SMTP server has accepted it.
alert_deliveries = Table(
    "alert_deliveries", metadata,
    Column("id", Integer, primary_key=True),
    _required("alert_id", ForeignKey("alerts.id", ondelete="CASCADE")),
    _required("message_id", String(255), unique=True),
    _required("created_at", UTCDateTime),
    _required("status", String(10), default="pending"),  # pending | sent | failed
    _required("subject", Text),
    _required("recipients", JSONType, default=list),
    _required("delivered_to", JSONType, default=list),
    _required("refused", JSONType, default=dict),  # address → reply
    _required("counts", JSONType, default=dict),
    _required("entries", JSONType, default=list),
    _required("message", LargeBinary),
    _required("attempts", Integer, default=0),
    Column("last_attempt_at", UTCDateTime),
    Column("last_error", Text),
    Column("sent_at", UTCDateTime),
    Index("ix_alert_deliveries_alert_status", "alert_id", "status"),
)

# A listing an alert has sent, with its deadline and status as sent ("changed since").
alert_sent = Table(
    "alert_sent", metadata,
    Column("alert_id", ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("listing_id", ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True,
           index=True),
    Column("delivery_id", ForeignKey("alert_deliveries.id", ondelete="SET NULL"), index=True),
    _required("first_sent_at", UTCDateTime),
    _required("last_sent_at", UTCDateTime),
    Column("deadline_at", UTCDateTime),
    _required("status", String(10)),
    # the deadline a "closing within 7 days" reminder was sent for (one reminder per deadline)
    Column("reminded_deadline_at", UTCDateTime),
)

# Facts about the whole store, by name (aggregator/store/state.py): e.g. the instant the
# recorded listings it holds were recorded at, when it holds a replay.
store_state = Table(
    "store_state", metadata,
    Column("name", String(40), primary_key=True),
    _required("value", Text),
    _required("updated_at", UTCDateTime),
)
