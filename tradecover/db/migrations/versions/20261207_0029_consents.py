"""consents

``consents``: what an exporter lets another organisation (insurer, co-insurer, bank,
subsidy programme) read of its data, for which purposes, until when.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the consents table."""
    op.create_table(
        "consents",
        sa.Column("id", _ID, nullable=False),
        sa.Column("grantor_org_id", _ID, nullable=False),
        sa.Column("grantee_org_id", _ID, nullable=False),
        sa.Column("scopes", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("purposes", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("data_from", sa.Date(), nullable=True),
        sa.Column("data_to", sa.Date(), nullable=True),
        sa.Column("expires_at", tradecover.db.base.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", tradecover.db.base.UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("authorised_at", tradecover.db.base.UTCDateTime(), nullable=True),
        sa.Column("rejected_at", tradecover.db.base.UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("revoked_at", tradecover.db.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('awaiting_authorisation', 'authorised', 'rejected', 'revoked', 'expired')",
            name=op.f("ck_consents_status"),
        ),
        sa.CheckConstraint(
            "grantor_org_id <> grantee_org_id", name=op.f("ck_consents_two_parties")
        ),
        sa.ForeignKeyConstraint(
            ["grantor_org_id"],
            ["organisations.id"],
            name=op.f("fk_consents_grantor_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["grantee_org_id"],
            ["organisations.id"],
            name=op.f("fk_consents_grantee_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consents_grantee_status", ["grantee_org_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_consents_grantor_status", ["grantor_org_id", "status"], unique=False
        )


def downgrade() -> None:
    """Drop the consents table."""
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index("ix_consents_grantor_status")
        batch_op.drop_index("ix_consents_grantee_status")
    op.drop_table("consents")
