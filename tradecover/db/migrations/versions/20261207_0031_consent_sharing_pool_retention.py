"""consent sharing, payment experience pool, retention purges

``consent_field_sharing``: the fields an exporter withholds per feed source;
``payment_experience_pool``: buyers' payment experience each consenting exporter
contributes; ``consent_purges``: the consents whose retention was purged.

Revision ID: 0031
Revises: 0029
Create Date: 2026-12-07 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0031"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the sharing, pool and purge tables."""
    op.create_table(
        "consent_field_sharing",
        sa.Column("id", _ID, nullable=False),
        sa.Column("exporter_org_id", _ID, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("withheld", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", tradecover.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exporter_org_id"],
            ["organisations.id"],
            name=op.f("fk_consent_field_sharing_exporter_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_field_sharing")),
        sa.UniqueConstraint(
            "exporter_org_id",
            "source",
            name=op.f("uq_consent_field_sharing_exporter_org_id_source"),
        ),
    )
    op.create_table(
        "payment_experience_pool",
        sa.Column("id", _ID, nullable=False),
        sa.Column("buyer_id", _ID, nullable=False),
        sa.Column("contributor_org_id", _ID, nullable=False),
        sa.Column("overdue_notices", sa.Integer(), nullable=False),
        sa.Column("max_days_late", sa.Integer(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("contributed_at", tradecover.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_payment_experience_pool_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["contributor_org_id"],
            ["organisations.id"],
            name=op.f("fk_payment_experience_pool_contributor_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_experience_pool")),
        sa.UniqueConstraint(
            "buyer_id",
            "contributor_org_id",
            name=op.f("uq_payment_experience_pool_buyer_id_contributor_org_id"),
        ),
    )
    with op.batch_alter_table("payment_experience_pool", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payment_experience_pool_contributor", ["contributor_org_id"], unique=False
        )
    op.create_table(
        "consent_purges",
        sa.Column("consent_id", _ID, nullable=False),
        sa.Column("purged_at", tradecover.db.base.UTCDateTime(), nullable=False),
        sa.Column("counts", tradecover.db.base.JSONText(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consents.id"], name=op.f("fk_consent_purges_consent_id_consents")
        ),
        sa.PrimaryKeyConstraint("consent_id", name=op.f("pk_consent_purges")),
    )


def downgrade() -> None:
    """Drop the sharing, pool and purge tables."""
    op.drop_table("consent_purges")
    with op.batch_alter_table("payment_experience_pool", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_experience_pool_contributor")
    op.drop_table("payment_experience_pool")
    op.drop_table("consent_field_sharing")
