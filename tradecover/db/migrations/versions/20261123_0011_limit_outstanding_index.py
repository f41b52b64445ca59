"""covering index for the utilisation of every limit

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHERE = sa.text("status = 'active' AND limit_id IS NOT NULL")


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_declarations_limit_outstanding",
            ["limit_id"],
            unique=False,
            postgresql_include=["covered_minor", "collected_minor", "shipment_date"],
            postgresql_where=_WHERE,
            sqlite_where=_WHERE,
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.drop_index("ix_declarations_limit_outstanding")
