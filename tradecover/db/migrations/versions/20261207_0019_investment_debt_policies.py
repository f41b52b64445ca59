"""investment-debt policies end to end: application loans and missed-repayment claims ([004])

``investment_debt_applications`` holds the loan behind an investment-debt application
(drawdown and repayment schedule, cover asked for, host country); ``investment_debt_claims``
the claims on a missed repayment, with the premium set off against the indemnity.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create ``investment_debt_applications`` and ``investment_debt_claims``."""
    op.create_table(
        "investment_debt_applications",
        sa.Column("application_id", _ID, nullable=False),
        sa.Column("host_country", sa.String(length=2), nullable=False),
        sa.Column("loan", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["policy_applications.id"],
            name=op.f("fk_investment_debt_applications_application_id_policy_applications"),
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_investment_debt_applications")),
    )
    op.create_table(
        "investment_debt_claims",
        sa.Column("id", _ID, nullable=False),
        sa.Column("exporter_org_id", _ID, nullable=False),
        sa.Column("policy_id", _ID, nullable=False),
        sa.Column("repayment_period", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("settlement", sa.String(length=24), nullable=False),
        sa.Column("repayment_due_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("missed_principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("missed_interest_minor", sa.BigInteger(), nullable=False),
        sa.Column("loss_minor", sa.BigInteger(), nullable=False),
        sa.Column("indemnity_pct", tradecover.db.base.DecimalText(length=40), nullable=False),
        sa.Column("indemnity_minor", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("checks", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("filed_by", sa.String(length=64), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("set_off_minor", sa.BigInteger(), nullable=False),
        sa.Column("set_off_positions", tradecover.db.base.JSONText(), nullable=True),
        sa.Column("net_paid_minor", sa.BigInteger(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("paid_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "state IN ('filed', 'approved', 'rejected', 'paid')",
            name=op.f("ck_investment_debt_claims_state"),
        ),
        sa.CheckConstraint("loss_minor > 0", name=op.f("ck_investment_debt_claims_loss_positive")),
        sa.CheckConstraint(
            "indemnity_minor >= 0 AND indemnity_minor <= loss_minor",
            name=op.f("ck_investment_debt_claims_indemnity_within_loss"),
        ),
        sa.CheckConstraint(
            "net_paid_minor IS NULL OR net_paid_minor + set_off_minor = indemnity_minor",
            name=op.f("ck_investment_debt_claims_net_plus_set_off_is_indemnity"),
        ),
        sa.ForeignKeyConstraint(
            ["exporter_org_id"],
            ["organisations.id"],
            name=op.f("fk_investment_debt_claims_exporter_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["policies.id"],
            name=op.f("fk_investment_debt_claims_policy_id_policies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investment_debt_claims")),
    )
    with op.batch_alter_table("investment_debt_claims", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_investment_debt_claims_exporter_org_id"),
            ["exporter_org_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_investment_debt_claims_policy_id"), ["policy_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_investment_debt_claims_state"), ["state"], unique=False
        )


def downgrade() -> None:
    """Drop both tables."""
    with op.batch_alter_table("investment_debt_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_investment_debt_claims_state"))
        batch_op.drop_index(batch_op.f("ix_investment_debt_claims_policy_id"))
        batch_op.drop_index(batch_op.f("ix_investment_debt_claims_exporter_org_id"))
    op.drop_table("investment_debt_claims")
    op.drop_table("investment_debt_applications")
