"""The reminder before a declaration deadline [domain D-14].

Each day, every policy in force whose declaration period falls due within the reminder
window gets one ``declaration.due`` event for its exporter (mailed to the exporter's people
who chose it), once per policy and period however often the job runs, with how many of the
period's shipments are declared so far.  Set-based: one query for the policies, one
grouped count of declarations per distinct period, one look-up of what was already told and
one insert of the events.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover import events, policies
from tradecover.declarations.deadlines import (
    DEFAULT_RULES,
    DeadlineRules,
    DeclarationPeriod,
    periods_due_between,
)
from tradecover.declarations.loading_repository import policy_facts
from tradecover.declarations.model import STATUS_ACTIVE, Declaration
from tradecover.kit.errors import ValidationFailed

EVENT = "declaration.due"
DEFAULT_DAYS_BEFORE = 3
"""The reminder goes out when the deadline is this many days away or fewer [domain D-14]."""


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder told: the policy, its period and how much of it is declared."""

    policy_id: int
    org_id: int
    period: DeclarationPeriod
    declared: int


def subject_of(policy_id: int, period: DeclarationPeriod) -> str:
    """The event subject of a period's reminder (what makes it once per policy and period)."""
    return f"policy:{policy_id}:period:{period.start.isoformat()}"


def remind_declarations_due(
    session: Session,
    *,
    today: date,
    days_before: int = DEFAULT_DAYS_BEFORE,
    rules: DeadlineRules = DEFAULT_RULES,
) -> list[Reminder]:
    """Tell every policy in force whose declaration deadline falls in ``today`` ..
    ``today + days_before`` (and within its cover) about it, once; return what was told.
    """
    if not 0 <= days_before <= 30:
        raise ValidationFailed(
            "days_before must be 0 to 30", code="out_of_range", field="days_before"
        )
    due: list[tuple[int, int, str, DeclarationPeriod]] = []
    for policy in policies.policies_in_force(session):
        facts = policy_facts(policy)
        for period in periods_due_between(
            frequency=facts.frequency,
            start=today,
            end=today + timedelta(days=days_before),
            rules=rules,
        ):
            if period.end >= facts.inception and period.start <= facts.expiry:
                due.append((policy.id, policy.exporter_org_id, facts.frequency.value, period))
    if not due:
        return []
    told = events.recorded_subjects(session, EVENT, [subject_of(p, per) for p, _, _, per in due])
    due = [d for d in due if subject_of(d[0], d[3]) not in told]
    counts = _declared(session, due)
    reminders = [
        Reminder(policy_id, org_id, period, counts.get((policy_id, period.start), 0))
        for policy_id, org_id, _, period in due
    ]
    events.record_events(
        session,
        [
            events.PendingEvent(
                EVENT,
                subject_of(r.policy_id, r.period),
                {
                    "policy_id": r.policy_id,
                    "frequency": frequency,
                    "period_start": r.period.start,
                    "period_end": r.period.end,
                    "due_date": r.period.due,
                    "days_left": (r.period.due - today).days,
                    "declared": r.declared,
                },
                r.org_id,
            )
            for r, (_, _, frequency, _) in zip(reminders, due, strict=True)
        ],
    )
    return reminders


def _declared(
    session: Session, due: list[tuple[int, int, str, DeclarationPeriod]]
) -> dict[tuple[int, date], int]:
    """Active declarations per (policy, period start): one grouped query per distinct period."""
    by_period: dict[DeclarationPeriod, list[int]] = defaultdict(list)
    for policy_id, _, _, period in due:
        by_period[period].append(policy_id)
    counts: dict[tuple[int, date], int] = {}
    for period, policy_ids in by_period.items():
        rows = session.execute(
            select(Declaration.policy_id, func.count())
            .where(
                Declaration.policy_id.in_(policy_ids),
                Declaration.status == STATUS_ACTIVE,
                Declaration.shipment_date >= period.start,
                Declaration.shipment_date <= period.end,
            )
            .group_by(Declaration.policy_id)
        )
        for policy_id, count in rows:
            counts[(int(policy_id), period.start)] = int(count)
    return counts
