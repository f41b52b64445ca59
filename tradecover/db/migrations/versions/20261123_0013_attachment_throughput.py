"""attachment throughput: the audit log sharded into chains per organisation

Each organisation keeps chain 0 (every entry so far) and gets chains 1..N that
high-volume writers (declarations) shard their entries over, so that they do not all
queue on one chain head.  ``audit_entries`` and ``audit_chain_heads`` gain a ``chain``
column (0 for every existing row, whose hashes therefore stay valid); positions are
unique per (organisation, chain).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _drop_sqlite_triggers() -> None:
    # a batch rebuild of the table on SQLite would drop them silently: re-created below
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS tc_audit_entries_no_{verb}")


def _create_sqlite_triggers() -> None:
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER tc_audit_entries_no_{verb.lower()} BEFORE {verb} ON audit_entries "
            "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END"
        )


def upgrade() -> None:
    """Add the chain number to the audit log and its heads."""
    if _sqlite():
        _drop_sqlite_triggers()
    with op.batch_alter_table("audit_chain_heads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_constraint("pk_audit_chain_heads", type_="primary")
        batch_op.create_primary_key("pk_audit_chain_heads", ["org_id", "chain"])
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_constraint("uq_audit_entries_org_id_seq", type_="unique")
        batch_op.create_unique_constraint(
            "uq_audit_entries_org_id_chain_seq", ["org_id", "chain", "seq"]
        )
    if _sqlite():
        _create_sqlite_triggers()


def downgrade() -> None:
    """Fold back to one chain per organisation (only possible while chains 1.. are empty)."""
    if _sqlite():
        _drop_sqlite_triggers()
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_audit_entries_org_id_chain_seq", type_="unique")
        batch_op.create_unique_constraint("uq_audit_entries_org_id_seq", ["org_id", "seq"])
        batch_op.drop_column("chain")
    with op.batch_alter_table("audit_chain_heads", schema=None) as batch_op:
        batch_op.drop_constraint("pk_audit_chain_heads", type_="primary")
        batch_op.create_primary_key("pk_audit_chain_heads", ["org_id"])
        batch_op.drop_column("chain")
    if _sqlite():
        _create_sqlite_triggers()
