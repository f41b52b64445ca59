"""The declared shipment and every check a channel applies to it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from tradecover.declarations import Shipment, TransportMode, check_shipment, shipment_problems
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.policies.schedule import InsurableScope
from tradecover.reference.payment_terms import PaymentTerms

TODAY = date(2026, 11, 20)
SCOPE = InsurableScope(max_credit_days=120)
PERIOD = (date(2026, 1, 1), date(2026, 12, 31))


def shipment(**changes: object) -> Shipment:
    base = Shipment(
        insured_org_id=7,
        policy_id=11,
        buyer_id=21,
        payment_terms=PaymentTerms.OA,
        transport_mode=TransportMode.SEA,
        shipment_date=date(2026, 10, 5),
        due_date=date(2027, 1, 3),
        goods_description="Christmas decorations",
        hs_code="9505.10",
        invoice_number="INV-2026-0042",
        currency="USD",
        invoice_amount=Decimal("100000.00"),
        prepayment=Decimal("20000.00"),
        buyer_country="US",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_valid_shipment_passes_and_normalises_the_hs_code() -> None:
    s = shipment()
    assert (
        shipment_problems(s, today=TODAY, scope=SCOPE, policy_period=PERIOD, policy_currency="USD")
        == []
    )
    checked = check_shipment(s, today=TODAY, scope=SCOPE, policy_period=PERIOD)
    assert checked.hs_code == "950510"
    assert checked.credit_days == 90
    assert checked.insured_amount == Money.of("80000.00", "USD")
    assert checked.invoice == Money.of("100000", "USD")
    assert checked.prepaid == Money.of("20000", "USD")


def test_limits_of_the_rules_are_inclusive() -> None:
    edge = shipment(shipment_date=TODAY, due_date=TODAY, prepayment=Decimal("100000.00"))
    assert shipment_problems(edge, today=TODAY, scope=SCOPE, policy_period=PERIOD) == []
    longest = shipment(due_date=date(2027, 2, 2))  # 120 days
    assert shipment_problems(longest, today=TODAY, scope=SCOPE) == []


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"currency": "XYZ"}, "unknown_currency", "currency"),
        ({"currency": "usd"}, "unknown_currency", "currency"),
        ({"currency": "EUR"}, "currency_mismatch", "currency"),
        (
            {"invoice_amount": Decimal(0), "prepayment": Decimal(0)},
            "invoice_amount_not_positive",
            "invoice_amount",
        ),
        ({"prepayment": Decimal("-1")}, "negative_prepayment", "prepayment"),
        ({"invoice_amount": Decimal("100000.001")}, "too_many_decimals", "invoice_amount"),
        ({"prepayment": Decimal("0.5"), "currency": "KRW"}, "too_many_decimals", "prepayment"),
        ({"prepayment": Decimal("100000.01")}, "prepayment_exceeds_invoice", "prepayment"),
        (
            {"shipment_date": date(2026, 11, 21), "due_date": date(2026, 12, 31)},
            "shipment_date_in_future",
            "shipment_date",
        ),
        (
            {"shipment_date": date(2025, 12, 31), "due_date": date(2026, 1, 30)},
            "shipment_outside_policy_period",
            "shipment_date",
        ),
        ({"due_date": date(2026, 10, 4)}, "due_date_before_shipment", "due_date"),
        ({"due_date": date(2027, 2, 3)}, "credit_period_outside_scope", "due_date"),
        ({"hs_code": "7700"}, "unknown_hs_code", "hs_code"),
        ({"hs_code": "12345"}, "unknown_hs_code", "hs_code"),
        ({"invoice_number": "   "}, "missing_invoice_number", "invoice_number"),
        ({"invoice_number": "X" * 65}, "missing_invoice_number", "invoice_number"),
        ({"goods_description": ""}, "missing_goods_description", "goods_description"),
    ],
)
def test_each_bad_input_has_its_code_and_field(
    changes: dict[str, object],
    code: str,
    field: str,
) -> None:
    bad = shipment(**changes)
    policy_currency = "USD" if changes.get("currency") == "EUR" else None
    problems = shipment_problems(
        bad, today=TODAY, scope=SCOPE, policy_period=PERIOD, policy_currency=policy_currency
    )
    assert [(p.code, p.field) for p in problems] == [(code, field)]
    with pytest.raises(ValidationFailed) as caught:
        check_shipment(
            bad, today=TODAY, scope=SCOPE, policy_period=PERIOD, policy_currency=policy_currency
        )
    assert (caught.value.code, caught.value.field) == (code, field)


def test_every_problem_of_a_row_is_reported() -> None:
    bad = shipment(
        currency="ABC",
        prepayment=Decimal("200000"),
        hs_code="00",
        due_date=date(2026, 1, 1),
        invoice_number="",
    )
    codes = [p.code for p in shipment_problems(bad, today=TODAY, scope=SCOPE)]
    assert codes == [
        "unknown_currency",
        "prepayment_exceeds_invoice",
        "due_date_before_shipment",
        "unknown_hs_code",
        "missing_invoice_number",
    ]


def test_a_valid_shipment_is_returned_unchanged_when_already_normal() -> None:
    s = shipment(hs_code="950510")
    assert check_shipment(s, today=TODAY) is s
