"""feed stream: connections, webhook secrets and deliveries, received documents

``feed_connections``: a source (customs, ubl, cii, erp) connected to an exporter, active or
paused; ``feed_secrets``: an ERP connection's webhook secrets (encrypted, several valid
during a rotation); ``feed_webhook_deliveries``: signatures already used (replays refused);
``feed_documents``: every document taken from the stream, its status and reasons, with the
unique message id and dedup key that make attachment exactly once.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the feed tables."""
    op.create_table(
        "feed_connections",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "exporter_org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('customs', 'ubl', 'cii', 'erp')", name=op.f("ck_feed_connections_source")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'paused')", name=op.f("ck_feed_connections_status")
        ),
        sa.ForeignKeyConstraint(
            ["exporter_org_id"],
            ["organisations.id"],
            name=op.f("fk_feed_connections_exporter_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_connections")),
        sa.UniqueConstraint(
            "exporter_org_id", "source", name=op.f("uq_feed_connections_exporter_org_id_source")
        ),
    )
    op.create_table(
        "feed_secrets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "connection_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["feed_connections.id"],
            name=op.f("fk_feed_secrets_connection_id_feed_connections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_secrets")),
    )
    with op.batch_alter_table("feed_secrets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_secrets_connection_id"), ["connection_id"], unique=False
        )

    op.create_table(
        "feed_webhook_deliveries",
        sa.Column(
            "connection_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.Column("received_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["feed_connections.id"],
            name=op.f("fk_feed_webhook_deliveries_connection_id_feed_connections"),
        ),
        sa.PrimaryKeyConstraint("connection_id", "mac", name=op.f("pk_feed_webhook_deliveries")),
    )
    op.create_table(
        "feed_documents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column(
            "exporter_org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "connection_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=24), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("document_id", sa.String(length=100), nullable=True),
        sa.Column("version", sa.String(length=20), nullable=True),
        sa.Column("dedup_key", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("reasons", tradecover.db.base.JSONText(), nullable=False),
        sa.Column(
            "declaration_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "corrects_declaration_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "resubmission_of_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("received_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("processed_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('received', 'attached', 'awaiting_confirmation', 'quarantined', 'withdrawn', 'superseded')",
            name=op.f("ck_feed_documents_status"),
        ),
        sa.CheckConstraint(
            "length(content_sha256) = 64", name=op.f("ck_feed_documents_sha256_length")
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["feed_connections.id"],
            name=op.f("fk_feed_documents_connection_id_feed_connections"),
        ),
        sa.ForeignKeyConstraint(
            ["corrects_declaration_id"],
            ["declarations.id"],
            name=op.f("fk_feed_documents_corrects_declaration_id_declarations"),
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_feed_documents_declaration_id_declarations"),
        ),
        sa.ForeignKeyConstraint(
            ["exporter_org_id"],
            ["organisations.id"],
            name=op.f("fk_feed_documents_exporter_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["resubmission_of_id"],
            ["feed_documents.id"],
            name=op.f("fk_feed_documents_resubmission_of_id_feed_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_documents")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_feed_documents_dedup_key")),
        sa.UniqueConstraint("message_id", name=op.f("uq_feed_documents_message_id")),
    )
    with op.batch_alter_table("feed_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_documents_exporter_org_id"), ["exporter_org_id"], unique=False
        )


def downgrade() -> None:
    """Drop the feed tables."""
    with op.batch_alter_table("feed_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_documents_exporter_org_id"))

    op.drop_table("feed_documents")
    op.drop_table("feed_webhook_deliveries")
    with op.batch_alter_table("feed_secrets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_secrets_connection_id"))

    op.drop_table("feed_secrets")
    op.drop_table("feed_connections")
