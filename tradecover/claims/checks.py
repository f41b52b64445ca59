"""Every condition of a claim as a named check with its outcome and explanation (pure).

The claims handler sees each check ([domain C-7]).  :func:`run_checks`
evaluates them all (it never stops at the first failure) from plain facts the service
has read, one :class:`ShipmentClaimFacts` per claimed shipment:

==============================  ==========  ================================================
check                           blocking    passes when
==============================  ==========  ================================================
``shipment_declared_on_time``   yes         every shipment was declared by its deadline
``shipment_covered``            yes         cover attached to every shipment
``policy_liability``            yes         the policy still carries liability for every
                                            shipment: its state and termination record
                                            (rescission for fraud ends all of it, a
                                            cancellation keeps shipments before its date,
                                            a suspension pauses cover) with the dates
                                            compared (:mod:`tradecover.policies.liability`)
``within_limit_version``        yes         a limit version was in force on each shipment
                                            date (the old version counts after a reduction)
``premium_paid``                yes         no premium billed on a shipment was paid late
                                            (or is unpaid past its deadline) before the
                                            loss's cause arose, unless waived; the dates
                                            compared are shown (:mod:`.late_premium`)
``notice_filed_on_time``        yes / no    the notice of possible loss was filed by its
                                            deadline; late is blocking when the policy
                                            denies claims on late notices, else a warning
``claim_filed_on_time``         yes / no    the claim was filed within the policy's claim
                                            filing days of the notice (same rule as above)
``no_policy_breach``            yes         no breach of the policy is recorded
``fraud_flag``                  yes         nobody flagged the claim as suspected fraud
``investment_debt_premiums``    yes         investment debt, lump-sum indemnity: every later
                                            period's premium is paid first ([004] 2.2)
``whole_turnover_declared``     yes / no    whole turnover ([002] 3.1): every claimed shipment
                                            was declared when due (blocking); its month's
                                            return shows no undeclared remainder (warning)
==============================  ==========  ================================================

A claim cannot be approved while a blocking check fails (:func:`ensure_approvable`,
``blocking_check_failed``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from tradecover.claims.late_premium import PremiumRuling
from tradecover.declarations import CoverReason, TurnoverMonth
from tradecover.kit.errors import Conflict
from tradecover.limits import LimitVersion, version_in_force
from tradecover.policies import LiabilityRuling
from tradecover.pricing import (
    IndemnitySettlement,
    InvestmentDebtQuote,
    premiums_due_before_indemnity,
)


class CheckName(StrEnum):
    """The named conditions of a claim (stable codes)."""

    SHIPMENT_DECLARED_ON_TIME = "shipment_declared_on_time"
    SHIPMENT_COVERED = "shipment_covered"
    POLICY_LIABILITY = "policy_liability"
    WITHIN_LIMIT_VERSION = "within_limit_version"
    PREMIUM_PAID = "premium_paid"
    NOTICE_FILED_ON_TIME = "notice_filed_on_time"
    CLAIM_FILED_ON_TIME = "claim_filed_on_time"
    NO_POLICY_BREACH = "no_policy_breach"
    FRAUD_FLAG = "fraud_flag"
    INVESTMENT_DEBT_PREMIUMS = "investment_debt_premiums"
    WHOLE_TURNOVER_DECLARED = "whole_turnover_declared"


class CheckOutcome(StrEnum):
    """How a check came out."""

    PASSED = "passed"
    FAILED = "failed"
    WARNING = "warning"  # shown to the handler, does not block approval
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimCheck:
    """One check: its name, outcome, whether a failure blocks approval, and why."""

    name: CheckName
    outcome: CheckOutcome
    blocking: bool
    explanation: str

    @property
    def blocks(self) -> bool:
        """True when this check stops the claim from being approved."""
        return self.blocking and self.outcome is CheckOutcome.FAILED


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipmentClaimFacts:
    """What the checks need to know about one claimed shipment.

    ``cover_reason`` is the reason code of the cover decision taken when the shipment
    was declared (:class:`~tradecover.declarations.cover.CoverReason`).  ``liability`` is
    the policy's liability rule applied to the shipment as the policy stands now;
    ``premium`` the late-premium rule applied to the loss (when given, it decides the
    premium check instead of ``premium_paid``).
    """

    shipment_id: int
    shipment_date: date
    declared_on: date
    declaration_due: date
    cover_reason: CoverReason
    limit_versions: Sequence[LimitVersion]
    premium_paid: bool
    liability: LiabilityRuling | None = None
    premium: PremiumRuling | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InvestmentDebtFacts:
    """An investment debt claim's premium schedule and what has been paid of it."""

    quote: InvestmentDebtQuote
    loss_period: int
    settlement: IndemnitySettlement
    paid_periods: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class WholeTurnoverFacts:
    """A whole-turnover policy's months of the claimed shipments, keyed by first day."""

    months: Mapping[date, TurnoverMonth]


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimFacts:
    """Everything the checks read about a claim."""

    shipments: Sequence[ShipmentClaimFacts]
    notice_filed_on: date
    notice_deadline: date
    deny_claim_when_notice_late: bool = True
    claim_filed_on: date | None = None
    claim_filing_deadline: date | None = None
    policy_breaches: Sequence[str] = ()
    fraud_flag: str | None = None
    investment_debt: InvestmentDebtFacts | None = field(default=None)
    whole_turnover: WholeTurnoverFacts | None = None  # None: not a whole-turnover policy


_COVERED = (
    CoverReason.WITHIN_LIMIT,
    CoverReason.EXCEEDS_AVAILABLE_LIMIT,
    CoverReason.FULLY_PREPAID,
)


def _ids(shipments: Iterable[ShipmentClaimFacts]) -> str:
    return ", ".join(str(s.shipment_id) for s in shipments)


def _check(
    name: CheckName,
    failed: bool,
    ok: str,
    bad: str,
    *,
    blocking: bool = True,
    outcome_if_failed: CheckOutcome = CheckOutcome.FAILED,
) -> ClaimCheck:
    if failed:
        return ClaimCheck(name=name, outcome=outcome_if_failed, blocking=blocking, explanation=bad)
    return ClaimCheck(name=name, outcome=CheckOutcome.PASSED, blocking=blocking, explanation=ok)


def run_checks(facts: ClaimFacts) -> tuple[ClaimCheck, ...]:
    """Every check of the claim, in the order of the module's table."""
    shipments = list(facts.shipments)
    late = [s for s in shipments if s.declared_on > s.declaration_due]
    uncovered = [s for s in shipments if s.cover_reason not in _COVERED]
    no_limit = [
        s
        for s in shipments
        if (v := version_in_force(s.limit_versions, s.shipment_date)) is None
        or v.is_cancellation
        or v.amount.amount <= 0
    ]
    unpaid = [
        s
        for s in shipments
        if not (s.premium.keeps_cover if s.premium is not None else s.premium_paid)
    ]
    checks = [
        _check(
            CheckName.SHIPMENT_DECLARED_ON_TIME,
            bool(late),
            "every shipment was declared on time",
            f"declared after the deadline: shipment(s) {_ids(late)}",
        ),
        _check(
            CheckName.SHIPMENT_COVERED,
            bool(uncovered),
            "cover attached to every shipment",
            "not covered: "
            + "; ".join(f"shipment {s.shipment_id} ({s.cover_reason.value})" for s in uncovered),
        ),
        liability_check(shipments),
        _check(
            CheckName.WITHIN_LIMIT_VERSION,
            bool(no_limit),
            "a credit limit was in force on every shipment date",
            f"no credit limit in force on the shipment date of shipment(s) {_ids(no_limit)}",
        ),
        premium_check(shipments, unpaid),
        _notice_check(facts),
        _filing_check(facts),
        _check(
            CheckName.NO_POLICY_BREACH,
            bool(facts.policy_breaches),
            "no breach of the policy is recorded",
            "policy breach: " + "; ".join(facts.policy_breaches),
        ),
        _check(
            CheckName.FRAUD_FLAG,
            facts.fraud_flag is not None,
            "no fraud flag",
            f"flagged as suspected fraud: {facts.fraud_flag}",
        ),
        _investment_debt_check(facts.investment_debt),
        _whole_turnover_check(shipments, facts.whole_turnover),
    ]
    return tuple(checks)


def liability_check(shipments: Sequence[ShipmentClaimFacts]) -> ClaimCheck:
    """``policy_liability``: the policy's liability rule on every shipment, with its dates."""
    ruled = [s for s in shipments if s.liability is not None]
    if not ruled:
        return ClaimCheck(
            name=CheckName.POLICY_LIABILITY,
            outcome=CheckOutcome.NOT_APPLICABLE,
            blocking=True,
            explanation="the policy's standing was not read",
        )
    lost = [s for s in ruled if s.liability is not None and not s.liability.keeps_cover]
    text = "; ".join(
        f"shipment {s.shipment_id}: {s.liability.rule.value}: {s.liability.explanation}"
        for s in lost or ruled
        if s.liability is not None
    )
    return _check(CheckName.POLICY_LIABILITY, bool(lost), text, text)


def premium_check(
    shipments: Sequence[ShipmentClaimFacts], unpaid: Sequence[ShipmentClaimFacts]
) -> ClaimCheck:
    """``premium_paid``: late premium costs the cover of a loss that arose before payment."""
    ruled = [s for s in (unpaid or shipments) if s.premium is not None]
    if not ruled:
        return _check(
            CheckName.PREMIUM_PAID,
            bool(unpaid),
            "the premium on every shipment is paid",
            f"premium unpaid on shipment(s) {_ids(unpaid)}",
        )
    text = "; ".join(
        f"shipment {s.shipment_id}: {s.premium.rule.value}: {s.premium.explanation}"
        for s in ruled
        if s.premium is not None
    )
    return _check(CheckName.PREMIUM_PAID, bool(unpaid), text, text)


def _notice_check(facts: ClaimFacts) -> ClaimCheck:
    days_late = (facts.notice_filed_on - facts.notice_deadline).days
    ok = (
        f"notice of possible loss filed on {facts.notice_filed_on.isoformat()}, "
        f"by the deadline {facts.notice_deadline.isoformat()}"
    )
    bad = (
        f"notice of possible loss filed {days_late} day(s) after the deadline "
        f"{facts.notice_deadline.isoformat()}"
    )
    if facts.deny_claim_when_notice_late:
        return _check(
            CheckName.NOTICE_FILED_ON_TIME, days_late > 0, ok, bad + ": the right to claim is lost"
        )
    return _check(
        CheckName.NOTICE_FILED_ON_TIME,
        days_late > 0,
        ok,
        bad + ": the insurer may still accept the claim",
        blocking=False,
        outcome_if_failed=CheckOutcome.WARNING,
    )


def _filing_check(facts: ClaimFacts) -> ClaimCheck:
    name = CheckName.CLAIM_FILED_ON_TIME
    if facts.claim_filed_on is None or facts.claim_filing_deadline is None:
        return ClaimCheck(
            name=name,
            outcome=CheckOutcome.NOT_APPLICABLE,
            blocking=True,
            explanation="no claim filing deadline",
        )
    days_late = (facts.claim_filed_on - facts.claim_filing_deadline).days
    ok = (
        f"claim filed on {facts.claim_filed_on.isoformat()}, by the deadline "
        f"{facts.claim_filing_deadline.isoformat()}"
    )
    bad = (
        f"claim filed {days_late} day(s) after the deadline "
        f"{facts.claim_filing_deadline.isoformat()}"
    )
    if facts.deny_claim_when_notice_late:
        return _check(name, days_late > 0, ok, bad + ": the right to claim is lost")
    return _check(
        name,
        days_late > 0,
        ok,
        bad + ": the insurer may still accept the claim",
        blocking=False,
        outcome_if_failed=CheckOutcome.WARNING,
    )


def _investment_debt_check(facts: InvestmentDebtFacts | None) -> ClaimCheck:
    name = CheckName.INVESTMENT_DEBT_PREMIUMS
    if facts is None:
        return ClaimCheck(
            name=name,
            outcome=CheckOutcome.NOT_APPLICABLE,
            blocking=True,
            explanation="not an investment debt claim",
        )
    due = premiums_due_before_indemnity(
        facts.quote,
        loss_period=facts.loss_period,
        settlement=facts.settlement,
        paid_periods=facts.paid_periods,
    )
    total = sum((p.premium for p in due), start=type(facts.quote.total_premium)(0))
    return _check(
        name,
        bool(due),
        "no later period's premium is due before the indemnity",
        f"a lump-sum indemnity needs the premium of later periods paid first: "
        f"{len(due)} period(s), {total} {facts.quote.currency}",
    )


def _whole_turnover_check(
    shipments: Sequence[ShipmentClaimFacts], facts: WholeTurnoverFacts | None
) -> ClaimCheck:
    """Whole turnover: a shipment due for declaration and not declared is refused; an
    undeclared remainder in a claimed shipment's month is shown (a warning).
    """
    name = CheckName.WHOLE_TURNOVER_DECLARED
    if facts is None:
        return ClaimCheck(
            name=name,
            outcome=CheckOutcome.NOT_APPLICABLE,
            blocking=True,
            explanation="not a whole-turnover policy",
        )
    undeclared = [s for s in shipments if s.declared_on > s.declaration_due]
    if undeclared:
        return _check(
            name,
            True,
            "",
            "whole turnover: not declared when due: "
            + "; ".join(
                f"shipment {s.shipment_id} (due {s.declaration_due.isoformat()}, declared "
                f"{s.declared_on.isoformat()})"
                for s in undeclared
            ),
        )
    months = {s.shipment_date.replace(day=1) for s in shipments}
    flagged = [m for k, m in sorted(facts.months.items()) if k in months and m.flagged]
    return _check(
        name,
        bool(flagged),
        "every claimed shipment was declared when due and its "
        "month's turnover return shows nothing undeclared",
        "whole turnover: the turnover return shows undeclared shipments in "
        + "; ".join(
            f"{m.month:%Y-%m} (returned {m.turnover}, declared {m.declared}, "
            f"undeclared {m.undeclared})"
            for m in flagged
        ),
        blocking=False,
        outcome_if_failed=CheckOutcome.WARNING,
    )


def blocking_failures(checks: Iterable[ClaimCheck]) -> tuple[ClaimCheck, ...]:
    """The checks that stop approval."""
    return tuple(c for c in checks if c.blocks)


def ensure_approvable(checks: Iterable[ClaimCheck]) -> None:
    """Refuse approval while a blocking check fails (``blocking_check_failed``)."""
    failing = blocking_failures(checks)
    if failing:
        raise Conflict(
            "the claim cannot be approved: "
            + "; ".join(f"{c.name.value}: {c.explanation}" for c in failing),
            code="blocking_check_failed",
            field="checks",
            details={"failed_checks": [c.name.value for c in failing]},
        )
