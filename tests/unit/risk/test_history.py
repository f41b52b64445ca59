"""Source [000], Table 1: Sinosure 2015-2020, loss ratio = settled claims / premium."""

from __future__ import annotations

from decimal import Decimal

from tradecover.risk import PortfolioYear, loss_ratio, sinosure_2015_2020, yearly_portfolio_table
from tradecover.risk.history import as_percent


def test_table_1_loss_ratios_are_reproduced_from_its_own_figures() -> None:
    years = sinosure_2015_2020()
    assert [y.figures.year for y in years] == [2015, 2016, 2017, 2018, 2019, 2020]
    for y in years:
        assert as_percent(y.figures.loss_ratio) == y.published_loss_ratio_pct, y.figures.year


def test_table_1_values_as_printed() -> None:
    y2020 = sinosure_2015_2020()[-1].figures
    # [000] section 5.1.1 and domain guide section 8: USD 704.07 bn, claims 1.81 bn, premium 2.33 bn
    assert y2020.insured_amount == Decimal("7040.7")
    assert y2020.claims_paid == Decimal("18.1")
    assert y2020.premium == Decimal("23.3")
    assert sinosure_2015_2020()[0].figures.insured_amount == Decimal("4715.1")


def test_yearly_table_is_sorted_and_serialisable() -> None:
    rows = yearly_portfolio_table(
        [
            PortfolioYear(2021, Decimal(10), Decimal(2), Decimal(1)),
            PortfolioYear(2020, Decimal(5), Decimal(4), Decimal(3)),
        ]
    )
    assert [r["year"] for r in rows] == [2020, 2021]
    assert rows[0]["loss_ratio_pct"] == "75" and rows[1]["loss_ratio_pct"] == "50"
    assert loss_ratio(claims_paid=Decimal("14.5"), premium=Decimal(26)) == Decimal(
        "14.5"
    ) / Decimal(26)
