"""Renewals in a department: an index on (department, ends_at)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

``renewals dep:59`` read every award of the department (10,000 of a million) and sorted
them by end; this index gives the contracts ending in the window, already in end order
(``benchmarks/awards.py``: p95 from 300 ms to a few ms on 1,000,000 awards).
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_listings_department_ends", "listings", ["department", "ends_at"])


def downgrade() -> None:
    op.drop_index("ix_listings_department_ends", "listings")
