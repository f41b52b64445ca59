"""ORM models of billing runs, premium notices, their parts and subsidy splits, and payments.

* ``billing_runs``: one row per billed month (``month`` unique); its issue date is fixed
  when the run is first started, so a rerun on another day issues the same notices.
* ``billing_run_items``: the run's work queue, one row per (run, policy), picked with
  ``FOR UPDATE SKIP LOCKED`` on PostgreSQL.
* ``premium_notices``: one per (month, policy), the idempotency key of the run.  Running
  totals ``exporter_paid_minor`` (and ``paid_minor`` on a split) move with every payment
  allocation; ``tradecover ledger check`` proves they equal the allocations.
* ``premium_notice_parts``: what a notice bills, by *membership*, never by copying
  declarations: a part names a policy, a billed period and the run's ``cutoff``; its
  members are the declarations of that policy and period (in the notice's currency,
  bearing premium) active at the cutoff (``declared_at <= cutoff`` and not ended by then).
  An *adjustment* part also names ``since``, the cutoff the period was last billed at:
  its members are the declarations whose activity changed between the two (added: +
  premium, ended: - premium).  The part stores their count and signed sum;
  ``tradecover ledger check`` recomputes both from the declarations.
* ``notice_splits``: every programme considered for a notice, the eligibility decision
  with the rule that applied, what it was asked for and what it granted.
* ``payments`` and ``payment_allocations``: money received from an exporter or a
  programme and how it was applied to notices, oldest first.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, DecimalText, IdType, UTCDateTime

RUN_RUNNING = "running"
RUN_COMPLETED = "completed"
ITEM_PENDING = "pending"
ITEM_DONE = "done"
PAYER_EXPORTER = "exporter"
PAYER_PROGRAMME = "programme"


class BillingRun(Base):
    """The billing of one month: started once, completed when its queue is empty."""

    __tablename__ = "billing_runs"
    __table_args__ = (CheckConstraint("status IN ('running', 'completed')", name="status"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    month: Mapped[date] = mapped_column(Date, unique=True)  # first day of the billed month
    issue_date: Mapped[date] = mapped_column(Date)
    # what the run bills is what was active at this instant (fixed at the first start)
    cutoff: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_by: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class BillingRunItem(Base):
    """One policy to bill in a run (the unit of work)."""

    __tablename__ = "billing_run_items"
    __table_args__ = (
        UniqueConstraint("run_id", "policy_id"),
        Index("ix_billing_run_items_pending", "run_id", "status", "policy_id"),
        CheckConstraint("status IN ('pending', 'done')", name="status"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("billing_runs.id"))
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    status: Mapped[str] = mapped_column(String(16))
    # the policy's part sums computed at enqueue in one pass over the run's periods (JSON;
    # see tradecover.billing.jobs): a batch reads them instead of summing again
    sums: Mapped[str | None] = mapped_column(Text, nullable=True)


class PremiumNotice(Base):
    """A monthly premium notice of one policy: total, exporter share and what was paid."""

    __tablename__ = "premium_notices"
    __table_args__ = (
        UniqueConstraint("month", "policy_id"),
        Index("ix_premium_notices_org_due", "exporter_org_id", "due_date"),
        # a notice whose adjustments exceed the month's premium is a credit note (< 0)
        CheckConstraint(
            "exporter_paid_minor >= 0 AND (exporter_paid_minor = 0 "
            "OR exporter_paid_minor <= exporter_owed_minor)",
            name="exporter_paid_within_owed",
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("billing_runs.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    month: Mapped[date] = mapped_column(Date)
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    line_count: Mapped[int] = mapped_column(Integer)  # members of all its parts
    total_minor: Mapped[int] = mapped_column(BigInteger)  # signed sum of its parts
    exporter_owed_minor: Mapped[int] = mapped_column(BigInteger)
    exporter_paid_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PremiumNoticePart(Base):
    """What a notice bills for one period, by membership (see the module docstring).

    ``since`` is NULL for the period the notice was issued for, and the previous cutoff
    the period was billed at for an adjustment of an earlier period.  No foreign key on
    ``policy_id``: it is the notice's policy, repeated so membership reads one row.
    """

    __tablename__ = "premium_notice_parts"
    __table_args__ = (
        UniqueConstraint("notice_id", "period_start"),
        Index("ix_premium_notice_parts_policy", "policy_id", "period_start"),
        CheckConstraint("line_count >= 0", name="line_count_not_negative"),
        CheckConstraint("since IS NULL OR since < cutoff", name="since_before_cutoff"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("premium_notices.id"))
    policy_id: Mapped[int] = mapped_column(BigInteger)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    cutoff: Mapped[datetime] = mapped_column(UTCDateTime())
    since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    line_count: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # signed


class NoticeSplit(Base):
    """A programme's part of a notice, with the eligibility decision and the rule applied."""

    __tablename__ = "notice_splits"
    __table_args__ = (
        UniqueConstraint("notice_id", "programme_id"),
        Index("ix_notice_splits_programme", "programme_id", "notice_id"),
        # a negative request (an adjustment credit) gives back part of earlier grants
        CheckConstraint(
            "(granted_minor >= 0 AND granted_minor <= requested_minor) OR "
            "(granted_minor < 0 AND granted_minor >= requested_minor)",
            name="granted_within_requested",
        ),
        CheckConstraint(
            "paid_minor >= 0 AND (paid_minor = 0 OR paid_minor <= granted_minor)",
            name="paid_within_granted",
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("premium_notices.id"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("subsidy_programmes.id"))
    eligible: Mapped[bool] = mapped_column(Boolean)
    share: Mapped[Decimal] = mapped_column(DecimalText())
    rule_applied: Mapped[str] = mapped_column(String(40))
    explanation: Mapped[str] = mapped_column(Text)
    eligible_lines: Mapped[int] = mapped_column(Integer)
    requested_minor: Mapped[int] = mapped_column(BigInteger)  # sum of round(premium x share)
    granted_minor: Mapped[int] = mapped_column(BigInteger)
    limited_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class Payment(Base):
    """Money received from an exporter or a programme, and how much of it was applied."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("payer_kind IN ('exporter', 'programme')", name="payer_kind"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "applied_minor >= 0 AND applied_minor + unapplied_minor = amount_minor",
            name="parts_add_up",
        ),
        Index("ix_payments_payer", "payer_kind", "payer_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    payer_kind: Mapped[str] = mapped_column(String(16))
    payer_id: Mapped[int] = mapped_column(BigInteger)  # organisation id or programme id
    payer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    applied_minor: Mapped[int] = mapped_column(BigInteger)
    unapplied_minor: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(64))


class PaymentAllocation(Base):
    """Part of a payment applied to one notice (the exporter share or a programme's)."""

    __tablename__ = "payment_allocations"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        Index("ix_payment_allocations_notice", "notice_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("premium_notices.id"))
    split_id: Mapped[int | None] = mapped_column(ForeignKey("notice_splits.id"), nullable=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)


class CreditAllocation(Base):
    """Part of a credit note's credit applied to an older unpaid notice of its policy.

    The credited notice's ``exporter_paid_minor`` moves by ``amount_minor`` (it is paid or
    credited), so ageing, the arrears job and the claim checks see what is really owed.  A
    credit note's credit left = ``-exporter_owed_minor`` - its allocations: the credit
    balance of the account, used by the next notice of the policy.
    """

    __tablename__ = "credit_allocations"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("credit_notice_id <> notice_id", name="not_itself"),
        Index("ix_credit_allocations_notice", "notice_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    credit_notice_id: Mapped[int] = mapped_column(ForeignKey("premium_notices.id"), index=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("premium_notices.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    allocated_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
