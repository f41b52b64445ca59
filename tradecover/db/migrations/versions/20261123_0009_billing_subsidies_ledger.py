"""billing, subsidies, ledger: runs, notices, splits, payments, programmes, journal

The ledger tables are append-only: the same triggers as ``audit_entries`` (0001)
refuse UPDATE and DELETE on ``ledger_entries`` and ``ledger_lines``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 10:32:18.568205
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


APPEND_ONLY = ("ledger_entries", "ledger_lines")


def _protect_append_only(table: str) -> None:
    """Refuse UPDATE and DELETE on an append-only table (the pattern of 0001)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION tc_refuse_change() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            f"CREATE TRIGGER tc_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION tc_refuse_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER tc_{table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _drop_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS tc_{table}_append_only ON {table}")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS tc_{table}_no_{verb}")


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "billing_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("completed_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'completed')", name=op.f("ck_billing_runs_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_runs")),
        sa.UniqueConstraint("month", name=op.f("uq_billing_runs_month")),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reverses", sa.String(length=128), nullable=True),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("key", name=op.f("uq_ledger_entries_key")),
    )
    op.create_table(
        "ledger_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=6), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("party", sa.String(length=64), nullable=True),
        sa.CheckConstraint("side IN ('debit', 'credit')", name=op.f("ck_ledger_lines_side")),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_ledger_lines_amount_positive")),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_ledger_lines_entry_id_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_lines")),
    )
    with op.batch_alter_table("ledger_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_lines_account", ["account", "currency", "party"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ledger_lines_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "payments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("payer_kind", sa.String(length=16), nullable=False),
        sa.Column("payer_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "payer_org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("applied_minor", sa.BigInteger(), nullable=False),
        sa.Column("unapplied_minor", sa.BigInteger(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column("recorded_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "payer_kind IN ('exporter', 'programme')", name=op.f("ck_payments_payer_kind")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_payments_amount_positive")),
        sa.CheckConstraint(
            "applied_minor >= 0 AND applied_minor + unapplied_minor = amount_minor",
            name=op.f("ck_payments_parts_add_up"),
        ),
        sa.ForeignKeyConstraint(
            ["payer_org_id"],
            ["organisations.id"],
            name=op.f("fk_payments_payer_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_payer", ["payer_kind", "payer_id"], unique=False)

    op.create_table(
        "subsidy_programmes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "sponsor_org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("share", tradecover.db.base.DecimalText(length=40), nullable=False),
        sa.Column("size_tiers", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("regions", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("hs_chapters", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("destination_countries", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("max_previous_year_exports_minor", sa.BigInteger(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("cap_per_exporter_year_minor", sa.BigInteger(), nullable=True),
        sa.Column("cap_per_year_minor", sa.BigInteger(), nullable=True),
        sa.Column("budget_minor", sa.BigInteger(), nullable=True),
        sa.Column("used_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("priority", sa.Integer(), server_default="100", nullable=False),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "budget_minor IS NULL OR used_minor <= budget_minor",
            name=op.f("ck_subsidy_programmes_within_budget"),
        ),
        sa.CheckConstraint("used_minor >= 0", name=op.f("ck_subsidy_programmes_used_not_negative")),
        sa.ForeignKeyConstraint(
            ["sponsor_org_id"],
            ["organisations.id"],
            name=op.f("fk_subsidy_programmes_sponsor_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsidy_programmes")),
        sa.UniqueConstraint("code", name=op.f("uq_subsidy_programmes_code")),
    )
    with op.batch_alter_table("subsidy_programmes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subsidy_programmes_sponsor_org_id"), ["sponsor_org_id"], unique=False
        )

    op.create_table(
        "subsidy_usage_exporters",
        sa.Column(
            "programme_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "exporter_org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("used_minor", sa.BigInteger(), nullable=False),
        sa.Column("cap_minor", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "cap_minor IS NULL OR used_minor <= cap_minor",
            name=op.f("ck_subsidy_usage_exporters_within_cap"),
        ),
        sa.CheckConstraint(
            "used_minor >= 0", name=op.f("ck_subsidy_usage_exporters_used_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["exporter_org_id"],
            ["organisations.id"],
            name=op.f("fk_subsidy_usage_exporters_exporter_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["subsidy_programmes.id"],
            name=op.f("fk_subsidy_usage_exporters_programme_id_subsidy_programmes"),
        ),
        sa.PrimaryKeyConstraint(
            "programme_id", "exporter_org_id", "year", name=op.f("pk_subsidy_usage_exporters")
        ),
    )
    op.create_table(
        "subsidy_usage_years",
        sa.Column(
            "programme_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("used_minor", sa.BigInteger(), nullable=False),
        sa.Column("cap_minor", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "cap_minor IS NULL OR used_minor <= cap_minor",
            name=op.f("ck_subsidy_usage_years_within_cap"),
        ),
        sa.CheckConstraint(
            "used_minor >= 0", name=op.f("ck_subsidy_usage_years_used_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["subsidy_programmes.id"],
            name=op.f("fk_subsidy_usage_years_programme_id_subsidy_programmes"),
        ),
        sa.PrimaryKeyConstraint("programme_id", "year", name=op.f("pk_subsidy_usage_years")),
    )
    op.create_table(
        "billing_run_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "policy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'done')", name=op.f("ck_billing_run_items_status")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_billing_run_items_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["billing_runs.id"], name=op.f("fk_billing_run_items_run_id_billing_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_run_items")),
        sa.UniqueConstraint(
            "run_id", "policy_id", name=op.f("uq_billing_run_items_run_id_policy_id")
        ),
    )
    with op.batch_alter_table("billing_run_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_billing_run_items_pending", ["run_id", "status", "policy_id"], unique=False
        )

    op.create_table(
        "premium_notices",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "policy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "exporter_org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("exporter_owed_minor", sa.BigInteger(), nullable=False),
        sa.Column("exporter_paid_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "exporter_owed_minor >= 0 AND exporter_owed_minor <= total_minor",
            name=op.f("ck_premium_notices_exporter_owed_within_total"),
        ),
        sa.CheckConstraint(
            "exporter_paid_minor >= 0 AND exporter_paid_minor <= exporter_owed_minor",
            name=op.f("ck_premium_notices_exporter_paid_within_owed"),
        ),
        sa.CheckConstraint("total_minor >= 0", name=op.f("ck_premium_notices_total_not_negative")),
        sa.ForeignKeyConstraint(
            ["exporter_org_id"],
            ["organisations.id"],
            name=op.f("fk_premium_notices_exporter_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_premium_notices_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["billing_runs.id"], name=op.f("fk_premium_notices_run_id_billing_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_premium_notices")),
        sa.UniqueConstraint("month", "policy_id", name=op.f("uq_premium_notices_month_policy_id")),
    )
    with op.batch_alter_table("premium_notices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_premium_notices_org_due", ["exporter_org_id", "due_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_premium_notices_run_id"), ["run_id"], unique=False)

    op.create_table(
        "notice_splits",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "notice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "programme_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("share", tradecover.db.base.DecimalText(length=40), nullable=False),
        sa.Column("rule_applied", sa.String(length=40), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("eligible_lines", sa.Integer(), nullable=False),
        sa.Column("requested_minor", sa.BigInteger(), nullable=False),
        sa.Column("granted_minor", sa.BigInteger(), nullable=False),
        sa.Column("limited_by", sa.String(length=32), nullable=True),
        sa.Column("paid_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "granted_minor >= 0 AND granted_minor <= requested_minor",
            name=op.f("ck_notice_splits_granted_within_requested"),
        ),
        sa.CheckConstraint(
            "paid_minor >= 0 AND paid_minor <= granted_minor",
            name=op.f("ck_notice_splits_paid_within_granted"),
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["premium_notices.id"],
            name=op.f("fk_notice_splits_notice_id_premium_notices"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["subsidy_programmes.id"],
            name=op.f("fk_notice_splits_programme_id_subsidy_programmes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_splits")),
        sa.UniqueConstraint(
            "notice_id", "programme_id", name=op.f("uq_notice_splits_notice_id_programme_id")
        ),
    )
    with op.batch_alter_table("notice_splits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notice_splits_programme", ["programme_id", "notice_id"], unique=False
        )

    op.create_table(
        "payment_allocations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "notice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("split_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_payment_allocations_amount_positive")),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["premium_notices.id"],
            name=op.f("fk_payment_allocations_notice_id_premium_notices"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_allocations_payment_id_payments")
        ),
        sa.ForeignKeyConstraint(
            ["split_id"],
            ["notice_splits.id"],
            name=op.f("fk_payment_allocations_split_id_notice_splits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_allocations")),
    )
    with op.batch_alter_table("payment_allocations", schema=None) as batch_op:
        batch_op.create_index("ix_payment_allocations_notice", ["notice_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_payment_allocations_payment_id"), ["payment_id"], unique=False
        )

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

    for table in APPEND_ONLY:
        _protect_append_only(table)


def downgrade() -> None:
    """Revert this migration."""
    for table in APPEND_ONLY:
        _drop_append_only(table)
    op.drop_table("premium_notice_lines")
    with op.batch_alter_table("payment_allocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_allocations_payment_id"))
        batch_op.drop_index("ix_payment_allocations_notice")

    op.drop_table("payment_allocations")
    with op.batch_alter_table("notice_splits", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_splits_programme")

    op.drop_table("notice_splits")
    with op.batch_alter_table("premium_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_premium_notices_run_id"))
        batch_op.drop_index("ix_premium_notices_org_due")

    op.drop_table("premium_notices")
    with op.batch_alter_table("billing_run_items", schema=None) as batch_op:
        batch_op.drop_index("ix_billing_run_items_pending")

    op.drop_table("billing_run_items")
    op.drop_table("subsidy_usage_years")
    op.drop_table("subsidy_usage_exporters")
    with op.batch_alter_table("subsidy_programmes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsidy_programmes_sponsor_org_id"))

    op.drop_table("subsidy_programmes")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_payer")

    op.drop_table("payments")
    with op.batch_alter_table("ledger_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_lines_entry_id"))
        batch_op.drop_index("ix_ledger_lines_account")

    op.drop_table("ledger_lines")
    op.drop_table("ledger_entries")
    op.drop_table("billing_runs")
