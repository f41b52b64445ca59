"""market: rule sets, market insurers, classifications, declines and routings

``market_rule_sets``: the versions of the marketable/non-marketable rule set an insurer
admin stored; ``market_insurers``: commercial insurers and the insurer of last resort;
``market_classifications``: each risk classified with its rule, version and citation;
``market_declines``: the commercial insurers' declines; ``market_routings``: where a
classified risk went and why.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradecover.db.base

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = tradecover.db.base.UTCDateTime


def upgrade() -> None:
    """Create the market tables."""
    op.create_table(
        "market_rule_sets",
        sa.Column("id", _ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("body", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", _AT(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_rule_sets")),
        sa.UniqueConstraint("version", name=op.f("uq_market_rule_sets_version")),
    )
    op.create_table(
        "market_insurers",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("last_resort", sa.Boolean(), nullable=False),
        sa.Column("last_resort_slot", sa.Integer(), nullable=True),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.Column("registered_at", _AT(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_market_insurers_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_insurers")),
        sa.UniqueConstraint("org_id", name=op.f("uq_market_insurers_org_id")),
        sa.UniqueConstraint("last_resort_slot", name=op.f("uq_market_insurers_last_resort_slot")),
    )
    op.create_table(
        "market_classifications",
        sa.Column("id", _ID, nullable=False),
        sa.Column("exporter_org_id", _ID, nullable=False),
        sa.Column("subject_kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", _ID, nullable=False),
        sa.Column("buyer_country", sa.String(length=2), nullable=False),
        sa.Column("risk_period_days", sa.Integer(), nullable=False),
        sa.Column("risk_types", tradecover.db.base.JSONText(), nullable=False),
        sa.Column("export_turnover", tradecover.db.base.DecimalText(), nullable=False),
        sa.Column("turnover_currency", sa.String(length=3), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("rule_domain", sa.String(length=16), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("rule_set_name", sa.String(length=200), nullable=False),
        sa.Column("rule_set_version", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", _AT(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('marketable', 'non_marketable')",
            name=op.f("ck_market_classifications_outcome"),
        ),
        sa.CheckConstraint(
            "subject_kind IN ('policy_application', 'limit_application')",
            name=op.f("ck_market_classifications_subject_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["exporter_org_id"],
            ["organisations.id"],
            name=op.f("fk_market_classifications_exporter_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_classifications")),
    )
    op.create_index(
        op.f("ix_market_classifications_exporter_org_id"),
        "market_classifications",
        ["exporter_org_id"],
    )
    op.create_table(
        "market_declines",
        sa.Column("id", _ID, nullable=False),
        sa.Column("classification_id", _ID, nullable=False),
        sa.Column("insurer_org_id", _ID, nullable=False),
        sa.Column("declined_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", _AT(), nullable=False),
        sa.ForeignKeyConstraint(
            ["classification_id"],
            ["market_classifications.id"],
            name=op.f("fk_market_declines_classification_id_market_classifications"),
        ),
        sa.ForeignKeyConstraint(
            ["insurer_org_id"],
            ["organisations.id"],
            name=op.f("fk_market_declines_insurer_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_declines")),
        sa.UniqueConstraint(
            "classification_id",
            "insurer_org_id",
            name=op.f("uq_market_declines_classification_id_insurer_org_id"),
        ),
    )
    op.create_index(
        op.f("ix_market_declines_classification_id"), "market_declines", ["classification_id"]
    )
    op.create_table(
        "market_routings",
        sa.Column("id", _ID, nullable=False),
        sa.Column("classification_id", _ID, nullable=False),
        sa.Column("insurer_org_id", _ID, nullable=False),
        sa.Column("basis", sa.String(length=24), nullable=False),
        sa.Column("routed_by", sa.String(length=64), nullable=False),
        sa.Column("routed_at", _AT(), nullable=False),
        sa.CheckConstraint(
            "basis IN ('commercial_insurer', 'non_marketable', 'market_declined')",
            name=op.f("ck_market_routings_basis"),
        ),
        sa.ForeignKeyConstraint(
            ["classification_id"],
            ["market_classifications.id"],
            name=op.f("fk_market_routings_classification_id_market_classifications"),
        ),
        sa.ForeignKeyConstraint(
            ["insurer_org_id"],
            ["organisations.id"],
            name=op.f("fk_market_routings_insurer_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_routings")),
        sa.UniqueConstraint("classification_id", name=op.f("uq_market_routings_classification_id")),
    )


def downgrade() -> None:
    """Drop the market tables."""
    op.drop_table("market_routings")
    op.drop_index(op.f("ix_market_declines_classification_id"), table_name="market_declines")
    op.drop_table("market_declines")
    op.drop_index(
        op.f("ix_market_classifications_exporter_org_id"), table_name="market_classifications"
    )
    op.drop_table("market_classifications")
    op.drop_table("market_insurers")
    op.drop_table("market_rule_sets")
