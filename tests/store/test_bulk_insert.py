"""New listings written in bulk: a listing stored meanwhile by another writer, and
PostgreSQL's second backend failing (store/bulk_insert.py)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from psycopg.errors import UndefinedFunction
from sqlalchemy import func, select

from aggregator.query import Filter, search
from aggregator.store import bulk_insert
from aggregator.store.bulk_insert import HELP_FROM
from aggregator.store.models import Listing
from aggregator.store.search_index import check
from aggregator.store.writer import ListingWriter
from tests.conftest import _truncate_postgres
from tests.store.test_writer import NOW, record


def test_a_listing_stored_meanwhile_by_another_writer_is_updated_not_doubled(engine,
                                                                            monkeypatch):
    """Between this writer's lookup and its insert, another stored one of the batch's
    listings: the rest of the batch is inserted, that one is handled as stored."""
    ListingWriter(engine).write([record("26-0042", title="Réfection de toiture")], now=NOW)
    writer = ListingWriter(engine)
    looked_up = writer._existing
    calls = []

    def lookup_before_the_other_writer(conn, source, source_ids):
        calls.append(source_ids)
        return {} if len(calls) == 1 else looked_up(conn, source, source_ids)

    monkeypatch.setattr(writer, "_existing", lookup_before_the_other_writer)
    batch = [record(f"26-{i:04d}", title=f"Travaux n°{i}") for i in range(2 * HELP_FROM)]
    batch[42] = record("26-0042", title="Réfection de toiture et de zinguerie")

    result = writer.write(batch, now=NOW + timedelta(days=1))

    assert (result.new, result.updated) == (2 * HELP_FROM - 1, 1)
    with engine.connect() as conn:
        stored = dict(conn.execute(select(Listing.source_id, Listing.title)).all())
        assert conn.execute(select(func.count()).select_from(Listing)).scalar_one() \
            == 2 * HELP_FROM
        assert check(conn)
    assert stored["26-0042"] == "Réfection de toiture et de zinguerie"
    found = search(engine, Filter.parse("status:all zinguerie"))
    assert [listing.source_id for listing in found] == ["26-0042"]
    inserted = sorted(result.new_ids)
    assert result.new_ids == inserted  # ids follow the batch


@pytest.mark.postgres
def test_a_failing_second_backend_fails_the_batch_instead_of_hanging(postgres_url,
                                                                     monkeypatch):
    """The writer waits for the other backend's vectors: if it fails, so does the batch
    (the store pipeline then writes it one listing at a time, without that backend)."""
    from aggregator.store.engine import get_engine

    _truncate_postgres(postgres_url)
    engine = get_engine(postgres_url)
    monkeypatch.setattr(bulk_insert, "_VECTORS", "SELECT no_such_function(%b, %b, %b)")
    batch = [record(f"26-{i:04d}") for i in range(2 * HELP_FROM)]
    failures = []

    def write() -> None:
        try:
            ListingWriter(engine).write(batch, now=NOW)
        except UndefinedFunction as exc:
            failures.append(exc)

    writing = threading.Thread(target=write, daemon=True)
    writing.start()
    writing.join(timeout=60)
    assert not writing.is_alive(), "the writer is still waiting for the vectors"
    assert failures
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Listing)).scalar_one() == 0
    # and one at a time, below the size another backend helps with, the batch goes in
    ListingWriter(engine).write(batch[:HELP_FROM - 1], now=NOW)
