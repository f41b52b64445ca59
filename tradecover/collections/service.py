"""Collection confirmations and notices of possible loss: the use cases.

Services never commit: the caller's transaction (request, command, job, test) does.
Every change writes its audit entry in the same transaction.  An id of another
organisation answers exactly like a missing one (``NotFound``).

A confirmation raises the declaration's ``collected_minor`` with ONE conditional update
(:func:`tradecover.declarations.record_collected`: ``collected + amount <= insured``), so
two concurrent confirmations can never collect more than was invoiced
(``collection_exceeds_invoice``), and gives the freed part back to the limit reservation
(:func:`tradecover.declarations.release_reservation`).  The limit
carries ``min(outstanding, covered)`` of each invoice
(:mod:`tradecover.collections.confirmation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tradecover import audit, declarations, policies
from tradecover import limits as credit_limits
from tradecover.access import Permission, Principal
from tradecover.collections import upload as collection_upload
from tradecover.collections.arrangement_repository import _arrangement_of as _arrangement_of
from tradecover.collections.arrangement_repository import arrangements as arrangements
from tradecover.collections.arrangement_repository import decide_extension as decide_extension
from tradecover.collections.arrangement_repository import request_extension as request_extension
from tradecover.collections.confirmation import (
    CollectionOutcome,
    ConfirmationResult,
    apply_confirmation,
)
from tradecover.collections.daily_job_repository import CHASE_POLICY as CHASE_POLICY
from tradecover.collections.daily_job_repository import CONFIRMATION_CHASE as CONFIRMATION_CHASE
from tradecover.collections.daily_job_repository import NOTICE_REMINDER as NOTICE_REMINDER
from tradecover.collections.daily_job_repository import DailyJobOutcome as DailyJobOutcome
from tradecover.collections.daily_job_repository import _answered_on as _answered_on
from tradecover.collections.daily_job_repository import _frequency as _frequency
from tradecover.collections.daily_job_repository import _notices_by_policy as _notices_by_policy
from tradecover.collections.daily_job_repository import _reminder_key as _reminder_key
from tradecover.collections.daily_job_repository import _send as _send
from tradecover.collections.daily_job_repository import _sent_reminders as _sent_reminders
from tradecover.collections.daily_job_repository import (
    confirmation_requested_on as confirmation_requested_on,
)
from tradecover.collections.daily_job_repository import daily_job as daily_job
from tradecover.collections.daily_job_repository import mark_read as mark_read
from tradecover.collections.daily_job_repository import notifications as notifications
from tradecover.collections.invoice_repository import LATEST_MOVE as LATEST_MOVE
from tradecover.collections.invoice_repository import _own as _own
from tradecover.collections.invoice_repository import declaration_for as declaration_for
from tradecover.collections.invoice_repository import effective_due as effective_due
from tradecover.collections.invoice_repository import effective_dues as effective_dues
from tradecover.collections.invoice_repository import open_invoice as open_invoice
from tradecover.collections.model import (
    NOTICE_OPEN,
    NOTICE_WITHDRAWN,
    CollectionConfirmation,
    PossibleLossNotice,
)
from tradecover.collections.overdue import (
    LossCauseHint,
    OverdueInvoice,
    overdue_invoices,
)
from tradecover.collections.overdue import file_notice as file_notice_rule
from tradecover.declarations import read_rows
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import (
    Conflict,
    DomainError,
    NotFound,
    ValidationFailed,
)
from tradecover.kit.money import Money

if TYPE_CHECKING:
    from tradecover.declarations import Declaration


@dataclass(frozen=True, slots=True, kw_only=True)
class CollectionAnswer:
    """The exporter's answer about one declared invoice, for :func:`confirm_collections`."""

    declaration_id: int
    outcome: CollectionOutcome
    amount: Money | None = None
    paid_on: date | None = None


def confirm_collection(
    session: Session,
    *,
    principal: Principal,
    declaration_id: int,
    outcome: CollectionOutcome,
    amount: Money | None,
    paid_on: date | None,
    today: date,
) -> CollectionConfirmation:
    """Record what the buyer paid on one declared invoice and free the limit."""
    (confirmation,) = confirm_collections(
        session,
        principal=principal,
        answers=[
            CollectionAnswer(
                declaration_id=declaration_id, outcome=outcome, amount=amount, paid_on=paid_on
            )
        ],
        today=today,
    )
    return confirmation


def confirm_collections(
    session: Session, *, principal: Principal, answers: Sequence[CollectionAnswer], today: date
) -> list[CollectionConfirmation]:
    """Record what buyers paid on many declared invoices (an exporter's ERP confirming a
    day's payments) and free their limits, set-based: the declarations read in one query,
    what was collected raised in ONE conditional update, each limit's reservation released
    in one update, the confirmations written in one flush and their audit entries (and
    those of the notices of possible loss the payments withdraw) appended at once.

    Every rule is :func:`confirm_collection`'s, applied in the order given (two answers
    about one invoice see each other); any refusal refuses the whole batch (the caller's
    transaction then writes nothing).  The confirmations come back in the order given.
    """
    principal.require(Permission.COLLECTION_WRITE)
    if not answers:
        return []
    found = declarations.active_declarations(
        session, principal, [a.declaration_id for a in answers]
    )
    collected: dict[int, int] = {}
    paid: dict[int, int] = {}
    freed: dict[int, int] = {}
    results: list[tuple[Declaration, ConfirmationResult, date | None]] = []
    for answer in answers:
        row = found.get(answer.declaration_id)
        if row is None:
            raise NotFound(f"declaration {answer.declaration_id} not found", field="declaration_id")
        _own(principal, row)
        invoice = open_invoice(row)
        so_far = collected.get(row.id, row.collected_minor)
        result = apply_confirmation(
            replace(invoice, collected=Money.from_minor(so_far, row.currency)),
            outcome=answer.outcome,
            amount=answer.amount,
            paid_on=answer.paid_on,
            today=today,
        )
        paid_minor = result.collected_now.minor_units()
        freed_minor = result.freed_limit.minor_units()
        if paid_minor:
            collected[row.id] = so_far + paid_minor
            paid[row.id] = paid.get(row.id, 0) + paid_minor
            if row.limit_id is not None and freed_minor:
                freed[row.limit_id] = freed.get(row.limit_id, 0) + freed_minor
        results.append((row, result, answer.paid_on))
    totals = declarations.record_collected_many(session, paid)
    if totals is None:
        last = results[-1][1].collected_now if len(results) == 1 else "a collection"
        raise ValidationFailed(
            f"a collection of {last} is more than is outstanding on declaration "
            + ", ".join(str(i) for i in sorted(paid)),
            code="collection_exceeds_invoice",
            field="amount",
        )
    for declaration_id, total in totals.items():
        set_committed_value(found[declaration_id], "collected_minor", total)
    declarations.release_reservations(session, freed)
    confirmed_at = utc_now()
    confirmations: list[CollectionConfirmation] = []
    entries: list[tuple[int, audit.Pending]] = []
    running: dict[int, int] = {}
    for row, result, paid_on in results:
        paid_minor = result.collected_now.minor_units()
        running[row.id] = running.get(row.id, row.collected_minor - paid.get(row.id, 0))
        running[row.id] += paid_minor
        confirmations.append(
            CollectionConfirmation(
                declaration_id=row.id,
                exporter_org_id=row.exporter_org_id,
                outcome=result.outcome.value,
                currency=row.currency,
                amount_minor=paid_minor,
                freed_minor=result.freed_limit.minor_units(),
                paid_on=paid_on if paid_minor else None,
                confirmed_at=confirmed_at,
                confirmed_by=principal.actor,
                confirmed_on=today,
            )
        )
        entries.append(
            (
                0,
                audit.Pending(
                    org_id=row.exporter_org_id,
                    actor=principal.actor,
                    action="collection.confirmed",
                    entity_type="declaration",
                    entity_id=str(row.id),
                    after={
                        "outcome": result.outcome.value,
                        "amount": str(result.collected_now),
                        "freed_limit": str(result.freed_limit),
                        "collected_total": str(Money.from_minor(running[row.id], row.currency)),
                    },
                ),
            )
        )
    session.add_all(confirmations)
    paid_off = {row.id: row for row, _r, _p in results if row.collected_minor >= row.insured_minor}
    entries += _withdraw_open_notices(session, principal=principal, rows=paid_off, today=today)
    session.flush()
    audit.append_many(session, entries)
    return confirmations


_NOTICES = cast(Table, PossibleLossNotice.__table__)
_ANY_OPEN_NOTICE = select(_NOTICES.c.id).where(
    _NOTICES.c.declaration_id.in_(bindparam("ids", expanding=True)),
    _NOTICES.c.status == NOTICE_OPEN,
)
_OPEN_NOTICES_OF = (
    select(PossibleLossNotice)
    .where(
        PossibleLossNotice.declaration_id.in_(bindparam("ids", expanding=True)),
        PossibleLossNotice.status == NOTICE_OPEN,
    )
    .order_by(PossibleLossNotice.id)
)


def _withdraw_open_notices(
    session: Session, *, principal: Principal, rows: dict[int, Declaration], today: date
) -> list[tuple[int, audit.Pending]]:
    """Withdraw the open notices of possible loss on invoices now paid in full (one query);
    their audit entries, for the caller to append.
    """
    if not rows:
        return []
    # a Core probe first (most paid invoices never had a notice), the ORM rows only if any
    session.flush()
    if session.connection().execute(_ANY_OPEN_NOTICE, {"ids": sorted(rows)}).first() is None:
        return []
    notices = session.execute(_OPEN_NOTICES_OF, {"ids": sorted(rows)}).scalars()
    entries: list[tuple[int, audit.Pending]] = []
    for notice in notices:
        notice.status, notice.withdrawn_on = NOTICE_WITHDRAWN, today
        notice.withdraw_reason = "paid in full"
        entries.append(
            (
                0,
                audit.Pending(
                    org_id=rows[notice.declaration_id].exporter_org_id,
                    actor=principal.actor,
                    action="possible_loss_notice.withdrawn",
                    entity_type="possible_loss_notice",
                    entity_id=str(notice.id),
                    reason="paid in full",
                ),
            )
        )
    return entries


def notice_snapshot(notice: PossibleLossNotice) -> dict[str, Any]:
    """What the audit log keeps of a notice."""
    return {
        "declaration_id": notice.declaration_id,
        "buyer_id": notice.buyer_id,
        "cause": notice.cause,
        "due_date": notice.due_date.isoformat(),
        "deadline": notice.deadline.isoformat(),
        "filed_on": notice.filed_on.isoformat(),
        "days_late": notice.days_late,
        "status": notice.status,
    }


def file_notice(
    session: Session,
    *,
    principal: Principal,
    declaration_id: int,
    cause: LossCauseHint,
    today: date,
) -> PossibleLossNotice:
    """File a notice of possible loss on a declared invoice; the buyer is then frozen.

    A political cause on a domestic policy is refused (``domestic_political_cause``,
    [domain DT-3]).
    """
    principal.require(Permission.COLLECTION_WRITE)
    row = declaration_for(session, principal, declaration_id)
    _own(principal, row)
    policy = policies.policy_record(session, row.policy_id)
    assert policy is not None
    policies.check_domestic_cause(
        policy.product,
        cause=cause.value,
        political=cause is LossCauseHint.POLITICAL,
        field="cause",
    )
    due = effective_due(session, row)
    notice = file_notice_rule(
        open_invoice(row),
        cause=cause,
        filed_on=today,
        today=today,
        notice_days=policy.possible_loss_notice_days,
        due_date=due,
    )
    entity = PossibleLossNotice(
        exporter_org_id=row.exporter_org_id,
        policy_id=row.policy_id,
        buyer_id=row.buyer_id,
        declaration_id=row.id,
        cause=cause.value,
        due_date=due,
        deadline=notice.timing.deadline,
        filed_on=today,
        days_late=notice.timing.days_late,
        status=NOTICE_OPEN,
        filed_at=utc_now(),
        filed_by=principal.actor,
    )
    try:
        with session.begin_nested():
            session.add(entity)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"a notice of possible loss on declaration {row.id} exists",
            code="notice_already_filed",
            field="declaration_id",
        ) from None
    audit.record(
        session,
        org_id=row.exporter_org_id,
        actor=principal.actor,
        action="possible_loss_notice.filed",
        entity_type="possible_loss_notice",
        entity_id=entity.id,
        after=notice_snapshot(entity),
    )
    return entity


def buyer_frozen(session: Session, *, exporter_org_id: int, buyer_id: int) -> bool:
    """True when the exporter has an open notice on the buyer: the ``buyer_in_default``
    input of the cover decision (further shipments to it are not covered).
    """
    found = session.execute(
        select(PossibleLossNotice.id)
        .where(
            PossibleLossNotice.exporter_org_id == exporter_org_id,
            PossibleLossNotice.buyer_id == buyer_id,
            PossibleLossNotice.status == NOTICE_OPEN,
        )
        .limit(1)
    ).scalar_one_or_none()
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
    query = (
        select(
            PossibleLossNotice.exporter_org_id,
            PossibleLossNotice.buyer_id,
            func.min(PossibleLossNotice.filed_on),
            func.count(),
        )
        .where(PossibleLossNotice.status == NOTICE_OPEN)
        .group_by(PossibleLossNotice.exporter_org_id, PossibleLossNotice.buyer_id)
    )
    if not principal.is_insurer:
        query = query.where(PossibleLossNotice.exporter_org_id == principal.org_id)
    frozen = [(int(o), int(b), since, int(n)) for o, b, since, n in session.execute(query)]
    limits: dict[tuple[int, int], list[tuple[int, Money]]] = {}
    for row in credit_limits.active_limits_on_buyers(session, [b for _o, b, _s, _n in frozen]):
        limits.setdefault((row.org_id, row.buyer_id), []).append(
            (row.id, Money.from_minor(row.amount_minor, row.currency))
        )
    return sorted(
        (
            FrozenBuyer(
                exporter_org_id=o,
                buyer_id=b,
                since=since,
                open_notices=n,
                limits_on_watch=tuple(limits.get((o, b), ())),
            )
            for o, b, since, n in frozen
        ),
        key=lambda f: (f.since, f.exporter_org_id, f.buyer_id),
    )


def overdue_list(session: Session, *, principal: Principal, today: date) -> list[OverdueInvoice]:
    """The caller's open declared invoices past due (insurer staff: everyone's)."""
    principal.require(Permission.DECLARATION_READ)
    receivables = declarations.open_receivables(
        session,
        exporter_org_id=None if principal.is_insurer else principal.org_id,
        due_before=today,
    )
    due = effective_dues(session, [r.id for r in receivables])
    notice_days: dict[int, int] = {}
    found: list[OverdueInvoice] = []
    for row in receivables:
        if row.policy_id not in notice_days:
            policy = policies.policy_record(session, row.policy_id)
            assert policy is not None
            notice_days[row.policy_id] = policy.possible_loss_notice_days
        found += overdue_invoices(
            [open_invoice(row)],
            today=today,
            notice_days=notice_days[row.policy_id],
            extended_due={row.id: due.get(row.id, row.due_date)},
        )
    return sorted(found, key=lambda o: (o.due_date, o.invoice.invoice_id))


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    """One row of a collection upload: its confirmation, or why it was refused."""

    index: int  # 0 is the file's row 2 (row 1 is the header)
    confirmation: CollectionConfirmation | None = None
    error: DomainError | None = None


def confirm_upload(
    session: Session, *, principal: Principal, filename: str, data: bytes, today: date
) -> list[UploadOutcome]:
    """Confirm every row of a collection upload, each in its own savepoint.

    A row names the declared invoice by invoice number and buyer (the caller's own active
    declarations only); ``amount_paid`` 0 confirms it unpaid, anything else is a payment
    (in full when it clears what is outstanding).  A refused row (unreadable, unknown
    invoice, more than is outstanding, ...) writes nothing; the others stand.
    """
    principal.require(Permission.COLLECTION_WRITE)
    outcomes: list[UploadOutcome] = []
    for index, raw in enumerate(read_rows(filename, data)):
        savepoint = session.begin_nested()
        try:
            payment = collection_upload.payment_of(raw)
            declaration_id = declarations.active_declaration_id(
                session,
                exporter_org_id=principal.org_id,
                buyer_id=payment.buyer_id,
                invoice_number=payment.invoice_number,
            )
            if declaration_id is None:
                raise NotFound(
                    f"no declared invoice {payment.invoice_number!r} to buyer {payment.buyer_id}",
                    code="invoice_not_found",
                    field="invoice_number",
                )
            row = declaration_for(session, principal, declaration_id)
            paid = payment.amount_paid > 0
            confirmation = confirm_collection(
                session,
                principal=principal,
                declaration_id=row.id,
                outcome=CollectionOutcome.PAID_IN_PART if paid else CollectionOutcome.UNPAID,
                amount=Money.of(payment.amount_paid, row.currency) if paid else None,
                paid_on=payment.paid_on if paid else None,
                today=today,
            )
            savepoint.commit()
            outcomes.append(UploadOutcome(index, confirmation=confirmation))
        except DomainError as error:
            savepoint.rollback()
            outcomes.append(UploadOutcome(index, error=error))
    return outcomes
