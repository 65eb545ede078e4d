"""New listings written in bulk: a listing stored meanwhile by another writer, and
PostgreSQL's second backend sharing the work, or failing (store/bulk_insert.py)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from aggregator.query import Filter, count, search
from aggregator.store import bulk_insert
from aggregator.store.bulk_insert import CHUNK, HELP_FROM, SharedVectors
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
def test_a_failing_second_backend_leaves_its_share_to_the_writer(postgres_url, monkeypatch,
                                                                  caplog):
    """The other backend fails on its first chunk: the writer computes those vectors too,
    instead of waiting for them or failing the batch, and says so in the log."""
    from aggregator.store.engine import get_engine

    _truncate_postgres(postgres_url)
    engine = get_engine(postgres_url)
    monkeypatch.setattr(bulk_insert, "_VECTORS", "SELECT no_such_function(%b, %b, %b)")
    batch = [record(f"26-{i:04d}", title=f"Travaux de zinguerie n°{i}")
             for i in range(2 * HELP_FROM)]
    results = []
    writing = threading.Thread(
        target=lambda: results.append(ListingWriter(engine).write(batch, now=NOW)), daemon=True)
    writing.start()
    writing.join(timeout=60)
    assert not writing.is_alive(), "the writer is still waiting for the vectors"
    assert results[0].new == len(batch)
    assert "the second backend failed" in caplog.text
    with engine.connect() as conn:
        assert check(conn)
    assert count(engine, Filter.parse("status:all zinguerie")) == len(batch)


def test_the_two_backends_share_every_row_once():
    """Whatever the order the two take chunks in, each row is in exactly one, the writer
    inserts the other's as they are ready, and chunks shrink towards the end."""
    shared = SharedVectors([{"n": n} for n in range(300)])
    writers = shared.writers_chunks()
    covered = []
    others = [shared.take_last(), shared.take_last()]
    start, stop, given = next(writers)  # the other's not ready: the writer takes the first rows
    assert (start, given) == (0, None)
    covered.append((start, stop))
    for rows, future in others:
        future.set_result([(b"d", b"t")] * len(rows))
    for start, stop, given in writers:  # ready ones first, then the rest, taken in turns
        covered.append((start, stop))
        assert given is None or len(given) == stop - start
        if (taken := shared.take_last()) is not None:
            rows, future = taken
            future.set_result([(b"d", b"t")] * len(rows))
    assert sorted(n for start, stop in covered for n in range(start, stop)) == list(range(300))
    sizes = [stop - start for start, stop in covered]
    assert max(sizes) == CHUNK and min(sizes) < CHUNK
    assert shared.take_last() is None
