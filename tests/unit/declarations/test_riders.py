"""A caller's SQL rides in the attachment's statements only under parameter names of its
own: a clash would silently bind the wrong value, so it is refused.
"""

from __future__ import annotations

import pytest
from tradecover.declarations.pg_repository import _facts_sql, _with_riders, _write_sql


def test_riders_join_the_statement_and_bring_their_parameters() -> None:
    sql, params = _with_riders(_facts_sql, {"org_id": 1}, [
        ("SELECT 1 WHERE %(rider_a)s", {"rider_a": 2}),
        ("SELECT 2 WHERE %(rider_a)s AND %(rider_b)s", {"rider_a": 2, "rider_b": 3})])
    assert sql.endswith("(SELECT 1 WHERE %(rider_a)s),\n (SELECT 2 WHERE %(rider_a)s AND "
                        "%(rider_b)s)")
    assert params == {"org_id": 1, "rider_a": 2, "rider_b": 3}
    write, _ = _with_riders(_write_sql, {"org_id": 1}, [("INSERT INTO t VALUES (1)", {})])
    assert ",\nrider_0 AS (INSERT INTO t VALUES (1))\nSELECT" in write


@pytest.mark.parametrize("riding", [
    [("SELECT %(org_id)s", {"org_id": 9})],  # one of the attachment's own names
    [("SELECT %(x)s", {"x": 1}), ("SELECT %(x)s", {"x": 2})],  # two riders, two values
])
def test_a_parameter_name_clash_is_refused(riding: list[tuple[str, dict[str, int]]]) -> None:
    with pytest.raises(ValueError, match="collides"):
        _with_riders(_facts_sql, {"org_id": 1}, riding)
