"""A subsidy programme's monthly statement: its grants on the month's premium notices.

A read model across the subsidies (the programme), billing (notices and their splits) and
access (the exporter's name) tables.  It lives on the read side because billing, which owns
the notices, calls the subsidies context to split them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.access import Principal
from tradecover.access.model import Organisation
from tradecover.billing.model import NoticeSplit, PremiumNotice
from tradecover.kit.money import Money
from tradecover.subsidies import get_programme

if TYPE_CHECKING:
    from tradecover.subsidies.model import SubsidyProgramme


@dataclass(frozen=True, slots=True)
class StatementLine:
    """A programme's part of one notice of the month."""

    notice_id: int
    policy_id: int
    exporter_org_id: int
    exporter_name: str
    eligible: bool
    rule_applied: str
    explanation: str
    requested: Money
    granted: Money
    paid: Money
    limited_by: str | None


@dataclass(frozen=True, slots=True)
class Statement:
    """What a programme owes for the notices of one month, and what it has paid of it."""

    programme: SubsidyProgramme
    month: date
    lines: list[StatementLine]
    granted: Money
    paid: Money
    outstanding: Money
    used_total: Money
    budget: Money | None


def statement(
    session: Session, *, principal: Principal, programme_id: int, month: date
) -> Statement:
    """The programme's statement of ``month`` (a programme's users: their programme only)."""
    row = get_programme(session, principal=principal, programme_id=programme_id)
    cur = row.currency
    lines = [
        StatementLine(
            n.id,
            n.policy_id,
            n.exporter_org_id,
            org.name,
            s.eligible,
            s.rule_applied,
            s.explanation,
            Money.from_minor(s.requested_minor, cur),
            Money.from_minor(s.granted_minor, cur),
            Money.from_minor(s.paid_minor, cur),
            s.limited_by,
        )
        for s, n, org in session.execute(
            select(NoticeSplit, PremiumNotice, Organisation)
            .join(PremiumNotice, PremiumNotice.id == NoticeSplit.notice_id)
            .join(Organisation, Organisation.id == PremiumNotice.exporter_org_id)
            .where(NoticeSplit.programme_id == row.id, PremiumNotice.month == month)
            .order_by(PremiumNotice.id)
        )
    ]
    granted = sum((line.granted for line in lines), Money.zero(cur))
    paid = sum((line.paid for line in lines), Money.zero(cur))
    return Statement(
        row,
        month,
        lines,
        granted,
        paid,
        granted - paid,
        Money.from_minor(row.used_minor, cur),
        None if row.budget_minor is None else Money.from_minor(row.budget_minor, cur),
    )
