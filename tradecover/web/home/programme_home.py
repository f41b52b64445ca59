"""The subsidy programme's home: the subsidies it owes and the budget it has used.

What a programme does here: see, for each of its programmes, what it granted on premium
notices and has not paid yet, its budget and how much of it is used, and the last months'
grants and payments (a chart with the same figures as a table).  Built from the read side,
nothing queried here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tradecover.reporting import programme_books
from tradecover.web.charts import bar_chart
from tradecover.web.home.consented_links import policies_closed

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tradecover.access import Principal


def programme(session: Session, principal: Principal) -> dict[str, Any]:
    """The caller's programmes, each with what it owes, its budget used and its months."""
    books = programme_books(session, principal=principal)
    budgets = [b for b in books if b.budget_used_pct is not None]
    return {
        "policies_closed": policies_closed(session, principal),
        "books": [
            {
                "book": b,
                "chart": bar_chart(
                    [(m.month.strftime("%Y-%m"), float(m.owed.amount)) for m in b.months],
                    label=f"subsidies owed by month, {b.code}",
                )
                if b.months
                else None,
            }
            for b in books
        ],
        "budget_chart": bar_chart(
            [(b.code, b.budget_used_pct or 0.0) for b in budgets],
            label="budget used by programme",
            percent=True,
        )
        if budgets
        else None,
    }
