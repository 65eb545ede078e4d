"""The full-text index of listings (title, organisation, description), on both dialects.

- SQLite: an FTS5 table ``listings_fts`` with external content (the text lives once, in
  ``listings``), tokenised ``unicode61 remove_diacritics 2`` so ``electricite`` finds
  ``Électricité``. The ligatures œ/æ are not diacritics to unicode61, so the index reads the
  text through the view ``listings_fts_content``, which spells them oe/ae (``maitre d'oeuvre``
  finds ``Maître d'œuvre``); the query side does the same (aggregator/query).
  New rows are indexed here, in bulk, by the writer's transaction (:func:`index_written`).
  An FTS5 'delete' must be given the *old* indexed values, which only
  a trigger sees, so updates and deletes of listing text are followed by two small triggers
  that the migration creates (``listings_fts_au``, ``listings_fts_ad``).
- PostgreSQL: two tsvector columns of ``listings``, ``fts_document`` (all the text,
  weighted title A > organisation B > description D) and ``fts_title`` (the title alone),
  each with a GIN index, built with the ``french_unaccent`` text search configuration
  (French stemming after ``unaccent``). A trigger computes them as a row is written
  (db/versions/0016), unless an INSERT gives them: the writer has another backend compute
  part of a large batch's with :data:`PG_TITLE_SQL` and :func:`pg_document_sql`
  (store/bulk_insert.py). There is nothing to keep in step.

The SQLite table and the PostgreSQL columns are named ``*_fts*``/``fts_*`` so that Alembic
autogenerate leaves them alone (``tables.include_name``).
Searching them is :mod:`aggregator.query`'s job; this module only keeps them in step.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.exc import DatabaseError

from aggregator.store.batches import chunks

FTS_TABLE = "listings_fts"
PG_CONFIG = "french_unaccent"
# the indexed columns, in FTS5 column order (SQLite) / with their setweight classes (PG)
INDEXED_COLUMNS = ("title", "organization", "description")
PG_WEIGHT_CLASSES = ("A", "B", "D")


LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"}
FTS_CONTENT_VIEW = f"{FTS_TABLE}_content"

_SQLITE_INSERT = text(
    f"INSERT INTO {FTS_TABLE}(rowid, title, organization, description) "
    f"SELECT id, title, organization, description FROM {FTS_CONTENT_VIEW} WHERE id IN :ids"
).bindparams(bindparam("ids", expanding=True))



def _pg_vector(column: str) -> str:
    return f"to_tsvector('{PG_CONFIG}', coalesce({column}, ''))"


PG_TITLE_SQL = _pg_vector("title")


def pg_document_sql(title_vector: str = PG_TITLE_SQL) -> str:
    """``fts_document``'s expression, the title's vector given as ``title_vector`` (an
    expression or a name: computed once, it serves both columns)."""
    vectors = (title_vector, *map(_pg_vector, INDEXED_COLUMNS[1:]))
    return " || ".join(f"setweight({vector}, '{weight}')"
                       for vector, weight in zip(vectors, PG_WEIGHT_CLASSES, strict=True))


PG_DOCUMENT_SQL = pg_document_sql()
# PostgreSQL's columns (db/versions/0010, kept by a trigger since 0016)
PG_DOCUMENT_COLUMN = "fts_document"
PG_TITLE_COLUMN = "fts_title"


def index_written(conn: Connection, new_ids: Sequence[int], changed_ids: Sequence[int]) -> None:
    """Index the listings a writer batch inserted or rewrote, inside its transaction.

    SQLite: one ``INSERT ... SELECT`` per batch of ids: the text is read back from the pages
    the batch has just written, so nothing is sent twice over the connection. PostgreSQL's
    trigger computes its columns.
    """
    dialect = conn.dialect.name
    if dialect == "sqlite":
        # changed rows: the update trigger already swapped old text for new
        for chunk in chunks(new_ids):
            conn.execute(_SQLITE_INSERT, {"ids": chunk})
    elif dialect != "postgresql":  # pragma: no cover - the store supports these two dialects only
        raise NotImplementedError(f"no full-text index for {dialect}")


def rebuild(conn: Connection) -> None:
    """Re-index every listing (after a bulk load that bypassed the writer, or a repair)."""
    if conn.dialect.name == "sqlite":  # PostgreSQL's trigger keeps its columns
        conn.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))


def optimize(conn: Connection) -> None:
    """Merge the index segments (SQLite) / the GIN indexes' pending lists, which every text
    search scans in full until merged, and refresh planner statistics: after large loads."""
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))
    else:
        for column in (PG_DOCUMENT_COLUMN, PG_TITLE_COLUMN):
            conn.execute(text(f"SELECT gin_clean_pending_list('ix_listings_{column}'::regclass)"))
        conn.execute(text("ANALYZE listings"))


def check(conn: Connection) -> bool:
    """True when the index agrees with the listings table (FTS5 integrity-check / row counts)."""
    if conn.dialect.name == "sqlite":
        try:
            conn.execute(text(
                f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"))
        except DatabaseError:  # SQLITE_CORRUPT_VTAB: the index disagrees with the table
            return False
        return True
    stale = conn.execute(text(
        f"SELECT count(*) FROM listings WHERE {PG_DOCUMENT_COLUMN} IS DISTINCT FROM "
        f"({PG_DOCUMENT_SQL}) OR {PG_TITLE_COLUMN} IS DISTINCT FROM ({PG_TITLE_SQL})")
    ).scalar_one()
    return stale == 0
