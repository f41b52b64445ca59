"""A subsidy programme's home: the subsidies it owes and the budget it has used.

A read model across the subsidies (the programmes a caller may read) and billing (the
notices' splits) tables: per programme, what it granted and has not yet paid, its budget
and what of it is used, and what it granted and paid month by month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.access import Principal
from tradecover.billing.model import NoticeSplit, PremiumNotice
from tradecover.kit.money import Money
from tradecover.subsidies import list_programmes

MONTHS_SHOWN = 6
"""How many of the latest billed months the home shows."""


@dataclass(frozen=True, slots=True)
class ProgrammeMonth:
    """What a programme granted on one month's notices and what it paid of it."""

    month: date
    granted: Money
    paid: Money
    owed: Money


@dataclass(frozen=True, slots=True)
class ProgrammeBook:
    """A programme's subsidies owed and its budget used."""

    programme_id: int
    code: str
    name: str
    owed: Money
    granted: Money
    paid: Money
    used: Money
    budget: Money | None
    months: list[ProgrammeMonth]

    @property
    def budget_used_pct(self) -> float | None:
        """The share of the budget used, as a fraction (None: no budget)."""
        if self.budget is None or self.budget.amount == 0:
            return None
        return float(self.used.amount / self.budget.amount)


def programme_books(session: Session, *, principal: Principal) -> list[ProgrammeBook]:
    """The programmes the caller may read (a programme's users: their own) with what each
    owes and has used.
    """
    rows = list_programmes(session, principal=principal)
    by_month: dict[int, list[tuple[date, int, int]]] = {}
    if rows:
        s, n = NoticeSplit, PremiumNotice
        for pid, month, granted, paid in session.execute(
            select(s.programme_id, n.month, func.sum(s.granted_minor), func.sum(s.paid_minor))
            .join(n, n.id == s.notice_id)
            .where(s.programme_id.in_([r.id for r in rows]))
            .group_by(s.programme_id, n.month)
            .order_by(s.programme_id, n.month)
        ).all():
            by_month.setdefault(int(pid), []).append((month, int(granted), int(paid)))
    out = []
    for row in rows:
        cur = row.currency
        months = by_month.get(row.id, [])
        granted = sum(g for _, g, _ in months)
        paid = sum(p for _, _, p in months)
        out.append(
            ProgrammeBook(
                row.id,
                row.code,
                row.name,
                Money.from_minor(granted - paid, cur),
                Money.from_minor(granted, cur),
                Money.from_minor(paid, cur),
                Money.from_minor(row.used_minor, cur),
                None if row.budget_minor is None else Money.from_minor(row.budget_minor, cur),
                [
                    ProgrammeMonth(
                        m,
                        Money.from_minor(g, cur),
                        Money.from_minor(p, cur),
                        Money.from_minor(g - p, cur),
                    )
                    for m, g, p in months[-MONTHS_SHOWN:]
                ],
            )
        )
    return out


__all__ = ["MONTHS_SHOWN", "ProgrammeBook", "ProgrammeMonth", "programme_books"]
