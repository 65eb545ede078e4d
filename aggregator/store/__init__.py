"""The SQL store: models, engine set-up, batched upsert with history, run records."""

from aggregator.store.engine import create_store_engine, get_engine, upgrade_schema
from aggregator.store.writer import ListingWriter, WriteResult

__all__ = ["ListingWriter", "WriteResult", "create_store_engine", "get_engine", "upgrade_schema"]
