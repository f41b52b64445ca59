"""market: the insurer each policy was issued for, and double insurance

``market_policy_issuers``: the insurer a policy was issued for on a market and the routing
basis ([domain MK-11]); ``market_risk_carriers``: the commercial and political carriers of a
double-insured policy, each with its rate and limit ([domain MK-12]);
``market_carrier_parts``: each carrier's part of the policy's notices, claims and
recoveries ([domain MK-13], [domain MK-14]).

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-07 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0040"
down_revision: str | None = "0039"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = tradecover.db.base.UTCDateTime


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    """Create the issuers, carriers and carrier allocations tables."""
    op.create_table(
        "market_policy_issuers",
        sa.Column("id", _ID, nullable=False),
        sa.Column("policy_id", _ID, nullable=False),
        sa.Column("insurer_org_id", _ID, nullable=False),
        sa.Column("classification_id", _ID, nullable=True),
        sa.Column("basis", sa.String(length=24), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", _AT(), nullable=False),
        _fk("market_policy_issuers", "policy_id", "policies"),
        _fk("market_policy_issuers", "insurer_org_id", "organisations"),
        _fk("market_policy_issuers", "classification_id", "market_classifications"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_policy_issuers")),
        sa.UniqueConstraint("policy_id", name=op.f("uq_market_policy_issuers_policy_id")),
    )
    op.create_table(
        "market_risk_carriers",
        sa.Column("id", _ID, nullable=False),
        sa.Column("policy_id", _ID, nullable=False),
        sa.Column("risk_class", sa.String(length=12), nullable=False),
        sa.Column("insurer_org_id", _ID, nullable=False),
        sa.Column("rate_pct", tradecover.db.base.DecimalText(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("maximum_liability_minor", sa.BigInteger(), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", _AT(), nullable=False),
        sa.CheckConstraint(
            "risk_class IN ('commercial', 'political')",
            name=op.f("ck_market_risk_carriers_risk_class"),
        ),
        _fk("market_risk_carriers", "policy_id", "policies"),
        _fk("market_risk_carriers", "insurer_org_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_risk_carriers")),
        sa.UniqueConstraint(
            "policy_id", "risk_class", name=op.f("uq_market_risk_carriers_policy_id_risk_class")
        ),
    )
    op.create_index(
        op.f("ix_market_risk_carriers_policy_id"), "market_risk_carriers", ["policy_id"]
    )
    op.create_table(
        "market_carrier_parts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", _ID, nullable=False),
        sa.Column("component", sa.String(length=64), nullable=False),
        sa.Column("policy_id", _ID, nullable=False),
        sa.Column("risk_class", sa.String(length=12), nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("whole_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        _fk("market_carrier_parts", "policy_id", "policies"),
        _fk("market_carrier_parts", "org_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_carrier_parts")),
        sa.UniqueConstraint(
            "source",
            "source_id",
            "component",
            "risk_class",
            name=op.f("uq_market_carrier_parts_source_source_id_component_risk_class"),
        ),
    )
    op.create_index(
        op.f("ix_market_carrier_parts_policy_id"),
        "market_carrier_parts",
        ["policy_id"],
    )


def downgrade() -> None:
    """Drop the issuers, carriers and carrier allocations tables."""
    op.drop_index(op.f("ix_market_carrier_parts_policy_id"), table_name="market_carrier_parts")
    op.drop_table("market_carrier_parts")
    op.drop_index(op.f("ix_market_risk_carriers_policy_id"), table_name="market_risk_carriers")
    op.drop_table("market_risk_carriers")
    op.drop_table("market_policy_issuers")
