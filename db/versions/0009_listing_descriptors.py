"""listing_descriptors: a source's own keywords (BOAMP descriptors), one per row

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

For the ``descriptor:`` filter: by the source's code or the label's folded form, both
indexed. Listings stored before kept their descriptors' labels (no codes) in ``details``:
they are copied here, in batches.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_BATCH = 5_000


def upgrade() -> None:
    op.create_table(
        "listing_descriptors",
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("folded", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["listing_id"], ["listings.id"],
                                name=op.f("fk_listing_descriptors_listing_id_listings"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("listing_id", "folded", name=op.f("pk_listing_descriptors")),
    )
    with op.batch_alter_table("listing_descriptors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listing_descriptors_folded"), ["folded"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_listing_descriptors_code"), ["code"],
                              unique=False)
    _copy_stored_descriptors()


def _copy_stored_descriptors() -> None:
    from aggregator.normalize.listing import descriptor_rows, read_descriptors

    conn = op.get_bind()
    listings = sa.table("listings", sa.column("id", sa.Integer),
                        sa.column("details", sa.JSON), sa.column("kind", sa.String))
    target = sa.table("listing_descriptors", sa.column("listing_id", sa.Integer),
                      sa.column("folded", sa.String), sa.column("code", sa.String),
                      sa.column("label", sa.String))
    last = 0
    while True:
        rows = conn.execute(sa.select(listings.c.id, listings.c.details)
                            .where(listings.c.kind == "tender", listings.c.id > last)
                            .order_by(listings.c.id).limit(_BATCH)).all()
        if not rows:
            return
        last = rows[-1].id
        pairs = [(row.id, {"details": {"descriptors": read_descriptors(
            (row.details or {}).get("descriptors"))}}) for row in rows
            if isinstance(row.details, dict) and row.details.get("descriptors")]
        found = descriptor_rows(pairs)
        if found:
            conn.execute(target.insert(), found)


def downgrade() -> None:
    with op.batch_alter_table("listing_descriptors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_descriptors_code"))
        batch_op.drop_index(batch_op.f("ix_listing_descriptors_folded"))
    op.drop_table("listing_descriptors")
