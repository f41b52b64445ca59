"""declarations: declared shipments, limit reservations, monthly turnover returns

Also replaces the placeholder view ``limit_outstanding`` of 0006 (limit_id,
outstanding_minor, shipped_on) with one over active declarations: outstanding =
covered - collected.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 10:28:01.525104
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "turnover_returns",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "policy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "exporter_org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("submitted_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "amount_minor >= 0", name=op.f("ck_turnover_returns_amount_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["exporter_org_id"],
            ["organisations.id"],
            name=op.f("fk_turnover_returns_exporter_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_turnover_returns_policy_id_policies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_turnover_returns")),
        sa.UniqueConstraint("policy_id", "month", name=op.f("uq_turnover_returns_policy_id_month")),
    )
    with op.batch_alter_table("turnover_returns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_turnover_returns_exporter_org_id"), ["exporter_org_id"], unique=False
        )

    op.create_table(
        "limit_reservations",
        sa.Column("limit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("outstanding_minor", sa.BigInteger(), nullable=False),
        sa.Column("cap_minor", sa.BigInteger(), nullable=False),
        sa.Column("last_reserved_minor", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outstanding_minor <= cap_minor",
            name=op.f("ck_limit_reservations_outstanding_within_cap"),
        ),
        sa.CheckConstraint(
            "outstanding_minor >= 0", name=op.f("ck_limit_reservations_outstanding_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["limit_id"],
            ["credit_limits.id"],
            name=op.f("fk_limit_reservations_limit_id_credit_limits"),
        ),
        sa.PrimaryKeyConstraint("limit_id", name=op.f("pk_limit_reservations")),
    )
    op.create_table(
        "declarations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "exporter_org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "policy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("buyer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("buyer_country", sa.String(length=2), nullable=True),
        sa.Column("limit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "limit_version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("invoice_number", sa.String(length=64), nullable=False),
        sa.Column("shipment_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("credit_days", sa.Integer(), nullable=False),
        sa.Column("payment_terms", sa.String(length=16), nullable=False),
        sa.Column("transport_mode", sa.String(length=16), nullable=False),
        sa.Column("hs_code", sa.String(length=16), nullable=False),
        sa.Column("goods_description", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("invoice_minor", sa.BigInteger(), nullable=False),
        sa.Column("prepayment_minor", sa.BigInteger(), nullable=False),
        sa.Column("insured_minor", sa.BigInteger(), nullable=False),
        sa.Column("covered_minor", sa.BigInteger(), nullable=False),
        sa.Column("uninsured_minor", sa.BigInteger(), nullable=False),
        sa.Column("collected_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cover_status", sa.String(length=24), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=False),
        sa.Column("cover_explanation", sa.Text(), nullable=False),
        sa.Column("rate", tradecover.db.base.DecimalText(length=40), nullable=False),
        sa.Column("rate_explanation", tradecover.db.base.JSONText(), nullable=True),
        sa.Column("premium_minor", sa.BigInteger(), nullable=False),
        sa.Column("declaration_date", sa.Date(), nullable=False),
        sa.Column("declaration_due", sa.Date(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("days_late", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "supersedes_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("declared_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("declared_by", sa.String(length=64), nullable=False),
        sa.Column("ended_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=64), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('active', 'corrected', 'cancelled')", name=op.f("ck_declarations_status")
        ),
        sa.CheckConstraint(
            "collected_minor >= 0", name=op.f("ck_declarations_collected_not_negative")
        ),
        sa.CheckConstraint(
            "covered_minor >= 0 AND covered_minor + uninsured_minor = insured_minor",
            name=op.f("ck_declarations_cover_adds_up"),
        ),
        sa.CheckConstraint(
            "prepayment_minor >= 0 AND prepayment_minor <= invoice_minor",
            name=op.f("ck_declarations_prepayment_within_invoice"),
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_declarations_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["exporter_org_id"],
            ["organisations.id"],
            name=op.f("fk_declarations_exporter_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["limit_id"], ["credit_limits.id"], name=op.f("fk_declarations_limit_id_credit_limits")
        ),
        sa.ForeignKeyConstraint(
            ["limit_version_id"],
            ["credit_limit_versions.id"],
            name=op.f("fk_declarations_limit_version_id_credit_limit_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_declarations_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["declarations.id"],
            name=op.f("fk_declarations_supersedes_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declarations")),
    )
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.create_index("ix_declarations_buyer_id", ["buyer_id"], unique=False)
        batch_op.create_index("ix_declarations_limit_status", ["limit_id", "status"], unique=False)
        batch_op.create_index("ix_declarations_org_id", ["exporter_org_id", "id"], unique=False)
        batch_op.create_index(
            "ix_declarations_policy_date", ["policy_id", "declaration_date"], unique=False
        )
        batch_op.create_index(
            "uq_declarations_active_invoice",
            ["exporter_org_id", "buyer_id", "invoice_number"],
            unique=True,
            postgresql_where=sa.text("status = 'active'"),
            sqlite_where=sa.text("status = 'active'"),
        )
    op.execute("DROP VIEW limit_outstanding")
    op.execute(OUTSTANDING_VIEW)


OUTSTANDING_VIEW = (
    "CREATE VIEW limit_outstanding AS "
    "SELECT limit_id, covered_minor - collected_minor AS outstanding_minor, "
    "shipment_date AS shipped_on FROM declarations "
    "WHERE status = 'active' AND limit_id IS NOT NULL AND covered_minor > collected_minor"
)
"""Outstanding insured receivables per declaration on a limit (utilisation reads this)."""

PLACEHOLDER_VIEW = (
    "CREATE VIEW limit_outstanding AS "
    "SELECT CAST(NULL AS BIGINT) AS limit_id, CAST(0 AS BIGINT) AS outstanding_minor, "
    "CAST(NULL AS DATE) AS shipped_on WHERE 1 = 0"
)


def downgrade() -> None:
    """Revert this migration."""
    op.execute("DROP VIEW limit_outstanding")
    op.execute(PLACEHOLDER_VIEW)
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_declarations_active_invoice",
            postgresql_where=sa.text("status = 'active'"),
            sqlite_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index("ix_declarations_policy_date")
        batch_op.drop_index("ix_declarations_org_id")
        batch_op.drop_index("ix_declarations_limit_status")
        batch_op.drop_index("ix_declarations_buyer_id")

    op.drop_table("declarations")
    op.drop_table("limit_reservations")
    with op.batch_alter_table("turnover_returns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_turnover_returns_exporter_org_id"))

    op.drop_table("turnover_returns")
