"""Short-term rates ([domain R-1]): table, adjustments, laws, batch == scalar."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.pricing import RatePricer
from tradecover.pricing.rate_table import (
    TERMS_ORDER,
    InvalidRateTable,
    RateTable,
    default_rate_table,
    rate_table_from_dict,
    rate_table_to_dict,
)
from tradecover.pricing.short_term import (
    PPM,
    ExporterExperience,
    ShortTermPricer,
    ShortTermRateRequest,
    UnknownCountry,
    experience_adjustment,
    grade_codes,
    price_short_term,
    rate_from_units,
    shipment_premium,
)
from tradecover.reference.payment_terms import PaymentTerms

TABLE = default_rate_table()
PRICER = ShortTermPricer(table=TABLE, country_classes={"DE": 0, "BR": 5})


def request(**changes: Any) -> ShortTermRateRequest:
    base: dict[str, Any] = {
        "payment_terms": PaymentTerms.OA,
        "credit_days": 75,
        "indemnity_percentage": Decimal("0.90"),
        "country_class": 4,
    }
    return ShortTermRateRequest(**{**base, **changes})


# --- the default table and its calibration ([000] section 3.2.3) -------------------


def test_default_table_calibrated_to_source_000() -> None:
    assert (TABLE.code, TABLE.version) == ("ST-2026", 1)
    # developed markets about 0.1 %
    assert TABLE.base_rate(0, PaymentTerms.OA, 75) == Decimal("0.00100")
    # the riskiest about 2 %
    assert TABLE.base_rate(7, PaymentTerms.OA, 360) == Decimal("0.02100")
    # average of the mid classes on open account 61-90 days: 0.7-0.9 %
    mid = [TABLE.base_rate(c, PaymentTerms.OA, 75) for c in (3, 4, 5)]
    assert sum(mid) / 3 == Decimal("0.0075")


def test_table_round_trips_through_json_form() -> None:
    assert rate_table_from_dict(rate_table_to_dict(TABLE)) == TABLE


def _table_dict(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(rate_table_to_dict(TABLE))
    data.update(changes)
    return data


def test_non_monotone_table_refused_naming_the_cell() -> None:
    data = _table_dict()
    data["base"]["3"]["DA"][2] = "0.00100"  # cheaper than class 2 D/A 61-90 (0.00298)
    with pytest.raises(InvalidRateTable) as error:
        rate_table_from_dict(data)
    assert error.value.field == "base[3][DA][61-90]"
    assert error.value.code == "rate_table_not_monotone"
    assert "base[2][DA][61-90]" in error.value.message


@pytest.mark.parametrize(
    ("cell", "value", "field"),
    [
        (("5", "OA", 0), "0.005", "base[5][OA][0-30]"),  # below D/A 0.00565: terms axis
        (("5", "DP", 5), "0.003", "base[5][DP][181-360]"),  # below 121-180 0.00713: credit
        (("6", "LC", 0), "0.0018", "base[6][LC][0-30]"),  # below class 5 0.00233: country
    ],
)
def test_monotone_on_every_axis(cell: tuple[str, str, int], value: str, field: str) -> None:
    data = _table_dict()
    data["base"][cell[0]][cell[1]][cell[2]] = value
    with pytest.raises(InvalidRateTable) as error:
        rate_table_from_dict(data)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"floor": "0.05"}, "floor"),
        ({"cap": "-1"}, "cap"),
        ({"version": 0}, "version"),
        ({"bands": [{"first_day": 1, "last_day": 30}]}, "bands[0]"),
    ],
)
def test_bad_tables_refused(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        rate_table_from_dict(_table_dict(**changes))
    assert error.value.field == field


def test_rate_with_too_many_decimals_refused() -> None:
    data = _table_dict()
    data["base"]["7"]["OA"][5] = "0.021000001"
    with pytest.raises(InvalidRateTable) as error:
        rate_table_from_dict(data)
    assert error.value.field == "base[7][OA][181-360]"


# --- one quote, explained ----------------------------------------------------------


def test_worked_quote_with_every_adjustment() -> None:
    quote = price_short_term(
        request(
            buyer_pd=Decimal("0.02"),
            concentration_hhi=Decimal("0.5"),
            experience=ExporterExperience(
                years=3,
                earned_premium=Decimal("100000"),
                incurred_claims=Decimal("30000"),
                exposure=Decimal("20"),
            ),
        ),
        table=TABLE,
    )
    # base 0.75 % x buyer 1.2 (1 + 20 x (0.02 - 0.01)) x indemnity 1 x experience 0.75
    # (z = 20/(20+20) = 0.5; 1 + 0.5 x (0.30/0.60 - 1)) x concentration 1.1
    # (1 + 0.4 x (0.5 - 0.25)) = 0.7425 %
    assert quote.rate == Decimal("0.00742500")
    e = quote.explanation
    assert (e.table_code, e.table_version, e.credit_band) == ("ST-2026", 1, "61-90")
    assert e.base_rate == Decimal("0.00750")
    assert [(a.name, a.factor) for a in e.adjustments] == [
        ("buyer", Decimal("1.200000")),
        ("indemnity_percentage", Decimal("1.000000")),
        ("experience", Decimal("0.750000")),
        ("concentration", Decimal("1.100000")),
    ]
    assert e.bound_applied is None
    assert quote.to_dict()["explanation"]["adjustments"][2]["reason"].startswith(
        "loss ratio 30 % over 3 year(s)"
    )


def test_floor_and_cap_apply_and_are_named() -> None:
    low = price_short_term(
        request(
            country_class=0,
            payment_terms=PaymentTerms.LC,
            credit_days=10,
            buyer_grade="A",
            indemnity_percentage=Decimal("0.5"),
        ),
        table=TABLE,
    )
    # 0.0007 x 0.35 = 0.000245 -> x 0.8 x 0.555556 < floor 0.03 %
    assert (low.rate, low.explanation.bound_applied) == (Decimal("0.0003"), "floor")
    high = price_short_term(
        request(
            country_class=7,
            credit_days=360,
            buyer_pd=Decimal("0.2"),
            indemnity_percentage=Decimal("0.95"),
            concentration_hhi=Decimal(1),
        ),
        table=TABLE,
    )
    assert (high.rate, high.explanation.bound_applied) == (Decimal("0.03"), "cap")
    assert high.explanation.rate_before_bounds > Decimal("0.03")


def test_grade_applies_without_pd_and_unrated_is_loaded() -> None:
    assert price_short_term(request(buyer_grade="D"), table=TABLE).rate == Decimal("0.00937500")
    unrated = price_short_term(request(), table=TABLE)
    assert unrated.explanation.adjustments[0].reason == "buyer not rated"
    assert unrated.rate == Decimal("0.00825000")


def test_pricer_is_the_one_interface_and_looks_up_countries() -> None:
    pricer: RatePricer = PRICER
    quote = pricer.price(request(country_class=None, country="BR"))
    assert quote.explanation.country_class == 5
    with pytest.raises(UnknownCountry) as error:
        pricer.price(request(country_class=None, country="ZZ"))
    assert (error.value.field, error.value.code) == ("country", "unknown_country")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"credit_days": 361}, "credit_days"),
        ({"credit_days": -1}, "credit_days"),
        ({"country_class": 8}, "country_class"),
        ({"payment_terms": "CAD"}, "payment_terms"),
        ({"indemnity_percentage": Decimal("0.99")}, "indemnity_percentage"),
        ({"indemnity_percentage": Decimal("0.4")}, "indemnity_percentage"),
        ({"buyer_grade": "Z"}, "buyer_grade"),
        ({"buyer_pd": Decimal("1.5")}, "buyer_pd"),
        ({"concentration_hhi": Decimal("-0.1")}, "concentration_hhi"),
        (
            {
                "experience": ExporterExperience(
                    years=1,
                    earned_premium=Decimal(-1),
                    incurred_claims=Decimal(0),
                    exposure=Decimal(1),
                )
            },
            "experience.earned_premium",
        ),
    ],
)
def test_bad_requests_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        price_short_term(request(**changes), table=TABLE)
    assert error.value.field == field


def test_credit_beyond_maximum_says_the_maximum() -> None:
    with pytest.raises(ValidationFailed) as error:
        price_short_term(request(credit_days=400), table=TABLE)
    assert error.value.message == "credit_days 400 is beyond the product's maximum of 360 days"
    assert error.value.code == "credit_period_too_long"


def test_experience_credibility_grows_with_size() -> None:
    def factor(exposure: str) -> Decimal:
        return experience_adjustment(
            TABLE,
            experience=ExporterExperience(
                years=3,
                earned_premium=Decimal(1000),
                incurred_claims=Decimal(1200),
                exposure=Decimal(exposure),
            ),
        ).factor

    # loss ratio 120 % against 60 %: 1 + z x 1; z = n / (n + 20), capped at 1.5
    assert [factor(n) for n in ("0", "5", "20", "180")] == [
        Decimal(1),
        Decimal("1.200000"),
        Decimal("1.500000"),
        Decimal("1.50"),
    ]


def test_shipment_premium() -> None:
    premium = shipment_premium(
        invoice_amount=Money.of("100000.00", "USD"),
        prepayment=Money.of("20000.00", "USD"),
        rate=Decimal("0.00742500"),
    )
    assert premium == Money.of("594.00", "USD")


# --- laws: monotone, all else equal (hypothesis) ------------------------------------

pds = st.integers(min_value=0, max_value=PPM).map(lambda v: Decimal(v).scaleb(-6))
hhis = st.integers(min_value=0, max_value=PPM).map(lambda v: Decimal(v).scaleb(-6))
indemnities = st.integers(min_value=500_000, max_value=950_000).map(lambda v: Decimal(v).scaleb(-6))
requests = st.builds(
    ShortTermRateRequest,
    payment_terms=st.sampled_from(TERMS_ORDER),
    credit_days=st.integers(min_value=0, max_value=360),
    indemnity_percentage=indemnities,
    country_class=st.integers(min_value=0, max_value=7),
    buyer_grade=st.none() | st.sampled_from(grade_codes(TABLE)),
    buyer_pd=st.none() | pds,
    concentration_hhi=st.none() | hhis,
)


def _rate(req: ShortTermRateRequest, **changes: Any) -> Decimal:
    fields = {f: getattr(req, f) for f in ShortTermRateRequest.__dataclass_fields__}
    return price_short_term(ShortTermRateRequest(**{**fields, **changes}), table=TABLE).rate


@settings(max_examples=200, deadline=None)
@given(req=requests, other=st.integers(min_value=0, max_value=7))
def test_riskier_country_never_cheaper(req: ShortTermRateRequest, other: int) -> None:
    low, high = sorted((req.country_class or 0, other))
    assert _rate(req, country_class=low) <= _rate(req, country_class=high)


@settings(max_examples=200, deadline=None)
@given(req=requests, a=st.sampled_from(TERMS_ORDER), b=st.sampled_from(TERMS_ORDER))
def test_riskier_terms_never_cheaper(
    req: ShortTermRateRequest, a: PaymentTerms, b: PaymentTerms
) -> None:
    low, high = sorted((a, b), key=TERMS_ORDER.index)
    assert _rate(req, payment_terms=low) <= _rate(req, payment_terms=high)


@settings(max_examples=200, deadline=None)
@given(req=requests, other=st.integers(min_value=0, max_value=360))
def test_longer_credit_never_cheaper(req: ShortTermRateRequest, other: int) -> None:
    low, high = sorted((req.credit_days, other))
    assert _rate(req, credit_days=low) <= _rate(req, credit_days=high)


@settings(max_examples=200, deadline=None)
@given(req=requests, other=indemnities)
def test_higher_indemnity_never_cheaper(req: ShortTermRateRequest, other: Decimal) -> None:
    low, high = sorted((req.indemnity_percentage, other))
    assert _rate(req, indemnity_percentage=low) <= _rate(req, indemnity_percentage=high)


@settings(max_examples=200, deadline=None)
@given(req=requests, a=pds, b=pds, c=hhis, d=hhis)
def test_higher_pd_or_concentration_never_cheaper(
    req: ShortTermRateRequest, a: Decimal, b: Decimal, c: Decimal, d: Decimal
) -> None:
    assert _rate(req, buyer_pd=min(a, b)) <= _rate(req, buyer_pd=max(a, b))
    assert _rate(req, concentration_hhi=min(c, d)) <= _rate(req, concentration_hhi=max(c, d))


@settings(max_examples=200, deadline=None)
@given(req=requests)
def test_rate_always_within_floor_and_cap(req: ShortTermRateRequest) -> None:
    assert TABLE.floor <= _rate(req) <= TABLE.cap


# --- batch == scalar ---------------------------------------------------------------


def _batch_row(req: ShortTermRateRequest, experience_ppm: int) -> dict[str, int]:
    grades = grade_codes(TABLE)
    return {
        "country_class": req.country_class or 0,
        "payment_terms": TERMS_ORDER.index(req.payment_terms),
        "credit_days": req.credit_days,
        "indemnity_ppm": int(req.indemnity_percentage * PPM),
        "buyer_pd_ppm": -1 if req.buyer_pd is None else int(req.buyer_pd * PPM),
        "buyer_grade_index": grades.index(req.buyer_grade or TABLE.buyer.unrated_grade),
        "experience_factor_ppm": experience_ppm,
        "concentration_hhi_ppm": -1
        if req.concentration_hhi is None
        else int(req.concentration_hhi * PPM),
    }


experiences = st.none() | st.builds(
    ExporterExperience,
    years=st.integers(min_value=0, max_value=10),
    earned_premium=st.integers(min_value=0, max_value=10**8).map(Decimal),
    incurred_claims=st.integers(min_value=0, max_value=10**8).map(Decimal),
    exposure=st.integers(min_value=0, max_value=10**6).map(lambda v: Decimal(v).scaleb(-2)),
)


@settings(max_examples=60, deadline=None)
@given(batch=st.lists(st.tuples(requests, experiences), min_size=1, max_size=60))
def test_batch_equals_scalar(batch: list[tuple[ShortTermRateRequest, Any]]) -> None:
    rows = []
    expected = []
    for req, experience in batch:
        full = ShortTermRateRequest(
            **{
                **{f: getattr(req, f) for f in ShortTermRateRequest.__dataclass_fields__},
                "experience": experience,
            }
        )
        factor = experience_adjustment(TABLE, experience=experience).factor
        rows.append(_batch_row(full, int(factor * PPM)))
        expected.append(price_short_term(full, table=TABLE).rate)
    arrays = {k: np.array([r[k] for r in rows], dtype=np.int64) for k in rows[0]}
    units = PRICER.price_batch(**arrays)
    assert [rate_from_units(int(u)) for u in units] == expected


def test_batch_equals_scalar_on_every_cell_and_rounding_tie() -> None:
    # every base cell x every grade, plus PDs around the reference (signed rounding)
    rows, expected = [], []
    for c in range(8):
        for t in TERMS_ORDER:
            for days in (0, 45, 90, 100, 150, 360):
                for pd in (None, Decimal("0.009999"), Decimal("0.010001"), Decimal("0.000001")):
                    req = request(
                        country_class=c,
                        payment_terms=t,
                        credit_days=days,
                        buyer_pd=pd,
                        indemnity_percentage=Decimal("0.85"),
                        concentration_hhi=Decimal("0.333333"),
                    )
                    rows.append(_batch_row(req, PPM))
                    expected.append(price_short_term(req, table=TABLE).rate)
    arrays = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    assert [rate_from_units(int(u)) for u in PRICER.price_batch(**arrays)] == expected


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        ("credit_days", 361, "credit_days[1]"),
        ("country_class", -1, "country_class[1]"),
        ("indemnity_ppm", 990_000, "indemnity_ppm[1]"),
        ("payment_terms", 4, "payment_terms[1]"),
    ],
)
def test_batch_reports_the_first_bad_row(name: str, value: int, field: str) -> None:
    arrays = {
        "country_class": [1, 1, 1],
        "payment_terms": [0, 1, 2],
        "credit_days": [30, 60, 90],
        "indemnity_ppm": [900_000] * 3,
    }
    arrays[name] = [arrays[name][0], value, value]
    with pytest.raises(ValidationFailed) as error:
        PRICER.price_batch(**arrays)
    assert error.value.field == field
    assert "2 bad row(s)" in error.value.message


def test_batch_refuses_float_arrays() -> None:
    with pytest.raises(ValidationFailed) as error:
        PRICER.price_batch(
            country_class=[1], payment_terms=[0], credit_days=[30.0], indemnity_ppm=[900_000]
        )
    assert error.value.field == "credit_days"


def test_custom_table_prices_on_its_own_numbers() -> None:
    data = _table_dict(version=2, code="ST-TEST")
    data["base"]["7"]["OA"][5] = "0.025"
    table: RateTable = rate_table_from_dict(data)
    quote = price_short_term(request(country_class=7, credit_days=200), table=table)
    assert (quote.explanation.table_code, quote.explanation.table_version) == ("ST-TEST", 2)
    assert quote.explanation.base_rate == Decimal("0.025")
