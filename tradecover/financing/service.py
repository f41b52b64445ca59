"""Bank financing use cases: ask for, approve, acknowledge, reject, withdraw and end an
assignment of policy proceeds; the loss payees a claim payment pays first.

Every move is one conditional step of :func:`tradecover.financing.assignments.move`,
checked against the caller's side, and audited on the exporter's chain with the
assignment before and after [domain BA-2] [domain BA-3].  Terms are checked when asked
for and again at each approval, against the policy's maximum liability and the policy's
other open assignments [domain BA-4] [domain BA-5].  A claim payment locks the policy's
active assignments (``FOR UPDATE``), pays them in priority order and records each payout
and the use of each cap in the caller's transaction [domain BA-6].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover import audit, consents, policies
from tradecover.access import OrganisationKind, Permission, Principal
from tradecover.financing.assignments import (
    OPEN_STATUSES,
    AssignmentAction,
    AssignmentParty,
    AssignmentStatus,
    AssignmentTerms,
    LossPayee,
    Payout,
    check_request,
    check_terms,
    move,
    pay_in_priority,
)
from tradecover.financing.model import LossPayeeAssignment, LossPayeePayout
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import NotFound, ValidationFailed
from tradecover.kit.money import Money

ENTITY = "loss_payee_assignment"
"""The audit entity type of an assignment."""


@dataclass(frozen=True, slots=True)
class AssignmentRequest:
    """What a bank asks for: the policy, the priority, the cap (in the policy currency;
    ``currency`` when given must be it), the period, the rate.
    """

    policy_id: int
    priority: int
    cap: Decimal
    currency: str | None
    effective_from: date
    effective_to: date | None
    advance_rate: Decimal


def terms_of(row: LossPayeeAssignment) -> AssignmentTerms:
    """The pure terms of an assignment row."""
    return AssignmentTerms(
        policy_id=row.policy_id,
        bank_org_id=row.bank_org_id,
        priority=row.priority,
        cap=Money.from_minor(row.cap_minor, row.currency),
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        advance_rate=row.advance_rate,
    )


def snapshot(row: LossPayeeAssignment) -> dict[str, Any]:
    """The assignment as the audit trail keeps it."""
    return {
        "policy_id": row.policy_id,
        "bank_org_id": row.bank_org_id,
        "priority": row.priority,
        "cap": str(Money.from_minor(row.cap_minor, row.currency).amount),
        "currency": row.currency,
        "advance_rate": str(row.advance_rate),
        "effective_from": row.effective_from.isoformat(),
        "effective_to": row.effective_to.isoformat() if row.effective_to else None,
        "status": row.status,
        "paid": str(Money.from_minor(row.paid_minor, row.currency).amount),
    }


def _not_found(assignment_id: int) -> NotFound:
    return NotFound(
        f"assignment {assignment_id} not found", code="not_found", field="assignment_id"
    )


def _others(session: Session, policy_id: int, but: int | None = None) -> list[AssignmentTerms]:
    rows = session.execute(
        select(LossPayeeAssignment).where(
            LossPayeeAssignment.policy_id == policy_id,
            LossPayeeAssignment.status.in_(sorted(s.value for s in OPEN_STATUSES)),
        )
    ).scalars()
    return [terms_of(r) for r in rows if r.id != but]


def _check_against_policy(
    session: Session, terms: AssignmentTerms, but: int | None
) -> policies.Policy:
    policy = policies.policy_record(session, terms.policy_id)
    if policy is None:
        raise NotFound(f"policy {terms.policy_id} not found", code="not_found", field="policy_id")
    if policy.state not in policies.IN_FORCE_STATES:
        raise ValidationFailed(
            f"policy {terms.policy_id} is {policy.state}: only a policy in force is assigned",
            code="policy_not_in_force",
            field="policy_id",
        )
    check_terms(
        terms,
        maximum_liability=Money.from_minor(policy.maximum_liability_minor, policy.currency),
        others=_others(session, terms.policy_id, but),
    )
    return policy


def request_assignment(
    session: Session, *, principal: Principal, request: AssignmentRequest, reason: str
) -> LossPayeeAssignment:
    """A bank asks to be the loss payee of a policy [domain BA-2] [domain BA-3]: terms
    that break [domain BA-4] or [domain BA-5] are refused and nothing is written.  The bank
    names only a policy of an exporter that consented to its financing reads of shipments
    (any other answers 404, as a policy that does not exist) [domain BA-9].
    """
    check_request(_kind_party(principal))
    found = policies.policy_record(session, request.policy_id)
    readable = consents.readable(
        session,
        principal,
        consents.Scope.SHIPMENT_CORE,
        consents.Purpose.FINANCING,
        refuse_empty=False,
    )
    if found is None or not readable.allows(found.exporter_org_id):
        raise NotFound(
            f"policy {request.policy_id} not found among the policies of the exporters that "
            "consented to your financing reads",
            code="not_found",
            field="policy_id",
        )
    terms = AssignmentTerms(
        policy_id=request.policy_id,
        bank_org_id=principal.org_id,
        priority=request.priority,
        cap=Money(request.cap, request.currency or found.currency),
        effective_from=request.effective_from,
        effective_to=request.effective_to,
        advance_rate=request.advance_rate,
    )
    policy = _check_against_policy(session, terms, None)
    row = LossPayeeAssignment(
        policy_id=policy.id,
        exporter_org_id=policy.exporter_org_id,
        bank_org_id=principal.org_id,
        priority=terms.priority,
        currency=policy.currency,
        cap_minor=terms.cap.minor_units(),
        paid_minor=0,
        advance_rate=terms.advance_rate,
        effective_from=terms.effective_from,
        effective_to=terms.effective_to,
        status=AssignmentStatus.REQUESTED.value,
        requested_at=utc_now(),
        requested_by=principal.actor,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        org_id=row.exporter_org_id,
        actor=principal.actor,
        action="financing.assignment_requested",
        entity_type=ENTITY,
        entity_id=row.id,
        reason=reason,
        before=None,
        after=snapshot(row),
    )
    return row


def _kind_party(principal: Principal) -> AssignmentParty | None:
    return {
        OrganisationKind.BANK: AssignmentParty.BANK,
        OrganisationKind.EXPORTER: AssignmentParty.EXPORTER,
        OrganisationKind.INSURER: AssignmentParty.INSURER,
    }.get(principal.org_kind)


def _party(principal: Principal, row: LossPayeeAssignment) -> AssignmentParty | None:
    if principal.is_insurer:
        principal.require(Permission.POLICY_UNDERWRITE)
        return AssignmentParty.INSURER
    if principal.org_kind is OrganisationKind.EXPORTER and principal.org_id == row.exporter_org_id:
        return AssignmentParty.EXPORTER
    if principal.org_kind is OrganisationKind.BANK and principal.org_id == row.bank_org_id:
        return AssignmentParty.BANK
    return None


def get_assignment(
    session: Session, *, principal: Principal, assignment_id: int, lock: bool = False
) -> LossPayeeAssignment:
    """One assignment its bank, its exporter or the insurer may see (others: 404)."""
    query = select(LossPayeeAssignment).where(LossPayeeAssignment.id == assignment_id)
    row = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if row is None or not (
        principal.is_insurer or principal.org_id in (row.exporter_org_id, row.bank_org_id)
    ):
        raise _not_found(assignment_id)
    return row


def list_assignments(
    session: Session, *, principal: Principal, status: AssignmentStatus | None = None
) -> list[LossPayeeAssignment]:
    """The assignments the caller is a party to (the insurer: all), newest first."""
    query = select(LossPayeeAssignment)
    if not principal.is_insurer:
        query = query.where(
            (LossPayeeAssignment.bank_org_id == principal.org_id)
            | (LossPayeeAssignment.exporter_org_id == principal.org_id)
        )
    if status is not None:
        query = query.where(LossPayeeAssignment.status == status.value)
    return list(session.execute(query.order_by(LossPayeeAssignment.id.desc())).scalars())


def count_assignments(session: Session, *, principal: Principal) -> int:
    """How many assignments the caller is a party to (its bank's or its exporter's; the
    insurer: all), counted without reading them.
    """
    a = LossPayeeAssignment
    query = select(func.count()).select_from(a)
    if not principal.is_insurer:
        query = query.where(
            (a.bank_org_id == principal.org_id) | (a.exporter_org_id == principal.org_id)
        )
    return int(session.execute(query).scalar_one())


def act(
    session: Session,
    *,
    principal: Principal,
    assignment_id: int,
    action: AssignmentAction,
    reason: str,
) -> LossPayeeAssignment:
    """Take one move on an assignment [domain BA-2] [domain BA-3]: approve (the
    exporter), acknowledge (the insurer: the assignment becomes active), reject, withdraw
    or end; approving and acknowledging check the terms again [domain BA-4] [domain BA-5].
    """
    row = get_assignment(session, principal=principal, assignment_id=assignment_id, lock=True)
    party = _party(principal, row)
    after = move(AssignmentStatus(row.status), action, party)
    if action in (AssignmentAction.APPROVE, AssignmentAction.ACKNOWLEDGE):
        _check_against_policy(session, terms_of(row), row.id)
    before = snapshot(row)
    now = utc_now()
    row.status = after.value
    if action is AssignmentAction.APPROVE:
        row.approved_at, row.approved_by = now, principal.actor
    elif action is AssignmentAction.ACKNOWLEDGE:
        row.acknowledged_at, row.acknowledged_by = now, principal.actor
    else:
        row.closed_at, row.closed_by, row.close_reason = now, principal.actor, reason
    session.flush()
    audit.record(
        session,
        org_id=row.exporter_org_id,
        actor=principal.actor,
        action=f"financing.assignment_{_PAST[action]}",
        entity_type=ENTITY,
        entity_id=row.id,
        reason=reason,
        before=before,
        after=snapshot(row),
    )
    return row


_PAST = {
    AssignmentAction.APPROVE: "approved",
    AssignmentAction.ACKNOWLEDGE: "acknowledged",
    AssignmentAction.REJECT: "rejected",
    AssignmentAction.WITHDRAW: "withdrawn",
    AssignmentAction.END: "ended",
}


def loss_payees_on(
    session: Session, *, policy_id: int, day: date, lock: bool = False
) -> list[LossPayee]:
    """The policy's active assignments effective on ``day``, in priority order (locked
    ``FOR UPDATE`` when ``lock``: a claim payment is about to use their caps).
    """
    a = LossPayeeAssignment
    query = (
        select(a)
        .where(a.policy_id == policy_id, a.status == AssignmentStatus.ACTIVE.value)
        .order_by(a.priority, a.id)
    )
    rows = session.execute(query.with_for_update() if lock else query).scalars()
    return [
        LossPayee(r.id, r.bank_org_id, r.priority, r.cap_minor, r.paid_minor)
        for r in rows
        if terms_of(r).covers(day)
    ]


def pay_loss_payees(
    session: Session,
    *,
    claim_id: int,
    policy_id: int,
    currency: str,
    amount_minor: int,
    paid_on: date,
    actor: str,
) -> tuple[list[Payout], int]:
    """Pay a claim's loss payees first [domain BA-6], in the caller's transaction: the
    policy's active assignments on ``paid_on`` in priority order, each up to what is left
    of its cap; records each payout, the use of each cap and an audit entry per payout.
    Returns the payouts and what is left for the exporter.
    """
    payees = loss_payees_on(session, policy_id=policy_id, day=paid_on, lock=True)
    payouts, rest = pay_in_priority(amount_minor, payees)
    if not payouts:
        return payouts, rest
    rows = {
        r.id: r
        for r in session.execute(
            select(LossPayeeAssignment).where(
                LossPayeeAssignment.id.in_([p.assignment_id for p in payouts])
            )
        ).scalars()
    }
    for payout in payouts:
        row = rows[payout.assignment_id]
        before = snapshot(row)
        row.paid_minor += payout.amount_minor
        session.add(
            LossPayeePayout(
                claim_id=claim_id,
                assignment_id=payout.assignment_id,
                bank_org_id=payout.bank_org_id,
                priority=payout.priority,
                currency=currency,
                amount_minor=payout.amount_minor,
                paid_on=paid_on,
            )
        )
        audit.record(
            session,
            org_id=row.exporter_org_id,
            actor=actor,
            action="financing.loss_payee_paid",
            entity_type=ENTITY,
            entity_id=row.id,
            reason=f"claim {claim_id} paid to the loss payee first",
            before=before,
            after={
                **snapshot(row),
                "claim_id": claim_id,
                "payout": str(Money.from_minor(payout.amount_minor, currency).amount),
            },
        )
    session.flush()
    return payouts, rest


def payouts_of(session: Session, claim_ids: Sequence[int]) -> dict[int, list[LossPayeePayout]]:
    """The loss payee payouts of each claim among ``claim_ids`` (one query)."""
    wanted = sorted(set(claim_ids))
    out: dict[int, list[LossPayeePayout]] = {}
    if not wanted:
        return out
    for row in session.execute(
        select(LossPayeePayout)
        .where(LossPayeePayout.claim_id.in_(wanted))
        .order_by(LossPayeePayout.priority, LossPayeePayout.id)
    ).scalars():
        out.setdefault(row.claim_id, []).append(row)
    return out
