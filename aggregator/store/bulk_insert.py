"""PostgreSQL's fast path for new listings: one binary COPY straight into ``listings``.

The writer has just looked the batch up: its new listings are not stored. Their ids are
drawn from the table's sequence in one round trip, in the batch's order, and the rows
streamed by COPY in PostgreSQL's binary format: no statement parsed per row, no text to
parse into timestamps, JSON or tsvectors, and the server inserts while later rows are
still being sent. Another writer may have inserted one of them meanwhile: the COPY then
fails on the unique (source, source_id), is rolled back to its savepoint, and the batch
goes through ``INSERT … ON CONFLICT DO NOTHING RETURNING`` instead, which leaves out the
rows stored meanwhile (the writer handles them as stored ones).

Most of the server's work for a new listing is its search tsvectors (French parsing and
stemming), which the trigger of db/versions/0016 computes in the inserting backend. For a
large batch a second backend, on its own connection, computes those of the batch's tail,
from the moment the batch is looked up, a chunk at a time: the writer's backend inserts
the head (computing its vectors) and then each chunk of the tail as soon as its vectors
are in; the trigger keeps the vectors a row gives. Only the writer's transaction writes
anything: the other backend evaluates the index's own expressions, nothing more.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.errors import UniqueViolation
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

Vectors = list[tuple[bytes, bytes]]  # (document, title) of each row, in the binary form

# Below this many rows a second backend costs more than it spares.
HELP_FROM = 100
# The tail's share, and the rows per chunk of it: the writer's backend computes its head's
# vectors while the other computes the tail's (measured: benchmarks/ingest_backends.py).
HELPED_SHARE = 0.7
CHUNK = 50
# The title's vector once for both columns (OFFSET 0 keeps the planner from inlining it
# twice), read in binary: the form COPY sends back.
_VECTORS = (
    f"SELECT {pg_document_sql('t')}, t FROM (SELECT {PG_TITLE_SQL} AS t, organization, "
    "description, n FROM unnest(%b::text[], %b::text[], %b::text[]) WITH ORDINALITY "
    "AS u(title, organization, description, n) OFFSET 0) AS v ORDER BY n")


def tsvectors(engine: Engine, chunks: Sequence[tuple[Sequence[dict[str, Any]],
                                                   Future[Vectors]]]) -> None:
    """Compute the (document, title) tsvectors of each chunk of rows, in their order, as
    the index computes them, on a connection of its own, and hand each chunk's to its
    future as soon as it is computed."""
    try:
        with engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor(binary=True)
            for rows, future in chunks:
                cursor.execute(_VECTORS, [[r.get(c) for r in rows]
                                          for c in ("title", "organization", "description")])
                future.set_result(cursor.fetchall())
            conn.rollback()
    except BaseException as exc:  # the writer waits on every chunk: none may be left pending
        for _, future in chunks:
            if not future.done():
                future.set_exception(exc)
        raise


def spare_connection(engine: Engine) -> bool:
    """Whether the engine's pool lends another connection without waiting: with a pool of
    one (``[database] pool_size = 1``), the writer's own, the other backend would wait for
    it until the pool's timeout."""
    pool = engine.pool
    return isinstance(pool, QueuePool) and (pool.size() == 0 or pool.checkedout() < pool.size())


@dataclass
class TailVectors:
    """The tsvectors of ``rows[split:]`` of a batch, being computed by another backend,
    ``CHUNK`` rows at a time: the writer's backend inserts a chunk while the other computes
    the next."""

    split: int
    chunks: list[Future[Vectors]]

    def of(self, position: int) -> Future[Vectors] | None:
        """The chunk starting at ``position`` of the batch, if one does."""
        index, offset = divmod(position - self.split, CHUNK)
        return self.chunks[index] if position >= self.split and not offset else None


def start_vectors(conn: Connection, rows: Sequence[dict[str, Any]],
                  helper: Executor) -> TailVectors | None:
    """Have another backend compute the tsvectors of the tail of ``rows`` (new listings
    about to be inserted), from now on: while this process prepares the batch and the
    writer's backend inserts its head. None for a small batch, or when the pool has no
    connection to spare."""
    if len(rows) < HELP_FROM or not spare_connection(conn.engine):
        return None
    split = len(rows) - round(len(rows) * HELPED_SHARE)
    chunks = [(rows[start:start + CHUNK], Future()) for start in range(split, len(rows), CHUNK)]
    helper.submit(tsvectors, conn.engine, chunks)
    return TailVectors(split, [future for _, future in chunks])


def copy_insert(conn: Connection, table: Table, columns: Sequence[str],
                records: Sequence[dict[str, Any]], values_of: Callable[[dict[str, Any]], list[Any]],
                vectors: TailVectors | None = None) -> dict[str, int]:
    """Insert a row of ``columns`` per record (none stored when the batch was looked up),
    its values made by ``values_of`` as it is sent (the server inserts a row while the next
    is made), into ``table``, keyed on (source, source_id); returns the ids of the rows
    inserted, by source_id. Inside the caller's transaction; ``vectors``: those of the
    tail, from :func:`start_vectors`."""
    cursor = conn.connection.driver_connection.cursor()
    cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                   "FROM generate_series(1, %s)", [len(records)])
    ids = [listing_id for (listing_id,) in cursor.fetchall()]
    names = ", ".join(f'"{c}"' for c in ("id", *columns, PG_DOCUMENT_COLUMN, PG_TITLE_COLUMN))
    try:
        with conn.begin_nested(), cursor.copy(
                f"COPY {table.name} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int4", *(_binary_type(table.c[c]) for c in columns),
                            "bytea", "bytea"])  # tsvectors: the bytes as they came
            for row in _copy_rows(table, columns, ids, records, values_of, vectors):
                copy.write_row(row)
    except UniqueViolation:
        inserting = (postgresql.insert(table)
                     .on_conflict_do_nothing(index_elements=["source", "source_id"])
                     .returning(table.c.source_id, table.c.id))
        rows = [dict(zip(columns, values_of(record), strict=True)) for record in records]
        return dict(conn.execute(inserting, rows).all())
    return {record["source_id"]: listing_id
            for listing_id, record in zip(ids, records, strict=True)}


def _copy_rows(table: Table, columns: Sequence[str], ids: Sequence[int],
               records: Sequence[dict[str, Any]], values_of: Callable[[dict[str, Any]], list[Any]],
               vectors: TailVectors | None) -> Iterator[list[Any]]:
    """COPY's rows: the head's vectors left NULL (the trigger computes them), each chunk of
    the tail's waited for when its first row is due."""
    json_at = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSONType)]
    given: Iterator[tuple[bytes | None, bytes | None]] = iter(())
    for position, (listing_id, record) in enumerate(zip(ids, records, strict=True)):
        values = values_of(record)
        for i in json_at:
            # jsonb's binary form: a version byte and the text; SQLAlchemy's JSON type
            # writes None as JSON null, not SQL NULL, and so does this
            values[i] = _JSONB_VERSION + json.dumps(values[i]).encode()
        chunk = vectors.of(position) if vectors is not None else None
        if chunk is not None:
            given = iter(chunk.result())
        yield [listing_id, *values, *next(given, (None, None))]


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
        return "bytea"  # bytes as they are: _copy_rows writes jsonb's own binary form
    return _BINARY_TYPES[getattr(column.type, "impl", column.type).python_type]
