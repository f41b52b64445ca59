"""documents: the registry of issued documents (number, kind, subject, hash)

``issued_documents``: one row per registered PDF, its number unique, the SHA-256 of its
exact bytes, the organisation it belongs to and who issued it when ([domain DOC-1]).

Revision ID: 0043
Revises: 0041
Create Date: 2026-12-08 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0043"
down_revision: str | None = "0041"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = tradecover.db.base.UTCDateTime


def upgrade() -> None:
    """Create the document registry."""
    op.create_table(
        "issued_documents",
        sa.Column("id", _ID, nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", _ID, nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("issued_at", _AT(), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_issued_documents_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_documents")),
        sa.UniqueConstraint("number", name=op.f("uq_issued_documents_number")),
    )
    op.create_index(
        "ix_issued_documents_subject",
        "issued_documents",
        ["kind", "subject_id", "locale", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_issued_documents_org_id"), "issued_documents", ["org_id"], unique=False
    )


def downgrade() -> None:
    """Drop the document registry."""
    op.drop_index(op.f("ix_issued_documents_org_id"), table_name="issued_documents")
    op.drop_index("ix_issued_documents_subject", table_name="issued_documents")
    op.drop_table("issued_documents")
