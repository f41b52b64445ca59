"""limit reduction proposals: under-used limits the job proposes to reduce

``limit_reduction_proposals`` holds each reduction the under-use job proposed, with the
peak outstanding it saw, until an underwriter accepts or dismisses it (at most one
pending proposal per limit).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TABLE = "limit_reduction_proposals"


def upgrade() -> None:
    """Create ``limit_reduction_proposals`` and its indexes."""
    op.create_table(
        _TABLE,
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("limit_id", _ID, nullable=False),
        sa.Column("buyer_id", _ID, nullable=False),
        sa.Column("limit_version", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("approved_minor", sa.BigInteger(), nullable=False),
        sa.Column("peak_minor", sa.BigInteger(), nullable=False),
        sa.Column("peak_share", tradecover.db.base.DecimalText(), nullable=False),
        sa.Column("proposed_minor", sa.BigInteger(), nullable=False),
        sa.Column("max_share", tradecover.db.base.DecimalText(), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("version_id", _ID, nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'dismissed', 'lapsed')",
            name=op.f("ck_limit_reduction_proposals_status"),
        ),
        sa.CheckConstraint(
            "proposed_minor > 0 AND proposed_minor < approved_minor",
            name=op.f("ck_limit_reduction_proposals_proposed_below_approved"),
        ),
        sa.CheckConstraint(
            "peak_minor >= 0", name=op.f("ck_limit_reduction_proposals_peak_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_limit_reduction_proposals_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["limit_id"],
            ["credit_limits.id"],
            name=op.f("fk_limit_reduction_proposals_limit_id_credit_limits"),
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_limit_reduction_proposals_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["credit_limit_versions.id"],
            name=op.f("fk_limit_reduction_proposals_version_id_credit_limit_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_limit_reduction_proposals")),
    )
    op.create_index(
        "uq_limit_reduction_proposals_pending",
        _TABLE,
        ["limit_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_limit_reduction_proposals_status_id", _TABLE, ["status", "id"])
    op.create_index("ix_limit_reduction_proposals_limit_id", _TABLE, ["limit_id", "id"])


def downgrade() -> None:
    """Drop ``limit_reduction_proposals``."""
    op.drop_index("ix_limit_reduction_proposals_limit_id", table_name=_TABLE)
    op.drop_index("ix_limit_reduction_proposals_status_id", table_name=_TABLE)
    op.drop_index("uq_limit_reduction_proposals_pending", table_name=_TABLE)
    op.drop_table(_TABLE)
