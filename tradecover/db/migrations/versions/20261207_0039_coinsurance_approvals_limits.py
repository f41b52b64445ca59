"""coinsurance: shares of a single large limit, claim approval thresholds, followers' approvals

``coinsurance_limit_participations``: each insurer's share of one credit limit for a period
([domain CO-13]).  ``coinsurance_approval_thresholds``: a coinsured policy's claim approval
threshold ([domain CO-11]).  ``coinsurance_claim_approvals``: each follower's answer on a
claim above it ([domain CO-12]).

Revision ID: 0039
Revises: 0036
Create Date: 2026-12-07 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0039"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = tradecover.db.base.UTCDateTime


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    """Create the limit participations, thresholds and approvals tables."""
    t = "coinsurance_limit_participations"
    op.create_table(
        t,
        sa.Column("id", _ID, nullable=False),
        sa.Column("limit_id", _ID, nullable=False),
        sa.Column("policy_id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("share", tradecover.db.base.DecimalText(length=40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        _fk(t, "limit_id", "credit_limits"),
        _fk(t, "org_id", "organisations"),
        _fk(t, "policy_id", "policies"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    op.create_index(f"ix_{t}_org", t, ["org_id", "limit_id"], unique=False)
    op.create_index(op.f(f"ix_{t}_limit_id"), t, ["limit_id"], unique=False)
    t = "coinsurance_approval_thresholds"
    op.create_table(
        t,
        sa.Column("policy_id", _ID, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("threshold_minor", sa.BigInteger(), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", _AT(), nullable=False),
        _fk(t, "policy_id", "policies"),
        sa.PrimaryKeyConstraint("policy_id", name=op.f(f"pk_{t}")),
    )
    t = "coinsurance_claim_approvals"
    op.create_table(
        t,
        sa.Column("id", _ID, nullable=False),
        sa.Column("claim_id", _ID, nullable=False),
        sa.Column("policy_id", _ID, nullable=False),
        sa.Column("exporter_org_id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("indemnity_minor", sa.BigInteger(), nullable=False),
        sa.Column("share_minor", sa.BigInteger(), nullable=False),
        sa.Column("threshold_minor", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_at", _AT(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", _AT(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        _fk(t, "claim_id", "claims"),
        _fk(t, "exporter_org_id", "organisations"),
        _fk(t, "org_id", "organisations"),
        _fk(t, "policy_id", "policies"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("claim_id", "org_id", name=op.f(f"uq_{t}_claim_id_org_id")),
    )
    op.create_index(f"ix_{t}_org", t, ["org_id", "state"], unique=False)
    op.create_index(op.f(f"ix_{t}_claim_id"), t, ["claim_id"], unique=False)


def downgrade() -> None:
    """Drop them."""
    t = "coinsurance_claim_approvals"
    op.drop_index(op.f(f"ix_{t}_claim_id"), table_name=t)
    op.drop_index(f"ix_{t}_org", table_name=t)
    op.drop_table(t)
    op.drop_table("coinsurance_approval_thresholds")
    t = "coinsurance_limit_participations"
    op.drop_index(op.f(f"ix_{t}_limit_id"), table_name=t)
    op.drop_index(f"ix_{t}_org", table_name=t)
    op.drop_table(t)
