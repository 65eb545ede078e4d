"""PostgreSQL: statistics of the place columns together (SQLite: no change)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04

A commune's search (``loc:Paris``: department 75 and its 21 codes) tests both columns, and
PostgreSQL multiplied their selectivities as if they were independent: 188 rows expected of
15,000 at 1,000,000 listings, so it fetched them all and sorted them (61 ms) instead of
reading department 75 in search order (0.8 ms). The commune code determines the department:
with that dependency in its statistics the planner expects 6,300.
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return  # SQLite's planner has no multi-column statistics
    op.execute("CREATE STATISTICS st_listings_department_insee (dependencies) "
               "ON department, insee_code FROM listings")
    op.execute("ANALYZE listings")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("DROP STATISTICS st_listings_department_insee")
