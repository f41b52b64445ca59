"""whole turnover: the schedule's minimum declared share

``policies.min_declared_share``: under whole turnover, a declared share of the returned
turnover below this fraction puts the policy under review; NULL takes the default 0.95.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``policies.min_declared_share``."""
    with op.batch_alter_table("policies") as batch:
        batch.add_column(
            sa.Column(
                "min_declared_share", tradecover.db.base.DecimalText(length=40), nullable=True
            )
        )


def downgrade() -> None:
    """Drop ``policies.min_declared_share``."""
    with op.batch_alter_table("policies") as batch:
        batch.drop_column("min_declared_share")
