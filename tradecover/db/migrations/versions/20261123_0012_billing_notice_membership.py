"""billing notices by membership (the monthly billing run)

A notice no longer copies its declarations into ``premium_notice_lines`` (a million rows
a month): it bills them by membership, one ``premium_notice_parts`` row per billed period
(policy, period, the run's cutoff, and for an adjustment of an earlier month the cutoff
it was last billed at), with the members' count and signed sum.  ``billing_runs`` gains
its ``cutoff``.  Notices and programme splits may now be negative (a credit from
adjustments), so their CHECKs are relaxed.

Existing rows: a run's cutoff is its start; a notice gets one part for its month at its
run's cutoff with its stored count and total (``tradecover ledger check`` then proves
they match the declarations).  Downgrade rebuilds the lines from membership.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 12:30:00
"""

import calendar
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = tradecover.db.base.UTCDateTime(timezone=True)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def upgrade() -> None:
    """Parts instead of lines; the run's cutoff; signed notices and splits."""
    with op.batch_alter_table("billing_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cutoff", _TS, nullable=True))
    op.execute("UPDATE billing_runs SET cutoff = started_at")
    with op.batch_alter_table("billing_runs", schema=None) as batch_op:
        batch_op.alter_column("cutoff", existing_type=_TS, nullable=False)

    op.create_table(
        "premium_notice_parts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("notice_id", _ID, nullable=False),
        sa.Column("policy_id", sa.BigInteger(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("cutoff", _TS, nullable=False),
        sa.Column("since", _TS, nullable=True),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "line_count >= 0", name=op.f("ck_premium_notice_parts_line_count_not_negative")
        ),
        sa.CheckConstraint(
            "since IS NULL OR since < cutoff",
            name=op.f("ck_premium_notice_parts_since_before_cutoff"),
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["premium_notices.id"],
            name=op.f("fk_premium_notice_parts_notice_id_premium_notices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_premium_notice_parts")),
        sa.UniqueConstraint(
            "notice_id", "period_start", name=op.f("uq_premium_notice_parts_notice_id_period_start")
        ),
    )
    with op.batch_alter_table("premium_notice_parts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_premium_notice_parts_policy", ["policy_id", "period_start"], unique=False
        )

    bind = op.get_bind()
    parts = sa.table(
        "premium_notice_parts",
        sa.column("notice_id"),
        sa.column("policy_id"),
        sa.column("period_start"),
        sa.column("period_end"),
        sa.column("cutoff", _TS),
        sa.column("since", _TS),
        sa.column("line_count"),
        sa.column("amount_minor"),
    )
    rows = bind.execute(
        sa.text(
            "SELECT n.id, n.policy_id, n.month, n.line_count, n.total_minor, r.cutoff "
            "FROM premium_notices n JOIN billing_runs r ON r.id = n.run_id ORDER BY n.id"
        ).columns(sa.column("cutoff", _TS))
    ).all()
    batch: list[dict[str, object]] = []
    for nid, pid, month, count, total, cutoff in rows:
        first = _as_date(month)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        batch.append(
            {
                "notice_id": nid,
                "policy_id": pid,
                "period_start": first,
                "period_end": last,
                "cutoff": cutoff,
                "since": None,
                "line_count": count,
                "amount_minor": total,
            }
        )
        if len(batch) == 5000:
            bind.execute(parts.insert(), batch)
            batch = []
    if batch:
        bind.execute(parts.insert(), batch)
    op.drop_table("premium_notice_lines")

    with op.batch_alter_table("premium_notices", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_premium_notices_total_not_negative"), type_="check")
        batch_op.drop_constraint(
            op.f("ck_premium_notices_exporter_owed_within_total"), type_="check"
        )
        batch_op.drop_constraint(
            op.f("ck_premium_notices_exporter_paid_within_owed"), type_="check"
        )
        batch_op.create_check_constraint(
            "exporter_paid_within_owed",
            "exporter_paid_minor >= 0 AND (exporter_paid_minor = 0 "
            "OR exporter_paid_minor <= exporter_owed_minor)",
        )
    with op.batch_alter_table("notice_splits", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notice_splits_granted_within_requested"), type_="check")
        batch_op.drop_constraint(op.f("ck_notice_splits_paid_within_granted"), type_="check")
        batch_op.create_check_constraint(
            "granted_within_requested",
            "(granted_minor >= 0 AND granted_minor <= requested_minor) OR "
            "(granted_minor < 0 AND granted_minor >= requested_minor)",
        )
        batch_op.create_check_constraint(
            "paid_within_granted",
            "paid_minor >= 0 AND (paid_minor = 0 OR paid_minor <= granted_minor)",
        )


def downgrade() -> None:
    """Lines rebuilt from membership (the billed members only); parts and cutoff dropped.

    Refused while a notice or split is negative: the old schema cannot hold a credit.
    """
    bind = op.get_bind()
    negative = bind.execute(
        sa.text(
            "SELECT (SELECT COUNT(*) FROM premium_notices WHERE total_minor < 0 "
            "OR exporter_owed_minor < 0) + (SELECT COUNT(*) FROM notice_splits "
            "WHERE granted_minor < 0)"
        )
    ).scalar_one()
    if int(negative):
        raise RuntimeError("credit notes exist: the old schema cannot hold them")
    with op.batch_alter_table("notice_splits", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notice_splits_granted_within_requested"), type_="check")
        batch_op.drop_constraint(op.f("ck_notice_splits_paid_within_granted"), type_="check")
        batch_op.create_check_constraint(
            "granted_within_requested", "granted_minor >= 0 AND granted_minor <= requested_minor"
        )
        batch_op.create_check_constraint(
            "paid_within_granted", "paid_minor >= 0 AND paid_minor <= granted_minor"
        )
    with op.batch_alter_table("premium_notices", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_premium_notices_exporter_paid_within_owed"), type_="check"
        )
        batch_op.create_check_constraint(
            "exporter_paid_within_owed",
            "exporter_paid_minor >= 0 AND exporter_paid_minor <= exporter_owed_minor",
        )
        batch_op.create_check_constraint(
            "exporter_owed_within_total",
            "exporter_owed_minor >= 0 AND exporter_owed_minor <= total_minor",
        )
        batch_op.create_check_constraint("total_not_negative", "total_minor >= 0")
    op.create_table(
        "premium_notice_lines",
        sa.Column("notice_id", sa.BigInteger(), nullable=False),
        sa.Column("declaration_id", sa.BigInteger(), nullable=False),
        sa.Column("premium_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "premium_minor >= 0", name=op.f("ck_premium_notice_lines_premium_not_negative")
        ),
        sa.PrimaryKeyConstraint(
            "notice_id", "declaration_id", name=op.f("pk_premium_notice_lines")
        ),
        sa.UniqueConstraint("declaration_id", name=op.f("uq_premium_notice_lines_declaration_id")),
    )

    def active(at: str) -> str:
        return f"(d.declared_at <= {at} AND (d.ended_at IS NULL OR d.ended_at > {at}))"

    op.execute(
        "INSERT INTO premium_notice_lines (notice_id, declaration_id, premium_minor) "
        "SELECT t.notice_id, d.id, d.premium_minor FROM premium_notice_parts t "
        "JOIN premium_notices n ON n.id = t.notice_id JOIN declarations d "
        "ON d.policy_id = t.policy_id AND d.currency = n.currency "
        "AND d.declaration_date >= t.period_start AND d.declaration_date <= t.period_end "
        f"AND d.premium_minor > 0 AND {active('t.cutoff')} "
        f"AND (t.since IS NULL OR NOT {active('t.since')})"
    )
    with op.batch_alter_table("premium_notice_parts", schema=None) as batch_op:
        batch_op.drop_index("ix_premium_notice_parts_policy")
    op.drop_table("premium_notice_parts")
    with op.batch_alter_table("billing_runs", schema=None) as batch_op:
        batch_op.drop_column("cutoff")
