"""PostgreSQL search: the tsvectors become generated columns of listings (SQLite: no change)

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-04

The full-text document (title A, organisation B, description D, ``french_unaccent``: unaccent
then French stemming) and the title's tsvector were rows of a side table, ``listings_fts``,
that the writer filled. As stored generated columns of ``listings`` with their GIN indexes,
PostgreSQL computes them at write time and its planner can read a page in search order and
test each row's text there, or start from the GIN index, whichever the statistics favour;
with a side table it had to join every match first. The DDL is written out here (not
imported) so this revision stays what it was when later code changes.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_DOCUMENT = (
    "setweight(to_tsvector('french_unaccent'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('french_unaccent'::regconfig, coalesce(organization, '')), 'B') || "
    "setweight(to_tsvector('french_unaccent'::regconfig, coalesce(description, '')), 'D')"
)
_TITLE = "to_tsvector('french_unaccent'::regconfig, coalesce(title, ''))"


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return  # SQLite keeps its FTS5 table (revision 0002)
    op.execute("DROP TABLE listings_fts")
    op.execute(f"ALTER TABLE listings ADD COLUMN fts_document tsvector GENERATED ALWAYS AS "
               f"({_DOCUMENT}) STORED, ADD COLUMN fts_title tsvector GENERATED ALWAYS AS "
               f"({_TITLE}) STORED")
    op.execute("CREATE INDEX ix_listings_fts_document ON listings USING gin (fts_document)")
    op.execute("CREATE INDEX ix_listings_fts_title ON listings USING gin (fts_title)")
    op.execute("ANALYZE listings")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE listings DROP COLUMN fts_document, DROP COLUMN fts_title")
    op.execute("CREATE TABLE listings_fts (listing_id integer PRIMARY KEY "
               "REFERENCES listings (id) ON DELETE CASCADE, document tsvector NOT NULL, "
               "title tsvector NOT NULL)")
    op.execute("CREATE INDEX ix_listings_fts_document ON listings_fts USING gin (document)")
    op.execute("CREATE INDEX ix_listings_fts_title ON listings_fts USING gin (title)")
    op.execute(f"INSERT INTO listings_fts (listing_id, document, title) SELECT id, "
               f"{_DOCUMENT}, {_TITLE} FROM listings")
