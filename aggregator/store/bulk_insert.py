"""PostgreSQL's fast path for new listings: binary COPY straight into ``listings``.

The writer has just looked the batch up: its new listings are not stored. Their ids are
drawn from the table's sequence in one round trip, in the batch's order, and the rows sent
by COPY in PostgreSQL's binary format, a chunk of rows per COPY: no statement parsed per
row, no text to parse into timestamps, JSON or tsvectors. The rows are made while the
server inserts the first chunk. Another writer may have inserted one of them meanwhile: a
COPY then fails on the unique (source, source_id), the batch's COPYs are rolled back to
their savepoint, and the batch goes through ``INSERT … ON CONFLICT DO NOTHING RETURNING``
instead, which leaves out the rows stored meanwhile (the writer handles them as stored
ones).

Most of the server's work for a new listing is its search tsvectors (French parsing and
stemming), which the trigger of db/versions/0016 computes in the inserting backend. For a
large batch a second backend, on its own connection, shares that work from the moment the
batch is looked up: it takes chunks of rows from the batch's end and computes their
vectors; the writer's backend inserts each as it is ready and meanwhile takes chunks from
the start, whose vectors the trigger computes. Chunks shrink as the rows left do, so that
the two finish together however the cores are shared between them and this process (a
fixed share, 70 % to the other backend, kept the writer waiting for it a third of the
time). Only the writer's transaction writes anything: the other backend evaluates the
index's own expressions, nothing more.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future
from datetime import datetime
from typing import Any

from psycopg.errors import UniqueViolation
from pydantic_core import to_json
from sqlalchemy import Column, Connection, Engine, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.pool import QueuePool

from aggregator.store.search_index import (
    PG_DOCUMENT_COLUMN,
    PG_TITLE_COLUMN,
    PG_TITLE_SQL,
    pg_document_sql,
)
from aggregator.store.tables import JSONType

logger = logging.getLogger(__name__)

Vectors = list[tuple[bytes, bytes]]  # (document, title) of each row, in the binary form

# Below this many rows a second backend costs more than it spares.
HELP_FROM = 100
# Rows per chunk, at most and at least: each costs each backend a statement.
CHUNK = 50
MIN_CHUNK = 10
# The title's vector once for both columns (OFFSET 0 keeps the planner from inlining it
# twice), read in binary: the form COPY sends back.
_VECTORS = (
    f"SELECT {pg_document_sql('t')}, t FROM (SELECT {PG_TITLE_SQL} AS t, organization, "
    "description, n FROM unnest(%b::text[], %b::text[], %b::text[]) WITH ORDINALITY "
    "AS u(title, organization, description, n) OFFSET 0) AS v ORDER BY n")


class SharedVectors:
    """A batch's new rows, whose tsvectors two backends share out: the other backend takes
    chunks from the end (:meth:`take_last`) and computes theirs; the writer's inserts those
    as they are ready and, meanwhile, takes chunks from the start, whose vectors the
    trigger computes (:meth:`writers_chunks`). Chunks shrink as the rows nobody took do,
    so that neither is left long with nothing to do when the last is taken."""

    def __init__(self, rows: Sequence[dict[str, Any]]) -> None:
        self.rows = rows
        self._lock = threading.Lock()
        self._free = (0, len(rows))  # the rows nobody took: [start, stop)
        self._others: list[tuple[int, int, Future[Vectors]]] = []  # not yet inserted

    def _size(self) -> int:
        start, stop = self._free
        return min(stop - start, max(MIN_CHUNK, min(CHUNK, -(-(stop - start) // 4))))

    def take_last(self) -> tuple[Sequence[dict[str, Any]], Future[Vectors]] | None:
        """The last chunk of the rows nobody took, for the other backend; None when all
        are taken."""
        with self._lock:
            start, stop = self._free
            if start == stop:
                return None
            first = stop - self._size()
            self._free = (start, first)
            future: Future[Vectors] = Future()
            self._others.append((first, stop, future))
        return self.rows[first:stop], future

    def writers_chunks(self) -> Iterator[tuple[int, int, Vectors | None]]:
        """Each chunk's rows, [start, stop), and vectors, in the order the writer inserts
        them: one the other backend computed, if any is ready; else the first rows nobody
        took (None: the trigger computes their vectors); else the next chunk the other
        backend is computing, waited for (None if it failed)."""
        while True:
            with self._lock:
                ready = next((other for other in self._others if other[2].done()), None)
                if ready is not None:
                    self._others.remove(ready)
                    start, stop, future = ready
                elif self._free[0] < self._free[1]:
                    start, stop, future = self._free[0], self._free[0] + self._size(), None
                    self._free = (stop, self._free[1])
                elif self._others:
                    start, stop, future = self._others.pop(0)
                else:
                    return
            try:
                given = future.result() if future is not None else None
            except Exception:  # logged by tsvectors()
                given = None
            yield start, stop, given

    def stop(self) -> None:
        """Leave the other backend no more rows (the writer is done with the batch)."""
        with self._lock:
            self._free = (0, 0)


def tsvectors(engine: Engine, shared: SharedVectors) -> None:
    """Compute the (document, title) tsvectors of chunks of rows taken from the end of
    ``shared``, as the index computes them, on a connection of its own, and hand each
    chunk's to its future as soon as it is computed."""
    future: Future[Vectors] | None = None
    try:
        with engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor(binary=True)
            while (taken := shared.take_last()) is not None:
                rows, future = taken
                cursor.execute(_VECTORS, [[r.get(c) for r in rows]
                                          for c in ("title", "organization", "description")])
                future.set_result(cursor.fetchall())
            conn.rollback()
    except Exception as exc:  # the writer may be waiting for this chunk
        if future is not None and not future.done():
            future.set_exception(exc)
        logger.warning("the second backend failed: the writer computes the search vectors "
                       "itself (%s)", exc)


def spare_connection(engine: Engine) -> bool:
    """Whether the engine's pool lends another connection without waiting: with a pool of
    one (``[database] pool_size = 1``), the writer's own, the other backend would wait for
    it until the pool's timeout."""
    pool = engine.pool
    return isinstance(pool, QueuePool) and (pool.size() == 0 or pool.checkedout() < pool.size())


def share_vectors(conn: Connection, rows: Sequence[dict[str, Any]],
                  helper: Executor) -> SharedVectors | None:
    """Have another backend start on the tsvectors of ``rows`` (new listings about to be
    inserted), from their end, now: while this process prepares the batch. None for a small
    batch, or when the pool has no connection to spare."""
    if len(rows) < HELP_FROM or not spare_connection(conn.engine):
        return None
    shared = SharedVectors(rows)
    helper.submit(tsvectors, conn.engine, shared)
    return shared


def copy_insert(conn: Connection, table: Table, columns: Sequence[str],
                records: Sequence[dict[str, Any]], values_of: Callable[[dict[str, Any]], list[Any]],
                vectors: SharedVectors | None = None) -> dict[str, int]:
    """Insert a row of ``columns`` per record (none stored when the batch was looked up),
    its values made by ``values_of``, into ``table``, keyed on (source, source_id); returns
    the ids of the rows inserted, by source_id. Inside the caller's transaction;
    ``vectors``: ``records`` shared with another backend, from :func:`share_vectors`."""
    cursor = conn.connection.driver_connection.cursor()
    cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                   "FROM generate_series(1, %s)", [len(records)])
    ids = [listing_id for (listing_id,) in cursor.fetchall()]
    names = ", ".join(f'"{c}"' for c in ("id", *columns, PG_DOCUMENT_COLUMN, PG_TITLE_COLUMN))
    types = ["int4", *(_binary_type(table.c[c]) for c in columns),
             "bytea", "bytea"]  # tsvectors: the bytes as they came
    json_at = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSONType)]
    rows: list[list[Any]] = []  # made in order, as far as a chunk needs

    def make_rows(stop: int) -> None:
        for listing_id, record in zip(ids[len(rows):stop], records[len(rows):stop],
                                      strict=True):
            row = [listing_id, *values_of(record)]
            for i in json_at:
                # jsonb's binary form: a version byte and the text; SQLAlchemy's JSON type
                # writes None as JSON null, not SQL NULL, and so does this
                row[i + 1] = _JSONB_VERSION + to_json(row[i + 1])
            rows.append(row)

    # a chunk per COPY: its end tells the writer's backend is done with it
    chunks = vectors.writers_chunks() if vectors is not None else (
        (start, min(start + CHUNK, len(records)), None)
        for start in range(0, len(records), CHUNK))
    try:
        with conn.begin_nested():
            for start, stop, given in chunks:
                with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN (FORMAT BINARY)"
                                 ) as copy:
                    copy.set_types(types)
                    make_rows(stop)
                    for offset, row in enumerate(rows[start:stop]):
                        copy.write_row([*row, *(given[offset] if given else (None, None))])
                    # the other rows, once, while the writer's backend inserts these
                    make_rows(len(records))
    except UniqueViolation:
        inserting = (postgresql.insert(table)
                     .on_conflict_do_nothing(index_elements=["source", "source_id"])
                     .returning(table.c.source_id, table.c.id))
        params = [dict(zip(columns, values_of(record), strict=True)) for record in records]
        return dict(conn.execute(inserting, params).all())
    return {record["source_id"]: listing_id
            for listing_id, record in zip(ids, records, strict=True)}


def copy_links(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` into ``table`` (listing_cpv, listing_keys…) for listings inserted by
    this transaction: none of their rows can be stored, so COPY needs no ON CONFLICT; a key
    given twice is written once, the first time, as the INSERT … ON CONFLICT DO NOTHING
    of a listing already stored would."""
    key = [c.name for c in table.primary_key.columns]
    unique: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        unique.setdefault(tuple(row[c] for c in key), row)
    if not unique:
        return
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([_binary_type(c) for c in table.columns])
        for row in unique.values():
            copy.write_row([row.get(c.name) for c in table.columns])


_JSONB_VERSION = b"\x01"
_BINARY_TYPES = {bool: "bool", int: "int4", float: "float8", datetime: "timestamptz",
                 str: "text"}


def _binary_type(column: Column[Any]) -> str:
    """The PostgreSQL type psycopg writes ``column``'s values as, in COPY's binary format."""
    if isinstance(column.type, JSONType):
        return "bytea"  # bytes as they are: copy_insert writes jsonb's own binary form
    return _BINARY_TYPES[getattr(column.type, "impl", column.type).python_type]
