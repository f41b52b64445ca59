"""Claims on a missed repayment under an investment-debt policy ([004]): the use cases.

``filed`` -> ``approved`` | ``rejected``; ``approved`` -> ``paid``.  Filing computes the
loss and the indemnity and runs the checks; approval re-runs them and refuses while one
blocks; payment settles the premium due before the indemnity against it
(:func:`~tradecover.claims.investment_debt.rules.premium_set_off`): those periods are
recorded as paid on the payment date and the insured receives the rest.  The policy is
never ended by a claim: its later premiums keep falling due ([004] 2.2).

Services never commit; every change is audited on the claim and, for the set-off, on the
policy.  A claim or policy of another organisation answers like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover import audit, ledger, policies
from tradecover.access import Permission, Principal
from tradecover.claims.checks import ClaimCheck, ensure_approvable
from tradecover.claims.investment_debt.rules import (
    MissedRepayment,
    PremiumPeriod,
    claim_loss,
    indemnity_of,
    investment_debt_claim_checks,
    net_indemnity,
    premium_set_off,
)
from tradecover.claims.model import InvestmentDebtClaimRow
from tradecover.claims.scoping_repository import visible_investment_debt_claims
from tradecover.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradecover.kit.money import Money
from tradecover.ledger import JournalEntry
from tradecover.policies import Policy, PolicyState, Product
from tradecover.pricing import (
    PERIOD_NOT_ISSUED,
    PERIOD_PAID,
    IndemnitySettlement,
    parse_quote_request,
    schedule_periods_of,
    schedule_request_of,
    set_off_premiums,
)

if TYPE_CHECKING:
    from tradecover.pricing import InvestmentDebtPeriod

FILED, APPROVED, REJECTED, PAID = "filed", "approved", "rejected", "paid"
_NOT_IN_FORCE = (PolicyState.DRAFT.value, PolicyState.QUOTED.value, PolicyState.RESCINDED.value)


@dataclass(frozen=True, slots=True)
class ClaimView:
    """A claim with the premium that would be set off against it ``today``."""

    claim: InvestmentDebtClaimRow
    set_off: tuple[PremiumPeriod, ...]


def _minor(amount: Decimal, currency: str) -> int:
    return Money.of(amount, currency).minor_units()


def _major(minor: int, currency: str) -> Decimal:
    return Money.from_minor(minor, currency).amount


def _policy(session: Session, principal: Principal, policy_id: int) -> Policy:
    policy = policies.get_policy(session, principal=principal, policy_id=policy_id)
    if policy.product != Product.INVESTMENT_DEBT.value:
        raise Conflict(
            f"policy {policy_id} is not an investment-debt policy",
            code="not_investment_debt",
            field="policy_id",
        )
    return policy


def _periods(session: Session, policy_id: int, *, lock: bool = False) -> list[InvestmentDebtPeriod]:
    rows = schedule_periods_of(session, policy_id, lock=lock)
    if rows is None:
        raise Conflict(f"policy {policy_id} has no premium schedule", code="schedule_not_found")
    return rows


def _premium_periods(rows: list[InvestmentDebtPeriod], currency: str) -> list[PremiumPeriod]:
    return [
        PremiumPeriod(
            position=r.position,
            premium=_major(r.premium_minor, currency),
            notice_date=r.notice_date,
            paid_on=r.paid_on if r.status == PERIOD_PAID else None,
            late_payment_accepted=r.late_payment_accepted,
        )
        for r in rows
    ]


def _checks_json(checks: tuple[ClaimCheck, ...]) -> list[dict[str, Any]]:
    return [
        {
            "name": c.name.value,
            "outcome": c.outcome.value,
            "blocking": c.blocking,
            "explanation": c.explanation,
        }
        for c in checks
    ]


def snapshot(row: InvestmentDebtClaimRow) -> dict[str, Any]:
    """The audited view of a claim."""
    cur = row.currency
    return {
        "id": row.id,
        "policy_id": row.policy_id,
        "state": row.state,
        "repayment_period": row.repayment_period,
        "settlement": row.settlement,
        "loss": str(_major(row.loss_minor, cur)),
        "indemnity": str(_major(row.indemnity_minor, cur)),
        "set_off": str(_major(row.set_off_minor, cur)),
        "net_paid": None if row.net_paid_minor is None else str(_major(row.net_paid_minor, cur)),
    }


def _liability_left(session: Session, policy: Policy) -> Decimal:
    used = session.execute(
        select(func.coalesce(func.sum(InvestmentDebtClaimRow.indemnity_minor), 0)).where(
            InvestmentDebtClaimRow.policy_id == policy.id,
            InvestmentDebtClaimRow.state.in_((APPROVED, PAID)),
        )
    ).scalar_one()
    return _major(policy.maximum_liability_minor - int(used), policy.currency)


def _evaluate(
    session: Session, claim: InvestmentDebtClaimRow, *, lock: bool = False
) -> tuple[tuple[ClaimCheck, ...], tuple[PremiumPeriod, ...], list[InvestmentDebtPeriod]]:
    rows = _periods(session, claim.policy_id, lock=lock)
    periods = _premium_periods(rows, claim.currency)
    set_off = premium_set_off(
        periods, loss_position=claim.position, settlement=IndemnitySettlement(claim.settlement)
    )
    loss_period = next(p for p in periods if p.position == claim.position)
    checks = investment_debt_claim_checks(
        loss_period=loss_period,
        repayment_due_date=claim.repayment_due_date,
        set_off=set_off,
        currency=claim.currency,
    )
    return checks, set_off, rows


def file_claim(
    session: Session,
    *,
    principal: Principal,
    policy_id: int,
    repayment_period: int,
    repayment_due_date: date,
    settlement: IndemnitySettlement,
    missed_principal: Decimal | None,
    missed_interest: Decimal | None,
    today: date,
) -> ClaimView:
    """File a claim on a missed repayment: by default the whole scheduled ``a_n`` and
    ``I_n`` of period ``n``; less when only part was missed.

    Refused, writing nothing: a policy not in force (409 ``policy_not_in_force``), a
    period outside the loan or the cover, an amount above the schedule, a repayment not
    yet due (422 naming the field), a period already claimed (409).
    """
    principal.require(Permission.CLAIM_FILE)
    policy = _policy(session, principal, policy_id)
    if policy.state in _NOT_IN_FORCE:
        raise Conflict(
            f"policy {policy.id} is {policy.state}: no cover to claim on",
            code="policy_not_in_force",
            field="policy_id",
        )
    currency = policy.currency
    stored = schedule_request_of(session, policy.id)
    if stored is None:
        raise Conflict(f"policy {policy.id} has no premium schedule", code="schedule_not_found")
    request = parse_quote_request(stored)
    repayments = request.repayment_periods
    covered = request.covered_repayment_periods or len(repayments)
    if not 1 <= repayment_period <= len(repayments):
        raise ValidationFailed(
            f"repayment_period must be 1 to {len(repayments)}",
            code="no_such_repayment_period",
            field="repayment_period",
        )
    scheduled = repayments[repayment_period - 1]
    amounts: dict[str, Decimal] = {}
    for name, amount, default in (
        ("missed_principal", missed_principal, scheduled.principal),
        ("missed_interest", missed_interest, scheduled.interest),
    ):
        if amount is not None:
            policies.check_money(
                Money.of(amount, currency), currency=currency, field=name, positive=False
            )
        amounts[name] = default if amount is None else amount
    missed = MissedRepayment(
        repayment_period=repayment_period,
        principal=amounts["missed_principal"],
        interest=amounts["missed_interest"],
    )
    loss = claim_loss(
        missed,
        repayments=repayments,
        covered_periods=covered,
        insure_interest=request.insure_interest,
        settlement=settlement,
    )
    if repayment_due_date > today:
        raise ValidationFailed(
            "a repayment not yet due cannot be claimed",
            code="repayment_not_yet_due",
            field="repayment_due_date",
        )
    if repayment_due_date < policy.inception:
        raise ValidationFailed(
            "the repayment fell due before the policy's inception",
            code="before_inception",
            field="repayment_due_date",
        )
    position = len(request.drawdown_periods) + repayment_period
    if (
        session.execute(
            select(InvestmentDebtClaimRow.id).where(
                InvestmentDebtClaimRow.policy_id == policy.id,
                InvestmentDebtClaimRow.repayment_period == repayment_period,
                InvestmentDebtClaimRow.state != REJECTED,
            )
        ).first()
        is not None
    ):
        raise Conflict(
            f"repayment period {repayment_period} is already claimed",
            code="period_already_claimed",
            field="repayment_period",
        )
    pct = policy.indemnity_political_pct
    indemnity = indemnity_of(
        loss, indemnity_pct=pct, currency=currency, liability_left=_liability_left(session, policy)
    )
    claim = InvestmentDebtClaimRow(
        exporter_org_id=policy.exporter_org_id,
        policy_id=policy.id,
        repayment_period=repayment_period,
        position=position,
        settlement=settlement.value,
        repayment_due_date=repayment_due_date,
        currency=currency,
        missed_principal_minor=_minor(missed.principal, currency),
        missed_interest_minor=_minor(missed.interest, currency),
        loss_minor=_minor(loss, currency),
        indemnity_pct=pct,
        indemnity_minor=_minor(indemnity, currency),
        state=FILED,
        checks=[],
        filed_on=today,
        filed_by=principal.actor,
        set_off_minor=0,
    )
    checks, set_off, _ = _evaluate(session, claim)
    claim.checks = _checks_json(checks)
    session.add(claim)
    session.flush()
    audit.record(
        session,
        org_id=claim.exporter_org_id,
        actor=principal.actor,
        action="investment_debt_claim.filed",
        entity_type="investment_debt_claim",
        entity_id=claim.id,
        after=snapshot(claim),
    )
    return ClaimView(claim, set_off)


def _claim(
    session: Session, principal: Principal, claim_id: int, *, lock: bool = False
) -> InvestmentDebtClaimRow:
    principal.require(Permission.CLAIM_READ)
    query = visible_investment_debt_claims(principal).where(InvestmentDebtClaimRow.id == claim_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no investment-debt claim {claim_id}", code="claim_not_found")
    return row


def get_claim(session: Session, *, principal: Principal, claim_id: int) -> ClaimView:
    """One claim with the premium that would be set off against it now."""
    claim = _claim(session, principal, claim_id)
    if claim.state == PAID:
        return ClaimView(claim, ())
    _, set_off, _ = _evaluate(session, claim)
    return ClaimView(claim, set_off)


def _post(session: Session, entries: list[JournalEntry | None]) -> None:
    """Book the claim's entries (:mod:`tradecover.ledger.investment_debt`) in this
    transaction; a zero amount books nothing.
    """
    ledger.post(session, entries=[e for e in entries if e is not None])


def _require_insurer(principal: Principal, permission: Permission) -> None:
    principal.require(permission)
    if not principal.is_insurer:
        raise PermissionDenied(f"only the insurer may {permission.value}", code="forbidden")


def approve(session: Session, *, principal: Principal, claim_id: int, today: date) -> ClaimView:
    """Approve a filed claim; refused (409 ``blocking_check_failed``) while a check blocks."""
    _require_insurer(principal, Permission.CLAIM_DECIDE)
    claim = _claim(session, principal, claim_id, lock=True)
    if claim.state != FILED:
        raise Conflict(f"claim {claim.id} is {claim.state}", code="claim_not_open")
    checks, set_off, _ = _evaluate(session, claim)
    before = snapshot(claim)
    claim.checks = _checks_json(checks)
    ensure_approvable(checks)
    claim.state = APPROVED
    claim.decided_on = today
    claim.decided_by = principal.actor
    session.flush()
    _post(
        session,
        [
            ledger.indemnity_approved(
                claim_id=claim.id,
                posted_on=today,
                indemnity=Money.from_minor(claim.indemnity_minor, claim.currency),
            )
        ],
    )
    audit.record(
        session,
        org_id=claim.exporter_org_id,
        actor=principal.actor,
        action="investment_debt_claim.approved",
        entity_type="investment_debt_claim",
        entity_id=claim.id,
        before=before,
        after=snapshot(claim),
    )
    return ClaimView(claim, set_off)


def reject(
    session: Session, *, principal: Principal, claim_id: int, reason: str, today: date
) -> ClaimView:
    """Reject a filed claim with a reason; its period may be claimed again."""
    _require_insurer(principal, Permission.CLAIM_DECIDE)
    why = policies.required_text(reason, field="reason", max_len=1000)
    claim = _claim(session, principal, claim_id, lock=True)
    if claim.state != FILED:
        raise Conflict(f"claim {claim.id} is {claim.state}", code="claim_not_open")
    before = snapshot(claim)
    claim.state = REJECTED
    claim.rejection_reason = why
    claim.decided_on = today
    claim.decided_by = principal.actor
    session.flush()
    audit.record(
        session,
        org_id=claim.exporter_org_id,
        actor=principal.actor,
        action="investment_debt_claim.rejected",
        entity_type="investment_debt_claim",
        entity_id=claim.id,
        reason=why,
        before=before,
        after=snapshot(claim),
    )
    return ClaimView(claim, ())


def pay(session: Session, *, principal: Principal, claim_id: int, today: date) -> ClaimView:
    """Pay an approved claim: premium due before the indemnity is set off against it.

    The set-off periods are recorded as paid on ``today``; the insured receives the
    indemnity less the set-off.  The policy stays in force.  A second payment answers
    409 ``claim_already_paid``.
    """
    _require_insurer(principal, Permission.CLAIM_PAY)
    claim = _claim(session, principal, claim_id, lock=True)
    if claim.state == PAID:
        raise Conflict(f"claim {claim.id} is already paid", code="claim_already_paid")
    if claim.state != APPROVED:
        raise Conflict(
            f"claim {claim.id} is {claim.state}, not approved", code="claim_not_approved"
        )
    currency = claim.currency
    _, set_off, rows = _evaluate(session, claim, lock=True)
    indemnity = _major(claim.indemnity_minor, currency)
    net = net_indemnity(indemnity, set_off)
    before = snapshot(claim)
    settled = {p.position for p in set_off}
    entries: list[JournalEntry | None] = []
    for row in rows:
        if row.position in settled and row.status == PERIOD_NOT_ISSUED:
            # never billed: billed now, then set off
            entries.append(
                ledger.period_billed(
                    period_id=row.id,
                    posted_on=today,
                    period_ref=f"policy {claim.policy_id} period {row.position}",
                    exporter_id=claim.exporter_org_id,
                    premium=Money.from_minor(row.premium_minor, currency),
                )
            )
    set_off_premiums(rows, settled, today)
    claim.set_off_minor = _minor(indemnity - net, currency)
    claim.set_off_positions = sorted(settled)
    claim.net_paid_minor = _minor(net, currency)
    claim.state = PAID
    claim.paid_on = today
    claim.paid_by = principal.actor
    session.flush()
    entries.append(
        ledger.indemnity_paid(
            claim_id=claim.id,
            posted_on=today,
            exporter_id=claim.exporter_org_id,
            indemnity=Money.from_minor(claim.indemnity_minor, currency),
            set_off=Money.from_minor(claim.set_off_minor, currency),
        )
    )
    _post(session, entries)
    audit.record(
        session,
        org_id=claim.exporter_org_id,
        actor=principal.actor,
        action="investment_debt_claim.paid",
        entity_type="investment_debt_claim",
        entity_id=claim.id,
        before=before,
        after=snapshot(claim),
    )
    if settled:
        audit.record(
            session,
            org_id=claim.exporter_org_id,
            actor=principal.actor,
            action="investment_debt.premium_set_off",
            entity_type="policy",
            entity_id=claim.policy_id,
            reason=f"set off against claim {claim.id}",
            after={
                "positions": sorted(settled),
                "paid_on": today.isoformat(),
                "amount": str(indemnity - net),
            },
        )
    return ClaimView(claim, tuple(set_off))


def list_claims(
    session: Session, *, principal: Principal, policy_id: int
) -> list[InvestmentDebtClaimRow]:
    """The investment-debt claims of one policy, oldest first."""
    policy = _policy(session, principal, policy_id)
    principal.require(Permission.CLAIM_READ)
    return list(
        session.execute(
            visible_investment_debt_claims(principal)
            .where(InvestmentDebtClaimRow.policy_id == policy.id)
            .order_by(InvestmentDebtClaimRow.id)
        ).scalars()
    )
