"""The rate of a shipment under a risk-based policy: the policy's pricer on the rate book."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.billing.premium import FlatRatePricer, premium_of
from tradecover.kit.errors import NotFound
from tradecover.kit.money import Money
from tradecover.pricing.rate_table import default_rate_table
from tradecover.pricing.shipment_rates import (
    UNCLASSIFIED_COUNTRY_CLASS,
    PolicyRatePricer,
    RateBook,
    policy_rate_pricer,
)
from tradecover.pricing.short_term import (
    ExporterExperience,
    ShortTermPricer,
    ShortTermRateRequest,
    price_short_term,
)
from tradecover.reference.payment_terms import PaymentTerms

TABLE = default_rate_table()
CLASSES = {"DE": 0, "TR": 4, "AR": 7}
BOOK = RateBook(
    stamp=("1 t", "9 t"), pricers={"ST-2026": ShortTermPricer(table=TABLE)}, country_classes=CLASSES
)
WORKED_EXPERIENCE = ExporterExperience(
    years=3,
    earned_premium=Decimal("100000"),
    incurred_claims=Decimal("30000"),
    exposure=Decimal("20"),
)


def shipment(**changes: Any) -> ShortTermRateRequest:
    """A shipment's request as the attachment service builds it (country, not class)."""
    base: dict[str, Any] = {
        "payment_terms": PaymentTerms.OA,
        "credit_days": 75,
        "indemnity_percentage": Decimal("0.90"),
        "country": "TR",
    }
    return ShortTermRateRequest(**{**base, **changes})


def test_worked_case_priced_through_the_policy_pricer() -> None:
    """The pinned worked quote ([002] 4: base matrix, then the buyer, the policy's
    experience and concentration) reached through a policy's rate source.
    """
    pricer = policy_rate_pricer(
        BOOK, table_code="ST-2026", experience=WORKED_EXPERIENCE, concentration_hhi=Decimal("0.5")
    )
    quote = pricer.price(shipment(buyer_pd=Decimal("0.02")))
    # 0.75 % x buyer 1.2 x indemnity 1 x experience 0.75 x concentration 1.1 = 0.7425 %
    assert quote.rate == Decimal("0.00742500")
    e = quote.explanation
    assert (e.table_code, e.table_version, e.country_class, e.credit_band) == (
        "ST-2026",
        1,
        4,
        "61-90",
    )
    assert [(a.name, a.factor) for a in e.adjustments] == [
        ("buyer", Decimal("1.200000")),
        ("indemnity_percentage", Decimal("1.000000")),
        ("experience", Decimal("0.750000")),
        ("concentration", Decimal("1.100000")),
    ]
    # premium on 10000.00 USD: 74.25
    assert premium_of(
        invoice_amount=Money.of("10000.00", "USD"), prepayment=Money.zero("USD"), rate=quote.rate
    ) == Money.of("74.25", "USD")


def test_unrated_buyer_in_a_developed_market() -> None:
    quote = policy_rate_pricer(BOOK, table_code="ST-2026").price(
        shipment(country="DE", credit_days=60)
    )
    # class 0, O/A 31-60 days: 0.085 % x unrated 1.10 = 0.0935 %
    assert quote.rate == Decimal("0.00093500")
    assert quote.explanation.country_class == 0
    assert quote.explanation.adjustments[0].reason == "buyer not rated"


def test_country_without_a_class_is_priced_as_the_riskiest() -> None:
    pricer = policy_rate_pricer(BOOK, table_code="ST-2026")
    unknown = pricer.price(shipment(country="AD"))
    riskiest = pricer.price(shipment(country="AR"))
    assert unknown.explanation.country_class == UNCLASSIFIED_COUNTRY_CLASS == 7
    assert unknown.rate == riskiest.rate == Decimal("0.01650000")  # 1.5 % x 1.10


def test_indemnity_outside_the_tables_range_is_priced_at_its_nearest_end() -> None:
    pricer = policy_rate_pricer(BOOK, table_code="ST-2026")
    full = pricer.price(shipment(indemnity_percentage=Decimal("1")))
    top = pricer.price(shipment(indemnity_percentage=Decimal("0.95")))
    assert full.rate == top.rate
    assert full.explanation.adjustments[1].factor == Decimal("1.055556")
    low = pricer.price(shipment(indemnity_percentage=Decimal("0.3")))
    assert low.explanation.adjustments[1].factor == Decimal("0.555556")


def test_unknown_table_code_prices_on_the_default_table() -> None:
    assert policy_rate_pricer(BOOK, table_code="no-such").pricer is BOOK.pricers["ST-2026"]
    with pytest.raises(NotFound) as caught:
        RateBook(stamp=("", ""), pricers={}, country_classes={}).pricer("X")
    assert caught.value.field == "rate_table"


def test_flat_rate_ignores_every_risk() -> None:
    flat = FlatRatePricer(base_rate_pct=Decimal("0.45"), rate_table="flat_rate")
    assert flat.price(shipment(country="AR", buyer_pd=Decimal("0.3"))).rate == Decimal("0.0045")
    assert flat.price(shipment()).explanation.country_class == -1


@given(
    pd=st.decimals(min_value=0, max_value=1, places=4),
    days=st.integers(min_value=0, max_value=360),
    terms=st.sampled_from(list(PaymentTerms)),
    country=st.sampled_from(sorted(CLASSES)),
    hhi=st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=3)),
)
def test_policy_pricer_equals_the_table_rule(
    pd: Decimal, days: int, terms: PaymentTerms, country: str, hhi: Decimal | None
) -> None:
    """The policy's pricer adds nothing of its own: it is the table's rule with the
    country's class and the policy's floating adjustments filled in.
    """
    pricer = PolicyRatePricer(
        pricer=BOOK.pricers["ST-2026"],
        country_classes=CLASSES,
        experience=WORKED_EXPERIENCE,
        concentration_hhi=hhi,
    )
    request = shipment(country=country, credit_days=days, payment_terms=terms, buyer_pd=pd)
    expected = price_short_term(
        ShortTermRateRequest(
            payment_terms=terms,
            credit_days=days,
            indemnity_percentage=Decimal("0.90"),
            country_class=CLASSES[country],
            buyer_pd=pd,
            experience=WORKED_EXPERIENCE,
            concentration_hhi=hhi,
        ),
        table=TABLE,
    )
    assert pricer.price(request) == expected
    assert TABLE.floor <= expected.rate <= TABLE.cap


def test_a_book_remembers_its_quotes_and_their_explanations() -> None:
    book = RateBook(
        stamp=("1 t", "9 t"),
        pricers={"ST-2026": ShortTermPricer(table=TABLE)},
        country_classes=CLASSES,
    )
    first = policy_rate_pricer(book, table_code="ST-2026")
    again = policy_rate_pricer(book, table_code="ST-2026")
    quote = first.price(shipment(buyer_pd=Decimal("0.02"), credit_days=61))
    # another shipment of the same band and inputs: the same quote, explained once
    assert again.price(shipment(buyer_pd=Decimal("0.02"), credit_days=90)) is quote
    assert again.explanation_json(quote) is first.explanation_json(quote)
    assert first.explanation_json(quote) == quote.explanation.to_dict()
    other = first.price(shipment(buyer_pd=Decimal("0.03"), credit_days=61))
    assert other.rate > quote.rate
    floating = policy_rate_pricer(book, table_code="ST-2026", concentration_hhi=Decimal("0.5"))
    assert floating.price(shipment(buyer_pd=Decimal("0.02"))).rate > quote.rate
    assert len(book.quotes) == len(book.explanations) == 3
