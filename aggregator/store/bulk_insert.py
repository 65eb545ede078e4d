"""PostgreSQL's fast path for new listings: COPY into a staging table, then one
``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING``.

COPY streams a batch in one round trip without parsing a statement per row, and RETURNING
names exactly the rows this call inserted: a row another writer inserted meanwhile is
skipped by ON CONFLICT and missing from the answer, as with the row-by-row INSERT.

Most of the server's work for a new listing is its search tsvectors (French parsing and
stemming), which the inserting backend computes on one core. For a large batch a second
backend, on its own connection, computes those of the batch's tail while the writer's
inserts the head; the tail is then inserted with them (the trigger of db/versions/0016
keeps tsvectors an INSERT gives). Only the writer's transaction writes anything: the other
backend evaluates the index's own expressions, nothing more.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.pool import QueuePool

from aggregator.store.search_index import (
    PG_DOCUMENT_COLUMN,
    PG_DOCUMENT_SQL,
    PG_TITLE_COLUMN,
    PG_TITLE_SQL,
)
from aggregator.store.tables import JSONType

STAGING = "listings_staging"
STAGING_FTS = "listings_staging_fts"  # the tail's tsvectors, by position
# Below this many rows a second backend costs more than it spares.
HELP_FROM = 100
# The tail's share: the writer's backend computes its head's tsvectors while the other
# computes the tail's, then inserts the tail too (measured: benchmarks/ingest_backends.py).
HELPED_SHARE = 0.6
_VECTORS = (f"SELECT {PG_DOCUMENT_SQL}, {PG_TITLE_SQL} FROM unnest(%s::text[], %s::text[], "
            "%s::text[]) WITH ORDINALITY AS t(title, organization, description, n) ORDER BY n")


def tsvectors(engine: Engine, rows: Sequence[dict[str, Any]]) -> list[tuple[bytes, bytes]]:
    """The (document, title) tsvectors of ``rows``, in their order, as the index computes
    them, from a connection of its own; in PostgreSQL's binary form, which it reads back
    for less than its text."""
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor(binary=True)
        cursor.execute(_VECTORS, [[r.get(c) for r in rows]
                                  for c in ("title", "organization", "description")])
        vectors = cursor.fetchall()
        conn.rollback()
    return vectors


def _spare_connection(engine: Engine) -> bool:
    """Whether the engine's pool lends another connection without waiting: with a pool of
    one (``[database] pool_size = 1``), the writer's own, the other backend would wait for
    it until the pool's timeout."""
    pool = engine.pool
    return isinstance(pool, QueuePool) and (pool.size() == 0 or pool.checkedout() < pool.size())


def copy_insert(conn: Connection, table: Table, columns: Sequence[str],
                rows: Sequence[dict[str, Any]], helper: Executor | None = None,
                ) -> dict[str, int]:
    """Insert ``rows`` (dicts of ``columns``) into ``table``, keyed on (source, source_id);
    returns the ids of the rows inserted, by source_id. Inside the caller's transaction;
    with ``helper``, a large batch's tail has its tsvectors computed by another backend."""
    split, vectors = len(rows), None
    if helper is not None and len(rows) >= HELP_FROM and _spare_connection(conn.engine):
        split -= round(len(rows) * HELPED_SHARE)
        vectors = helper.submit(tsvectors, conn.engine, rows[split:])
    json_columns = {c for c in columns if isinstance(table.columns[c].type, JSONType)}
    names = ", ".join(f'"{c}"' for c in columns)
    fts = f"{PG_DOCUMENT_COLUMN}, {PG_TITLE_COLUMN}"
    cursor = conn.connection.driver_connection.cursor()
    # ON COMMIT DELETE ROWS: the tables live with the connection, their rows with the batch.
    # One round trip; DELETE, not TRUNCATE (a new file and catalog rows every batch), empties
    # them of a batch earlier in this transaction. toast_tuple_target: a row is compressed
    # once, by listings' own method (LZ4, db/versions/0016), not here first (pglz; INSERT …
    # SELECT copies a compressed value as it is).
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} "
                   "WITH (toast_tuple_target = 8160) ON COMMIT DELETE ROWS AS "
                   f"SELECT {names}, 0 AS ord FROM {table.name} WITH NO DATA; "
                   f"CREATE TEMP TABLE IF NOT EXISTS {STAGING_FTS} ON COMMIT DELETE ROWS AS "
                   f"SELECT 0 AS ord, {fts} FROM {table.name} WITH NO DATA")
    inserted: dict[str, int] = {}

    def insert(part: Sequence[dict[str, Any]], given: Sequence[tuple[bytes, bytes]]) -> None:
        cursor.execute(f"DELETE FROM {STAGING}; DELETE FROM {STAGING_FTS}")
        with cursor.copy(f"COPY {STAGING} ({names}, ord) FROM STDIN") as copy:
            for position, row in enumerate(part):
                # JSON travels as its text (SQLAlchemy's JSON type writes None as JSON null)
                copy.write_row([json.dumps(row[c]) if c in json_columns else row[c]
                                for c in columns] + [position])
        source = STAGING
        if given:
            with cursor.copy(f"COPY {STAGING_FTS} FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["int4", "bytea", "bytea"])  # bytes as they came
                for position, (document, title) in enumerate(given):
                    copy.write_row((position, document, title))
            source = f"{STAGING} JOIN {STAGING_FTS} USING (ord)"
        filled = f"{names}, {fts}" if given else names
        # ORDER BY: ids are handed out in the batch's order, as row-by-row inserts would
        cursor.execute(f"INSERT INTO {table.name} ({filled}) SELECT {filled} FROM {source} "
                       "ORDER BY ord ON CONFLICT (source, source_id) DO NOTHING "
                       "RETURNING source_id, id")
        inserted.update(cursor.fetchall())

    insert(rows[:split], ())
    if vectors is not None:
        insert(rows[split:], vectors.result())
    return inserted
