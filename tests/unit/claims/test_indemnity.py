"""THE indemnity rule against hand-worked cases, and its laws as Hypothesis properties.

Policy: commercial 90 %, political 95 %.  Limit 1 on buyer A: USD 100,000 from 1 Jan 2026,
reduced to USD 40,000 from 1 Jun 2026.  Limit 2 on buyer B: USD 50,000 from 1 Jan 2026
with its own indemnity percentage of 80 %.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.claims.indemnity import (
    ClaimLine,
    IndemnityTerms,
    LossCause,
    RiskType,
    compute_indemnity,
    maximum_liability_left,
)
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, round_money
from tradecover.limits.request import RequestType
from tradecover.limits.versions import LimitVersion, next_version

TERMS = IndemnityTerms(commercial_pct=Decimal(90), political_pct=Decimal(95))
PLENTY = Money.of(1_000_000, "USD")


def usd(amount: str | int) -> Money:
    return Money.of(amount, "USD")


def _limit_1() -> list[LimitVersion]:
    versions: list[LimitVersion] = []
    versions.append(
        next_version(
            versions,
            kind=RequestType.NEW_LIMIT,
            amount=usd(100_000),
            effective_from=date(2026, 1, 1),
            today=date(2026, 1, 1),
        )
    )
    versions.append(
        next_version(
            versions,
            kind=RequestType.REDUCTION,
            amount=usd(40_000),
            effective_from=date(2026, 6, 1),
            today=date(2026, 6, 1),
            reason="buyer paying late",
        )
    )
    return versions


def _limit_2() -> list[LimitVersion]:
    return [
        next_version(
            [],
            kind=RequestType.NEW_LIMIT,
            amount=usd(50_000),
            effective_from=date(2026, 1, 1),
            today=date(2026, 1, 1),
            indemnity_pct=Decimal(80),
        )
    ]


LIMITS = {1: _limit_1(), 2: _limit_2()}


def line(
    shipment_id: int,
    shipped: date,
    insured: int | str,
    *,
    limit_id: int = 1,
    collected: int | str | None = None,
    loss: int | str | None = None,
) -> ClaimLine:
    return ClaimLine(
        shipment_id=shipment_id,
        limit_id=limit_id,
        shipment_date=shipped,
        insured_amount=usd(insured),
        collected_before_loss=None if collected is None else usd(collected),
        loss=None if loss is None else usd(loss),
    )


MAR, MAY15, JUN10 = date(2026, 3, 1), date(2026, 5, 15), date(2026, 6, 10)

CASES = [
    # (case, lines, cause, max liability left, indemnity, per-line indemnities, capped)
    (
        "loss below the limit",
        [line(1, MAR, 60_000)],
        LossCause.INSOLVENCY,
        PLENTY,
        "54000.00",
        ["54000.00"],
        False,
    ),
    (
        "loss above the limit: the limit caps it",
        [line(1, MAR, 150_000)],
        LossCause.PROTRACTED_DEFAULT,
        PLENTY,
        "90000.00",
        ["90000.00"],
        False,
    ),
    (
        "limit reduced after the shipment: the old 100k applies",
        [line(1, MAY15, 80_000)],
        LossCause.INSOLVENCY,
        PLENTY,
        "72000.00",
        ["72000.00"],
        False,
    ),
    (
        "shipped after the reduction: the new 40k applies",
        [line(1, JUN10, 80_000)],
        LossCause.INSOLVENCY,
        PLENTY,
        "36000.00",
        ["36000.00"],
        False,
    ),
    (
        "two shipments on one limit: the limit caps the sum (not 108,000)",
        [line(1, date(2026, 2, 1), 70_000), line(2, MAR, 50_000)],
        LossCause.INSOLVENCY,
        PLENTY,
        "90000.00",
        ["63000.00", "27000.00"],
        False,
    ),
    (
        "two shipments either side of the reduction",
        [line(1, MAY15, 30_000), line(2, JUN10, 30_000)],
        LossCause.INSOLVENCY,
        PLENTY,
        "36000.00",
        ["27000.00", "9000.00"],
        False,
    ),
    (
        "partial collection before the loss reduces it",
        [line(1, MAR, 100_000, collected=30_000)],
        LossCause.INSOLVENCY,
        PLENTY,
        "63000.00",
        ["63000.00"],
        False,
    ),
    (
        "collections bring the loss under the limit",
        [line(1, MAR, 130_000, collected=40_000)],
        LossCause.INSOLVENCY,
        PLENTY,
        "81000.00",
        ["81000.00"],
        False,
    ),
    (
        "a loss claimed below what is outstanding",
        [line(1, MAR, 100_000, loss=20_000)],
        LossCause.INSOLVENCY,
        PLENTY,
        "18000.00",
        ["18000.00"],
        False,
    ),
    (
        "political loss: the policy's 95 %",
        [line(1, MAR, 60_000)],
        LossCause.TRANSFER_RESTRICTION,
        PLENTY,
        "57000.00",
        ["57000.00"],
        False,
    ),
    (
        "the limit's own 80 % overrides the policy's",
        [line(1, MAR, 60_000, limit_id=2)],
        LossCause.TRANSFER_RESTRICTION,
        PLENTY,
        "40000.00",
        ["40000.00"],
        False,
    ),
    (
        "two limits in one claim, each with its percentage",
        [line(1, MAR, 60_000), line(2, MAR, 60_000, limit_id=2)],
        LossCause.INSOLVENCY,
        PLENTY,
        "94000.00",
        ["54000.00", "40000.00"],
        False,
    ),
    (
        "maximum liability nearly used up",
        [line(1, MAR, 60_000)],
        LossCause.INSOLVENCY,
        usd("10000.00"),
        "10000.00",
        ["10000.00"],
        True,
    ),
    (
        "maximum liability nearly used up, split over two lines",
        [line(1, date(2026, 2, 1), 30_000), line(2, MAR, 10_000)],
        LossCause.INSOLVENCY,
        usd("1000.01"),
        "1000.01",
        ["750.01", "250.00"],
        True,
    ),
    (
        "maximum liability used up entirely",
        [line(1, MAR, 60_000)],
        LossCause.INSOLVENCY,
        usd(0),
        "0.00",
        ["0.00"],
        True,
    ),
    (
        "rounded half-up once at the end: 33,333.33 x 90 % = 29,999.997",
        [line(1, MAR, "33333.33")],
        LossCause.INSOLVENCY,
        PLENTY,
        "30000.00",
        ["30000.00"],
        False,
    ),
]


@pytest.mark.parametrize(
    ("case", "lines", "cause", "left", "expected", "per_line", "capped"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_hand_worked_cases(
    case: str,
    lines: list[ClaimLine],
    cause: LossCause,
    left: Money,
    expected: str,
    per_line: list[str],
    capped: bool,
) -> None:
    result = compute_indemnity(
        lines=lines, limits=LIMITS, cause=cause, terms=TERMS, maximum_liability_left=left
    )
    assert result.indemnity == usd(expected)
    assert [r.indemnity for r in result.lines] == [usd(a) for a in per_line]
    assert result.capped_by_maximum_liability is capped


def test_the_breakdown_of_two_shipments_on_one_limit() -> None:
    result = compute_indemnity(
        lines=[line(2, MAR, 50_000), line(1, date(2026, 2, 1), 70_000)],
        limits=LIMITS,
        cause=LossCause.INSOLVENCY,
        terms=TERMS,
        maximum_liability_left=PLENTY,
    )
    # given out of order: the earlier shipment takes the limit first
    assert [(r.shipment_id, r.covered_loss, r.limit_in_force) for r in result.lines] == [
        (2, usd(30_000), usd(100_000)),
        (1, usd(70_000), usd(100_000)),
    ]
    assert result.loss == usd(120_000)
    assert result.covered_loss == usd(100_000)
    assert result.before_cap == usd(90_000)
    assert result.insurer_share == Decimal(90_000) / Decimal(120_000)
    assert [r.pct_source for r in result.lines] == ["policy_commercial"] * 2


def test_rounding_is_half_up_in_the_currency_minor_unit() -> None:
    versions = [
        next_version(
            [],
            kind=RequestType.NEW_LIMIT,
            amount=Money.of(10_000_000, "KRW"),
            effective_from=date(2026, 1, 1),
            today=date(2026, 1, 1),
        )
    ]
    result = compute_indemnity(
        lines=[
            ClaimLine(
                shipment_id=1, limit_id=9, shipment_date=MAR, insured_amount=Money.of(12_345, "KRW")
            )
        ],
        limits={9: versions},
        cause=LossCause.INSOLVENCY,
        terms=TERMS,
        maximum_liability_left=Money.of(10**9, "KRW"),
    )
    assert result.before_cap == Money.of("11110.5", "KRW")
    assert result.indemnity == Money.of(11_111, "KRW")


@pytest.mark.parametrize(
    ("lines", "code", "field"),
    [
        ([line(1, MAR, 100_000, loss=100_001)], "loss_exceeds_outstanding", "lines[0].loss"),
        (
            [line(1, MAR, 100_000, collected=30_000, loss=80_000)],
            "loss_exceeds_outstanding",
            "lines[0].loss",
        ),
        ([line(1, MAR, 100_000, collected=100_000)], "loss_not_positive", "lines[0].loss"),
        ([], "no_claim_lines", "lines"),
        ([line(1, MAR, 10), line(1, MAR, 20)], "duplicate_shipment", "lines[1].shipment_id"),
        ([line(1, MAR, 10, limit_id=7)], "unknown_limit", "lines[0].limit_id"),
        (
            [
                ClaimLine(
                    shipment_id=1, limit_id=1, shipment_date=MAR, insured_amount=Money.of(10, "EUR")
                )
            ],
            "currency_mismatch",
            "lines[0].loss",
        ),
    ],
)
def test_bad_claims_are_refused(lines: list[ClaimLine], code: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        compute_indemnity(
            lines=lines,
            limits=LIMITS,
            cause=LossCause.INSOLVENCY,
            terms=TERMS,
            maximum_liability_left=PLENTY,
        )
    assert (exc.value.code, exc.value.field) == (code, field)


def test_loss_exceeds_outstanding_reports_both_amounts() -> None:
    with pytest.raises(ValidationFailed) as exc:
        compute_indemnity(
            lines=[line(1, MAR, 100_000, collected=30_000, loss=80_000)],
            limits=LIMITS,
            cause=LossCause.INSOLVENCY,
            terms=TERMS,
            maximum_liability_left=PLENTY,
        )
    assert exc.value.details == {"outstanding": "70000.00 USD", "loss": "80000.00 USD"}


def test_maximum_liability_left() -> None:
    assert maximum_liability_left(
        maximum_liability=usd(500_000), indemnities=[usd(200_000), usd("99999.99")]
    ) == usd("200000.01")
    assert maximum_liability_left(
        maximum_liability=usd(500_000), indemnities=[usd(400_000), usd(400_000)]
    ) == usd(0)


def test_causes_map_to_risk_types() -> None:
    commercial = {c for c in LossCause if c.risk_type is RiskType.COMMERCIAL}
    assert commercial == {
        LossCause.INSOLVENCY,
        LossCause.PROTRACTED_DEFAULT,
        LossCause.REFUSAL_OF_GOODS,
    }


# --- laws ---------------------------------------------------------------------------------

cents = st.integers(min_value=1, max_value=10**9).map(lambda c: Money.from_minor(c, "USD"))
pcts = st.integers(min_value=1, max_value=1000).map(lambda p: Decimal(p) / 10)


@given(
    losses=st.lists(cents, min_size=1, max_size=5),
    limit=cents,
    pct=pcts,
    left=st.integers(min_value=0, max_value=10**10).map(lambda c: Money.from_minor(c, "USD")),
)
def test_indemnity_never_above_min_loss_limit_times_pct_nor_the_liability_left(
    losses: list[Money], limit: Money, pct: Decimal, left: Money
) -> None:
    versions = [
        LimitVersion(
            number=1, kind=RequestType.NEW_LIMIT, amount=limit, effective_from=date(2026, 1, 1)
        )
    ]
    lines = [
        ClaimLine(
            shipment_id=i, limit_id=1, shipment_date=date(2026, 2, 1 + i), insured_amount=loss
        )
        for i, loss in enumerate(losses)
    ]
    terms = IndemnityTerms(commercial_pct=pct, political_pct=pct)
    result = compute_indemnity(
        lines=lines,
        limits={1: versions},
        cause=LossCause.INSOLVENCY,
        terms=terms,
        maximum_liability_left=left,
    )
    total_loss = sum((loss.amount for loss in losses), Decimal(0))
    bound = round_money(min(total_loss, limit.amount) * pct / 100, "USD")
    assert result.indemnity.amount <= bound
    assert result.indemnity <= left
    # one limit version: the limit caps the sum, so the rule is exactly this
    assert result.indemnity.amount == min(bound, left.amount)
    assert sum((r.indemnity for r in result.lines), usd(0)) == result.indemnity
    assert all(r.indemnity.amount >= 0 for r in result.lines)
