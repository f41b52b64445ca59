"""Collection confirmations and notices of possible loss: the use cases (issue 5).

Services never commit: the caller's transaction (request, command, job, test) does.
Every change writes its audit entry in the same transaction.  An id of another
organisation answers exactly like a missing one (``NotFound``).

A confirmation raises the declaration's ``collected_minor`` with ONE conditional update
(``collected + amount <= insured``), so two concurrent confirmations can never collect
more than was invoiced (``collection_exceeds_invoice``), and gives the freed part back to
the limit reservation (:func:`tradecover.declarations.repository.release`).  The limit
carries ``min(outstanding, covered)`` of each invoice
(:mod:`tradecover.collections.confirmation`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradecover.access.principal import Principal
from tradecover.access.roles import Permission
from tradecover.audit import service as audit
from tradecover.collections import upload as collection_upload
from tradecover.collections.confirmation import (
    Chase,
    ChasePolicy,
    CollectionOutcome,
    ConfirmationFrequency,
    ConfirmationRequest,
    OpenInvoice,
    apply_confirmation,
    chasing_due,
    confirmation_run_dates,
)
from tradecover.collections.model import (
    NOTICE_OPEN,
    NOTICE_WITHDRAWN,
    CollectionConfirmation,
    DueDateArrangement,
    Notification,
    PossibleLossNotice,
)
from tradecover.collections.overdue import (
    Arrangement,
    ArrangementKind,
    ArrangementStatus,
    DailyOverdueRun,
    Instalment,
    LossCauseHint,
    OverdueInvoice,
    daily_overdue_run,
    decide_arrangement,
    notice_timing,
    overdue_invoices,
    request_arrangement,
)
from tradecover.collections.overdue import PossibleLossNotice as PureNotice
from tradecover.collections.overdue import (
    file_notice as file_notice_rule,
)
from tradecover.declarations import repository as declarations_repo
from tradecover.declarations import upload as declaration_upload
from tradecover.declarations.model import STATUS_ACTIVE, Declaration
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tradecover.kit.money import Money
from tradecover.limits.model import CreditLimit
from tradecover.policies.model import Policy


def declaration_for(session: Session, principal: Principal, declaration_id: int) -> Declaration:
    """An active declaration the caller may see, else ``NotFound`` (foreign = missing)."""
    row = session.get(Declaration, declaration_id)
    if row is None or row.status != STATUS_ACTIVE or not principal.can_see_org(
            row.exporter_org_id):
        raise NotFound(f"declaration {declaration_id} not found", field="declaration_id")
    return row


LATEST_MOVE = (
    select(DueDateArrangement.declaration_id.label("declaration_id"),
           DueDateArrangement.new_due_date.label("new_due_date"),
           func.row_number().over(
               partition_by=DueDateArrangement.declaration_id,
               order_by=(DueDateArrangement.decided_on.desc(),
                         DueDateArrangement.id.desc())).label("rank"))
    .where(DueDateArrangement.status == ArrangementStatus.APPROVED.value)
    .subquery("latest_move"))
"""Each declaration's approved arrangements, ranked latest first (rank 1 is in force)."""

EFFECTIVE_DUE = func.coalesce(LATEST_MOVE.c.new_due_date, Declaration.due_date,
                              type_=Date).label("effective_due")
"""A declaration's due date after its latest approved arrangement: select it with
``Declaration`` outer-joined to :data:`LATEST_MOVE` on ``rank == 1`` (one query for
many invoices, the same answer as :func:`effective_due`)."""


def effective_due(session: Session, row: Declaration) -> date:
    """The due date after the latest approved extension or repayment plan."""
    moved = session.execute(select(DueDateArrangement.new_due_date).where(
        DueDateArrangement.declaration_id == row.id,
        DueDateArrangement.status == ArrangementStatus.APPROVED.value)
        .order_by(DueDateArrangement.decided_on.desc(), DueDateArrangement.id.desc())
        .limit(1)).scalar_one_or_none()
    return moved or row.due_date


def open_invoice(row: Declaration) -> OpenInvoice:
    """The collections view of a declaration."""
    return OpenInvoice(invoice_id=row.id, buyer_id=row.buyer_id,
                       amount=Money.from_minor(row.insured_minor, row.currency),
                       shipment_date=row.shipment_date, due_date=row.due_date,
                       collected=Money.from_minor(row.collected_minor, row.currency),
                       covered=Money.from_minor(row.covered_minor, row.currency))


def _own(principal: Principal, row: Declaration) -> None:
    if principal.org_id != row.exporter_org_id and not principal.is_insurer:
        raise NotFound(f"declaration {row.id} not found", field="declaration_id")


def confirm_collection(
    session: Session, *, principal: Principal, declaration_id: int, outcome: CollectionOutcome,
    amount: Money | None, paid_on: date | None, today: date,
) -> CollectionConfirmation:
    """Record what the buyer paid on one declared invoice and free the limit."""
    principal.require(Permission.COLLECTION_WRITE)
    row = declaration_for(session, principal, declaration_id)
    _own(principal, row)
    result = apply_confirmation(open_invoice(row), outcome=outcome, amount=amount,
                                paid_on=paid_on, today=today)
    paid_minor = result.collected_now.minor_units()
    freed_minor = result.freed_limit.minor_units()
    if paid_minor:
        done = session.execute(
            update(Declaration).where(
                Declaration.id == row.id, Declaration.status == STATUS_ACTIVE,
                Declaration.collected_minor + paid_minor <= Declaration.insured_minor)
            .values(collected_minor=Declaration.collected_minor + paid_minor)
            .execution_options(synchronize_session=False))
        if getattr(done, "rowcount", 0) != 1:
            raise ValidationFailed(f"a collection of {result.collected_now} is more than is "
                                   f"outstanding on declaration {row.id}",
                                   code="collection_exceeds_invoice", field="amount")
        session.refresh(row)
        if row.limit_id is not None and freed_minor:
            declarations_repo.release(session, limit_id=row.limit_id, amount_minor=freed_minor)
    confirmation = CollectionConfirmation(
        declaration_id=row.id, exporter_org_id=row.exporter_org_id,
        outcome=result.outcome.value, currency=row.currency, amount_minor=paid_minor,
        freed_minor=freed_minor, paid_on=paid_on if paid_minor else None,
        confirmed_at=utc_now(), confirmed_by=principal.actor, confirmed_on=today)
    session.add(confirmation)
    session.flush()
    audit.record(session, org_id=row.exporter_org_id, actor=principal.actor,
                 action="collection.confirmed", entity_type="declaration", entity_id=row.id,
                 after={"outcome": result.outcome.value, "amount": str(result.collected_now),
                        "freed_limit": str(result.freed_limit),
                        "collected_total": str(Money.from_minor(row.collected_minor,
                                                                row.currency))})
    if row.collected_minor >= row.insured_minor:
        _withdraw_open_notice(session, principal=principal, row=row, today=today)
    return confirmation


def _withdraw_open_notice(session: Session, *, principal: Principal, row: Declaration,
                          today: date) -> None:
    notice = session.execute(select(PossibleLossNotice).where(
        PossibleLossNotice.declaration_id == row.id,
        PossibleLossNotice.status == NOTICE_OPEN)).scalar_one_or_none()
    if notice is None:
        return
    notice.status, notice.withdrawn_on = NOTICE_WITHDRAWN, today
    notice.withdraw_reason = "paid in full"
    session.flush()
    audit.record(session, org_id=row.exporter_org_id, actor=principal.actor,
                 action="possible_loss_notice.withdrawn", entity_type="possible_loss_notice",
                 entity_id=notice.id, reason="paid in full")


def notice_snapshot(notice: PossibleLossNotice) -> dict[str, Any]:
    """What the audit log keeps of a notice."""
    return {"declaration_id": notice.declaration_id, "buyer_id": notice.buyer_id,
            "cause": notice.cause, "due_date": notice.due_date.isoformat(),
            "deadline": notice.deadline.isoformat(), "filed_on": notice.filed_on.isoformat(),
            "days_late": notice.days_late, "status": notice.status}


def file_notice(session: Session, *, principal: Principal, declaration_id: int,
                cause: LossCauseHint, today: date) -> PossibleLossNotice:
    """File a notice of possible loss on a declared invoice; the buyer is then frozen."""
    principal.require(Permission.COLLECTION_WRITE)
    row = declaration_for(session, principal, declaration_id)
    _own(principal, row)
    policy = session.get(Policy, row.policy_id)
    assert policy is not None
    due = effective_due(session, row)
    notice = file_notice_rule(open_invoice(row), cause=cause, filed_on=today, today=today,
                              notice_days=policy.possible_loss_notice_days, due_date=due)
    entity = PossibleLossNotice(
        exporter_org_id=row.exporter_org_id, policy_id=row.policy_id, buyer_id=row.buyer_id,
        declaration_id=row.id, cause=cause.value, due_date=due,
        deadline=notice.timing.deadline, filed_on=today, days_late=notice.timing.days_late,
        status=NOTICE_OPEN, filed_at=utc_now(), filed_by=principal.actor)
    try:
        with session.begin_nested():
            session.add(entity)
            session.flush()
    except IntegrityError:
        raise Conflict(f"a notice of possible loss on declaration {row.id} exists",
                       code="notice_already_filed", field="declaration_id") from None
    audit.record(session, org_id=row.exporter_org_id, actor=principal.actor,
                 action="possible_loss_notice.filed", entity_type="possible_loss_notice",
                 entity_id=entity.id, after=notice_snapshot(entity))
    return entity


def buyer_frozen(session: Session, *, exporter_org_id: int, buyer_id: int) -> bool:
    """True when the exporter has an open notice on the buyer: the ``buyer_in_default``
    input of the cover decision (further shipments to it are not covered).
    """
    found = session.execute(select(PossibleLossNotice.id).where(
        PossibleLossNotice.exporter_org_id == exporter_org_id,
        PossibleLossNotice.buyer_id == buyer_id,
        PossibleLossNotice.status == NOTICE_OPEN).limit(1)).scalar_one_or_none()
    return found is not None


@dataclass(frozen=True, slots=True)
class FrozenBuyer:
    """A buyer frozen for one exporter by open notices, with that exporter's active limits
    on it, which are on watch until every notice is withdrawn.
    """

    exporter_org_id: int
    buyer_id: int
    since: date
    open_notices: int
    limits_on_watch: tuple[tuple[int, Money], ...]  # (limit id, amount in force)


def frozen_buyers(session: Session, *, principal: Principal) -> list[FrozenBuyer]:
    """Buyers with an open notice (exporters: their own), oldest freeze first.

    Further shipments to them are not covered (:func:`buyer_frozen`) and the exporter's
    active limits on them are listed here as on watch.
    """
    principal.require(Permission.DECLARATION_READ)
    query = (select(PossibleLossNotice.exporter_org_id, PossibleLossNotice.buyer_id,
                    func.min(PossibleLossNotice.filed_on), func.count())
             .where(PossibleLossNotice.status == NOTICE_OPEN)
             .group_by(PossibleLossNotice.exporter_org_id, PossibleLossNotice.buyer_id))
    if not principal.is_insurer:
        query = query.where(PossibleLossNotice.exporter_org_id == principal.org_id)
    frozen = [(int(o), int(b), since, int(n)) for o, b, since, n in session.execute(query)]
    limits: dict[tuple[int, int], list[tuple[int, Money]]] = {}
    buyers = sorted({b for _o, b, _s, _n in frozen})
    for start in range(0, len(buyers), 500):
        for row in session.execute(select(CreditLimit).where(
                CreditLimit.buyer_id.in_(buyers[start:start + 500]),
                CreditLimit.status == "active").order_by(CreditLimit.id)).scalars():
            limits.setdefault((row.org_id, row.buyer_id), []).append(
                (row.id, Money.from_minor(row.amount_minor, row.currency)))
    return sorted((FrozenBuyer(exporter_org_id=o, buyer_id=b, since=since, open_notices=n,
                               limits_on_watch=tuple(limits.get((o, b), ())))
                   for o, b, since, n in frozen),
                  key=lambda f: (f.since, f.exporter_org_id, f.buyer_id))


def arrangements(session: Session, *, principal: Principal, pending_only: bool = False
                 ) -> list[DueDateArrangement]:
    """Extension and repayment plan requests (exporters: their own), oldest first."""
    principal.require(Permission.DECLARATION_READ)
    query = select(DueDateArrangement)
    if not principal.is_insurer:
        query = query.where(DueDateArrangement.exporter_org_id == principal.org_id)
    if pending_only:
        query = query.where(DueDateArrangement.status == ArrangementStatus.REQUESTED.value)
    return list(session.execute(query.order_by(DueDateArrangement.requested_on,
                                               DueDateArrangement.id)).scalars())


def overdue_list(session: Session, *, principal: Principal, today: date
                 ) -> list[OverdueInvoice]:
    """The caller's open declared invoices past due (insurer staff: everyone's)."""
    principal.require(Permission.DECLARATION_READ)
    query = (select(Declaration, Policy.possible_loss_notice_days, EFFECTIVE_DUE)
             .join(Policy, Policy.id == Declaration.policy_id)
             .outerjoin(LATEST_MOVE, (LATEST_MOVE.c.declaration_id == Declaration.id)
                        & (LATEST_MOVE.c.rank == 1))
             .where(Declaration.status == STATUS_ACTIVE, Declaration.due_date < today,
                    Declaration.collected_minor < Declaration.insured_minor))
    if not principal.is_insurer:
        query = query.where(Declaration.exporter_org_id == principal.org_id)
    found: list[OverdueInvoice] = []
    for row, notice_days, due in session.execute(query.order_by(Declaration.due_date,
                                                                Declaration.id)):
        found += overdue_invoices([open_invoice(row)], today=today, notice_days=notice_days,
                                  extended_due={row.id: due})
    return sorted(found, key=lambda o: (o.due_date, o.invoice.invoice_id))


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
    return (ConfirmationFrequency.WEEKLY if policy.declaration_frequency == "weekly"
            else ConfirmationFrequency.MONTHLY)


def confirmation_requested_on(policy: Policy, due: date) -> date:
    """When the insurer asks to confirm an invoice due on ``due``: the policy's first
    confirmation run (monthly, weekly for weekly declarers, from inception) on or after it.
    """
    frequency = _frequency(policy)
    start = policy.inception
    if due <= start:
        return start
    runs = confirmation_run_dates(start=start, end=due + timedelta(days=31),
                                  frequency=frequency)
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
        raise PermissionDenied("only the insurer runs the daily overdue job",
                               code="insurer_only")
    found = session.execute(
        select(Declaration, EFFECTIVE_DUE).outerjoin(
            LATEST_MOVE, (LATEST_MOVE.c.declaration_id == Declaration.id)
            & (LATEST_MOVE.c.rank == 1))
        .where(Declaration.status == STATUS_ACTIVE,
               Declaration.collected_minor < Declaration.insured_minor)
        .order_by(Declaration.policy_id, Declaration.id)).all()
    rows = [row for row, _due in found]
    due = {row.id: moved for row, moved in found}
    by_policy: dict[int, list[Declaration]] = {}
    for row in rows:
        by_policy.setdefault(row.policy_id, []).append(row)
    answered = _answered_on(session, [r.id for r in rows])
    notices_of = _notices_by_policy(session, list(by_policy))
    sent_reminders = _sent_reminders(session, [r.id for r in rows])
    runs: list[DailyOverdueRun] = []
    chases: list[tuple[int, Chase]] = []
    sent: list[Notification] = []
    for policy_id, declared in by_policy.items():
        policy = session.get(Policy, policy_id)
        assert policy is not None
        invoices = [replace(open_invoice(row), due_date=due[row.id]) for row in declared]
        notice_rows = notices_of.get(policy_id, [])
        notices = [
            PureNotice(invoice_id=n.declaration_id, buyer_id=n.buyer_id, filed_on=n.filed_on,
                       cause=LossCauseHint(n.cause),
                       timing=notice_timing(due_date=n.due_date,
                                            notice_days=policy.possible_loss_notice_days,
                                            filed_on=n.filed_on),
                       withdrawn_on=n.withdrawn_on) for n in notice_rows]
        run = daily_overdue_run(invoices, notices=notices, today=today,
                                notice_days=policy.possible_loss_notice_days,
                                sent_reminders=sent_reminders)
        runs.append(run)
        by_id = {row.id: row for row in declared}
        for reminder in run.reminders:
            row = by_id[reminder.invoice_id]
            sent += _send(session, principal, today=today, org_id=row.exporter_org_id,
                          kind=NOTICE_REMINDER, declaration=row,
                          key=_reminder_key(row.id, reminder.deadline, reminder.stage),
                          subject=f"Notice of possible loss due by "
                                  f"{reminder.deadline.isoformat()}: invoice "
                                  f"{row.invoice_number}",
                          body=f"Invoice {row.invoice_number} was due on "
                               f"{due[row.id].isoformat()} and is unpaid. File a notice of "
                               f"possible loss by {reminder.deadline.isoformat()} "
                               f"({reminder.days_left} days left), or the right to claim "
                               "may be lost.",
                          data={"deadline": reminder.deadline.isoformat(),
                                "days_left": reminder.days_left})
        noticed = {n.declaration_id for n in notice_rows if n.status == NOTICE_OPEN}
        requests = [ConfirmationRequest(
            invoice_id=row.id, requested_on=(asked := confirmation_requested_on(
                policy, due[row.id])),
            answered_on=answered.get(row.id) if answered.get(row.id, date.min) >= asked
            else None)
            for row in declared if row.id not in noticed and due[row.id] <= today]
        for chase in chasing_due(requests, today=today, policy=CHASE_POLICY):
            row = by_id[chase.invoice_id]
            chases.append((row.exporter_org_id, chase))
            asked = confirmation_requested_on(policy, due[row.id])
            sent += _send(session, principal, today=today, org_id=row.exporter_org_id,
                          kind=CONFIRMATION_CHASE, declaration=row,
                          key=f"{CONFIRMATION_CHASE}:{row.id}:{asked.isoformat()}:"
                              f"{chase.reminder_number}",
                          subject=f"Please confirm collection of invoice {row.invoice_number}",
                          body=f"Invoice {row.invoice_number} fell due on "
                               f"{due[row.id].isoformat()}; we asked on "
                               f"{asked.isoformat()} whether the buyer paid. Confirm it paid "
                               "in full, in part or unpaid."
                               + (" This request is now with the insurer's staff."
                                  if chase.escalate else ""),
                          data={"requested_on": asked.isoformat(),
                                "reminder_number": chase.reminder_number,
                                "escalate": chase.escalate})
    return DailyJobOutcome(runs=runs, chases=chases, sent=sent)


def _reminder_key(declaration_id: int, deadline: date, stage: int) -> str:
    """The dedupe key of a notice reminder: one per invoice, deadline and stage."""
    return f"{NOTICE_REMINDER}:{declaration_id}:{deadline.isoformat()}:{stage}"


def _sent_reminders(session: Session, declaration_ids: list[int]
                    ) -> frozenset[tuple[int, date, int]]:
    """The ``(declaration, deadline, stage)`` of every notice reminder sent before."""
    found: set[tuple[int, date, int]] = set()
    for start in range(0, len(declaration_ids), 500):
        for key in session.execute(select(Notification.dedupe_key).where(
                Notification.kind == NOTICE_REMINDER,
                Notification.declaration_id.in_(declaration_ids[start:start + 500]))
                ).scalars():
            _kind, did, deadline, stage = key.split(":")
            found.add((int(did), date.fromisoformat(deadline), int(stage)))
    return frozenset(found)


def _notices_by_policy(session: Session, policy_ids: list[int]
                       ) -> dict[int, list[PossibleLossNotice]]:
    """Every notice of possible loss on these policies, by policy."""
    found: dict[int, list[PossibleLossNotice]] = {}
    for start in range(0, len(policy_ids), 500):
        for notice in session.execute(select(PossibleLossNotice).where(
                PossibleLossNotice.policy_id.in_(policy_ids[start:start + 500]))
                .order_by(PossibleLossNotice.id)).scalars():
            found.setdefault(notice.policy_id, []).append(notice)
    return found


def _answered_on(session: Session, declaration_ids: list[int]) -> dict[int, date]:
    """The business day of each declaration's latest collection confirmation."""
    found: dict[int, date] = {}
    for start in range(0, len(declaration_ids), 500):
        chunk = declaration_ids[start:start + 500]
        for did, on, at in session.execute(
                select(CollectionConfirmation.declaration_id,
                       CollectionConfirmation.confirmed_on,
                       CollectionConfirmation.confirmed_at)
                .where(CollectionConfirmation.declaration_id.in_(chunk))):
            day = on or at.date()
            found[int(did)] = max(found.get(int(did), day), day)
    return found


def _send(session: Session, principal: Principal, *, today: date, org_id: int, kind: str,
          declaration: Declaration, key: str, subject: str, body: str,
          data: dict[str, Any]) -> list[Notification]:
    """Record one notification unless its key was sent before; audited when sent."""
    exists = session.execute(select(Notification.id).where(
        Notification.exporter_org_id == org_id, Notification.dedupe_key == key)).first()
    if exists is not None:
        return []
    row = Notification(exporter_org_id=org_id, kind=kind, dedupe_key=key,
                       declaration_id=declaration.id, subject=subject[:200], body=body,
                       data=data, sent_on=today, sent_at=utc_now())
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # a concurrent run sent it first
        return []
    audit.record(session, org_id=org_id, actor=principal.actor, action="notification.sent",
                 entity_type="notification", entity_id=row.id,
                 after={"kind": kind, "dedupe_key": key, "declaration_id": declaration.id,
                        "sent_on": today.isoformat()})
    return [row]


def notifications(session: Session, *, principal: Principal, unread_only: bool = False,
                  limit: int = 50, offset: int = 0) -> tuple[list[Notification], int]:
    """The caller's notifications, newest first (insurer staff: every exporter's)."""
    principal.require(Permission.DECLARATION_READ)
    query = select(Notification)
    if not principal.is_insurer:
        query = query.where(Notification.exporter_org_id == principal.org_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(Notification.sent_on.desc(),
                                          Notification.id.desc())
                           .limit(limit).offset(offset)).scalars()
    return list(rows), int(total)


def mark_read(session: Session, *, principal: Principal, notification_id: int
              ) -> Notification:
    """The exporter marks one of its notifications read (once; a repeat changes nothing)."""
    principal.require(Permission.COLLECTION_WRITE)
    row = session.get(Notification, notification_id)
    if row is None or row.exporter_org_id != principal.org_id:
        raise NotFound(f"notification {notification_id} not found", field="notification_id")
    if row.read_at is None:
        row.read_at = utc_now()
        session.flush()
        audit.record(session, org_id=row.exporter_org_id, actor=principal.actor,
                     action="notification.read", entity_type="notification",
                     entity_id=row.id)
    return row


def _arrangement_of(row: DueDateArrangement, currency: str) -> Arrangement:
    return Arrangement(
        invoice_id=row.declaration_id, kind=ArrangementKind(row.kind),
        original_due_date=row.original_due_date, new_due_date=row.new_due_date,
        requested_on=row.requested_on,
        instalments=tuple(Instalment(due_on=date.fromisoformat(i["due_on"]),
                                     amount=Money.of(i["amount"], currency))
                          for i in row.instalments),
        status=ArrangementStatus(row.status), decided_on=row.decided_on, reason=row.reason)


def request_extension(
    session: Session, *, principal: Principal, declaration_id: int, kind: ArrangementKind,
    today: date, new_due_date: date | None = None, instalments: tuple[Instalment, ...] = (),
) -> DueDateArrangement:
    """The exporter asks to extend a due date or to agree a repayment plan."""
    principal.require(Permission.COLLECTION_WRITE)
    row = declaration_for(session, principal, declaration_id)
    _own(principal, row)
    policy = session.get(Policy, row.policy_id)
    assert policy is not None
    pending = session.execute(select(DueDateArrangement.id).where(
        DueDateArrangement.declaration_id == row.id,
        DueDateArrangement.status == ArrangementStatus.REQUESTED.value)).first()
    if pending is not None:
        raise Conflict("a request on this invoice is waiting for the insurer",
                       code="arrangement_pending", field="declaration_id")
    wanted = request_arrangement(open_invoice(row), kind=kind, requested_on=today,
                                 notice_days=policy.possible_loss_notice_days,
                                 new_due_date=new_due_date, instalments=instalments,
                                 current_due_date=effective_due(session, row))
    entity = DueDateArrangement(
        declaration_id=row.id, exporter_org_id=row.exporter_org_id, kind=kind.value,
        original_due_date=row.due_date, new_due_date=wanted.new_due_date,
        instalments=[{"due_on": i.due_on.isoformat(), "amount": str(i.amount.amount)}
                     for i in wanted.instalments],
        status=ArrangementStatus.REQUESTED.value, requested_on=today,
        requested_by=principal.actor)
    session.add(entity)
    session.flush()
    audit.record(session, org_id=row.exporter_org_id, actor=principal.actor,
                 action="arrangement.requested", entity_type="due_date_arrangement",
                 entity_id=entity.id, after={"kind": kind.value,
                                             "new_due_date": entity.new_due_date.isoformat()})
    return entity


def decide_extension(session: Session, *, principal: Principal, arrangement_id: int,
                     approve: bool, reason: str | None, today: date) -> DueDateArrangement:
    """The insurer approves or refuses; an approval moves the due date and the deadlines."""
    principal.require(Permission.CLAIM_DECIDE)
    entity = session.get(DueDateArrangement, arrangement_id)
    if entity is None or not principal.can_see_org(entity.exporter_org_id):
        raise NotFound(f"arrangement {arrangement_id} not found", field="arrangement_id")
    row = session.get(Declaration, entity.declaration_id)
    assert row is not None
    decided = decide_arrangement(_arrangement_of(entity, row.currency), approve=approve,
                                 decided_on=today, reason=reason)
    done = session.execute(
        update(DueDateArrangement).where(
            DueDateArrangement.id == entity.id,
            DueDateArrangement.status == ArrangementStatus.REQUESTED.value)
        .values(status=decided.status.value, decided_on=today, decided_by=principal.actor,
                reason=decided.reason).execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        raise Conflict("the request was already decided", code="already_decided",
                       field="status")
    session.refresh(entity)
    audit.record(session, org_id=entity.exporter_org_id, actor=principal.actor,
                 action=f"arrangement.{decided.status.value}",
                 entity_type="due_date_arrangement", entity_id=entity.id,
                 reason=decided.reason, after={"status": entity.status,
                                               "new_due_date": entity.new_due_date.isoformat()})
    return entity


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    """One row of a collection upload: its confirmation, or why it was refused."""

    index: int  # 0 is the file's row 2 (row 1 is the header)
    confirmation: CollectionConfirmation | None = None
    error: DomainError | None = None


def confirm_upload(session: Session, *, principal: Principal, filename: str, data: bytes,
                   today: date) -> list[UploadOutcome]:
    """Confirm every row of a collection upload, each in its own savepoint.

    A row names the declared invoice by invoice number and buyer (the caller's own active
    declarations only); ``amount_paid`` 0 confirms it unpaid, anything else is a payment
    (in full when it clears what is outstanding).  A refused row (unreadable, unknown
    invoice, more than is outstanding, ...) writes nothing; the others stand.
    """
    principal.require(Permission.COLLECTION_WRITE)
    outcomes: list[UploadOutcome] = []
    for index, raw in enumerate(declaration_upload.read_rows(filename, data)):
        savepoint = session.begin_nested()
        try:
            payment = collection_upload.payment_of(raw)
            row = session.execute(select(Declaration).where(
                Declaration.exporter_org_id == principal.org_id,
                Declaration.buyer_id == payment.buyer_id,
                Declaration.invoice_number == payment.invoice_number,
                Declaration.status == STATUS_ACTIVE)).scalar_one_or_none()
            if row is None:
                raise NotFound(f"no declared invoice {payment.invoice_number!r} to buyer "
                               f"{payment.buyer_id}", code="invoice_not_found",
                               field="invoice_number")
            paid = payment.amount_paid > 0
            confirmation = confirm_collection(
                session, principal=principal, declaration_id=row.id,
                outcome=CollectionOutcome.PAID_IN_PART if paid else CollectionOutcome.UNPAID,
                amount=Money.of(payment.amount_paid, row.currency) if paid else None,
                paid_on=payment.paid_on if paid else None, today=today)
            savepoint.commit()
            outcomes.append(UploadOutcome(index, confirmation=confirmation))
        except DomainError as error:
            savepoint.rollback()
            outcomes.append(UploadOutcome(index, error=error))
    return outcomes
