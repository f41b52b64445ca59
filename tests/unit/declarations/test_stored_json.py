"""The PostgreSQL attachment stores audit before/after values as orjson text: read back,
they must have the canonical form the audit hash was computed over, or `audit verify`
would report the entry as changed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tradecover.db.base import canonical_json
from tradecover.declarations.attachment.postgres_repository import stored_json as _stored_json

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.dates(min_value=date(1900, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1), timezones=st.just(UTC)),
    st.floats(allow_nan=False, allow_infinity=False),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(values)
def test_stored_text_reads_back_to_the_canonical_form(value: Any) -> None:
    stored = _stored_json(value)
    assert stored is not None or value is None
    if stored is not None:
        assert canonical_json(json.loads(stored)) == canonical_json(value)


def test_decimals_are_stored_as_their_exact_text() -> None:
    assert _stored_json({"rate": Decimal("0.00450000")}) == '{"rate":"0.00450000"}'
