"""risk-based rates on every declaration (item 3)

A policy's schedule says whether the policy carries an agreed flat rate
(``policies.flat_rate_option`` and ``policies.flat_rate_pct``) and which floating
adjustments the insurer agreed on it (``policies.rate_floating``: experience record and
concentration of its buyer limits).  Every other policy is priced on the rate table.

Policies written before this revision were priced at their schedule's rate
(``base_rate_pct``) for every shipment: that was their contract, so they keep it as an
agreed flat rate.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the flat-rate option, the agreed flat rate and the floating adjustments."""
    with op.batch_alter_table("policies") as batch:
        batch.add_column(
            sa.Column("flat_rate_option", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("flat_rate_pct", tradecover.db.base.DecimalText(length=40), nullable=True)
        )
        batch.add_column(sa.Column("rate_floating", tradecover.db.base.JSONText(), nullable=True))
    # the policies already written were priced at their schedule's rate: keep their contract
    op.execute(
        sa.text(
            "UPDATE policies SET flat_rate_option = :yes, flat_rate_pct = base_rate_pct"
        ).bindparams(yes=True)
    )


def downgrade() -> None:
    """Drop the three columns (every policy is then priced at its schedule's rate again)."""
    with op.batch_alter_table("policies") as batch:
        batch.drop_column("rate_floating")
        batch.drop_column("flat_rate_pct")
        batch.drop_column("flat_rate_option")
