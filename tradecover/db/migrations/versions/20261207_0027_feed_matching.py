"""feed matching: shipments keyed by invoice number, and the facts matching reads

``feed_shipments``: one shipment per exporter and invoice number and the declaration that
covers it (unique: the invoice, the customs record and the ERP event of one shipment
attach once whichever arrives first).  ``feed_documents`` gains the facts matching reads
(invoice key, normalised consignee, currency, amount, dates, HS code, the rule that linked
it), indexed per exporter.

Revision ID: 0027
Revises: 0031
Create Date: 2026-12-07 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0027"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create ``feed_shipments``; add the matching facts to ``feed_documents``."""
    op.create_table(
        "feed_shipments",
        sa.Column("id", _ID, nullable=False),
        sa.Column("exporter_org_id", _ID, nullable=False),
        sa.Column("shipment_key", sa.String(length=100), nullable=False),
        sa.Column("declaration_id", _ID, nullable=True),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_feed_shipments_declaration_id_declarations"),
        ),
        sa.ForeignKeyConstraint(
            ["exporter_org_id"],
            ["organisations.id"],
            name=op.f("fk_feed_shipments_exporter_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_shipments")),
        sa.UniqueConstraint(
            "exporter_org_id",
            "shipment_key",
            name=op.f("uq_feed_shipments_exporter_org_id_shipment_key"),
        ),
    )
    with op.batch_alter_table("feed_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invoice_key", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("consignee", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("consignee_country", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
        batch_op.add_column(
            sa.Column("amount", tradecover.db.base.DecimalText(length=40), nullable=True)
        )
        batch_op.add_column(sa.Column("document_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("acceptance_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("exit_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("hs_code", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("match_rule", sa.String(length=32), nullable=True))
        batch_op.create_index(
            "ix_feed_documents_exporter_invoice_key",
            ["exporter_org_id", "invoice_key"],
            unique=False,
        )
        batch_op.create_index(
            "ix_feed_documents_exporter_consignee",
            ["exporter_org_id", "consignee", "currency", "document_date"],
            unique=False,
        )


def downgrade() -> None:
    """Drop the matching facts and ``feed_shipments``."""
    with op.batch_alter_table("feed_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_documents_exporter_consignee")
        batch_op.drop_index("ix_feed_documents_exporter_invoice_key")
        for column in (
            "match_rule",
            "hs_code",
            "exit_date",
            "acceptance_date",
            "document_date",
            "amount",
            "currency",
            "consignee_country",
            "consignee",
            "invoice_key",
        ):
            batch_op.drop_column(column)
    op.drop_table("feed_shipments")
