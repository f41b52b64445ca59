"""HTTP routes of bank financing: a bank asks to be a policy's loss payee, the exporter
approves, the insurer acknowledges [domain BA-2] [domain BA-3]; the bank reads its assigned
policies' outstanding shipments, limits and claims and its financing base under the
exporter's consent [domain BA-8] [domain BA-9].
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from tradecover import reporting
from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.consents import Scope
from tradecover.financing import service
from tradecover.financing.assignments import AssignmentAction, AssignmentStatus
from tradecover.financing.schemas import (
    AssignedPolicyOut,
    AssignmentIn,
    AssignmentOut,
    BaseLineOut,
    ClaimOut,
    LimitOut,
    MoveIn,
    ShipmentOut,
)
from tradecover.kit.dates import business_today

router = APIRouter(prefix="/api/v1/financing", tags=["financing"])
AssignmentPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.post(
    "/assignments",
    response_model=AssignmentOut,
    status_code=201,
    summary="Ask to be a policy's loss payee (banks)",
)
def post_assignment(
    body: AssignmentIn, session: SessionDep, principal: PrincipalDep
) -> AssignmentOut:
    """A bank asks for an assignment of the policy's proceeds.  A cap beyond the policy's
    maximum liability (alone or with the caps in force beside it), a priority another
    open assignment holds on an overlapping period, or a caller that is not a bank: a 4xx
    problem with the rule's code, nothing written.
    """
    row = service.request_assignment(
        session, principal=principal, request=body.value(), reason=body.reason
    )
    return AssignmentOut.of(row)


def _move(
    action: AssignmentAction,
    assignment_id: int,
    body: MoveIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> AssignmentOut:
    row = service.act(
        session,
        principal=principal,
        assignment_id=assignment_id,
        action=action,
        reason=body.reason,
    )
    return AssignmentOut.of(row)


@router.post(
    "/assignments/{assignment_id}/approve",
    response_model=AssignmentOut,
    summary="Approve an assignment (the policy's exporter)",
)
def approve(
    assignment_id: AssignmentPath, body: MoveIn, session: SessionDep, principal: PrincipalDep
) -> AssignmentOut:
    """The exporter approves the bank's request; the insurer acknowledges it next."""
    return _move(AssignmentAction.APPROVE, assignment_id, body, session, principal)


@router.post(
    "/assignments/{assignment_id}/acknowledge",
    response_model=AssignmentOut,
    summary="Acknowledge an assignment (insurer underwriters): it becomes active",
)
def acknowledge(
    assignment_id: AssignmentPath, body: MoveIn, session: SessionDep, principal: PrincipalDep
) -> AssignmentOut:
    """The insurer acknowledges an approved assignment: claims now pay the bank first."""
    return _move(AssignmentAction.ACKNOWLEDGE, assignment_id, body, session, principal)


@router.post(
    "/assignments/{assignment_id}/reject",
    response_model=AssignmentOut,
    summary="Reject an assignment (the exporter or the insurer)",
)
def reject(
    assignment_id: AssignmentPath, body: MoveIn, session: SessionDep, principal: PrincipalDep
) -> AssignmentOut:
    """The exporter or the insurer refuses a requested or approved assignment."""
    return _move(AssignmentAction.REJECT, assignment_id, body, session, principal)


@router.post(
    "/assignments/{assignment_id}/withdraw",
    response_model=AssignmentOut,
    summary="Withdraw an assignment request (the bank)",
)
def withdraw(
    assignment_id: AssignmentPath, body: MoveIn, session: SessionDep, principal: PrincipalDep
) -> AssignmentOut:
    """The bank withdraws its request before it is active."""
    return _move(AssignmentAction.WITHDRAW, assignment_id, body, session, principal)


@router.post(
    "/assignments/{assignment_id}/end",
    response_model=AssignmentOut,
    summary="End an active assignment (the bank releases it, or the insurer)",
)
def end(
    assignment_id: AssignmentPath, body: MoveIn, session: SessionDep, principal: PrincipalDep
) -> AssignmentOut:
    """The bank releases the proceeds (its loan repaid), or the insurer ends the assignment."""
    return _move(AssignmentAction.END, assignment_id, body, session, principal)


@router.get("/assignments", response_model=list[AssignmentOut], summary="The caller's assignments")
def list_assignments(
    session: SessionDep,
    principal: PrincipalDep,
    status: Annotated[AssignmentStatus | None, Query()] = None,
) -> list[AssignmentOut]:
    """The assignments the caller is a party to (its bank's or its exporter's; the insurer
    every one), newest first.
    """
    rows = service.list_assignments(session, principal=principal, status=status)
    return [AssignmentOut.of(r) for r in rows]


@router.get("/assignments/{assignment_id}", response_model=AssignmentOut, summary="One assignment")
def get_assignment(
    assignment_id: AssignmentPath, session: SessionDep, principal: PrincipalDep
) -> AssignmentOut:
    """One assignment the caller is a party to (others: 404)."""
    return AssignmentOut.of(
        service.get_assignment(session, principal=principal, assignment_id=assignment_id)
    )


@router.get(
    "/base",
    response_model=list[BaseLineOut],
    summary="The financing base of the bank's active assignments",
)
def get_base(session: SessionDep, principal: PrincipalDep) -> list[BaseLineOut]:
    """Per active assignment and currency: covered outstanding, overdue, the advance rate
    and the financing base (covered outstanding x advance rate, less overdue); a bank sees
    the assignments whose exporter consented to financing reads of its shipments.
    """
    rows = reporting.visible_assignments(
        session, principal, Scope.SHIPMENT_CORE, statuses=(AssignmentStatus.ACTIVE,)
    )
    assigned = reporting.assigned_policies(session, rows)
    lines = reporting.financing_bases(session, assigned, today=business_today())
    return [BaseLineOut.of(line) for line in lines]


@router.get(
    "/policies",
    response_model=list[AssignedPolicyOut],
    summary="The policies assigned to the bank",
)
def get_assigned_policies(session: SessionDep, principal: PrincipalDep) -> list[AssignedPolicyOut]:
    """The assignments the caller may read, with the policy's number, maximum liability and
    the exporter's name (a bank: under the exporter's consent).
    """
    rows = reporting.visible_assignments(session, principal, Scope.SHIPMENT_CORE)
    return [AssignedPolicyOut.of(a) for a in reporting.assigned_policies(session, rows)]


def _readable(
    session: SessionDep, principal: PrincipalDep, assignment_id: int, scope: Scope
) -> int:
    row = service.get_assignment(session, principal=principal, assignment_id=assignment_id)
    reporting.readable_assignment(session, principal, row, scope)
    return row.policy_id


@router.get(
    "/assignments/{assignment_id}/shipments",
    response_model=list[ShipmentOut],
    summary="The assigned policy's covered outstanding shipments",
)
def get_shipments(
    assignment_id: AssignmentPath, session: SessionDep, principal: PrincipalDep
) -> list[ShipmentOut]:
    """Shipments with covered receivables outstanding, oldest due first (at most 200)."""
    policy_id = _readable(session, principal, assignment_id, Scope.SHIPMENT_CORE)
    rows = reporting.outstanding_shipments(session, policy_id, today=business_today())
    return [ShipmentOut.of(r) for r in rows]


@router.get(
    "/assignments/{assignment_id}/limits",
    response_model=list[LimitOut],
    summary="The assigned policy's credit limits",
)
def get_limits(
    assignment_id: AssignmentPath, session: SessionDep, principal: PrincipalDep
) -> list[LimitOut]:
    """The policy's active limits with what is outstanding and available."""
    policy_id = _readable(session, principal, assignment_id, Scope.BUYER_IDENTITY)
    return [LimitOut.of(r) for r in reporting.policy_limits(session, policy_id)]


@router.get(
    "/assignments/{assignment_id}/claims",
    response_model=list[ClaimOut],
    summary="The assigned policy's claims",
)
def get_claims(
    assignment_id: AssignmentPath, session: SessionDep, principal: PrincipalDep
) -> list[ClaimOut]:
    """The policy's claims, newest first, with what the assignment's bank received."""
    row = service.get_assignment(session, principal=principal, assignment_id=assignment_id)
    reporting.readable_assignment(session, principal, row, Scope.PAYMENT_EXPERIENCE)
    return [
        ClaimOut.of(c)
        for c in reporting.policy_claims(session, row.policy_id, bank_org_id=row.bank_org_id)
    ]
