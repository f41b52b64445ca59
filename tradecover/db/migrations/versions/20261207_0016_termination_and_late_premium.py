"""policy suspensions and premium waivers

``policies.suspensions`` keeps every suspension of a policy (start, end, reason), so that
shipments made while it was suspended carry no cover even when declared after its
reinstatement.  ``premium_waivers`` holds the insurer's four-eyes waivers of a notice's
late premium: the shipments it billed keep their cover for losses that arose before the
premium was paid.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Add ``policies.suspensions``; create ``premium_waivers``."""
    with op.batch_alter_table("policies") as batch:
        batch.add_column(sa.Column("suspensions", tradecover.db.base.JSONText(), nullable=True))
    op.create_table(
        "premium_waivers",
        sa.Column("id", _ID, nullable=False),
        sa.Column("notice_id", _ID, nullable=False),
        sa.Column("exporter_org_id", _ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("proposed_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("approved_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('proposed', 'approved')", name=op.f("ck_premium_waivers_status")
        ),
        sa.CheckConstraint(
            "approved_by IS NULL OR approved_by <> proposed_by",
            name=op.f("ck_premium_waivers_four_eyes"),
        ),
        sa.CheckConstraint(
            "(status = 'approved') = (approved_by IS NOT NULL)",
            name=op.f("ck_premium_waivers_approved_has_approver"),
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["premium_notices.id"],
            name=op.f("fk_premium_waivers_notice_id_premium_notices"),
        ),
        sa.ForeignKeyConstraint(
            ["exporter_org_id"],
            ["organisations.id"],
            name=op.f("fk_premium_waivers_exporter_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_premium_waivers")),
        sa.UniqueConstraint("notice_id", name=op.f("uq_premium_waivers_notice_id")),
    )
    op.create_index(
        op.f("ix_premium_waivers_exporter_org_id"), "premium_waivers", ["exporter_org_id"]
    )


def downgrade() -> None:
    """Drop ``premium_waivers`` and ``policies.suspensions``."""
    op.drop_index(op.f("ix_premium_waivers_exporter_org_id"), table_name="premium_waivers")
    op.drop_table("premium_waivers")
    with op.batch_alter_table("policies") as batch:
        batch.drop_column("suspensions")
