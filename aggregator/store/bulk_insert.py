"""PostgreSQL's fast path for new listings: COPY into a staging table, then one
``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING``.

COPY streams a batch in one round trip without parsing a statement per row, and RETURNING
names exactly the rows this call inserted: a row another writer inserted meanwhile is
skipped by ON CONFLICT and missing from the answer, as with the row-by-row INSERT.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table

from aggregator.store.tables import JSONType

STAGING = "listings_staging"


def copy_insert(conn: Connection, table: Table, columns: Sequence[str],
                rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert ``rows`` (dicts of ``columns``) into ``table``, keyed on (source, source_id);
    returns the ids of the rows inserted, by source_id. Inside the caller's transaction."""
    json_columns = {c for c in columns if isinstance(table.columns[c].type, JSONType)}
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = conn.connection.driver_connection.cursor()
    # ON COMMIT DELETE ROWS: the table lives with the connection, its rows with the batch.
    # One round trip; DELETE, not TRUNCATE (a new file and catalog rows every batch), empties
    # it of a batch earlier in this transaction.
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} ON COMMIT DELETE ROWS AS "
                   f"SELECT {names}, 0 AS ord FROM {table.name} WITH NO DATA; "
                   f"DELETE FROM {STAGING}")
    with cursor.copy(f"COPY {STAGING} ({names}, ord) FROM STDIN") as copy:
        for position, row in enumerate(rows):
            # JSON travels as its text (SQLAlchemy's JSON type writes None as JSON null too)
            copy.write_row([json.dumps(row[c]) if c in json_columns else row[c]
                            for c in columns] + [position])
    # ORDER BY: ids are handed out in the batch's order, as row-by-row inserts would
    cursor.execute(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {STAGING} "
                   "ORDER BY ord ON CONFLICT (source, source_id) DO NOTHING "
                   "RETURNING source_id, id")
    return dict(cursor.fetchall())
