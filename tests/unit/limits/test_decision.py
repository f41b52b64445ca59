"""Tests of limit applications and decisions: sizing, validation, auto rule, four eyes."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.buyers import AdverseEvent, BuyerProfile, CompanyType, Rating, Sector, SizeBand
from tradecover.buyers import rate_buyer as _rate
from tradecover.kit.errors import Conflict, PermissionDenied, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import (
    AutoRule,
    CountryStatus,
    DecisionOutcome,
    ExpectedShipments,
    LimitConditions,
    LimitDecision,
    LimitRequest,
    PolicyTerms,
    ReasonCode,
    RequestType,
    Route,
    check_decider,
    check_four_eyes,
    decide_limit,
    requires_second_approval,
    size_to_credit_cycle,
    underwriter_decision,
)
from tradecover.policies.schedule import (
    DeclarationFrequency,
    InsurableScope,
    PolicySchedule,
)
from tradecover.reference import PaymentTerms


def usd(amount: str | int) -> Money:
    return Money.of(amount, "USD")


GOOD = _rate(
    BuyerProfile(
        country_class=2,
        company_type=CompanyType.PRIVATE,
        size=SizeBand.MEDIUM,
        sector=Sector.MACHINERY,
    )
)  # grade 8
WEAK = _rate(
    BuyerProfile(
        country_class=6,
        company_type=CompanyType.SOLE_TRADER,
        size=SizeBand.MICRO,
        sector=Sector.RETAIL,
    )
)  # grade 16
LITIGATED = _rate(
    BuyerProfile(
        country_class=0,
        company_type=CompanyType.LISTED,
        size=SizeBand.LARGE,
        sector=Sector.UTILITIES,
        adverse_events=frozenset({AdverseEvent.LITIGATION}),
    )
)
SANCTIONED = _rate(
    BuyerProfile(
        country_class=2,
        company_type=CompanyType.PRIVATE,
        size=SizeBand.MEDIUM,
        sector=Sector.MACHINERY,
        adverse_events=frozenset({AdverseEvent.SANCTIONS_HIT}),
    )
)
POLICY = PolicyTerms(
    currencies=frozenset({"USD"}),
    payment_terms=frozenset({PaymentTerms.OA, PaymentTerms.DA}),
    max_credit_days=180,
)
RULE = AutoRule(max_amount=usd(100_000), worst_grade=10)


def _request(**changes: object) -> LimitRequest:
    base = LimitRequest(
        request_type=RequestType.NEW_LIMIT,
        amount=usd(80_000),
        payment_terms=PaymentTerms.OA,
        credit_period_days=60,
        buyer_country="DE",
        applicant_org_id=5,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _decide(
    request: LimitRequest,
    rating: Rating = GOOD,
    *,
    agg: Money | None = None,
    country: Money | None = None,
    status: CountryStatus = CountryStatus.OPEN,
    rule: AutoRule = RULE,
) -> LimitDecision:
    return decide_limit(
        request=request,
        rating=rating,
        room_on_buyer_aggregate=agg if agg is not None else usd(1_000_000),
        room_on_country_cap=country,
        country_status=status,
        policy=POLICY,
        auto_rule=rule,
    )


# --- sizing to one credit cycle ---------------------------------------------------------


def test_size_to_credit_cycle_worked_example() -> None:
    # 12 shipments a year of 100,000; 60 days credit + 30 days transit = 90 days:
    # 12 x 90 / 365 = 2.96 -> 3 shipments open at once -> 300,000.
    assert size_to_credit_cycle(
        contract_size=usd(1_200_000),
        shipments_per_year=12,
        largest_shipment=usd(150_000),
        credit_period_days=60,
        transit_days=30,
    ) == usd(300_000)


def test_largest_shipment_is_the_floor() -> None:
    # 52 weekly shipments of 10,000 over 30 + 0 days: ceil(4.27) = 5 -> 50,000 < 80,000.
    assert size_to_credit_cycle(
        contract_size=usd(520_000),
        shipments_per_year=52,
        largest_shipment=usd(80_000),
        credit_period_days=30,
        transit_days=0,
    ) == usd(80_000)


def test_cycle_longer_than_a_year_is_the_whole_contract() -> None:
    assert size_to_credit_cycle(
        contract_size=usd(1_000_000),
        shipments_per_year=3,
        largest_shipment=usd(400_000),
        credit_period_days=360,
        transit_days=60,
    ) == usd(1_000_000)
    # One shipment a year: always the contract.
    assert size_to_credit_cycle(
        contract_size=Money.of("1000", "JPY"),
        shipments_per_year=1,
        largest_shipment=Money.of("1000", "JPY"),
        credit_period_days=0,
        transit_days=0,
    ) == Money.of("1000", "JPY")


def test_uneven_average_is_rounded_half_up() -> None:
    assert size_to_credit_cycle(
        contract_size=usd(1_000_000),
        shipments_per_year=3,
        largest_shipment=usd(1),
        credit_period_days=30,
        transit_days=0,
    ) == Money.of("333333.33", "USD")


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"contract_size": usd(0)}, "invalid_shipments", "shipments.contract_size"),
        ({"shipments_per_year": 0}, "invalid_shipments", "shipments.shipments_per_year"),
        ({"largest_shipment": usd(2_000_000)}, "invalid_shipments", "shipments.largest_shipment"),
        (
            {"largest_shipment": Money.of("1", "EUR")},
            "currency_mismatch",
            "shipments.largest_shipment",
        ),
        ({"transit_days": -1}, "invalid_shipments", "shipments.transit_days"),
        ({"credit_period_days": 400}, "credit_period_out_of_range", "credit_period_days"),
    ],
)
def test_bad_shipment_inputs(changes: dict[str, object], code: str, field: str) -> None:
    args: dict[str, object] = {
        "contract_size": usd(1_200_000),
        "shipments_per_year": 12,
        "largest_shipment": usd(150_000),
        "credit_period_days": 60,
        "transit_days": 30,
    }
    args.update(changes)
    with pytest.raises(ValidationFailed) as info:
        size_to_credit_cycle(**args)  # type: ignore[arg-type]
    assert (info.value.code, info.value.field) == (code, field)


@given(
    st.integers(1, 10_000_000),
    st.integers(1, 365),
    st.integers(1, 100),
    st.integers(0, 360),
    st.integers(0, 90),
)
def test_need_between_largest_shipment_and_contract(
    contract: int, per_year: int, pct: int, credit: int, transit: int
) -> None:
    largest = max(1, contract * pct // 100)
    need = size_to_credit_cycle(
        contract_size=usd(contract),
        shipments_per_year=per_year,
        largest_shipment=usd(largest),
        credit_period_days=credit,
        transit_days=transit,
    )
    assert usd(largest) <= need <= usd(contract)


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "status", "error", "code", "field"),
    [
        ({"amount": usd(0)}, CountryStatus.OPEN, ValidationFailed, "amount_not_positive", "amount"),
        (
            {"amount": usd(-5)},
            CountryStatus.OPEN,
            ValidationFailed,
            "amount_not_positive",
            "amount",
        ),
        (
            {"amount": Money.of("1000", "EUR")},
            CountryStatus.OPEN,
            ValidationFailed,
            "currency_not_allowed",
            "currency",
        ),
        (
            {"payment_terms": PaymentTerms.LC},
            CountryStatus.OPEN,
            ValidationFailed,
            "payment_terms_not_insured",
            "payment_terms",
        ),
        (
            {"credit_period_days": 181},
            CountryStatus.OPEN,
            ValidationFailed,
            "credit_period_out_of_range",
            "credit_period_days",
        ),
        ({}, CountryStatus.OFF_COVER, Conflict, "country_off_cover", "buyer_country"),
        (
            {"current_limit": usd(50_000)},
            CountryStatus.OPEN,
            Conflict,
            "limit_already_exists",
            "request_type",
        ),
        (
            {"request_type": RequestType.INCREASE},
            CountryStatus.OPEN,
            Conflict,
            "no_current_limit",
            "request_type",
        ),
        (
            {"request_type": RequestType.INCREASE, "current_limit": usd(90_000)},
            CountryStatus.OPEN,
            ValidationFailed,
            "increase_below_current",
            "amount",
        ),
        (
            {"request_type": RequestType.INCREASE, "current_limit": usd(80_000)},
            CountryStatus.OPEN,
            ValidationFailed,
            "increase_not_above_current",
            "amount",
        ),
        (
            {"request_type": RequestType.REDUCTION, "current_limit": usd(80_000)},
            CountryStatus.OPEN,
            ValidationFailed,
            "reduction_not_below_current",
            "amount",
        ),
        (
            {"request_type": RequestType.CANCELLATION, "current_limit": usd(80_000)},
            CountryStatus.OPEN,
            ValidationFailed,
            "amount_not_zero",
            "amount",
        ),
        (
            {"current_limit": Money.of("1", "EUR"), "request_type": RequestType.INCREASE},
            CountryStatus.OPEN,
            ValidationFailed,
            "currency_mismatch",
            "currency",
        ),
    ],
)
def test_bad_requests_are_refused(
    changes: dict[str, object], status: CountryStatus, error: type[Exception], code: str, field: str
) -> None:
    with pytest.raises(error) as info:
        _decide(_request(**changes), status=status)
    assert (info.value.code, info.value.field) == (code, field)  # type: ignore[attr-defined]


def test_increase_below_current_says_it_is_a_reduction() -> None:
    with pytest.raises(ValidationFailed) as info:
        _decide(_request(request_type=RequestType.INCREASE, current_limit=usd(90_000)))
    assert info.value.message == (
        "80000.00 USD is lower than the current limit of 90000.00 USD: that is a reduction request"
    )
    assert info.value.details == {"current_limit": "90000.00 USD"}


def test_off_cover_still_accepts_reductions() -> None:
    decision = _decide(
        _request(request_type=RequestType.REDUCTION, amount=usd(10_000), current_limit=usd(80_000)),
        status=CountryStatus.OFF_COVER,
    )
    assert (decision.outcome, decision.route, decision.approved) == (
        DecisionOutcome.APPROVED,
        Route.AUTOMATIC,
        usd(10_000),
    )
    assert decision.reasons == (ReasonCode.REQUESTED_BY_INSURED,)


def test_policy_terms_from_schedule() -> None:
    schedule = PolicySchedule(
        currency="EUR",
        expected_turnover=Money.of("1000000", "EUR"),
        maximum_liability=Money.of("400000", "EUR"),
        indemnity_commercial_pct=Decimal(90),
        indemnity_political_pct=Decimal(95),
        declaration_frequency=DeclarationFrequency.MONTHLY,
        rate_table="std",
        base_rate_pct=Decimal("0.5"),
        scope=InsurableScope(payment_terms=(PaymentTerms.OA,), max_credit_days=120),
    )
    assert PolicyTerms.from_schedule(schedule) == PolicyTerms(
        currencies=frozenset({"EUR"}),
        payment_terms=frozenset({PaymentTerms.OA}),
        max_credit_days=120,
    )


# --- automatic and underwriter routes ---------------------------------------------------


def test_small_clean_case_is_approved_automatically() -> None:
    decision = _decide(_request())
    assert (decision.outcome, decision.route, decision.approved) == (
        DecisionOutcome.APPROVED,
        Route.AUTOMATIC,
        usd(80_000),
    )
    assert decision.reasons == (ReasonCode.AUTO_RULE,)
    assert (decision.model_version, decision.grade) == ("buyer-rating-2026.1", 8)
    assert not decision.needs_underwriter


def test_auto_approval_is_sized_to_the_credit_cycle() -> None:
    shipments = ExpectedShipments(
        contract_size=usd(240_000),
        shipments_per_year=12,
        largest_shipment=usd(20_000),
        transit_days=30,
    )
    decision = _decide(_request(shipments=shipments))
    # 12 x 90 / 365 -> 3 open shipments of 20,000.
    assert (decision.outcome, decision.approved, decision.ceiling) == (
        DecisionOutcome.PARTLY_APPROVED,
        usd(60_000),
        usd(80_000),
    )
    assert decision.reasons == (ReasonCode.AUTO_RULE, ReasonCode.SIZED_TO_CREDIT_CYCLE)


@pytest.mark.parametrize(
    ("request_changes", "rating", "status", "rule", "blocker"),
    [
        (
            {"amount": usd(150_000)},
            GOOD,
            CountryStatus.OPEN,
            RULE,
            ReasonCode.AMOUNT_ABOVE_AUTO_THRESHOLD,
        ),
        ({}, WEAK, CountryStatus.OPEN, RULE, ReasonCode.GRADE_BELOW_APPETITE),
        ({}, LITIGATED, CountryStatus.OPEN, RULE, ReasonCode.ADVERSE_EVENTS),
        ({}, GOOD, CountryStatus.RESTRICTED, RULE, ReasonCode.COUNTRY_RESTRICTED),
        (
            {},
            GOOD,
            CountryStatus.OPEN,
            dataclasses.replace(RULE, enabled=False),
            ReasonCode.AUTO_RULE_DISABLED,
        ),
    ],
)
def test_other_cases_go_to_an_underwriter(
    request_changes: dict[str, object],
    rating: Rating,
    status: CountryStatus,
    rule: AutoRule,
    blocker: ReasonCode,
) -> None:
    request = _request(**request_changes)
    decision = _decide(request, rating, status=status, rule=rule)
    assert (decision.outcome, decision.route) == (
        DecisionOutcome.STILL_INVESTIGATING,
        Route.UNDERWRITER,
    )
    assert decision.reasons == (blocker,)
    assert decision.approved == usd(0)
    assert decision.ceiling == request.amount
    assert decision.needs_underwriter


def test_hard_stop_is_refused_automatically() -> None:
    decision = _decide(_request(), SANCTIONED)
    assert (decision.outcome, decision.route, decision.approved, decision.ceiling) == (
        DecisionOutcome.NOT_APPROVED,
        Route.AUTOMATIC,
        usd(0),
        usd(0),
    )
    assert decision.reasons == (ReasonCode.BUYER_HARD_STOP,)


def test_rooms_cap_the_ceiling_and_send_to_underwriter() -> None:
    decision = _decide(_request(), agg=usd(50_000), country=usd(30_000))
    assert decision.ceiling == usd(30_000)
    assert decision.reasons == (
        ReasonCode.CAPPED_BY_BUYER_AGGREGATE,
        ReasonCode.CAPPED_BY_COUNTRY_CAP,
    )
    assert decision.route is Route.UNDERWRITER
    empty = _decide(_request(), agg=usd(0))
    assert empty.ceiling == usd(0)
    assert empty.reasons == (ReasonCode.NO_ROOM_ON_BUYER_AGGREGATE,)


def test_increase_room_is_on_top_of_the_current_limit() -> None:
    request = _request(
        request_type=RequestType.INCREASE, amount=usd(90_000), current_limit=usd(50_000)
    )
    decision = _decide(request, agg=usd(25_000))
    assert decision.ceiling == usd(75_000)
    assert decision.reasons == (ReasonCode.CAPPED_BY_BUYER_AGGREGATE,)
    full = _decide(request, agg=usd(40_000))
    assert (full.outcome, full.approved) == (DecisionOutcome.APPROVED, usd(90_000))


def test_room_currency_must_match() -> None:
    with pytest.raises(ValidationFailed) as info:
        _decide(_request(), agg=Money.of("1", "EUR"))
    assert (info.value.code, info.value.field) == ("currency_mismatch", "room_on_buyer_aggregate")


_amounts = st.integers(1, 2_000_000)


@given(
    _amounts,
    st.integers(0, 2_000_000),
    st.none() | st.integers(0, 2_000_000),
    st.none() | st.integers(0, 1_000_000),
    st.sampled_from([GOOD, WEAK, LITIGATED]),
    st.sampled_from([CountryStatus.OPEN, CountryStatus.RESTRICTED]),
)
def test_decision_never_exceeds_either_room(
    amount: int,
    agg: int,
    country: int | None,
    current: int | None,
    rating: Rating,
    status: CountryStatus,
) -> None:
    if current is not None and current >= amount:
        current = None
    request = _request(
        amount=usd(amount),
        current_limit=None if current is None else usd(current),
        request_type=RequestType.NEW_LIMIT if current is None else RequestType.INCREASE,
    )
    decision = _decide(
        request,
        rating,
        agg=usd(agg),
        country=None if country is None else usd(country),
        status=status,
    )
    base = usd(current or 0)
    for room in (usd(agg), None if country is None else usd(country)):
        if room is not None:
            assert decision.ceiling - base <= room or decision.ceiling <= base
            if not decision.approved.is_zero():
                assert decision.approved - base <= room
    assert decision.approved <= request.amount
    assert decision.recommended <= decision.ceiling


# --- underwriter decisions --------------------------------------------------------------


def _proposal(request: LimitRequest | None = None) -> LimitDecision:
    return _decide(request or _request(amount=usd(150_000)), agg=usd(120_000))


def test_underwriter_partly_approves_within_the_ceiling() -> None:
    request = _request(amount=usd(150_000))
    decision = underwriter_decision(
        request=request,
        proposal=_proposal(request),
        outcome=DecisionOutcome.PARTLY_APPROVED,
        amount=usd(120_000),
        reasons=[ReasonCode.CAPPED_BY_BUYER_AGGREGATE],
        decider_org_id=1,
    )
    assert (decision.outcome, decision.route, decision.approved) == (
        DecisionOutcome.PARTLY_APPROVED,
        Route.UNDERWRITER,
        usd(120_000),
    )
    assert decision.reasons == (ReasonCode.CAPPED_BY_BUYER_AGGREGATE,)


def test_conditional_approval_carries_conditions() -> None:
    request = _request(amount=usd(100_000))
    conditions = LimitConditions(indemnity_pct=Decimal(80), expires_on=date(2026, 12, 31))
    decision = underwriter_decision(
        request=request,
        proposal=_proposal(request),
        outcome=DecisionOutcome.CONDITIONAL,
        amount=usd(100_000),
        reasons=[],
        decider_org_id=1,
        conditions=conditions,
    )
    assert decision.conditions == conditions
    assert decision.reasons == (ReasonCode.UNDERWRITER_JUDGEMENT,)


@pytest.mark.parametrize(
    ("outcome", "amount", "reasons", "conditions", "error", "code"),
    [
        (DecisionOutcome.APPROVED, 150_000, [], None, Conflict, "exceeds_room"),
        (DecisionOutcome.APPROVED, 100_000, [], None, ValidationFailed, "outcome_amount_mismatch"),
        (DecisionOutcome.PARTLY_APPROVED, 0, [], None, ValidationFailed, "outcome_amount_mismatch"),
        (
            DecisionOutcome.NOT_APPROVED,
            10,
            [ReasonCode.WEAK_FINANCIALS],
            None,
            ValidationFailed,
            "outcome_amount_mismatch",
        ),
        (DecisionOutcome.NOT_APPROVED, 0, [], None, ValidationFailed, "reason_required"),
        (
            DecisionOutcome.CONDITIONAL,
            100_000,
            [],
            LimitConditions(),
            ValidationFailed,
            "conditions_required",
        ),
        (
            DecisionOutcome.CONDITIONAL,
            100_000,
            [],
            LimitConditions(indemnity_pct=Decimal(120)),
            ValidationFailed,
            "indemnity_out_of_range",
        ),
    ],
)
def test_bad_underwriter_decisions(
    outcome: DecisionOutcome,
    amount: int,
    reasons: list[ReasonCode],
    conditions: LimitConditions | None,
    error: type[Exception],
    code: str,
) -> None:
    request = _request(amount=usd(150_000))
    with pytest.raises(error) as info:
        underwriter_decision(
            request=request,
            proposal=_proposal(request),
            outcome=outcome,
            amount=usd(amount),
            reasons=reasons,
            decider_org_id=1,
            conditions=conditions,
        )
    assert info.value.code == code  # type: ignore[attr-defined]


def test_increase_approval_must_be_above_the_current_limit() -> None:
    request = _request(
        request_type=RequestType.INCREASE, amount=usd(200_000), current_limit=usd(100_000)
    )
    proposal = _decide(request, agg=usd(50_000))
    with pytest.raises(ValidationFailed) as info:
        underwriter_decision(
            request=request,
            proposal=proposal,
            outcome=DecisionOutcome.PARTLY_APPROVED,
            amount=usd(100_000),
            reasons=[],
            decider_org_id=1,
        )
    assert info.value.code == "increase_below_current"


def test_applicant_cannot_decide_its_own_application() -> None:
    request = _request(amount=usd(150_000))
    with pytest.raises(PermissionDenied) as info:
        underwriter_decision(
            request=request,
            proposal=_proposal(request),
            outcome=DecisionOutcome.NOT_APPROVED,
            amount=usd(0),
            reasons=[ReasonCode.UNDERWRITER_JUDGEMENT],
            decider_org_id=5,
        )
    assert info.value.code == "own_application"
    check_decider(applicant_org_id=5, decider_org_id=1)


def test_four_eyes() -> None:
    assert requires_second_approval(usd(500_001), usd(500_000))
    assert not requires_second_approval(usd(500_000), usd(500_000))
    check_four_eyes(maker="user:1", checker="user:2")
    with pytest.raises(PermissionDenied) as info:
        check_four_eyes(maker="user:1", checker=" USER:1 ")
    assert (info.value.code, info.value.field) == ("four_eyes_same_person", "approved_by")
