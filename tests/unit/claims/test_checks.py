"""Every claim condition as a named check; approval refused while a blocking one fails."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from tradecover.claims.checks import (
    CheckName,
    CheckOutcome,
    ClaimFacts,
    InvestmentDebtFacts,
    ShipmentClaimFacts,
    blocking_failures,
    ensure_approvable,
    run_checks,
)
from tradecover.claims.late_premium import BilledPremium, premium_ruling
from tradecover.declarations.cover import CoverReason
from tradecover.kit.errors import Conflict
from tradecover.kit.money import Money
from tradecover.limits.request import RequestType
from tradecover.limits.versions import LimitVersion, next_version
from tradecover.policies.liability import PolicyStanding, liability_for_shipment
from tradecover.policies.lifecycle import PolicyState
from tradecover.pricing.investment_debt import IndemnitySettlement, InvestmentDebtQuote, Phase
from tradecover.pricing.investment_debt import PeriodPremium as P


def _versions() -> list[LimitVersion]:
    v: list[LimitVersion] = []
    v.append(
        next_version(
            v,
            kind=RequestType.NEW_LIMIT,
            amount=Money.of(100_000, "USD"),
            effective_from=date(2026, 1, 1),
            today=date(2026, 1, 1),
        )
    )
    v.append(
        next_version(
            v,
            kind=RequestType.CANCELLATION,
            amount=Money.of(0, "USD"),
            effective_from=date(2026, 6, 1),
            today=date(2026, 6, 1),
            reason="tariff shock",
        )
    )
    return v


IN_FORCE = liability_for_shipment(
    PolicyStanding(state=PolicyState.ACTIVE, inception=date(2026, 1, 1), expiry=date(2026, 12, 31)),
    shipment_date=date(2026, 3, 1),
)


def ship(shipment_id: int = 1, **changes: object) -> ShipmentClaimFacts:
    base = ShipmentClaimFacts(
        shipment_id=shipment_id,
        shipment_date=date(2026, 3, 1),
        declared_on=date(2026, 4, 10),
        declaration_due=date(2026, 4, 15),
        cover_reason=CoverReason.WITHIN_LIMIT,
        limit_versions=_versions(),
        premium_paid=True,
        liability=IN_FORCE,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def facts(**changes: object) -> ClaimFacts:
    base = ClaimFacts(
        shipments=[ship()],
        notice_filed_on=date(2026, 7, 1),
        notice_deadline=date(2026, 7, 30),
        claim_filed_on=date(2026, 8, 1),
        claim_filing_deadline=date(2026, 12, 28),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def outcomes(f: ClaimFacts) -> dict[CheckName, CheckOutcome]:
    return {c.name: c.outcome for c in run_checks(f)}


def test_a_clean_claim_passes_every_check() -> None:
    checks = run_checks(facts())
    assert [c.name for c in checks] == list(CheckName)
    assert {c.name: c.outcome for c in checks} == {
        **dict.fromkeys(CheckName, CheckOutcome.PASSED),
        CheckName.INVESTMENT_DEBT_PREMIUMS: CheckOutcome.NOT_APPLICABLE,
        CheckName.WHOLE_TURNOVER_DECLARED: CheckOutcome.NOT_APPLICABLE,
    }
    assert blocking_failures(checks) == ()
    ensure_approvable(checks)


@pytest.mark.parametrize(
    ("claim", "failed", "explanation"),
    [
        (
            facts(shipments=[ship(), ship(2, declared_on=date(2026, 4, 16))]),
            CheckName.SHIPMENT_DECLARED_ON_TIME,
            "declared after the deadline: shipment(s) 2",
        ),
        (
            facts(shipments=[ship(cover_reason=CoverReason.BUYER_IN_DEFAULT)]),
            CheckName.SHIPMENT_COVERED,
            "not covered: shipment 1 (buyer_in_default)",
        ),
        (
            facts(shipments=[ship(shipment_date=date(2026, 6, 2))]),
            CheckName.WITHIN_LIMIT_VERSION,
            "no credit limit in force on the shipment date of shipment(s) 1",
        ),
        (
            facts(shipments=[ship(shipment_date=date(2025, 12, 31))]),
            CheckName.WITHIN_LIMIT_VERSION,
            "no credit limit in force on the shipment date of shipment(s) 1",
        ),
        (
            facts(shipments=[ship(premium_paid=False)]),
            CheckName.PREMIUM_PAID,
            "premium unpaid on shipment(s) 1",
        ),
        (
            facts(notice_filed_on=date(2026, 8, 2)),
            CheckName.NOTICE_FILED_ON_TIME,
            "notice of possible loss filed 3 day(s) after the deadline 2026-07-30: "
            "the right to claim is lost",
        ),
        (
            facts(claim_filed_on=date(2026, 12, 30)),
            CheckName.CLAIM_FILED_ON_TIME,
            "claim filed 2 day(s) after the deadline 2026-12-28: the right to claim is lost",
        ),
        (
            facts(policy_breaches=["goods shipped against the insurer's instruction"]),
            CheckName.NO_POLICY_BREACH,
            "policy breach: goods shipped against the insurer's instruction",
        ),
        (
            facts(fraud_flag="invoice forged"),
            CheckName.FRAUD_FLAG,
            "flagged as suspected fraud: invoice forged",
        ),
    ],
)
def test_each_failed_condition_blocks_approval(
    claim: ClaimFacts, failed: CheckName, explanation: str
) -> None:
    checks = run_checks(claim)
    assert [(c.name, c.explanation) for c in blocking_failures(checks)] == [(failed, explanation)]
    with pytest.raises(Conflict) as exc:
        ensure_approvable(checks)
    assert exc.value.code == "blocking_check_failed"
    assert exc.value.details == {"failed_checks": [failed.value]}


def test_a_shipment_before_the_cancellation_keeps_its_limit() -> None:
    assert (
        outcomes(facts(shipments=[ship(shipment_date=date(2026, 5, 31))]))[
            CheckName.WITHIN_LIMIT_VERSION
        ]
        is CheckOutcome.PASSED
    )


def test_partly_covered_shipments_pass_the_cover_check() -> None:
    claim = facts(shipments=[ship(cover_reason=CoverReason.EXCEEDS_AVAILABLE_LIMIT)])
    assert outcomes(claim)[CheckName.SHIPMENT_COVERED] is CheckOutcome.PASSED


def test_a_late_notice_is_only_a_warning_when_the_policy_allows_it() -> None:
    checks = run_checks(facts(notice_filed_on=date(2026, 8, 2), deny_claim_when_notice_late=False))
    notice = next(c for c in checks if c.name is CheckName.NOTICE_FILED_ON_TIME)
    assert (notice.outcome, notice.blocking) == (CheckOutcome.WARNING, False)
    ensure_approvable(checks)


def test_a_late_claim_is_only_a_warning_when_the_policy_allows_it() -> None:
    checks = run_checks(facts(claim_filed_on=date(2026, 12, 29), deny_claim_when_notice_late=False))
    filed = next(c for c in checks if c.name is CheckName.CLAIM_FILED_ON_TIME)
    assert (filed.outcome, filed.blocking) == (CheckOutcome.WARNING, False)
    assert filed.explanation == (
        "claim filed 1 day(s) after the deadline 2026-12-28: the insurer may still accept the claim"
    )
    ensure_approvable(checks)


def test_a_claim_filed_on_its_deadline_day_is_on_time() -> None:
    assert (
        outcomes(facts(claim_filed_on=date(2026, 12, 28)))[CheckName.CLAIM_FILED_ON_TIME]
        is CheckOutcome.PASSED
    )


def _quote() -> InvestmentDebtQuote:
    periods = tuple(
        P(index=i, phase=Phase.REPAYMENT, insured_amount=Decimal(1000), premium=Decimal(premium))
        for i, premium in ((1, "30"), (2, "20"), (3, "10"))
    )
    return InvestmentDebtQuote(currency="USD", periods=periods, total_premium=Decimal(60))


@pytest.mark.parametrize(
    ("settlement", "paid", "outcome", "explanation"),
    [
        (
            IndemnitySettlement.LUMP_SUM,
            frozenset(),
            CheckOutcome.FAILED,
            "a lump-sum indemnity needs the premium of later periods paid first: "
            "2 period(s), 30 USD",
        ),
        (
            IndemnitySettlement.LUMP_SUM,
            frozenset({2}),
            CheckOutcome.FAILED,
            "a lump-sum indemnity needs the premium of later periods paid first: "
            "1 period(s), 10 USD",
        ),
        (
            IndemnitySettlement.LUMP_SUM,
            frozenset({2, 3}),
            CheckOutcome.PASSED,
            "no later period's premium is due before the indemnity",
        ),
        (
            IndemnitySettlement.ORIGINAL_SCHEDULE,
            frozenset(),
            CheckOutcome.PASSED,
            "no later period's premium is due before the indemnity",
        ),
    ],
)
def test_investment_debt_premiums_before_a_lump_sum(
    settlement: IndemnitySettlement, paid: frozenset[int], outcome: CheckOutcome, explanation: str
) -> None:
    claim = facts(
        investment_debt=InvestmentDebtFacts(
            quote=_quote(), loss_period=1, settlement=settlement, paid_periods=paid
        )
    )
    check = next(c for c in run_checks(claim) if c.name is CheckName.INVESTMENT_DEBT_PREMIUMS)
    assert (check.outcome, check.explanation) == (outcome, explanation)


def test_the_policy_liability_and_late_premium_checks_show_rule_and_dates() -> None:
    rescinded = liability_for_shipment(
        PolicyStanding(
            state=PolicyState.RESCINDED,
            inception=date(2026, 1, 1),
            expiry=date(2026, 12, 31),
            rescinded_on=date(2026, 8, 3),
        ),
        shipment_date=date(2026, 3, 1),
    )
    late = premium_ruling(
        [BilledPremium(4, date(2026, 5, 31), date(2026, 7, 15))],
        cause=date(2026, 7, 1),
        today=date(2026, 8, 1),
    )
    checks = {
        c.name: c
        for c in run_checks(facts(shipments=[ship(liability=rescinded, premium=late), ship(2)]))
    }
    liability = checks[CheckName.POLICY_LIABILITY]
    assert (liability.outcome, liability.blocking) == (CheckOutcome.FAILED, True)
    assert liability.explanation == (
        "shipment 1: rescinded_for_fraud: the policy was rescinded for fraud on 2026-08-03: "
        "all liability under it ended, back to inception 2026-01-01; shipment of 2026-03-01 "
        "is not covered"
    )
    premium = checks[CheckName.PREMIUM_PAID]
    assert premium.outcome is CheckOutcome.FAILED
    assert premium.explanation == (
        "shipment 1: premium_late: premium notice 4, due 2026-05-31, not paid by its "
        "deadline 2026-05-31 (paid on 2026-07-15); the loss's cause arose on 2026-07-01, "
        "before the premium was paid: no cover"
    )
    with pytest.raises(Conflict) as refused:
        ensure_approvable(run_checks(facts(shipments=[ship(liability=rescinded)])))
    assert refused.value.details["failed_checks"] == ["policy_liability"]
