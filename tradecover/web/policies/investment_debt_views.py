"""What the policy page adds for an overseas investment debt policy ([004]).

Its premium schedule (each period of insurance: phase, insured amount, premium, notice,
due date, when paid, status) and its claims on a missed repayment (loss, indemnity,
premium set off, net paid).  Read through the same services as the API; a viewer who
may not read claims sees the schedule only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from tradecover.access.principal import Principal
from tradecover.claims.investment_debt import service as claims
from tradecover.kit.errors import NotFound, PermissionDenied
from tradecover.kit.money import Money
from tradecover.policies.schedule import Product
from tradecover.pricing import service as pricing
from tradecover.web.i18n import N_
from tradecover.web.labels import label

if TYPE_CHECKING:  # the row type only: the page reads it through the policies service
    from tradecover.policies import Policy

PHASES: dict[str, str] = {"drawdown": N_("Drawdown"), "repayment": N_("Repayment")}
PREMIUM_STATUSES: dict[str, str] = {
    "not_issued": N_("Not yet notified"),
    "due": N_("Due"),
    "overdue": N_("Overdue"),
    "paid": N_("Paid"),
    "paid_late": N_("Paid late"),
}
CLAIM_STATES: dict[str, str] = {
    "filed": N_("Filed"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "paid": N_("Paid"),
}


@dataclass(frozen=True, slots=True)
class PeriodRow:
    """One period of insurance as the page prints it."""

    position: int
    phase_label: str
    index: int
    insured_amount: Money
    premium: Money
    notice_date: date | None
    due_date: date | None
    paid_on: date | None
    status: str
    status_label: str


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """One missed-repayment claim as the page prints it."""

    id: int
    repayment_period: int
    filed_on: date
    state: str
    state_label: str
    loss: Money
    indemnity: Money
    set_off: Money
    net_paid: Money | None


def policy_extras(
    session: Session, *, principal: Principal, policy: Policy, today: date
) -> dict[str, Any]:
    """The premium schedule and claims of an investment-debt policy (empty otherwise)."""
    if policy.product != Product.INVESTMENT_DEBT.value:
        return {}
    try:
        view = pricing.get_investment_debt_schedule(
            session, principal=principal, policy=policy, today=today
        )
    except NotFound:  # a policy drafted without its schedule
        return {}
    periods = [
        PeriodRow(
            position=p.position,
            phase_label=label(PHASES, p.phase),
            index=p.index,
            insured_amount=p.insured_amount,
            premium=p.premium,
            notice_date=p.notice_date,
            due_date=p.due_date,
            paid_on=p.paid_on,
            status=p.status,
            status_label=label(PREMIUM_STATUSES, p.status),
        )
        for p in view.periods
    ]
    try:
        rows = claims.list_claims(session, principal=principal, policy_id=policy.id)
    except PermissionDenied:
        rows = None
    cur = policy.currency
    loan_claims = (
        None
        if rows is None
        else [
            ClaimRow(
                id=r.id,
                repayment_period=r.repayment_period,
                filed_on=r.filed_on,
                state=r.state,
                state_label=label(CLAIM_STATES, r.state),
                loss=Money.from_minor(r.loss_minor, cur),
                indemnity=Money.from_minor(r.indemnity_minor, cur),
                set_off=Money.from_minor(r.set_off_minor, cur),
                net_paid=None
                if r.net_paid_minor is None
                else Money.from_minor(r.net_paid_minor, cur),
            )
            for r in rows
        ]
    )
    return {
        "premium_periods": periods,
        "total_premium": view.total_premium,
        "loan_claims": loan_claims,
    }
