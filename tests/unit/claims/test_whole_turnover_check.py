"""Whole turnover ([002] 3.1): a claimed shipment not declared when due is refused."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.claims.test_checks import facts, ship
from tradecover.claims.checks import (
    CheckName,
    CheckOutcome,
    ClaimCheck,
    ClaimFacts,
    WholeTurnoverFacts,
    blocking_failures,
    ensure_approvable,
    run_checks,
)
from tradecover.declarations.whole_turnover import turnover_month
from tradecover.kit.errors import Conflict
from tradecover.kit.money import Money

MARCH = date(2026, 3, 1)


def months(returned: str | None, declared: str) -> WholeTurnoverFacts:
    """March's return (``None``: none) against March's declarations."""
    turnover = None if returned is None else Money.of(returned, "USD")
    return WholeTurnoverFacts(
        months={
            MARCH: turnover_month(
                month=MARCH, turnover=turnover, declared=Money.of(declared, "USD")
            )
        }
    )


def check(f: ClaimFacts) -> ClaimCheck:
    return next(c for c in run_checks(f) if c.name is CheckName.WHOLE_TURNOVER_DECLARED)


def test_not_applicable_to_a_policy_that_is_not_whole_turnover() -> None:
    c = check(facts(shipments=[ship(declared_on=date(2026, 4, 16))]))
    assert (c.outcome, c.explanation) == (
        CheckOutcome.NOT_APPLICABLE,
        "not a whole-turnover policy",
    )


def test_a_shipment_not_declared_when_due_is_refused() -> None:
    f = facts(
        shipments=[ship(), ship(2, declared_on=date(2026, 5, 2))],
        whole_turnover=months("50000", "50000"),
    )
    c = check(f)
    assert (c.outcome, c.blocking, c.explanation) == (
        CheckOutcome.FAILED,
        True,
        "whole turnover: not declared when due: shipment 2 (due 2026-04-15, declared 2026-05-02)",
    )
    assert c in blocking_failures(run_checks(f))
    with pytest.raises(Conflict) as e:
        ensure_approvable(run_checks(f))
    assert "whole_turnover_declared" in e.value.details["failed_checks"]


def test_an_undeclared_remainder_in_the_shipments_month_is_shown_not_blocking() -> None:
    c = check(facts(whole_turnover=months("50000", "42500")))
    assert (c.outcome, c.blocking, c.blocks, c.explanation) == (
        CheckOutcome.WARNING,
        False,
        False,
        "whole turnover: the turnover return shows undeclared shipments in 2026-03 "
        "(returned 50000.00 USD, declared 42500.00 USD, undeclared 7500.00 USD)",
    )


@pytest.mark.parametrize(
    ("returned", "declared"), [("50000", "50000"), ("40000", "50000"), (None, "10000")]
)
def test_declared_when_due_and_nothing_undeclared_passes(
    returned: str | None, declared: str
) -> None:
    c = check(facts(whole_turnover=months(returned, declared)))
    assert c.outcome is CheckOutcome.PASSED
