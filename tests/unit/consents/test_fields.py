"""Selective filtering and the pool's pure rules [domain CS-11] [domain CS-12]: what may
be withheld, the plain-language summary, k-anonymity of the pooled figures and what they
add to a buyer's rating."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.consents.fields import (
    MINIMUM_FIELDS,
    POOL_MIN_CONTRIBUTORS,
    BuyerExperience,
    SharedField,
    effective_withheld,
    overdue_reports_from_pool,
    parse_source,
    parse_withheld,
    pooled,
    sharing_summary,
)
from tradecover.feeds.model import SOURCES
from tradecover.kit.errors import ValidationFailed


def test_the_sources_are_the_feeds_own() -> None:
    assert parse_source("erp") == "erp"
    with pytest.raises(ValidationFailed) as caught:
        parse_source("fax")
    assert caught.value.code == "unknown_source"
    assert {parse_source(s) for s in SOURCES} == set(SOURCES)


def test_the_minimum_and_unknown_fields_cannot_be_withheld() -> None:
    assert parse_withheld(["line_items", "goods_description"]) == {
        SharedField.LINE_ITEMS,
        SharedField.GOODS_DESCRIPTION,
    }
    assert parse_withheld([]) == frozenset()
    for field in MINIMUM_FIELDS:
        with pytest.raises(ValidationFailed) as caught:
            parse_withheld([field.value])
        assert caught.value.code == "field_in_minimum"
    with pytest.raises(ValidationFailed) as unknown:
        parse_withheld(["unit_price"])
    assert unknown.value.code == "unknown_field"


def test_withholding_anything_withholds_the_original_bytes() -> None:
    assert effective_withheld([]) == frozenset()
    assert effective_withheld(["line_items"]) == {
        SharedField.LINE_ITEMS,
        SharedField.ORIGINAL_DOCUMENT,
    }


def test_the_summary_says_what_the_insurer_sees_and_does_not() -> None:
    assert sharing_summary(["line_items"], 14) == (
        "Your insurer can see buyer, amounts, currency, dates, payment terms, HS code, "
        "goods description and transport document of your shipments to 14 buyers; it "
        "cannot see line items with unit prices and original documents."
    )
    assert sharing_summary([], 1).endswith("original documents of your shipments to 1 buyer.")


def _rows(n: int, buyer: int = 7) -> list[BuyerExperience]:
    return [
        BuyerExperience(buyer, overdue_notices=i % 2, max_days_late=10 * i, claims=0)
        for i in range(n)
    ]


def test_a_buyers_pool_shows_only_from_k_contributors() -> None:
    assert POOL_MIN_CONTRIBUTORS == 3
    assert pooled(7, _rows(2)) is None
    assert overdue_reports_from_pool(pooled(7, _rows(2))) == 0
    shown = pooled(7, [*_rows(3), *_rows(5, buyer=8)])
    assert shown is not None
    assert (shown.contributors, shown.overdue_notices, shown.max_days_late) == (3, 1, 20)
    assert overdue_reports_from_pool(shown) == 1


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 200), st.integers(0, 5)), max_size=12))
def test_the_pool_adds_at_most_one_report_per_contributor(
    figures: list[tuple[int, int, int]],
) -> None:
    rows = [BuyerExperience(1, n, d, c) for n, d, c in figures]
    pool = pooled(1, rows)
    added = overdue_reports_from_pool(pool)
    assert 0 <= added <= len(rows)
    if len(rows) < POOL_MIN_CONTRIBUTORS:
        assert pool is None and added == 0
