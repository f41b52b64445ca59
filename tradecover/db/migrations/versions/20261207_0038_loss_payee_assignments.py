"""financing: assignments of policy proceeds to banks (loss payees) and their payouts

``loss_payee_assignments``: a bank's assignment of a policy's proceeds with its priority,
cap, period, advance rate, status and who moved it ([domain BA-1], [domain BA-2]);
``loss_payee_payouts``: each loss payee's part of each claim payment ([domain BA-6]).

Revision ID: 0038
Revises: 0040
Create Date: 2026-12-07 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0038"
down_revision: str | None = "0040"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = tradecover.db.base.UTCDateTime


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    """Create the assignments and payouts tables."""
    t = "loss_payee_assignments"
    op.create_table(
        t,
        sa.Column("id", _ID, nullable=False),
        sa.Column("policy_id", _ID, nullable=False),
        sa.Column("exporter_org_id", _ID, nullable=False),
        sa.Column("bank_org_id", _ID, nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("cap_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("advance_rate", tradecover.db.base.DecimalText(length=40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", _AT(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("approved_at", _AT(), nullable=True),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_at", _AT(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("closed_at", _AT(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        _fk(t, "bank_org_id", "organisations"),
        _fk(t, "exporter_org_id", "organisations"),
        _fk(t, "policy_id", "policies"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    op.create_index("ix_loss_payee_assignments_bank", t, ["bank_org_id", "status"])
    op.create_index(op.f(f"ix_{t}_exporter_org_id"), t, ["exporter_org_id"])
    op.create_index("ix_loss_payee_assignments_policy", t, ["policy_id", "status"])
    p = "loss_payee_payouts"
    op.create_table(
        p,
        sa.Column("id", _ID, nullable=False),
        sa.Column("claim_id", _ID, nullable=False),
        sa.Column("assignment_id", _ID, nullable=False),
        sa.Column("bank_org_id", _ID, nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        _fk(p, "assignment_id", "loss_payee_assignments"),
        _fk(p, "bank_org_id", "organisations"),
        _fk(p, "claim_id", "claims"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{p}")),
        sa.UniqueConstraint(
            "claim_id", "assignment_id", name=op.f(f"uq_{p}_claim_id_assignment_id")
        ),
    )
    op.create_index(op.f(f"ix_{p}_assignment_id"), p, ["assignment_id"])
    op.create_index(op.f(f"ix_{p}_claim_id"), p, ["claim_id"])


def downgrade() -> None:
    """Drop the financing tables."""
    p, t = "loss_payee_payouts", "loss_payee_assignments"
    op.drop_index(op.f(f"ix_{p}_claim_id"), table_name=p)
    op.drop_index(op.f(f"ix_{p}_assignment_id"), table_name=p)
    op.drop_table(p)
    op.drop_index("ix_loss_payee_assignments_policy", table_name=t)
    op.drop_index(op.f(f"ix_{t}_exporter_org_id"), table_name=t)
    op.drop_index("ix_loss_payee_assignments_bank", table_name=t)
    op.drop_table(t)
