"""The ORM classes the writers, the scheduler and the mail outbox work with, each mapped
onto its table of :mod:`aggregator.store.tables` (where the schema and its comments are).
The reading commands use the tables alone: importing this module loads the ORM."""

from __future__ import annotations

from sqlalchemy import Index, func
from sqlalchemy.orm import DeclarativeBase

from aggregator.store import tables

# "this buyer before" finds a tender's buyer among the awards by name (tenders seldom carry
# the SIRET): awards only, case folded. Declared here, not with its table: validating
# ``postgresql_where`` imports PostgreSQL's dialect, which the reading commands never need.
Index("ix_listings_award_organization", func.lower(tables.listings.c.organization),
      sqlite_where=tables.listings.c.kind == "award",
      postgresql_where=tables.listings.c.kind == "award")


class Base(DeclarativeBase):
    metadata = tables.metadata


class Listing(Base):
    __table__ = tables.listings


class ListingChange(Base):
    __table__ = tables.listing_changes


class ListingCpv(Base):
    __table__ = tables.listing_cpv


class ListingDescriptor(Base):
    __table__ = tables.listing_descriptors


class AwardSupplier(Base):
    __table__ = tables.award_suppliers


class ListingKey(Base):
    __table__ = tables.listing_keys


class CrawlRun(Base):
    __table__ = tables.crawl_runs

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class SchedulerLock(Base):
    __table__ = tables.scheduler_locks


class SchedulerJob(Base):
    __table__ = tables.scheduler_jobs


class Alert(Base):
    __table__ = tables.alerts


class AlertDelivery(Base):
    __table__ = tables.alert_deliveries


class AlertSent(Base):
    __table__ = tables.alert_sent


class StoreState(Base):
    __table__ = tables.store_state
