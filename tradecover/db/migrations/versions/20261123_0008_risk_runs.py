"""risk runs: portfolio risk calculations executed as jobs

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 10:29:51.775992
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "risk_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("spec", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("result", tradecover.db.base.JSONText(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'finished', 'failed')",
            name=op.f("ck_risk_runs_status"),
        ),
        sa.CheckConstraint(
            "progress_done >= 0 AND progress_total >= 0", name=op.f("ck_risk_runs_progress")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_risk_runs_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_runs")),
    )
    with op.batch_alter_table("risk_runs", schema=None) as batch_op:
        batch_op.create_index("ix_risk_runs_org_id_id", ["org_id", "id"], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("risk_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_runs_org_id_id")

    op.drop_table("risk_runs")
