"""The daily overdue job: notice reminders, confirmation chasers, notifications.

Each reminder and chaser sent (a new notification) is also a business event in the same
transaction (``declaration.reminded``, ``collection.chased``): the webhooks and the
e-mail relay hear it once, as the inbox does (the notification's ``dedupe_key``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradecover import audit, declarations, policies
from tradecover.access import Permission, Principal
from tradecover.collections.confirmation import (
    Chase,
    ChasePolicy,
    ConfirmationFrequency,
    ConfirmationRequest,
    chasing_due,
    confirmation_run_dates,
)
from tradecover.collections.invoice_repository import effective_dues, open_invoice
from tradecover.collections.model import (
    NOTICE_OPEN,
    CollectionConfirmation,
    Notification,
    PossibleLossNotice,
)
from tradecover.collections.overdue import (
    DailyOverdueRun,
    LossCauseHint,
    daily_overdue_run,
    notice_timing,
)
from tradecover.collections.overdue import PossibleLossNotice as PureNotice
from tradecover.collections.scoping_repository import visible_notifications
from tradecover.events import record_event
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import (
    NotFound,
    PermissionDenied,
)
from tradecover.policies import Policy

if TYPE_CHECKING:
    from tradecover.declarations import OpenReceivable


@dataclass(frozen=True, slots=True)
class DailyJobOutcome:
    """What the daily job found (per policy) and the notifications it sent now."""

    runs: list[DailyOverdueRun]
    chases: list[tuple[int, Chase]]  # (exporter org, chase) of unconfirmed collections
    sent: list[Notification]


NOTICE_REMINDER = "notice_reminder"


CONFIRMATION_CHASE = "confirmation_chase"


CHASE_POLICY = ChasePolicy()
"""Remind 7 and 14 days after a confirmation was asked for, escalate after 21."""


def _frequency(policy: Policy) -> ConfirmationFrequency:
    return (
        ConfirmationFrequency.WEEKLY
        if policy.declaration_frequency == "weekly"
        else ConfirmationFrequency.MONTHLY
    )


def confirmation_requested_on(policy: Policy, due: date) -> date:
    """When the insurer asks to confirm an invoice due on ``due``: the policy's first
    confirmation run (monthly, weekly for weekly declarers, from inception) on or after it.
    """
    frequency = _frequency(policy)
    start = policy.inception
    if due <= start:
        return start
    runs = confirmation_run_dates(start=start, end=due + timedelta(days=31), frequency=frequency)
    return next(d for d in runs if d >= due)


def daily_job(session: Session, *, principal: Principal, today: date) -> DailyJobOutcome:
    """Run the daily overdue rules over every policy with open declared invoices, and send
    what they call for.

    It finds (overdue, newly overdue, notice reminders due today, missed notice
    deadlines, frozen buyers), chases collection confirmations left unanswered, and
    records each reminder and chaser as a :class:`Notification` to the exporter, audited.
    A notification's ``dedupe_key`` is unique per exporter, so a rerun on the same day
    (or a concurrent one) sends nothing twice.
    """
    principal.require(Permission.DECLARATION_READ)
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer runs the daily overdue job", code="insurer_only")
    rows = declarations.open_receivables(session)
    moved = effective_dues(session, [row.id for row in rows])
    due = {row.id: moved.get(row.id, row.due_date) for row in rows}
    by_policy: dict[int, list[OpenReceivable]] = {}
    for row in rows:
        by_policy.setdefault(row.policy_id, []).append(row)
    answered = _answered_on(session, [r.id for r in rows])
    notices_of = _notices_by_policy(session, list(by_policy))
    sent_reminders = _sent_reminders(session, [r.id for r in rows])
    runs: list[DailyOverdueRun] = []
    chases: list[tuple[int, Chase]] = []
    sent: list[Notification] = []
    for policy_id, declared in by_policy.items():
        policy = policies.policy_record(session, policy_id)
        assert policy is not None
        invoices = [replace(open_invoice(row), due_date=due[row.id]) for row in declared]
        notice_rows = notices_of.get(policy_id, [])
        notices = [
            PureNotice(
                invoice_id=n.declaration_id,
                buyer_id=n.buyer_id,
                filed_on=n.filed_on,
                cause=LossCauseHint(n.cause),
                timing=notice_timing(
                    due_date=n.due_date,
                    notice_days=policy.possible_loss_notice_days,
                    filed_on=n.filed_on,
                ),
                withdrawn_on=n.withdrawn_on,
            )
            for n in notice_rows
        ]
        run = daily_overdue_run(
            invoices,
            notices=notices,
            today=today,
            notice_days=policy.possible_loss_notice_days,
            sent_reminders=sent_reminders,
        )
        runs.append(run)
        by_id = {row.id: row for row in declared}
        for reminder in run.reminders:
            row = by_id[reminder.invoice_id]
            sent += _send(
                session,
                principal,
                today=today,
                org_id=row.exporter_org_id,
                kind=NOTICE_REMINDER,
                declaration=row,
                key=_reminder_key(row.id, reminder.deadline, reminder.stage),
                subject=f"Notice of possible loss due by "
                f"{reminder.deadline.isoformat()}: invoice "
                f"{row.invoice_number}",
                body=f"Invoice {row.invoice_number} was due on "
                f"{due[row.id].isoformat()} and is unpaid. File a notice of "
                f"possible loss by {reminder.deadline.isoformat()} "
                f"({reminder.days_left} days left), or the right to claim "
                "may be lost.",
                data={"deadline": reminder.deadline.isoformat(), "days_left": reminder.days_left},
                event=(
                    "declaration.reminded",
                    {
                        **_invoice_facts(row, due[row.id]),
                        "deadline": reminder.deadline,
                        "days_left": reminder.days_left,
                    },
                ),
            )
        noticed = {n.declaration_id for n in notice_rows if n.status == NOTICE_OPEN}
        requests = [
            ConfirmationRequest(
                invoice_id=row.id,
                requested_on=(asked := confirmation_requested_on(policy, due[row.id])),
                answered_on=answered.get(row.id)
                if answered.get(row.id, date.min) >= asked
                else None,
            )
            for row in declared
            if row.id not in noticed and due[row.id] <= today
        ]
        for chase in chasing_due(requests, today=today, policy=CHASE_POLICY):
            row = by_id[chase.invoice_id]
            chases.append((row.exporter_org_id, chase))
            asked = confirmation_requested_on(policy, due[row.id])
            sent += _send(
                session,
                principal,
                today=today,
                org_id=row.exporter_org_id,
                kind=CONFIRMATION_CHASE,
                declaration=row,
                key=f"{CONFIRMATION_CHASE}:{row.id}:{asked.isoformat()}:{chase.reminder_number}",
                subject=f"Please confirm collection of invoice {row.invoice_number}",
                body=f"Invoice {row.invoice_number} fell due on "
                f"{due[row.id].isoformat()}; we asked on "
                f"{asked.isoformat()} whether the buyer paid. Confirm it paid "
                "in full, in part or unpaid."
                + (" This request is now with the insurer's staff." if chase.escalate else ""),
                data={
                    "requested_on": asked.isoformat(),
                    "reminder_number": chase.reminder_number,
                    "escalate": chase.escalate,
                },
                event=(
                    "collection.chased",
                    {
                        **_invoice_facts(row, due[row.id]),
                        "requested_on": asked,
                        "reminder_number": chase.reminder_number,
                        "escalate": chase.escalate,
                    },
                ),
            )
    return DailyJobOutcome(runs=runs, chases=chases, sent=sent)


def _invoice_facts(row: OpenReceivable, due: date) -> dict[str, Any]:
    """The declared invoice's fields that a reminder's or chaser's event carries."""
    return {
        "declaration_id": row.id,
        "policy_id": row.policy_id,
        "invoice_number": row.invoice_number,
        "due_date": due,
    }


def _reminder_key(declaration_id: int, deadline: date, stage: int) -> str:
    """The dedupe key of a notice reminder: one per invoice, deadline and stage."""
    return f"{NOTICE_REMINDER}:{declaration_id}:{deadline.isoformat()}:{stage}"


def _sent_reminders(
    session: Session, declaration_ids: list[int]
) -> frozenset[tuple[int, date, int]]:
    """The ``(declaration, deadline, stage)`` of every notice reminder sent before."""
    found: set[tuple[int, date, int]] = set()
    for start in range(0, len(declaration_ids), 500):
        for key in session.execute(
            select(Notification.dedupe_key).where(
                Notification.kind == NOTICE_REMINDER,
                Notification.declaration_id.in_(declaration_ids[start : start + 500]),
            )
        ).scalars():
            _kind, did, deadline, stage = key.split(":")
            found.add((int(did), date.fromisoformat(deadline), int(stage)))
    return frozenset(found)


def _notices_by_policy(
    session: Session, policy_ids: list[int]
) -> dict[int, list[PossibleLossNotice]]:
    """Every notice of possible loss on these policies, by policy."""
    found: dict[int, list[PossibleLossNotice]] = {}
    for start in range(0, len(policy_ids), 500):
        for notice in session.execute(
            select(PossibleLossNotice)
            .where(PossibleLossNotice.policy_id.in_(policy_ids[start : start + 500]))
            .order_by(PossibleLossNotice.id)
        ).scalars():
            found.setdefault(notice.policy_id, []).append(notice)
    return found


def _answered_on(session: Session, declaration_ids: list[int]) -> dict[int, date]:
    """The business day of each declaration's latest collection confirmation."""
    found: dict[int, date] = {}
    for start in range(0, len(declaration_ids), 500):
        chunk = declaration_ids[start : start + 500]
        for did, on, at in session.execute(
            select(
                CollectionConfirmation.declaration_id,
                CollectionConfirmation.confirmed_on,
                CollectionConfirmation.confirmed_at,
            ).where(CollectionConfirmation.declaration_id.in_(chunk))
        ):
            day = on or at.date()
            found[int(did)] = max(found.get(int(did), day), day)
    return found


def _send(
    session: Session,
    principal: Principal,
    *,
    today: date,
    org_id: int,
    kind: str,
    declaration: OpenReceivable,
    key: str,
    subject: str,
    body: str,
    data: dict[str, Any],
    event: tuple[str, dict[str, Any]],
) -> list[Notification]:
    """Record one notification unless its key was sent before; audited when sent, and
    told as the business event ``event`` (type, payload) in the same transaction.
    """
    exists = session.execute(
        select(Notification.id).where(
            Notification.exporter_org_id == org_id, Notification.dedupe_key == key
        )
    ).first()
    if exists is not None:
        return []
    row = Notification(
        exporter_org_id=org_id,
        kind=kind,
        dedupe_key=key,
        declaration_id=declaration.id,
        subject=subject[:200],
        body=body,
        data=data,
        sent_on=today,
        sent_at=utc_now(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # a concurrent run sent it first
        return []
    audit.record(
        session,
        org_id=org_id,
        actor=principal.actor,
        action="notification.sent",
        entity_type="notification",
        entity_id=row.id,
        after={
            "kind": kind,
            "dedupe_key": key,
            "declaration_id": declaration.id,
            "sent_on": today.isoformat(),
        },
    )
    event_type, payload = event
    record_event(session, event_type, f"declaration:{declaration.id}", payload, org_id)
    return [row]


def notifications(
    session: Session,
    *,
    principal: Principal,
    unread_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Notification], int]:
    """The caller's notifications, newest first (insurer staff: every exporter's)."""
    principal.require(Permission.DECLARATION_READ)
    query = visible_notifications(principal)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(Notification.sent_on.desc(), Notification.id.desc())
        .limit(limit)
        .offset(offset)
    ).scalars()
    return list(rows), int(total)


def mark_read(session: Session, *, principal: Principal, notification_id: int) -> Notification:
    """The exporter marks one of its notifications read (once; a repeat changes nothing)."""
    principal.require(Permission.COLLECTION_WRITE)
    row = session.get(Notification, notification_id)
    if row is None or row.exporter_org_id != principal.org_id:
        raise NotFound(f"notification {notification_id} not found", field="notification_id")
    if row.read_at is None:
        row.read_at = utc_now()
        session.flush()
        audit.record(
            session,
            org_id=row.exporter_org_id,
            actor=principal.actor,
            action="notification.read",
            entity_type="notification",
            entity_id=row.id,
        )
    return row
