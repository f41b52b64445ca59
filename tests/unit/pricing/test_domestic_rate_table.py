"""The domestic product's rate table: no country classes, priced by the same engine
([domain DT-4])."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.billing.premium import premium_of
from tradecover.kit.money import Money
from tradecover.pricing.rate_table import (
    ALL_COUNTRIES,
    COUNTRY_CLASSES,
    InvalidRateTable,
    domestic_rate_table,
    rate_table_from_dict,
    rate_table_to_dict,
    shipped_rate_tables,
)
from tradecover.pricing.shipment_rates import RateBook, policy_rate_pricer
from tradecover.pricing.short_term import (
    NO_COUNTRY_CLASS,
    ShortTermPricer,
    ShortTermRateRequest,
    price_short_term,
)
from tradecover.reference.payment_terms import PaymentTerms

TABLE = domestic_rate_table()
BOOK = RateBook(
    stamp=("1 t", "9 t"),
    pricers={"DT-2026": ShortTermPricer(table=TABLE)},
    country_classes={"CN": 2, "KR": 1},
)


def _request(**over: Any) -> ShortTermRateRequest:
    base: dict[str, Any] = {
        "payment_terms": PaymentTerms.OA,
        "credit_days": 75,
        "indemnity_percentage": Decimal("0.90"),
        "country": "CN",
    }
    return ShortTermRateRequest(**{**base, **over})


def test_the_shipped_domestic_table_has_no_country_classes() -> None:
    assert (TABLE.code, TABLE.version, TABLE.product) == ("DT-2026", 1, "domestic_trade_credit")
    assert TABLE.country_classes is False
    assert [t.code for t in shipped_rate_tables()] == ["ST-2026", "DT-2026"]
    body = rate_table_to_dict(TABLE)
    assert body["country_classes"] is False
    assert list(body["base"]) == [ALL_COUNTRIES]
    assert rate_table_from_dict(body) == TABLE
    # O/A 61-90 days is the table's level, 0.40 %
    assert TABLE.base_rate(0, PaymentTerms.OA, 75) == Decimal("0.00400")
    assert all(row == TABLE.base[0] for row in TABLE.base)


def test_an_export_table_keeps_its_form() -> None:
    export = shipped_rate_tables()[0]
    body = rate_table_to_dict(export)
    assert "country_classes" not in body
    assert sorted(body["base"]) == [str(c) for c in range(COUNTRY_CLASSES)]


def test_a_table_without_classes_has_exactly_one_row() -> None:
    body = rate_table_to_dict(TABLE)
    with pytest.raises(InvalidRateTable) as numbered:
        rate_table_from_dict({**body, "base": {"0": body["base"][ALL_COUNTRIES]}})
    assert numbered.value.code == "rate_table_has_country_classes"
    with pytest.raises(InvalidRateTable):
        rate_table_from_dict({**body, "country_classes": "no"})
    # the one row is still checked monotone along terms and credit period
    row = {k: list(v) for k, v in body["base"][ALL_COUNTRIES].items()}
    row["OA"][3] = "0.00100"
    with pytest.raises(InvalidRateTable) as falling:
        rate_table_from_dict({**body, "base": {ALL_COUNTRIES: row}})
    assert falling.value.code == "rate_table_not_monotone"


@given(
    country=st.sampled_from(["CN", "KR", "DE", "AR", "ZZ", None]),
    country_class=st.one_of(st.none(), st.integers(0, COUNTRY_CLASSES - 1)),
    terms=st.sampled_from(list(PaymentTerms)),
    days=st.integers(0, 360),
    cents=st.integers(1, 10**11),
)
def test_a_domestic_rate_and_premium_never_depend_on_a_country(
    country: str | None, country_class: int | None, terms: PaymentTerms, days: int, cents: int
) -> None:
    if country is None and country_class is None:
        country = "CN"
    request = _request(
        country=country, country_class=country_class, payment_terms=terms, credit_days=days
    )
    home = _request(payment_terms=terms, credit_days=days)
    quote = price_short_term(request, table=TABLE, country_classes={"CN": 2, "AR": 7})
    assert quote.rate == price_short_term(home, table=TABLE).rate
    assert quote.explanation.country_class == NO_COUNTRY_CLASS
    priced = policy_rate_pricer(BOOK, table_code="DT-2026").price(request)
    assert priced.rate == quote.rate
    invoice = Money.from_minor(cents, "CNY")
    none = Money.zero("CNY")
    premium = premium_of(invoice_amount=invoice, prepayment=none, rate=quote.rate)
    assert premium.currency == "CNY"
    assert premium == premium_of(invoice_amount=invoice, prepayment=none, rate=priced.rate)


def test_the_batch_path_agrees_whatever_the_class() -> None:
    pricer = ShortTermPricer(table=TABLE)
    rates = pricer.price_batch(
        country_class=np.arange(COUNTRY_CLASSES),
        payment_terms=np.full(COUNTRY_CLASSES, 3),
        credit_days=np.full(COUNTRY_CLASSES, 75),
        indemnity_ppm=np.full(COUNTRY_CLASSES, 900_000),
    )
    single = price_short_term(_request(), table=TABLE)
    assert set(rates.tolist()) == {int(single.rate * 10**8)}


def test_the_explanation_says_the_table_has_no_country_class() -> None:
    quote = price_short_term(_request(), table=TABLE)
    data = quote.explanation.to_dict()
    assert data["table"]["code"] == "DT-2026"
    assert data["country_class"] == -1
    assert data["base_rate"] == "0.00400"
