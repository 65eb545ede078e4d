"""scheduler: locks shared by scheduler processes, APScheduler job store

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_locks",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_locks")),
    )
    # The table APScheduler 3's SQLAlchemyJobStore would create (same types), made here so
    # that the schema has one owner.
    op.create_table(
        "scheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_jobs")),
    )
    with op.batch_alter_table("scheduler_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduler_jobs_next_run_time"), ["next_run_time"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduler_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduler_jobs_next_run_time"))
    op.drop_table("scheduler_jobs")
    op.drop_table("scheduler_locks")
