"""claims terms per policy, reminders and closing

* ``policies.claim_terms``: the policy's own claim terms (NULL: installation defaults).
* ``claims``: how and when a claim was closed (settled, rejected, withdrawn).
* ``collection_confirmations.confirmed_on``: the business day of the answer (chasing).
* ``notifications``: the exporter's outbox of reminders sent by the daily overdue job,
  unique per exporter and ``dedupe_key`` so a rerun sends nothing twice.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Add the policy's claim terms, the claim's closure and the notifications table."""
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_terms", tradecover.db.base.JSONText(), nullable=True))
    with op.batch_alter_table("collection_confirmations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_on", sa.Date(), nullable=True))
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closure", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("closed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("close_reason", sa.Text(), nullable=True))
    op.create_table(
        "notifications",
        sa.Column("id", _ID, nullable=False),
        sa.Column("exporter_org_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("dedupe_key", sa.String(length=128), nullable=False),
        sa.Column("declaration_id", _ID, nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("data", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("sent_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_notifications_declaration_id_declarations"),
        ),
        sa.ForeignKeyConstraint(
            ["exporter_org_id"],
            ["organisations.id"],
            name=op.f("fk_notifications_exporter_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "exporter_org_id",
            "dedupe_key",
            name=op.f("uq_notifications_exporter_org_id_dedupe_key"),
        ),
    )
    op.create_index(
        "ix_notifications_org_sent", "notifications", ["exporter_org_id", "sent_on"], unique=False
    )


def downgrade() -> None:
    """Drop the notifications table, the claim's closure and the policy's claim terms."""
    op.drop_index("ix_notifications_org_sent", table_name="notifications")
    op.drop_table("notifications")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_column("close_reason")
        batch_op.drop_column("closed_by")
        batch_op.drop_column("closed_on")
        batch_op.drop_column("closure")
    with op.batch_alter_table("collection_confirmations", schema=None) as batch_op:
        batch_op.drop_column("confirmed_on")
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.drop_column("claim_terms")
