"""Twelve months of trading in the demo book: the history's calendar, its seeded draws
and what it adds up to.

Every step is the real service with a historical business date, so every change has its
audit entry and its journal entries:

* :func:`tradecover.demo.trading.trade` (in the seeding transaction): for every policy
  term in force during the :data:`HISTORY_MONTHS` calendar months before ``as_of``'s
  month, two more of the exporter's main buyers are registered and get a limit applied
  for at the start of the window; shipments to them are declared through the attachment
  service on the day the exporter declares them (a few exporters are careless and
  declare some late), the buyers' payments are confirmed through collections a few days
  after they pay (slow buyers pay weeks late; what is not confirmed by ``as_of`` stays
  overdue), and monthly-frequency exporters return their turnover;
* :func:`tradecover.demo.premiums.bill` (one billing run per month, each its own
  transactions, as the job runs);
* :func:`tradecover.demo.premiums.settle` (one transaction): the exporters pay their
  share of each notice by their habit (:class:`~tradecover.demo.premiums.PayerHabit`),
  the programmes pay their statements a few weeks after each quarter, and the arrears
  job suspends the policies of the exporters who stopped paying.

The same seed and ``as_of`` give the same history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

HISTORY_MONTHS: Final = 12
"""Calendar months of history before ``as_of``'s month (each billed once)."""


def window(as_of: date) -> tuple[date, date]:
    """The first and last day of the history: :data:`HISTORY_MONTHS` calendar months
    before ``as_of``'s month, up to the day before ``as_of``.
    """
    first = as_of.replace(day=1)
    for _ in range(HISTORY_MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, as_of - timedelta(days=1)


def billed_months(as_of: date) -> list[date]:
    """The first days of the months the history bills, oldest first."""
    first, _ = window(as_of)
    months = [first]
    while len(months) < HISTORY_MONTHS:
        months.append((months[-1] + timedelta(days=32)).replace(day=1))
    return months


def history_rng(seed: int, slug: str, what: str) -> random.Random:
    """The history's own draws for one exporter and one purpose (same seed, same draws)."""
    return random.Random(f"{seed}:{slug}:{what}")


@dataclass(slots=True)
class HistoryCounts:
    """What the history added to the book."""

    terms: int = 0
    declarations: int = 0
    late_declarations: int = 0
    collections: int = 0
    turnover_returns: int = 0
    notices: int = 0
    payments: int = 0
    programme_payments: int = 0
    suspended_for_arrears: int = 0
    skipped_terms: list[str] = field(default_factory=list)

    def add(self, other: HistoryCounts) -> None:
        """Add ``other``'s counts to these."""
        for name in (
            "terms",
            "declarations",
            "late_declarations",
            "collections",
            "turnover_returns",
            "notices",
            "payments",
            "programme_payments",
            "suspended_for_arrears",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped_terms += other.skipped_terms
