"""search: full-text index of listings (FTS5 / PostgreSQL french_unaccent)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

See aggregator/store/search_index.py for how the index is kept in step. The DDL is written
out here (not imported) so this revision stays what it was when later code changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None



def _unligature(column: str) -> str:
    """œ/æ are letters to unicode61, not accented o/a: index them as oe/ae."""
    for ligature, spelled in (("œ", "oe"), ("Œ", "OE"), ("æ", "ae"), ("Æ", "AE")):
        column = f"replace({column}, '{ligature}', '{spelled}')"
    return column


def _text_values(row: str) -> str:
    return ", ".join(_unligature(f"{row}.{c}") for c in ("title", "organization", "description"))


# 'delete' only what the index holds (its docsize shadow table has a row per document):
# a wrong 'delete' would corrupt the index, and a row that somehow missed indexing is then
# simply indexed by the update.
_DELETE_OLD = (
    "INSERT INTO listings_fts(listings_fts, rowid, title, organization, description) "
    f"SELECT 'delete', old.id, {_text_values('old')} "
    "WHERE EXISTS (SELECT 1 FROM listings_fts_docsize WHERE id = old.id)")

_SQLITE = [
    # the text the index sees (also what FTS5 'rebuild' reads)
    "CREATE VIEW listings_fts_content AS SELECT id, "
    + ", ".join(f"{_unligature(c)} AS {c}" for c in ("title", "organization", "description"))
    + " FROM listings",
    "CREATE VIRTUAL TABLE listings_fts USING fts5("
    "title, organization, description, content='listings_fts_content', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    # FTS5 'delete' needs the old indexed values: only a trigger has them. Inserts are indexed
    # in bulk by the writer (a per-row insert trigger costs ~10x).
    "CREATE TRIGGER listings_fts_au AFTER UPDATE OF title, organization, description "
    "ON listings WHEN old.title IS NOT new.title OR old.organization IS NOT new.organization "
    "OR old.description IS NOT new.description BEGIN "
    f"{_DELETE_OLD}; "
    "INSERT INTO listings_fts(rowid, title, organization, description) "
    f"VALUES (new.id, {_text_values('new')}); END",
    "CREATE TRIGGER listings_fts_ad AFTER DELETE ON listings BEGIN "
    f"{_DELETE_OLD}; END",
    "INSERT INTO listings_fts(listings_fts) VALUES ('rebuild')",
]

_PG_DOCUMENT = (
    "setweight(to_tsvector('french_unaccent', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('french_unaccent', coalesce(organization, '')), 'B') || "
    "setweight(to_tsvector('french_unaccent', coalesce(description, '')), 'D')"
)
_PG = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # French stemming after unaccent: `electricite` and `Électricités` meet at `electricit`.
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') "
    "THEN CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french); "
    "ALTER TEXT SEARCH CONFIGURATION french_unaccent ALTER MAPPING FOR hword, hword_part, word "
    "WITH unaccent, french_stem; END IF; END $$",
    # document: every indexed column; title: the title alone (its matches rank first)
    "CREATE TABLE listings_fts (listing_id integer PRIMARY KEY "
    "REFERENCES listings (id) ON DELETE CASCADE, document tsvector NOT NULL, "
    "title tsvector NOT NULL)",
    "CREATE INDEX ix_listings_fts_document ON listings_fts USING gin (document)",
    "CREATE INDEX ix_listings_fts_title ON listings_fts USING gin (title)",
    f"INSERT INTO listings_fts (listing_id, document, title) SELECT id, {_PG_DOCUMENT}, "
    "to_tsvector('french_unaccent', coalesce(title, '')) FROM listings",
]


# A page in the default search order (deadline soonest first, none last, then newest) is read
# from an index, for all open listings and per place level; these replace the plain indexes
# of the place columns (the composite ones lead with the same column).
_PLACES = ("insee_code", "department", "region", "country")
_ORDER = ["status", sa.text("(deadline_at IS NULL)"), "deadline_at", sa.text("published_at DESC")]


def upgrade() -> None:
    for statement in _SQLITE if op.get_context().dialect.name == "sqlite" else _PG:
        op.execute(statement)
    op.create_index("ix_listings_search_open", "listings", _ORDER)
    for place in _PLACES:
        op.drop_index(f"ix_listings_{place}", table_name="listings")
        op.create_index(f"ix_listings_search_{place}", "listings", [place, *_ORDER])


def downgrade() -> None:
    for place in _PLACES:
        op.drop_index(f"ix_listings_search_{place}", table_name="listings")
        op.create_index(f"ix_listings_{place}", "listings", [place])
    op.drop_index("ix_listings_search_open", table_name="listings")
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS listings_fts_ad")
        op.execute("DROP TRIGGER IF EXISTS listings_fts_au")
        op.execute("DROP TABLE IF EXISTS listings_fts")
        op.execute("DROP VIEW IF EXISTS listings_fts_content")
    else:
        op.execute("DROP TABLE IF EXISTS listings_fts")
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent")
