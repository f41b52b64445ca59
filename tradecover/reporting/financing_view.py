"""Read models of a bank's financing [domain BA-8] [domain BA-9]: its assigned policies, their
covered outstanding shipments, limits and claims, and its financing base.

Read set-based from the financing, policies, declarations, limits and claims tables (a few
grouped queries, never one per row), in minor units of their currency.  Which assignments a
reader sees is :func:`visible_assignments`: a bank its own, each only under its exporter's
consent for the scope read and the purpose of financing [domain BA-9]; an exporter its
own; the insurer every one.

Covered outstanding: the part of each active declaration's covered amount not yet
collected; overdue: the covered outstanding of the shipments due before the day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from tradecover import consents
from tradecover.access import OrganisationKind, Principal
from tradecover.access.model import Organisation
from tradecover.buyers.model import Buyer
from tradecover.claims.model import ClaimRow
from tradecover.declarations.model import Declaration
from tradecover.financing.assignments import AssignmentStatus, financing_base
from tradecover.financing.model import LossPayeeAssignment, LossPayeePayout
from tradecover.limits.model import CreditLimit
from tradecover.limits.repository import utilisation_query
from tradecover.policies.model import Policy


@dataclass(frozen=True, slots=True)
class AssignedPolicy:
    """One assignment as its bank sees it: the policy, the exporter and the terms."""

    assignment_id: int
    policy_id: int
    policy_number: str | None
    exporter_org_id: int
    exporter_name: str
    bank_org_id: int
    bank_name: str
    status: str
    priority: int
    currency: str
    cap_minor: int
    paid_minor: int
    maximum_liability_minor: int
    advance_rate: Decimal
    effective_from: date
    effective_to: date | None


@dataclass(frozen=True, slots=True)
class BaseLine:
    """The financing base of one assignment in one currency [domain BA-8]."""

    assignment: AssignedPolicy
    currency: str
    shipments: int
    covered_outstanding_minor: int
    overdue_minor: int
    base_minor: int


@dataclass(frozen=True, slots=True)
class OutstandingShipment:
    """One declared shipment with covered receivables still outstanding."""

    declaration_id: int
    invoice_number: str
    buyer_name: str
    shipment_date: date
    due_date: date
    currency: str
    covered_minor: int
    outstanding_minor: int
    overdue: bool


@dataclass(frozen=True, slots=True)
class PolicyLimit:
    """One active credit limit on the policy: approved, outstanding, available."""

    limit_id: int
    buyer_name: str
    country: str
    currency: str
    approved_minor: int
    outstanding_minor: int
    available_minor: int


@dataclass(frozen=True, slots=True)
class PolicyClaim:
    """One claim on the policy, and what the bank received of it."""

    claim_id: int
    buyer_name: str
    state: str
    currency: str
    loss_minor: int
    indemnity_minor: int
    paid_minor: int
    to_bank_minor: int
    filed_on: date


def visible_assignments(
    session: Session,
    principal: Principal,
    scope: consents.Scope,
    *,
    statuses: Sequence[AssignmentStatus] = (),
) -> list[LossPayeeAssignment]:
    """The assignments ``principal`` may read ``scope`` data of [domain BA-9]: a bank its
    own whose exporter granted it a valid consent for ``scope`` and financing; an exporter
    its own; the insurer every one; nobody else any.  Ordered by policy and priority.
    """
    a = LossPayeeAssignment
    query = select(a).order_by(a.policy_id, a.priority, a.id)
    if statuses:
        query = query.where(a.status.in_(sorted(s.value for s in statuses)))
    if principal.org_kind is OrganisationKind.BANK:
        answer = consents.readable(
            session, principal, scope, consents.Purpose.FINANCING, refuse_empty=False
        )
        query = query.where(a.bank_org_id == principal.org_id, answer.condition(a.exporter_org_id))
        return list(session.execute(query).scalars())
    if principal.org_kind is OrganisationKind.EXPORTER:
        query = query.where(a.exporter_org_id == principal.org_id)
    elif not principal.is_insurer:
        return []
    return list(session.execute(query).scalars())


def readable_assignment(
    session: Session, principal: Principal, row: LossPayeeAssignment, scope: consents.Scope
) -> None:
    """Let a bank read ``scope`` data of one of its assignments only under its exporter's
    consent for financing (403 ``consent_required``) [domain BA-9]; the exporter and the
    insurer read theirs.
    """
    if principal.org_kind is OrganisationKind.BANK:
        consents.require(session, principal, row.exporter_org_id, scope, consents.Purpose.FINANCING)


def assigned_policies(
    session: Session, rows: Sequence[LossPayeeAssignment]
) -> list[AssignedPolicy]:
    """The assignments ``rows`` with their policy number, liability and parties' names."""
    if not rows:
        return []
    policies = {
        int(pid): (number, int(liability))
        for pid, number, liability in session.execute(
            select(Policy.id, Policy.number, Policy.maximum_liability_minor).where(
                Policy.id.in_(sorted({r.policy_id for r in rows}))
            )
        )
    }
    orgs = {
        int(oid): str(name)
        for oid, name in session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.id.in_(
                    sorted({r.exporter_org_id for r in rows} | {r.bank_org_id for r in rows})
                )
            )
        )
    }
    return [
        AssignedPolicy(
            assignment_id=r.id,
            policy_id=r.policy_id,
            policy_number=policies.get(r.policy_id, (None, 0))[0],
            exporter_org_id=r.exporter_org_id,
            exporter_name=orgs.get(r.exporter_org_id, ""),
            bank_org_id=r.bank_org_id,
            bank_name=orgs.get(r.bank_org_id, ""),
            status=r.status,
            priority=r.priority,
            currency=r.currency,
            cap_minor=r.cap_minor,
            paid_minor=r.paid_minor,
            maximum_liability_minor=policies.get(r.policy_id, (None, 0))[1],
            advance_rate=r.advance_rate,
            effective_from=r.effective_from,
            effective_to=r.effective_to,
        )
        for r in rows
    ]


def financing_bases(
    session: Session, assignments: Sequence[AssignedPolicy], *, today: date
) -> list[BaseLine]:
    """The financing base of each active assignment effective ``today``, per currency
    [domain BA-8]: covered outstanding x advance rate, less overdue (one grouped query).
    """
    live = [
        a
        for a in assignments
        if a.status == AssignmentStatus.ACTIVE.value
        and a.effective_from <= today
        and (a.effective_to is None or today <= a.effective_to)
    ]
    if not live:
        return []
    left = Declaration.covered_minor - Declaration.collected_minor
    late = case((Declaration.due_date < today, left), else_=0)
    sums: dict[int, list[tuple[str, int, int, int]]] = {}
    for pid, cur, count, outstanding, overdue in session.execute(
        select(
            Declaration.policy_id,
            Declaration.currency,
            func.count(),
            func.sum(left),
            func.sum(late),
        )
        .where(
            Declaration.policy_id.in_(sorted({a.policy_id for a in live})),
            Declaration.status == "active",
            Declaration.covered_minor > Declaration.collected_minor,
        )
        .group_by(Declaration.policy_id, Declaration.currency)
        .order_by(Declaration.policy_id, Declaration.currency)
    ):
        sums.setdefault(int(pid), []).append(
            (str(cur), int(count), int(outstanding or 0), int(overdue or 0))
        )
    lines: list[BaseLine] = []
    for a in live:
        found = sums.get(a.policy_id) or [(a.currency, 0, 0, 0)]
        for cur, count, outstanding, overdue in found:
            lines.append(
                BaseLine(
                    assignment=a,
                    currency=cur,
                    shipments=count,
                    covered_outstanding_minor=outstanding,
                    overdue_minor=overdue,
                    base_minor=financing_base(
                        covered_outstanding_minor=outstanding,
                        overdue_minor=overdue,
                        advance_rate=a.advance_rate,
                    ),
                )
            )
    return lines


def outstanding_shipments(
    session: Session, policy_id: int, *, today: date, limit: int = 200
) -> list[OutstandingShipment]:
    """The policy's shipments with covered receivables outstanding, oldest due first."""
    left = Declaration.covered_minor - Declaration.collected_minor
    query = (
        select(
            Declaration.id,
            Declaration.invoice_number,
            Buyer.legal_name,
            Declaration.shipment_date,
            Declaration.due_date,
            Declaration.currency,
            Declaration.covered_minor,
            left,
        )
        .join(Buyer, Buyer.id == Declaration.buyer_id)
        .where(
            Declaration.policy_id == policy_id,
            Declaration.status == "active",
            Declaration.covered_minor > Declaration.collected_minor,
        )
        .order_by(Declaration.due_date, Declaration.id)
        .limit(limit)
    )
    return [
        OutstandingShipment(
            declaration_id=int(r[0]),
            invoice_number=str(r[1]),
            buyer_name=str(r[2]),
            shipment_date=r[3],
            due_date=r[4],
            currency=str(r[5]),
            covered_minor=int(r[6]),
            outstanding_minor=int(r[7]),
            overdue=r[4] < today,
        )
        for r in session.execute(query)
    ]


def policy_limits(session: Session, policy_id: int) -> list[PolicyLimit]:
    """The policy's active credit limits with what is outstanding and available."""
    use = utilisation_query().order_by(None).subquery("u")
    query = (
        select(
            use.c.id,
            Buyer.legal_name,
            Buyer.country,
            use.c.currency,
            use.c.approved_minor,
            use.c.outstanding_minor,
            use.c.available_minor,
        )
        .join(Buyer, Buyer.id == use.c.buyer_id)
        .join(CreditLimit, CreditLimit.id == use.c.id)
        .where(CreditLimit.policy_id == policy_id)
        .order_by(use.c.id)
    )
    return [
        PolicyLimit(
            limit_id=int(r[0]),
            buyer_name=str(r[1]),
            country=str(r[2]),
            currency=str(r[3]),
            approved_minor=int(r[4]),
            outstanding_minor=int(r[5]),
            available_minor=int(r[6]),
        )
        for r in session.execute(query)
    ]


def policy_claims(session: Session, policy_id: int, *, bank_org_id: int) -> list[PolicyClaim]:
    """The policy's claims, newest first, with what ``bank_org_id`` received of each."""
    to_bank = (
        select(LossPayeePayout.claim_id, func.sum(LossPayeePayout.amount_minor).label("amount"))
        .where(LossPayeePayout.bank_org_id == bank_org_id)
        .group_by(LossPayeePayout.claim_id)
        .subquery("b")
    )
    query = (
        select(
            ClaimRow.id,
            Buyer.legal_name,
            ClaimRow.state,
            ClaimRow.currency,
            ClaimRow.loss_minor,
            ClaimRow.indemnity_minor,
            ClaimRow.paid_minor,
            to_bank.c.amount,
            ClaimRow.filed_on,
        )
        .join(Buyer, Buyer.id == ClaimRow.buyer_id)
        .outerjoin(to_bank, to_bank.c.claim_id == ClaimRow.id)
        .where(ClaimRow.policy_id == policy_id)
        .order_by(ClaimRow.id.desc())
    )
    return [
        PolicyClaim(
            claim_id=int(r[0]),
            buyer_name=str(r[1]),
            state=str(r[2]),
            currency=str(r[3]),
            loss_minor=int(r[4]),
            indemnity_minor=int(r[5]),
            paid_minor=int(r[6] or 0),
            to_bank_minor=int(r[7] or 0),
            filed_on=r[8],
        )
        for r in session.execute(query)
    ]
