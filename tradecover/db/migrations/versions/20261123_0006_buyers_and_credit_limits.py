"""buyers and credit limits: registry, ratings, aggregates, applications, limits, versions

Also creates the view ``limit_outstanding`` (limit_id, outstanding_minor, shipped_on): the
single place utilisation reads outstanding insured receivables from.  Until the
declarations table lands it is empty; its migration replaces the view.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 10:24:57.249454
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "buyers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("legal_name", sa.String(length=300), nullable=False),
        sa.Column("normalised_name", sa.String(length=300), nullable=False),
        sa.Column("other_names", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("registration_number", sa.String(length=64), nullable=True),
        sa.Column("lei", sa.String(length=20), nullable=True),
        sa.Column("tax_id", sa.String(length=64), nullable=True),
        sa.Column("duns", sa.String(length=9), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("sector", sa.String(length=40), nullable=True),
        sa.Column("size", sa.String(length=16), nullable=True),
        sa.Column("company_type", sa.String(length=32), nullable=True),
        sa.Column("ownership", sa.String(length=200), nullable=True),
        sa.Column("financials", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("days_beyond_terms", sa.Integer(), nullable=True),
        sa.Column("overdue_reports", sa.Integer(), nullable=False),
        sa.Column("adverse_events", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("bank_rank", sa.Integer(), nullable=True),
        sa.Column("total_assets_minor", sa.BigInteger(), nullable=True),
        sa.Column("total_assets_currency", sa.String(length=3), nullable=True),
        sa.Column(
            "capital_adequacy_ratio", tradecover.db.base.DecimalText(length=40), nullable=True
        ),
        sa.Column("defaults_on_record", sa.Integer(), nullable=False),
        sa.Column(
            "merged_into_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('buyer', 'bank')", name=op.f("ck_buyers_kind")),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["buyers.id"], name=op.f("fk_buyers_merged_into_id_buyers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyers")),
    )
    with op.batch_alter_table("buyers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_buyers_country_normalised_name", ["country", "normalised_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_buyers_duns"), ["duns"], unique=False)
        batch_op.create_index(batch_op.f("ix_buyers_lei"), ["lei"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_buyers_registration_number"), ["registration_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_buyers_sector"), ["sector"], unique=False)
        batch_op.create_index(batch_op.f("ix_buyers_tax_id"), ["tax_id"], unique=False)

    op.create_table(
        "country_exposures",
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("guard_cap_minor", sa.BigInteger(), nullable=True),
        sa.Column("committed_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "committed_minor >= 0", name=op.f("ck_country_exposures_committed_not_negative")
        ),
        sa.CheckConstraint(
            "guard_cap_minor IS NULL OR committed_minor <= guard_cap_minor",
            name=op.f("ck_country_exposures_committed_within_cap"),
        ),
        sa.PrimaryKeyConstraint("country", name=op.f("pk_country_exposures")),
    )
    op.create_table(
        "buyer_aggregate_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("buyer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("suggested_minor", sa.BigInteger(), nullable=False),
        sa.Column("override_minor", sa.BigInteger(), nullable=True),
        sa.Column("aggregate_minor", sa.BigInteger(), nullable=False),
        sa.Column("model_version", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("changed_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_buyer_aggregate_changes_buyer_id_buyers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_aggregate_changes")),
    )
    with op.batch_alter_table("buyer_aggregate_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_buyer_aggregate_changes_buyer_id"), ["buyer_id"], unique=False
        )

    op.create_table(
        "buyer_aggregates",
        sa.Column("buyer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("suggested_minor", sa.BigInteger(), nullable=False),
        sa.Column("override_minor", sa.BigInteger(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("override_by", sa.String(length=64), nullable=True),
        sa.Column("aggregate_minor", sa.BigInteger(), nullable=False),
        sa.Column("guard_cap_minor", sa.BigInteger(), nullable=False),
        sa.Column("committed_minor", sa.BigInteger(), nullable=False),
        sa.Column("model_version", sa.String(length=40), nullable=False),
        sa.Column("updated_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "aggregate_minor >= 0", name=op.f("ck_buyer_aggregates_aggregate_not_negative")
        ),
        sa.CheckConstraint(
            "committed_minor <= guard_cap_minor",
            name=op.f("ck_buyer_aggregates_committed_within_cap"),
        ),
        sa.CheckConstraint(
            "committed_minor >= 0", name=op.f("ck_buyer_aggregates_committed_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_buyer_aggregates_buyer_id_buyers")
        ),
        sa.PrimaryKeyConstraint("buyer_id", name=op.f("pk_buyer_aggregates")),
    )
    op.create_table(
        "buyer_match_reviews",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("buyer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "candidate_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("score", tradecover.db.base.DecimalText(length=40), nullable=False),
        sa.Column("matched_on", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'merged', 'kept_separate')",
            name=op.f("ck_buyer_match_reviews_status"),
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_buyer_match_reviews_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["buyers.id"], name=op.f("fk_buyer_match_reviews_candidate_id_buyers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_match_reviews")),
    )
    with op.batch_alter_table("buyer_match_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_buyer_match_reviews_buyer_id"), ["buyer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_buyer_match_reviews_status"), ["status"], unique=False)

    op.create_table(
        "buyer_ratings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("buyer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("model_version", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("pd", tradecover.db.base.DecimalText(length=40), nullable=False),
        sa.Column("hard_stop", sa.Boolean(), nullable=False),
        sa.Column("hard_stop_reasons", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("contributions", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("rated_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rated_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_buyer_ratings_buyer_id_buyers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_ratings")),
    )
    with op.batch_alter_table("buyer_ratings", schema=None) as batch_op:
        batch_op.create_index("ix_buyer_ratings_buyer_id_id", ["buyer_id", "id"], unique=False)

    op.create_table(
        "exporter_buyer_relationships",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("buyer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("own_reference", sa.String(length=100), nullable=True),
        sa.Column("trading_since", sa.Date(), nullable=True),
        sa.Column("annual_sales_minor", sa.BigInteger(), nullable=True),
        sa.Column("annual_sales_currency", sa.String(length=3), nullable=True),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["buyers.id"],
            name=op.f("fk_exporter_buyer_relationships_buyer_id_buyers"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_exporter_buyer_relationships_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exporter_buyer_relationships")),
        sa.UniqueConstraint(
            "org_id", "buyer_id", name=op.f("uq_exporter_buyer_relationships_org_id_buyer_id")
        ),
    )
    with op.batch_alter_table("exporter_buyer_relationships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exporter_buyer_relationships_buyer_id"), ["buyer_id"], unique=False
        )

    op.create_table(
        "credit_limits",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "policy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("buyer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("committed_usd_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payment_terms", sa.String(length=16), nullable=False),
        sa.Column("credit_period_days", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("indemnity_pct", tradecover.db.base.DecimalText(length=40), nullable=True),
        sa.Column("conditions_text", sa.Text(), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_credit_limits_amount_not_negative")),
        sa.CheckConstraint(
            "committed_usd_minor >= 0", name=op.f("ck_credit_limits_committed_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_credit_limits_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_credit_limits_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_credit_limits_policy_id_policies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_limits")),
    )
    with op.batch_alter_table("credit_limits", schema=None) as batch_op:
        batch_op.create_index("ix_credit_limits_buyer_status", ["buyer_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_limits_country"), ["country"], unique=False)
        batch_op.create_index("ix_credit_limits_org_buyer", ["org_id", "buyer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_limits_policy_id"), ["policy_id"], unique=False)

    op.create_table(
        "limit_applications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "policy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("buyer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("limit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("request_type", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("current_minor", sa.BigInteger(), nullable=True),
        sa.Column("payment_terms", sa.String(length=16), nullable=False),
        sa.Column("credit_period_days", sa.Integer(), nullable=False),
        sa.Column("shipments", tradecover.db.base.JSONText(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("proposal", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("rating_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("model_version", sa.String(length=40), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("approved_minor", sa.BigInteger(), nullable=True),
        sa.Column("reasons", tradecover.db.base.JSONText(), nullable=True),
        sa.Column("conditions", tradecover.db.base.JSONText(), nullable=True),
        sa.Column("maker_actor", sa.String(length=64), nullable=True),
        sa.Column("checker_actor", sa.String(length=64), nullable=True),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "amount_minor >= 0", name=op.f("ck_limit_applications_amount_not_negative")
        ),
        sa.CheckConstraint(
            "maker_actor IS NULL OR checker_actor IS NULL OR maker_actor <> checker_actor",
            name=op.f("ck_limit_applications_four_eyes"),
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_limit_applications_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["limit_id"],
            ["credit_limits.id"],
            name=op.f("fk_limit_applications_limit_id_credit_limits"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_limit_applications_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_limit_applications_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["rating_id"],
            ["buyer_ratings.id"],
            name=op.f("fk_limit_applications_rating_id_buyer_ratings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_limit_applications")),
    )
    with op.batch_alter_table("limit_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_limit_applications_buyer_id"), ["buyer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_limit_applications_org_id"), ["org_id"], unique=False)
        batch_op.create_index("ix_limit_applications_status_id", ["status", "id"], unique=False)

    op.create_table(
        "credit_limit_versions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("limit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("indemnity_pct", tradecover.db.base.DecimalText(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["limit_applications.id"],
            name=op.f("fk_credit_limit_versions_application_id_limit_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["limit_id"],
            ["credit_limits.id"],
            name=op.f("fk_credit_limit_versions_limit_id_credit_limits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_limit_versions")),
        sa.UniqueConstraint(
            "limit_id", "number", name=op.f("uq_credit_limit_versions_limit_id_number")
        ),
    )
    op.create_table(
        "limit_notifications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("limit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", tradecover.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["limit_id"],
            ["credit_limits.id"],
            name=op.f("fk_limit_notifications_limit_id_credit_limits"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_limit_notifications_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["credit_limit_versions.id"],
            name=op.f("fk_limit_notifications_version_id_credit_limit_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_limit_notifications")),
    )
    with op.batch_alter_table("limit_notifications", schema=None) as batch_op:
        batch_op.create_index("ix_limit_notifications_org_id_id", ["org_id", "id"], unique=False)

    op.execute(OUTSTANDING_VIEW)


OUTSTANDING_VIEW = (
    "CREATE VIEW limit_outstanding AS "
    "SELECT CAST(NULL AS BIGINT) AS limit_id, CAST(0 AS BIGINT) AS outstanding_minor, "
    "CAST(NULL AS DATE) AS shipped_on WHERE 1 = 0"
)
"""Placeholder source of outstanding receivables per limit (no declarations yet)."""


def downgrade() -> None:
    """Revert this migration."""
    op.execute("DROP VIEW limit_outstanding")
    with op.batch_alter_table("limit_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_limit_notifications_org_id_id")

    op.drop_table("limit_notifications")
    op.drop_table("credit_limit_versions")
    with op.batch_alter_table("limit_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_limit_applications_status_id")
        batch_op.drop_index(batch_op.f("ix_limit_applications_org_id"))
        batch_op.drop_index(batch_op.f("ix_limit_applications_buyer_id"))

    op.drop_table("limit_applications")
    with op.batch_alter_table("credit_limits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_limits_policy_id"))
        batch_op.drop_index("ix_credit_limits_org_buyer")
        batch_op.drop_index(batch_op.f("ix_credit_limits_country"))
        batch_op.drop_index("ix_credit_limits_buyer_status")

    op.drop_table("credit_limits")
    with op.batch_alter_table("exporter_buyer_relationships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exporter_buyer_relationships_buyer_id"))

    op.drop_table("exporter_buyer_relationships")
    with op.batch_alter_table("buyer_ratings", schema=None) as batch_op:
        batch_op.drop_index("ix_buyer_ratings_buyer_id_id")

    op.drop_table("buyer_ratings")
    with op.batch_alter_table("buyer_match_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_buyer_match_reviews_status"))
        batch_op.drop_index(batch_op.f("ix_buyer_match_reviews_buyer_id"))

    op.drop_table("buyer_match_reviews")
    op.drop_table("buyer_aggregates")
    with op.batch_alter_table("buyer_aggregate_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_buyer_aggregate_changes_buyer_id"))

    op.drop_table("buyer_aggregate_changes")
    op.drop_table("country_exposures")
    with op.batch_alter_table("buyers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_buyers_tax_id"))
        batch_op.drop_index(batch_op.f("ix_buyers_sector"))
        batch_op.drop_index(batch_op.f("ix_buyers_registration_number"))
        batch_op.drop_index(batch_op.f("ix_buyers_lei"))
        batch_op.drop_index(batch_op.f("ix_buyers_duns"))
        batch_op.drop_index("ix_buyers_country_normalised_name")

    op.drop_table("buyers")
