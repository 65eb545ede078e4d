"""crawl runs and locks know their owner: process start time, heartbeat; replayed runs

Revision ID: 0007
Revises: 0010
Create Date: 2026-12-04

A run or a lock whose owner is gone (its process no longer exists on this host, or its
heartbeat is stale elsewhere) is dead (aggregator.store.owners): the run is closed
``interrupted`` and the lock taken over at once. ``replayed`` marks runs that read a replay
set, not the source: they neither settle the schedule nor count for the source's health.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pid_started", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("replayed", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("scheduler_locks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("host", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pid_started", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scheduler_locks", schema=None) as batch_op:
        batch_op.drop_column("pid_started")
        batch_op.drop_column("pid")
        batch_op.drop_column("host")
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("replayed")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("pid_started")
