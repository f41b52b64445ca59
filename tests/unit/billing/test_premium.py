"""Premium of a declaration: worked cases to the minor unit and its laws."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.billing import FlatRatePricer, RateSource, declaration_premium, premium_of
from tradecover.declarations import CoverDecision, CoverReason, CoverStatus
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, minor_unit
from tradecover.pricing.rate_table import default_rate_table
from tradecover.pricing.short_term import ShortTermPricer, ShortTermRateRequest
from tradecover.reference.payment_terms import PaymentTerms


@pytest.mark.parametrize(
    ("currency", "invoice", "prepayment", "rate", "expected"),
    [
        ("USD", "100000.00", "20000.00", "0.0075", "600.00"),  # [002]'s formula
        ("USD", "1234.56", "0", "0.00625", "7.72"),  # 7.716
        ("USD", "1.01", "0", "0.5", "0.51"),  # 0.505: half-up, not half-even
        ("USD", "1.03", "0", "0.5", "0.52"),  # 0.515
        ("USD", "0.01", "0", "0.0075", "0.00"),
        ("CNY", "85000.00", "5000.00", "0.009", "720.00"),
        ("EUR", "50000.00", "50000.00", "0.02", "0.00"),  # fully prepaid
        ("KRW", "1001", "0", "0.5", "501"),  # 500.5: KRW has no decimals
        ("KRW", "10000001", "0", "0.0005", "5000"),  # 5000.0005
        ("JPY", "999", "0", "0.0085", "8"),  # 8.4915
        ("KWD", "1.235", "0", "0.5", "0.618"),  # 0.6175: KWD has 3 decimals
        ("KWD", "12345.678", "345.678", "0.0071", "85.200"),
    ],
)
def test_worked_premiums(
    currency: str,
    invoice: str,
    prepayment: str,
    rate: str,
    expected: str,
) -> None:
    result = premium_of(
        invoice_amount=Money.of(invoice, currency),
        prepayment=Money.of(prepayment, currency),
        rate=Decimal(rate),
    )
    assert result == Money.of(expected, currency)
    assert str(result.amount) == expected  # exactly the currency's minor unit


@pytest.mark.parametrize(
    ("invoice", "prepayment", "rate", "code", "field"),
    [
        ("100", "0", "-0.001", "negative_rate", "rate"),
        ("100", "100.01", "0.01", "prepayment_exceeds_invoice", "prepayment"),
        ("100", "-1", "0.01", "negative_prepayment", "prepayment"),
    ],
)
def test_bad_premium_inputs(
    invoice: str, prepayment: str, rate: str, code: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        premium_of(
            invoice_amount=Money.of(invoice, "USD"),
            prepayment=Money.of(prepayment, "USD"),
            rate=Decimal(rate),
        )
    assert (caught.value.code, caught.value.field) == (code, field)


currencies = st.sampled_from(["USD", "CNY", "EUR", "KRW", "JPY", "KWD", "BHD"])


@given(
    currency=currencies,
    invoice=st.integers(1, 10**12),
    prepaid=st.integers(0, 100),
    rate=st.decimals(min_value=Decimal(0), max_value=Decimal("0.1"), places=6),
)
def test_premium_is_never_negative_and_rounds_half_up_per_currency(
    currency: str,
    invoice: int,
    prepaid: int,
    rate: Decimal,
) -> None:
    places = minor_unit(currency)
    quantum = Decimal(1).scaleb(-places)
    invoice_amount = Money(Decimal(invoice).scaleb(-places), currency)
    prepayment = Money((invoice_amount.amount * prepaid / 100).quantize(quantum), currency)
    result = premium_of(invoice_amount=invoice_amount, prepayment=prepayment, rate=rate)
    exact = (invoice_amount.amount - prepayment.amount) * rate
    assert result.amount >= 0
    assert result.amount == exact.quantize(quantum, rounding=ROUND_HALF_UP)
    assert abs(result.amount - exact) <= quantum / 2
    assert -result.amount.as_tuple().exponent == places  # type: ignore[operator]


REQUEST = ShortTermRateRequest(
    payment_terms=PaymentTerms.DA,
    credit_days=90,
    indemnity_percentage=Decimal("0.90"),
    country="US",
)


def test_flat_rate_pricer_answers_the_pricing_interface() -> None:
    pricer: RateSource = FlatRatePricer(base_rate_pct=Decimal("0.75"), rate_table="ST-2026")
    quote = pricer.price(REQUEST)
    assert quote.rate == Decimal("0.0075")
    e = quote.explanation
    assert (e.table_code, e.country_class, e.payment_terms, e.credit_band) == (
        "ST-2026",
        -1,
        PaymentTerms.DA,
        "61-90 days",
    )
    assert (e.base_rate, e.final_rate, e.bound_applied) == (
        Decimal("0.0075"),
        Decimal("0.0075"),
        None,
    )
    assert [a.name for a in e.adjustments] == ["flat_rate"]
    assert quote.to_dict()["rate"] == "0.0075"
    with pytest.raises(ValidationFailed) as caught:
        FlatRatePricer(base_rate_pct=Decimal(11))
    assert (caught.value.code, caught.value.field) == ("rate_out_of_range", "base_rate_pct")


def decision(status: CoverStatus, insured: str) -> CoverDecision:
    amount = Money.of(insured, "USD")
    covered = Money.zero("USD") if status is CoverStatus.NOT_COVERED else amount
    return CoverDecision(status, amount, covered, amount - covered, CoverReason.WITHIN_LIMIT, "")


def test_declaration_premium_through_the_flat_rate() -> None:
    flat = FlatRatePricer(base_rate_pct=Decimal("0.75"))
    full = declaration_premium(
        decision=decision(CoverStatus.COVERED_IN_FULL, "80000"), source=flat, request=REQUEST
    )
    assert (full.premium, full.rate) == (Money.of("600.00", "USD"), Decimal("0.0075"))
    assert full.quote is not None
    # partly covered: premium on the whole insured amount ([002]: invoice less prepayment)
    partly = declaration_premium(
        decision=decision(CoverStatus.COVERED_PARTLY, "80000"), source=flat, request=REQUEST
    )
    assert partly.premium == Money.of("600.00", "USD")
    none = declaration_premium(
        decision=decision(CoverStatus.NOT_COVERED, "80000"), source=flat, request=REQUEST
    )
    assert (none.premium, none.rate, none.quote) == (Money.of("0", "USD"), Decimal(0), None)


def test_declaration_premium_through_the_risk_based_pricer() -> None:
    pricer: RateSource = ShortTermPricer(default_rate_table())
    request = ShortTermRateRequest(
        payment_terms=PaymentTerms.DA,
        credit_days=90,
        indemnity_percentage=Decimal("0.90"),
        country_class=3,
    )
    result = declaration_premium(
        decision=decision(CoverStatus.COVERED_IN_FULL, "80000"), source=pricer, request=request
    )
    assert result.quote is not None
    assert result.rate == result.quote.rate == pricer.price(request).rate
    assert result.rate > 0
    assert result.premium == premium_of(
        invoice_amount=Money.of("80000", "USD"), prepayment=Money.zero("USD"), rate=result.rate
    )
