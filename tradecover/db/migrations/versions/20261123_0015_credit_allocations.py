"""credit notes applied to older unpaid notices

A credit note (a notice whose exporter share is negative) is allocated to the exporter's
oldest unpaid notices of the same policy and currency: ``credit_allocations`` records
each part.  ``billing_run_items.sums`` holds a policy's part sums computed at enqueue
(one pass over the run's periods instead of one per batch).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create ``credit_allocations``; add ``billing_run_items.sums``."""
    op.add_column("billing_run_items", sa.Column("sums", sa.Text(), nullable=True))
    op.create_table(
        "credit_allocations",
        sa.Column("id", _ID, nullable=False),
        sa.Column("credit_notice_id", _ID, nullable=False),
        sa.Column("notice_id", _ID, nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("allocated_on", sa.Date(), nullable=False),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_credit_allocations_amount_positive")),
        sa.CheckConstraint(
            "credit_notice_id <> notice_id", name=op.f("ck_credit_allocations_not_itself")
        ),
        sa.ForeignKeyConstraint(
            ["credit_notice_id"],
            ["premium_notices.id"],
            name=op.f("fk_credit_allocations_credit_notice_id_premium_notices"),
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["premium_notices.id"],
            name=op.f("fk_credit_allocations_notice_id_premium_notices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_allocations")),
    )
    op.create_index("ix_credit_allocations_notice", "credit_allocations", ["notice_id"])
    op.create_index(
        op.f("ix_credit_allocations_credit_notice_id"), "credit_allocations", ["credit_notice_id"]
    )


def downgrade() -> None:
    """Drop ``credit_allocations`` and ``billing_run_items.sums``."""
    op.drop_index(op.f("ix_credit_allocations_credit_notice_id"), table_name="credit_allocations")
    op.drop_index("ix_credit_allocations_notice", table_name="credit_allocations")
    op.drop_table("credit_allocations")
    with op.batch_alter_table("billing_run_items") as batch:
        batch.drop_column("sums")
