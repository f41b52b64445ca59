"""pricing: versioned rate tables and investment-debt premium schedules

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-23 09:39:10.306956
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "rate_tables",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("body", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_tables")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_rate_tables_code_version")),
    )
    with op.batch_alter_table("rate_tables", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_tables_code"), ["code"], unique=False)

    op.create_table(
        "investment_debt_schedules",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "policy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("request", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("total_premium_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["policies.id"],
            name=op.f("fk_investment_debt_schedules_policy_id_policies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investment_debt_schedules")),
        sa.UniqueConstraint("policy_id", name=op.f("uq_investment_debt_schedules_policy_id")),
    )
    op.create_table(
        "investment_debt_periods",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "schedule_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("phase_index", sa.Integer(), nullable=False),
        sa.Column("insured_amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("premium_minor", sa.BigInteger(), nullable=False),
        sa.Column("notice_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("late_payment_accepted", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["investment_debt_schedules.id"],
            name=op.f("fk_investment_debt_periods_schedule_id_investment_debt_schedules"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investment_debt_periods")),
        sa.UniqueConstraint(
            "schedule_id", "position", name=op.f("uq_investment_debt_periods_schedule_id_position")
        ),
    )
    with op.batch_alter_table("investment_debt_periods", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_investment_debt_periods_schedule_id"), ["schedule_id"], unique=False
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("investment_debt_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_investment_debt_periods_schedule_id"))

    op.drop_table("investment_debt_periods")
    op.drop_table("investment_debt_schedules")
    with op.batch_alter_table("rate_tables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_tables_code"))

    op.drop_table("rate_tables")
