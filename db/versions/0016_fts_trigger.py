"""PostgreSQL: the search tsvectors kept by a trigger, which a writer may spare (SQLite: no change)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04

As generated columns (revision 0010), ``fts_document`` and ``fts_title`` were computed by the
backend inserting the row: French parsing and stemming were three quarters of that backend's
work for a new listing, on one core however many the server has. Kept by a trigger, they are
computed the same way (the title parsed once for both) unless the INSERT gives them: the
writer has a second backend compute them for part of a batch while its own inserts the rest
(store/bulk_insert.py), with the same expressions. An UPDATE recomputes them when the text
changes, whatever it sets them to; one that leaves the text alone does not touch them.

The large columns are compressed with LZ4 where the server has it, not pglz: a new listing's
row is over the 2 KB at which PostgreSQL compresses it, and pglz was a tenth of the rest of
the insert's work (older rows keep their compression until rewritten).
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_CONFIG = "'french_unaccent'::regconfig"
_TITLE = f"to_tsvector({_CONFIG}, coalesce(title, ''))"
_DOCUMENT = (
    f"setweight(to_tsvector({_CONFIG}, coalesce(title, '')), 'A') || "
    f"setweight(to_tsvector({_CONFIG}, coalesce(organization, '')), 'B') || "
    f"setweight(to_tsvector({_CONFIG}, coalesce(description, '')), 'D')"
)
_COMPRESSED = ("description", "raw", "details", "fts_document")
_TEXT_CHANGED = ("OLD.title IS DISTINCT FROM NEW.title "
                 "OR OLD.organization IS DISTINCT FROM NEW.organization "
                 "OR OLD.description IS DISTINCT FROM NEW.description")


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return  # SQLite keeps its FTS5 table (revision 0002)
    op.execute("ALTER TABLE listings ALTER COLUMN fts_document DROP EXPRESSION, "
               "ALTER COLUMN fts_title DROP EXPRESSION")
    op.execute(f"""
CREATE FUNCTION listings_fts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' OR NEW.fts_document IS NULL OR NEW.fts_title IS NULL THEN
    NEW.fts_title := to_tsvector({_CONFIG}, coalesce(NEW.title, ''));
    NEW.fts_document := setweight(NEW.fts_title, 'A')
      || setweight(to_tsvector({_CONFIG}, coalesce(NEW.organization, '')), 'B')
      || setweight(to_tsvector({_CONFIG}, coalesce(NEW.description, '')), 'D');
  END IF;
  RETURN NEW;
END $$""")
    op.execute("CREATE TRIGGER listings_fts_insert BEFORE INSERT ON listings "
               "FOR EACH ROW EXECUTE FUNCTION listings_fts()")
    op.execute("CREATE TRIGGER listings_fts_update BEFORE UPDATE OF title, organization, "
               f"description ON listings FOR EACH ROW WHEN ({_TEXT_CHANGED}) "
               "EXECUTE FUNCTION listings_fts()")
    lz4 = op.get_bind().exec_driver_sql(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
        "WHERE name = 'default_toast_compression'").scalar()
    if lz4:  # a server built without it keeps pglz
        op.execute("ALTER TABLE listings " + ", ".join(
            f"ALTER COLUMN {c} SET COMPRESSION lz4" for c in _COMPRESSED))


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE listings " + ", ".join(
        f"ALTER COLUMN {c} SET COMPRESSION default" for c in _COMPRESSED if c != "fts_document"))
    op.execute("DROP TRIGGER listings_fts_update ON listings")
    op.execute("DROP TRIGGER listings_fts_insert ON listings")
    op.execute("DROP FUNCTION listings_fts()")
    # a column cannot become generated again: rebuilt as revisions 0010 and 0011 made it
    op.execute("ALTER TABLE listings DROP COLUMN fts_document, DROP COLUMN fts_title")
    op.execute(f"ALTER TABLE listings ADD COLUMN fts_document tsvector GENERATED ALWAYS AS "
               f"({_DOCUMENT}) STORED, ADD COLUMN fts_title tsvector GENERATED ALWAYS AS "
               f"({_TITLE}) STORED")
    for column in ("fts_document", "fts_title"):
        op.execute(f"CREATE INDEX ix_listings_{column} ON listings USING gin ({column}) "
                   "WITH (fastupdate = on, gin_pending_list_limit = 1024)")
