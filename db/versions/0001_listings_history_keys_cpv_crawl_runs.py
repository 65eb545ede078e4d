"""listings, history, keys, cpv, crawl runs

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("items_seen", sa.Integer(), nullable=False),
        sa.Column("items_new", sa.Integer(), nullable=False),
        sa.Column("items_updated", sa.Integer(), nullable=False),
        sa.Column("items_unchanged", sa.Integer(), nullable=False),
        sa.Column("items_dropped", sa.Integer(), nullable=False),
        sa.Column(
            "dropped_reasons",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("error_summary", sa.Text(), nullable=True),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("finish_reason", sa.String(length=60), nullable=True),
        sa.Column("args", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column(
            "stats", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("host", sa.String(length=120), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crawl_runs_outcome"), ["outcome"], unique=False)
        batch_op.create_index(
            "ix_crawl_runs_source_started", ["source", "started_at"], unique=False
        )

    op.create_table(
        "listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.String(length=512), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("organization", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=True),
        sa.Column("postal_code", sa.String(length=10), nullable=True),
        sa.Column("insee_code", sa.String(length=5), nullable=True),
        sa.Column("department", sa.String(length=3), nullable=True),
        sa.Column("region", sa.String(length=3), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("remote", sa.Boolean(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline_time_given", sa.Boolean(), nullable=True),
        sa.Column("contract_type", sa.String(length=20), nullable=True),
        sa.Column("working_time", sa.String(length=12), nullable=True),
        sa.Column("salary_min", sa.Float(), nullable=True),
        sa.Column("salary_max", sa.Float(), nullable=True),
        sa.Column("salary_currency", sa.String(length=3), nullable=True),
        sa.Column("salary_period", sa.String(length=8), nullable=True),
        sa.Column("salary_basis", sa.String(length=6), nullable=True),
        sa.Column("cpv", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("procedure", sa.String(length=120), nullable=True),
        sa.Column("contract_nature", sa.String(length=40), nullable=True),
        sa.Column("estimated_value", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("lots", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("notice_type", sa.String(length=60), nullable=True),
        sa.Column(
            "details", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("raw", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=True),
        sa.Column("missed_crawls", sa.Integer(), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("starred", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["listings.id"],
            name=op.f("fk_listings_duplicate_of_listings"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
        sa.UniqueConstraint("source", "source_id", name="uq_listings_source_source_id"),
    )
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listings_contract_type"), ["contract_type"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_listings_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_listings_deadline_at"), ["deadline_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_listings_department"), ["department"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_listings_duplicate_of"), ["duplicate_of"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_listings_first_seen_at"), ["first_seen_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_listings_insee_code"), ["insee_code"], unique=False)
        batch_op.create_index("ix_listings_kind_published", ["kind", "published_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_listings_published_at"), ["published_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_listings_region"), ["region"], unique=False)
        batch_op.create_index(
            "ix_listings_status_deadline", ["status", "deadline_at"], unique=False
        )

    op.create_table(
        "listing_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column(
            "old_value", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column(
            "new_value", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_listing_changes_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_listing_changes_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_changes")),
    )
    with op.batch_alter_table("listing_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listing_changes_changed_at"), ["changed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_listing_changes_listing_id"), ["listing_id"], unique=False
        )

    op.create_table(
        "listing_cpv",
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_listing_cpv_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("listing_id", "code", name=op.f("pk_listing_cpv")),
    )
    with op.batch_alter_table("listing_cpv", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listing_cpv_code"), ["code"], unique=False)

    op.create_table(
        "listing_keys",
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_listing_keys_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("listing_id", "key", name=op.f("pk_listing_keys")),
    )
    with op.batch_alter_table("listing_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listing_keys_key"), ["key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("listing_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_keys_key"))

    op.drop_table("listing_keys")
    with op.batch_alter_table("listing_cpv", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_cpv_code"))

    op.drop_table("listing_cpv")
    with op.batch_alter_table("listing_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_changes_listing_id"))
        batch_op.drop_index(batch_op.f("ix_listing_changes_changed_at"))

    op.drop_table("listing_changes")
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_index("ix_listings_status_deadline")
        batch_op.drop_index(batch_op.f("ix_listings_region"))
        batch_op.drop_index(batch_op.f("ix_listings_published_at"))
        batch_op.drop_index("ix_listings_kind_published")
        batch_op.drop_index(batch_op.f("ix_listings_insee_code"))
        batch_op.drop_index(batch_op.f("ix_listings_first_seen_at"))
        batch_op.drop_index(batch_op.f("ix_listings_duplicate_of"))
        batch_op.drop_index(batch_op.f("ix_listings_department"))
        batch_op.drop_index(batch_op.f("ix_listings_deadline_at"))
        batch_op.drop_index(batch_op.f("ix_listings_country"))
        batch_op.drop_index(batch_op.f("ix_listings_contract_type"))

    op.drop_table("listings")
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_crawl_runs_source_started")
        batch_op.drop_index(batch_op.f("ix_crawl_runs_outcome"))

    op.drop_table("crawl_runs")
