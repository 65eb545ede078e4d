"""crawl runs: a crawl stopped from outside is ``stopped``, no longer ``failed`` + "shutdown"

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

Data only (the outcome column is text): the runs recorded before there was a ``stopped``
outcome keep meaning "says nothing about the source" (aggregator.store.run_outcome).
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE crawl_runs SET outcome = 'stopped' "
               "WHERE outcome = 'failed' AND finish_reason = 'shutdown'")


def downgrade() -> None:
    op.execute("UPDATE crawl_runs SET outcome = 'failed' WHERE outcome = 'stopped'")
