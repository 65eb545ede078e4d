"""alerts: saved searches, the digest outbox, per-alert sent records

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

See aggregator/mail/digests.py for the guarantees these tables carry (never missed, never
sent twice).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("recipients", _json(), nullable=False),
        sa.Column("every", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("name", name=op.f("uq_alerts_name")),
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("recipients", _json(), nullable=False),
        sa.Column("delivered_to", _json(), nullable=False),
        sa.Column("refused", _json(), nullable=False),
        sa.Column("counts", _json(), nullable=False),
        sa.Column("entries", _json(), nullable=False),
        sa.Column("message", sa.LargeBinary(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"],
                                name=op.f("fk_alert_deliveries_alert_id_alerts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
        sa.UniqueConstraint("message_id", name=op.f("uq_alert_deliveries_message_id")),
    )
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_alert_deliveries_alert_status", ["alert_id", "status"],
                              unique=False)

    op.create_table(
        "alert_sent",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("first_sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reminded_deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"],
                                name=op.f("fk_alert_sent_alert_id_alerts"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["delivery_id"], ["alert_deliveries.id"],
                                name=op.f("fk_alert_sent_delivery_id_alert_deliveries"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["listing_id"], ["listings.id"],
                                name=op.f("fk_alert_sent_listing_id_listings"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("alert_id", "listing_id", name=op.f("pk_alert_sent")),
    )
    with op.batch_alter_table("alert_sent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_sent_delivery_id"), ["delivery_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_alert_sent_listing_id"), ["listing_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alert_sent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_sent_listing_id"))
        batch_op.drop_index(batch_op.f("ix_alert_sent_delivery_id"))
    op.drop_table("alert_sent")
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_deliveries_alert_status")
    op.drop_table("alert_deliveries")
    op.drop_table("alerts")
