"""PostgreSQL search: a smaller pending list for the full-text GIN indexes (SQLite: no change)

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-04

With ``fastupdate`` (kept: a writer batch appends its rows' entries to a pending list
instead of updating the GIN tree row by row), every search scans that unsorted list in full
until it is merged; at the default 4 MB, a text search after a large write took seconds. A
1 MB list still spares writers most of the work and bounds what a search scans; the store's
optimize step merges it after large loads (``gin_clean_pending_list``).
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0007"
branch_labels = None
depends_on = None

_INDEXES = ("ix_listings_fts_document", "ix_listings_fts_title")


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for index in _INDEXES:
        op.execute(f"ALTER INDEX {index} SET (fastupdate = on, gin_pending_list_limit = 1024)")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for index in _INDEXES:
        op.execute(f"ALTER INDEX {index} RESET (fastupdate, gin_pending_list_limit)")
