"""THE cover decision: worked cases for every reason, and its laws as properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.declarations import (
    CountryCoverStatus,
    CoverDecision,
    CoverReason,
    CoverStatus,
    LimitFacts,
    LimitStatus,
    PolicyFacts,
    Shipment,
    TransportMode,
    decide_cover,
)
from tradecover.kit.money import CurrencyMismatch, Money
from tradecover.limits.request import RequestType
from tradecover.limits.versions import LimitVersion
from tradecover.policies.lifecycle import PolicyState
from tradecover.policies.schedule import DeclarationFrequency, InsurableScope
from tradecover.reference.payment_terms import PaymentTerms

USD = "USD"
SHIPMENT = Shipment(
    insured_org_id=7,
    policy_id=11,
    buyer_id=21,
    payment_terms=PaymentTerms.OA,
    transport_mode=TransportMode.SEA,
    shipment_date=date(2026, 10, 5),
    due_date=date(2027, 1, 3),
    goods_description="Christmas decorations",
    hs_code="950510",
    invoice_number="INV-1",
    currency=USD,
    invoice_amount=Decimal("100000.00"),
    prepayment=Decimal("20000.00"),
    buyer_country="US",
)
POLICY = PolicyFacts(
    state=PolicyState.ACTIVE,
    inception=date(2026, 1, 1),
    expiry=date(2026, 12, 31),
    scope=InsurableScope(excluded_countries=("RU",), hs_chapters=("95", "84")),
    frequency=DeclarationFrequency.MONTHLY,
)
LIMIT = LimitFacts(amount=Money.of("150000", USD), effective_from=date(2026, 3, 1))


def usd(amount: str) -> Money:
    return Money.of(amount, USD)


def decide(
    *,
    shipment: Shipment = SHIPMENT,
    policy: PolicyFacts = POLICY,
    limit: LimitFacts | None = LIMIT,
    outstanding: str = "0",
    buyer_in_default: bool = False,
    country_status: CountryCoverStatus = CountryCoverStatus.OPEN,
    declared_on: date = date(2026, 10, 20),
) -> CoverDecision:
    return decide_cover(
        shipment=shipment,
        policy=policy,
        limit=limit,
        outstanding=usd(outstanding),
        buyer_in_default=buyer_in_default,
        country_status=country_status,
        declared_on=declared_on,
    )


def test_covered_in_full_within_the_limit() -> None:
    d = decide(outstanding="70000")
    assert d == CoverDecision(
        CoverStatus.COVERED_IN_FULL,
        usd("80000"),
        usd("80000"),
        usd("0"),
        CoverReason.WITHIN_LIMIT,
        "covered in full: 80000.00 USD within 80000.00 USD available",
    )
    assert d.covered


def test_covered_up_to_the_available_limit_with_the_excess_uninsured() -> None:
    d = decide(outstanding="120000.50")
    assert (d.status, d.covered_amount, d.uninsured_amount, d.reason_code) == (
        CoverStatus.COVERED_PARTLY,
        usd("29999.50"),
        usd("50000.50"),
        CoverReason.EXCEEDS_AVAILABLE_LIMIT,
    )
    assert d.explanation == (
        "covered up to the 29999.50 USD available on the limit; 50000.50 USD is uninsured"
    )


def test_fully_prepaid_carries_nothing_at_risk() -> None:
    d = decide(shipment=replace(SHIPMENT, prepayment=Decimal("100000.00")), outstanding="150000")
    assert (d.status, d.covered_amount, d.uninsured_amount, d.reason_code) == (
        CoverStatus.COVERED_IN_FULL,
        usd("0"),
        usd("0"),
        CoverReason.FULLY_PREPAID,
    )


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"policy": replace(POLICY, state=PolicyState.DRAFT)}, CoverReason.POLICY_NOT_ACTIVE),
        ({"policy": replace(POLICY, state=PolicyState.QUOTED)}, CoverReason.POLICY_NOT_ACTIVE),
        ({"policy": replace(POLICY, state=PolicyState.RESCINDED)}, CoverReason.POLICY_NOT_ACTIVE),
        ({"policy": replace(POLICY, state=PolicyState.CANCELLED)}, CoverReason.POLICY_NOT_ACTIVE),
        (
            {
                "policy": replace(
                    POLICY, state=PolicyState.CANCELLED, cancelled_from=date(2026, 10, 5)
                )
            },
            CoverReason.POLICY_NOT_ACTIVE,
        ),
        ({"policy": replace(POLICY, state=PolicyState.SUSPENDED)}, CoverReason.POLICY_SUSPENDED),
        (
            {"policy": replace(POLICY, inception=date(2026, 10, 6))},
            CoverReason.OUTSIDE_POLICY_PERIOD,
        ),
        ({"policy": replace(POLICY, expiry=date(2026, 10, 4))}, CoverReason.OUTSIDE_POLICY_PERIOD),
        ({"shipment": replace(SHIPMENT, buyer_country="RU")}, CoverReason.OUTSIDE_SCOPE),
        ({"shipment": replace(SHIPMENT, hs_code="6109.10")}, CoverReason.OUTSIDE_SCOPE),
        (
            {"policy": replace(POLICY, scope=InsurableScope(payment_terms=(PaymentTerms.LC,)))},
            CoverReason.OUTSIDE_SCOPE,
        ),
        (
            {"policy": replace(POLICY, scope=InsurableScope(max_credit_days=60))},
            CoverReason.OUTSIDE_SCOPE,
        ),
        ({"country_status": CountryCoverStatus.OFF_COVER}, CoverReason.COUNTRY_OFF_COVER),
        ({"declared_on": date(2026, 11, 16)}, CoverReason.LATE_DECLARATION),
        ({"buyer_in_default": True}, CoverReason.BUYER_IN_DEFAULT),
        ({"limit": None}, CoverReason.NO_LIMIT),
        ({"limit": replace(LIMIT, effective_from=date(2026, 10, 6))}, CoverReason.NO_LIMIT),
        ({"limit": replace(LIMIT, status=LimitStatus.CANCELLED)}, CoverReason.LIMIT_CANCELLED),
        ({"limit": replace(LIMIT, expires_on=date(2026, 10, 4))}, CoverReason.LIMIT_EXPIRED),
        (
            {"limit": replace(LIMIT, payment_terms=(PaymentTerms.LC, PaymentTerms.DP))},
            CoverReason.LIMIT_CONDITIONS_NOT_MET,
        ),
        ({"limit": replace(LIMIT, max_credit_days=60)}, CoverReason.LIMIT_CONDITIONS_NOT_MET),
        ({"outstanding": "150000"}, CoverReason.LIMIT_EXHAUSTED),
        ({"outstanding": "170000"}, CoverReason.LIMIT_EXHAUSTED),
    ],
)
def test_each_reason_for_no_cover(kwargs: dict[str, object], reason: CoverReason) -> None:
    d = decide(**kwargs)  # type: ignore[arg-type]
    assert (d.status, d.reason_code) == (CoverStatus.NOT_COVERED, reason)
    assert (d.insured_amount, d.covered_amount, d.uninsured_amount) == (
        usd("80000"),
        usd("0"),
        usd("80000"),
    )
    assert not d.covered
    assert d.explanation


def test_reasons_come_in_the_documented_order() -> None:
    everything_wrong = decide(
        policy=replace(POLICY, state=PolicyState.SUSPENDED),
        buyer_in_default=True,
        limit=None,
        country_status=CountryCoverStatus.OFF_COVER,
    )
    assert everything_wrong.reason_code is CoverReason.POLICY_SUSPENDED
    assert (
        decide(buyer_in_default=True, limit=None, declared_on=date(2026, 12, 1)).reason_code
        is CoverReason.LATE_DECLARATION
    )
    assert decide(buyer_in_default=True, limit=None).reason_code is CoverReason.BUYER_IN_DEFAULT


def test_what_does_not_deny_cover() -> None:
    # a cancellation after the shipment keeps liability already taken on ([domain P-11])
    cancelled_later = replace(POLICY, state=PolicyState.CANCELLED, cancelled_from=date(2026, 10, 6))
    assert decide(policy=cancelled_later).status is CoverStatus.COVERED_IN_FULL
    # a policy that expired or renewed still covers its period's shipments declared on time
    assert decide(policy=replace(POLICY, state=PolicyState.EXPIRED)).covered
    assert decide(policy=replace(POLICY, state=PolicyState.RENEWED)).covered
    # a restricted country (new limits need an underwriter) still covers under a limit
    assert decide(country_status=CountryCoverStatus.RESTRICTED).covered
    # a policy that tolerates late declarations
    tolerant = replace(POLICY, deny_cover_when_late=False)
    assert decide(policy=tolerant, declared_on=date(2027, 1, 1)).covered
    # limit conditions that are met
    assert decide(
        limit=replace(
            LIMIT,
            payment_terms=(PaymentTerms.OA,),
            max_credit_days=90,
            expires_on=date(2026, 10, 5),
        )
    ).covered


def test_limit_in_another_currency_is_refused_loudly() -> None:
    with pytest.raises(CurrencyMismatch):
        decide(limit=replace(LIMIT, amount=Money.of("150000", "EUR")))


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2)


@given(
    invoice=amounts,
    prepaid_share=st.integers(0, 100),
    limit=amounts,
    outstanding=st.decimals(min_value=Decimal(0), max_value=Decimal("20000000"), places=2),
)
def test_cover_never_exceeds_what_is_available_or_at_risk(
    invoice: Decimal,
    prepaid_share: int,
    limit: Decimal,
    outstanding: Decimal,
) -> None:
    prepayment = (invoice * prepaid_share / 100).quantize(Decimal("0.01"))
    shipment = replace(SHIPMENT, invoice_amount=invoice, prepayment=prepayment)
    d = decide(
        shipment=shipment,
        limit=replace(LIMIT, amount=usd(str(limit))),
        outstanding=str(outstanding),
    )
    available = max(limit - outstanding, Decimal(0))
    assert d.covered_amount.amount <= available
    assert d.covered_amount.amount <= d.insured_amount.amount
    assert d.covered_amount + d.uninsured_amount == d.insured_amount
    assert d.covered_amount.amount == min(d.insured_amount.amount, available)
    assert d.uninsured_amount.amount >= 0


def test_limit_facts_from_a_limit_version() -> None:
    version = LimitVersion(
        number=2,
        kind=RequestType.INCREASE,
        amount=usd("150000"),
        effective_from=date(2026, 3, 1),
        expires_on=date(2026, 12, 31),
        indemnity_pct=Decimal(85),
    )
    assert LimitFacts.from_version(version) == LimitFacts(
        amount=usd("150000"),
        status=LimitStatus.ACTIVE,
        effective_from=date(2026, 3, 1),
        expires_on=date(2026, 12, 31),
        indemnity_pct=Decimal(85),
    )
    cancelled = LimitVersion(
        number=3, kind=RequestType.CANCELLATION, amount=usd("0"), effective_from=date(2026, 9, 1)
    )
    facts = LimitFacts.from_version(cancelled)
    assert facts.status is LimitStatus.CANCELLED
    assert decide(limit=facts).reason_code is CoverReason.LIMIT_CANCELLED
