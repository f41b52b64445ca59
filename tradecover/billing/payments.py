"""Premium payments: who pays, recording a payment and applying it to open notices.

* :func:`record_payment`: money from an exporter or a programme, applied to its open items
  oldest first by the pure :func:`tradecover.billing.notice.allocate_payment`, each
  running total moved by a conditional update on locked notice rows, booked with
  :func:`tradecover.ledger.journal.payment_received`, audited, in the caller's transaction.
* :func:`list_payments` / :func:`allocations_of`: the payments a caller may read (exporters
  and programmes: their own) and how each was applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm import Session

from tradecover import audit, events, ledger
from tradecover.access import OrganisationKind, Permission, Principal, organisation_of
from tradecover.billing.model import (
    PAYER_EXPORTER,
    PAYER_PROGRAMME,
    NoticeSplit,
    Payment,
    PaymentAllocation,
    PremiumNotice,
)
from tradecover.billing.notice import (
    OpenItem,
    allocate_payment,
)
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradecover.kit.money import Money, check_currency
from tradecover.ledger import (
    exporter_party,
    payment_received,
    programme_party,
)
from tradecover.subsidies import programme_of


def readable_payments(principal: Principal) -> Select[Payment]:
    """The payments ``principal`` may read: the insurer all, a payer its own."""
    query = select(Payment)
    if principal.is_insurer:
        return query
    return query.where(Payment.payer_org_id == principal.org_id)


@dataclass(frozen=True, slots=True)
class Payer:
    """Who pays: an exporter organisation, or a programme (and its sponsor)."""

    kind: str
    id: int
    org_id: int
    party: str


def payer_of(session: Session, *, kind: str, payer_id: int) -> Payer:
    """Resolve a payer named in a request (finance records what the bank received)."""
    if kind == PAYER_EXPORTER:
        org = organisation_of(session, payer_id)
        if org is None or org.kind is not OrganisationKind.EXPORTER:
            raise NotFound(f"no exporter {payer_id}", code="payer_not_found", field="payer_id")
        return Payer(kind, org.id, org.id, exporter_party(org.id))
    if kind == PAYER_PROGRAMME:
        programme = programme_of(session, payer_id)
        if programme is None:
            raise NotFound(f"no programme {payer_id}", code="payer_not_found", field="payer_id")
        return Payer(kind, programme.id, programme.sponsor_org_id, programme_party(programme.code))
    raise ValidationFailed(
        "payer_kind is exporter or programme", code="invalid_payer_kind", field="payer_kind"
    )


@dataclass(frozen=True, slots=True)
class _Open:
    notice_id: int
    split_id: int | None
    due_date: date
    outstanding_minor: int


def _open_items(session: Session, payer: Payer, currency: str, *, lock: bool) -> list[_Open]:
    if payer.kind == PAYER_EXPORTER:
        query = (
            select(
                PremiumNotice.id,
                PremiumNotice.due_date,
                PremiumNotice.exporter_owed_minor - PremiumNotice.exporter_paid_minor,
            )
            .where(
                PremiumNotice.exporter_org_id == payer.id,
                PremiumNotice.currency == currency,
                PremiumNotice.exporter_paid_minor < PremiumNotice.exporter_owed_minor,
            )
            .order_by(PremiumNotice.id)
        )
        if lock:
            query = query.with_for_update()
        return [_Open(int(i), None, d, int(o)) for i, d, o in session.execute(query)]
    query2 = (
        select(
            NoticeSplit.id,
            NoticeSplit.notice_id,
            PremiumNotice.due_date,
            NoticeSplit.granted_minor - NoticeSplit.paid_minor,
        )
        .join(PremiumNotice, PremiumNotice.id == NoticeSplit.notice_id)
        .where(
            NoticeSplit.programme_id == payer.id,
            PremiumNotice.currency == currency,
            NoticeSplit.paid_minor < NoticeSplit.granted_minor,
        )
        .order_by(NoticeSplit.id)
    )
    if lock:
        query2 = query2.with_for_update(of=NoticeSplit)
    return [_Open(int(n), int(s), d, int(o)) for s, n, d, o in session.execute(query2)]


def record_payment(
    session: Session,
    *,
    principal: Principal,
    payer_kind: str,
    payer_id: int,
    amount: Money,
    received_on: date,
    reference: str,
) -> Payment:
    """Record a payment and apply it to the payer's notices, oldest due date first."""
    principal.require(Permission.BILLING_MANAGE)
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer's finance records payments", code="forbidden")
    check_currency(amount.currency)
    ref = reference.strip()
    if not ref or len(ref) > 128 or not ref.isprintable():
        raise ValidationFailed(
            "reference must be 1-128 printable characters",
            code="invalid_reference",
            field="reference",
        )
    payer = payer_of(session, kind=payer_kind, payer_id=payer_id)
    items = _open_items(session, payer, amount.currency, lock=True)
    by_notice = {i.notice_id: i for i in items}
    allocation = allocate_payment(
        amount=amount,
        items=[
            OpenItem(
                i.notice_id, i.due_date, Money.from_minor(i.outstanding_minor, amount.currency)
            )
            for i in items
        ],
    )
    applied_minor = amount.minor_units() - allocation.unapplied.minor_units()
    payment = Payment(
        payer_kind=payer.kind,
        payer_id=payer.id,
        payer_org_id=payer.org_id,
        currency=amount.currency,
        amount_minor=amount.minor_units(),
        applied_minor=applied_minor,
        unapplied_minor=allocation.unapplied.minor_units(),
        received_on=received_on,
        reference=ref,
        recorded_at=utc_now(),
        recorded_by=principal.actor,
    )
    session.add(payment)
    session.flush()
    rows: list[dict[str, Any]] = []
    for notice_id, part in allocation.applied:
        item = by_notice[notice_id]
        minor = part.minor_units()
        if item.split_id is None:
            stmt: Any = (
                update(PremiumNotice)
                .where(
                    PremiumNotice.id == notice_id,
                    PremiumNotice.exporter_paid_minor + minor <= PremiumNotice.exporter_owed_minor,
                )
                .values(exporter_paid_minor=PremiumNotice.exporter_paid_minor + minor)
            )
        else:
            stmt = (
                update(NoticeSplit)
                .where(
                    NoticeSplit.id == item.split_id,
                    NoticeSplit.paid_minor + minor <= NoticeSplit.granted_minor,
                )
                .values(paid_minor=NoticeSplit.paid_minor + minor)
            )
        if session.execute(stmt.execution_options(synchronize_session=False)).rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(
                "the notice was paid by a concurrent payment; try again", code="concurrent_payment"
            )
        rows.append(
            {
                "payment_id": payment.id,
                "notice_id": notice_id,
                "split_id": item.split_id,
                "amount_minor": minor,
            }
        )
    if rows:
        session.execute(insert(PaymentAllocation), rows)
    _tell_paid(
        session,
        [
            notice_id
            for notice_id, part in allocation.applied
            if by_notice[notice_id].split_id is None
            and part.minor_units() == by_notice[notice_id].outstanding_minor
        ],
        received_on,
    )
    ledger.post(
        session,
        entries=[
            payment_received(
                key=f"payment:{payment.id}",
                posted_on=received_on,
                payer=payer.party,
                applied=Money.from_minor(applied_minor, amount.currency),
                unapplied=allocation.unapplied,
            )
        ],
    )
    audit.record(
        session,
        org_id=payer.org_id,
        actor=principal.actor,
        action="payment.recorded",
        entity_type="payment",
        entity_id=payment.id,
        after={
            "payer": payer.party,
            "currency": amount.currency,
            "amount_minor": payment.amount_minor,
            "applied_minor": applied_minor,
            "allocations": [[r["notice_id"], r["amount_minor"]] for r in rows],
            "reference": ref,
        },
    )
    return payment


def _tell_paid(session: Session, notice_ids: list[int], paid_on: date) -> None:
    """``notice.paid`` for each notice whose exporter share this payment settled."""
    if not notice_ids:
        return
    rows = session.execute(
        select(
            PremiumNotice.id,
            PremiumNotice.policy_id,
            PremiumNotice.exporter_org_id,
            PremiumNotice.currency,
            PremiumNotice.exporter_owed_minor,
        )
        .where(PremiumNotice.id.in_(notice_ids))
        .order_by(PremiumNotice.id)
    ).all()
    events.record_events(
        session,
        [
            events.PendingEvent(
                "notice.paid",
                f"premium_notice:{notice_id}",
                {
                    "notice_id": notice_id,
                    "policy_id": policy_id,
                    "paid_amount": str(Money.from_minor(owed, currency).amount),
                    "currency": currency,
                    "paid_on": paid_on,
                },
                org_id,
            )
            for notice_id, policy_id, org_id, currency, owed in rows
        ],
    )


def allocations_of(session: Session, payment_id: int) -> list[PaymentAllocation]:
    """How a payment was applied, oldest notice first."""
    return list(
        session.execute(
            select(PaymentAllocation)
            .where(PaymentAllocation.payment_id == payment_id)
            .order_by(PaymentAllocation.id)
        ).scalars()
    )


def list_payments(
    session: Session, *, principal: Principal, limit: int, offset: int
) -> tuple[list[Payment], int]:
    """Payments the caller may see (exporters and programmes: their own)."""
    principal.require(Permission.BILLING_READ)
    query = readable_payments(principal)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(Payment.id.desc()).limit(limit).offset(offset))
    return list(rows.scalars()), total
