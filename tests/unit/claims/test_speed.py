"""Claim speed: durations, the monthly report and the claims about to miss the target."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tradecover.claims.speed import (
    AtRisk,
    ClaimTimeline,
    MonthSpeed,
    SpeedTarget,
    Stage,
    claims_at_risk,
    monthly_report,
)
from tradecover.kit.errors import ValidationFailed

TARGET = SpeedTarget(decision_days=30, payment_days=10, warn_days=5)


def tl(
    claim_id: int,
    notice: str,
    claim: str,
    decided: str | None = None,
    paid: str | None = None,
    *,
    rejected: bool = False,
    payable_from: str | None = None,
) -> ClaimTimeline:
    return ClaimTimeline(
        claim_id=claim_id,
        notice_filed_on=date.fromisoformat(notice),
        claim_filed_on=date.fromisoformat(claim),
        decided_on=None if decided is None else date.fromisoformat(decided),
        paid_on=None if paid is None else date.fromisoformat(paid),
        rejected=rejected,
        payable_from=None if payable_from is None else date.fromisoformat(payable_from),
    )


def test_durations() -> None:
    t = tl(1, "2026-01-10", "2026-02-01", "2026-02-21", "2026-02-25")
    assert (t.notice_to_claim_days, t.claim_to_decision_days, t.decision_to_payment_days) == (
        22,
        20,
        4,
    )
    open_claim = tl(2, "2026-01-10", "2026-02-01")
    assert (open_claim.claim_to_decision_days, open_claim.decision_to_payment_days) == (None, None)


def test_monthly_report() -> None:
    timelines = [
        tl(1, "2026-01-10", "2026-02-01", "2026-02-21", "2026-02-25"),  # 20 d, 4 d
        tl(2, "2026-01-20", "2026-02-03", "2026-03-10", "2026-03-30"),  # 35 d, 20 d
        tl(3, "2026-02-01", "2026-02-10", "2026-02-28", rejected=True),  # 18 d
        tl(4, "2026-02-15", "2026-03-01"),  # open
    ]
    assert monthly_report(timelines, TARGET) == (
        MonthSpeed(
            month="2026-02",
            decided=2,
            avg_claim_to_decision_days=Decimal("19.0"),
            decided_within_target_pct=Decimal("100.0"),
            paid=1,
            avg_decision_to_payment_days=Decimal("4.0"),
            paid_within_target_pct=Decimal("100.0"),
            avg_notice_to_claim_days=Decimal("15.0"),
            filed=3,
        ),
        MonthSpeed(
            month="2026-03",
            decided=1,
            avg_claim_to_decision_days=Decimal("35.0"),
            decided_within_target_pct=Decimal("0.0"),
            paid=1,
            avg_decision_to_payment_days=Decimal("20.0"),
            paid_within_target_pct=Decimal("0.0"),
            avg_notice_to_claim_days=Decimal("14.0"),
            filed=1,
        ),
    )


def test_claims_about_to_miss_the_target() -> None:
    timelines = [
        tl(1, "2026-01-01", "2026-02-01"),  # decide by 3 Mar: 2 days left
        tl(2, "2026-01-01", "2026-02-10"),  # decide by 12 Mar: 11 days left, fine
        tl(3, "2026-01-01", "2026-01-20"),  # decide by 19 Feb: missed by 10 days
        tl(4, "2026-01-01", "2026-02-01", "2026-02-25"),  # pay by 7 Mar: 6 days left, fine
        tl(5, "2026-01-01", "2026-02-01", "2026-02-22"),  # pay by 4 Mar: 3 days left
        tl(6, "2026-01-01", "2026-02-01", "2026-02-02", rejected=True),  # done
        tl(7, "2026-01-01", "2026-02-01", "2026-02-02", "2026-02-03"),  # paid
        tl(8, "2026-01-01", "2026-02-01", "2026-02-02", payable_from="2026-04-01"),  # waiting
    ]
    assert claims_at_risk(timelines, TARGET, today=date(2026, 3, 1)) == (
        AtRisk(claim_id=3, stage=Stage.DECISION, deadline=date(2026, 2, 19), days_left=-10),
        AtRisk(claim_id=1, stage=Stage.DECISION, deadline=date(2026, 3, 3), days_left=2),
        AtRisk(claim_id=5, stage=Stage.PAYMENT, deadline=date(2026, 3, 4), days_left=3),
    )


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("2026-02-01", "2026-01-01"), "claim_filed_on"),
        (("2026-01-01", "2026-02-01", "2026-01-31"), "decided_on"),
        (("2026-01-01", "2026-02-01", "2026-02-10", "2026-02-09"), "paid_on"),
        (("2026-01-01", "2026-02-01", None, "2026-02-09"), "paid_on"),
    ],
)
def test_dates_out_of_order_are_refused(args: tuple[str, ...], field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        tl(1, *args)
    assert (exc.value.code, exc.value.field) == ("dates_out_of_order", field)
