"""awards: the award kind's columns (DECP), its suppliers one per row, and the indexes the
buyer, supplier and renewal queries read

Revision ID: 0006
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0010"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
_COLUMNS = (
    ("buyer_id", sa.String(20)), ("suppliers", _JSON), ("amount", sa.Float()),
    ("awarded_at", sa.DateTime(timezone=True)), ("duration_months", sa.Integer()),
    ("ends_at", sa.DateTime(timezone=True)), ("nature", sa.String(80)),
    ("offers_received", sa.Integer()),
)


def upgrade() -> None:
    # plain ADD COLUMN (no batch copy of the table: the full-text view reads it)
    for name, type_ in _COLUMNS:
        op.add_column("listings", sa.Column(name, type_, nullable=True))
    op.create_index("ix_listings_buyer_awarded", "listings", ["buyer_id", "awarded_at"])
    op.create_index("ix_listings_awarded_at", "listings", ["awarded_at"])
    op.create_index("ix_listings_ends_at", "listings", ["ends_at"])
    award = sa.text("kind = 'award'")
    op.create_index("ix_listings_award_organization", "listings", [sa.text("lower(organization)")],
                    sqlite_where=award, postgresql_where=award)
    op.create_table(
        "award_suppliers",
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(["listing_id"], ["listings.id"], ondelete="CASCADE",
                                name="fk_award_suppliers_listing_id_listings"),
        sa.PrimaryKeyConstraint("listing_id", "supplier_id", name="pk_award_suppliers"),
    )
    op.create_index("ix_award_suppliers_supplier_id", "award_suppliers", ["supplier_id"])


def downgrade() -> None:
    op.drop_table("award_suppliers")
    op.drop_index("ix_listings_award_organization", "listings")
    op.drop_index("ix_listings_ends_at", "listings")
    op.drop_index("ix_listings_awarded_at", "listings")
    op.drop_index("ix_listings_buyer_awarded", "listings")
    for name, _ in reversed(_COLUMNS):
        op.drop_column("listings", name)
