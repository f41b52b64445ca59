"""policy attachment terms

``policies.attachment_terms``: the attachment model of each policy over time
(individual, portfolio or hybrid, from an effective date); NULL is individual throughout,
which is what every policy issued before automatic attachment keeps.

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-07 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0028"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the attachment terms of a policy."""
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attachment_terms", tradecover.db.base.JSONText(), nullable=True)
        )


def downgrade() -> None:
    """Drop the attachment terms of a policy."""
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.drop_column("attachment_terms")
