"""coinsurance: participations of a policy and the allocations of its money

``coinsurance_participations``: each insurer's share of a policy for a period (lead or
follower).  ``coinsurance_allocations``: every split amount, one row per source (notice,
claim, recovery), component and participant, in signed minor units ([domain CO-7]).

Revision ID: 0035
Revises: 0027
Create Date: 2026-12-07 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0035"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the participations and allocations tables."""
    op.create_table(
        "coinsurance_participations",
        sa.Column("id", _ID, nullable=False),
        sa.Column("policy_id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("share", tradecover.db.base.DecimalText(length=40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_coinsurance_participations_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["policies.id"],
            name=op.f("fk_coinsurance_participations_policy_id_policies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coinsurance_participations")),
    )
    op.create_index(
        "ix_coinsurance_participations_org",
        "coinsurance_participations",
        ["org_id", "policy_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_coinsurance_participations_policy_id"),
        "coinsurance_participations",
        ["policy_id"],
        unique=False,
    )
    op.create_table(
        "coinsurance_allocations",
        sa.Column("id", _ID, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", _ID, nullable=False),
        sa.Column("component", sa.String(length=48), nullable=False),
        sa.Column("policy_id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("share", tradecover.db.base.DecimalText(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("whole_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_coinsurance_allocations_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["policies.id"],
            name=op.f("fk_coinsurance_allocations_policy_id_policies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coinsurance_allocations")),
        sa.UniqueConstraint(
            "source",
            "source_id",
            "component",
            "org_id",
            name=op.f("uq_coinsurance_allocations_source_source_id_component_org_id"),
        ),
    )
    op.create_index(
        "ix_coinsurance_allocations_org",
        "coinsurance_allocations",
        ["org_id", "posted_on"],
        unique=False,
    )


def downgrade() -> None:
    """Drop the coinsurance tables."""
    op.drop_index("ix_coinsurance_allocations_org", table_name="coinsurance_allocations")
    op.drop_table("coinsurance_allocations")
    op.drop_index(
        op.f("ix_coinsurance_participations_policy_id"), table_name="coinsurance_participations"
    )
    op.drop_index("ix_coinsurance_participations_org", table_name="coinsurance_participations")
    op.drop_table("coinsurance_participations")
