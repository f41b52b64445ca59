from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tradecover.feeds import DocumentFormat, InvoiceFacts, Party, business_rule_breaches

CENTS = st.decimals(
    min_value=Decimal("-100000"),
    max_value=Decimal("100000"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


def _facts(
    lines: list[Decimal],
    allowances: list[Decimal],
    charges: list[Decimal],
    tax: Decimal,
    prepaid: Decimal,
) -> InvoiceFacts:
    line_total = sum(lines, Decimal(0))
    allowance_total = sum(allowances, Decimal(0))
    charge_total = sum(charges, Decimal(0))
    exclusive = line_total - allowance_total + charge_total
    inclusive = exclusive + tax
    return InvoiceFacts(
        format=DocumentFormat.UBL,
        specification="urn:cen.eu:en16931:2017",
        number="1",
        issue_date=date(2026, 1, 1),
        type_code="380",
        currency="EUR",
        due_date=date(2026, 2, 1),
        seller=Party("Seller", "DE"),
        seller_has_address=True,
        buyer=Party("Buyer", "US"),
        buyer_has_address=True,
        line_total=line_total,
        allowance_total=allowance_total,
        charge_total=charge_total,
        tax_exclusive=exclusive,
        tax_total=tax,
        tax_inclusive=inclusive,
        prepaid=prepaid,
        payable=inclusive - prepaid,
        line_amounts=lines,
        document_allowances=allowances,
        document_charges=charges,
        category_tax_amounts=[tax],
    )


@given(
    st.lists(CENTS, min_size=1, max_size=8),
    st.lists(CENTS, max_size=3),
    st.lists(CENTS, max_size=3),
    CENTS,
    CENTS,
)
def test_consistent_totals_break_no_rule(
    lines: list[Decimal],
    allowances: list[Decimal],
    charges: list[Decimal],
    tax: Decimal,
    prepaid: Decimal,
) -> None:
    assert business_rule_breaches(_facts(lines, allowances, charges, tax, prepaid)) == []


@given(
    st.lists(CENTS, min_size=1, max_size=8),
    CENTS,
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=2),
)
def test_any_error_in_the_amount_due_breaks_br_co_16(
    lines: list[Decimal], tax: Decimal, error: Decimal
) -> None:
    facts = _facts(lines, [], [], tax, Decimal(0))
    assert facts.payable is not None
    wrong = replace(facts, payable=facts.payable + error)
    assert [r.code for r in business_rule_breaches(wrong)] == ["en16931_BR-CO-16"]


@given(
    st.lists(CENTS, min_size=2, max_size=8),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=2),
)
def test_any_error_in_a_line_breaks_br_co_10(lines: list[Decimal], error: Decimal) -> None:
    facts = _facts(lines, [], [], Decimal(0), Decimal(0))
    wrong = replace(facts, line_amounts=[lines[0] + error, *lines[1:]])
    assert [r.code for r in business_rule_breaches(wrong)] == ["en16931_BR-CO-10"]
