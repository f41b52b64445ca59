"""HTTP routes of investment-debt applications and underwriting ([004]).

``POST /api/v1/investment-debt/applications`` files the application with the loan's
drawdown and repayment schedule; ``POST .../{id}/underwrite`` prices it into a draft
policy with its premium schedule.  The policy is then quoted and issued like any other
(``POST /api/v1/policies/{id}/quote``, ``.../issue``); its premium notices and payments
are under ``/api/v1/policies/{id}/investment-debt-schedule``.  One transaction per request.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from tradecover import pricing
from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.kit.dates import business_today
from tradecover.kit.inputs import InputModel
from tradecover.kit.money import round_money
from tradecover.policies import investment_debt as service
from tradecover.policies.application_schemas import ApplicationOut
from tradecover.policies.schemas import PolicyOut
from tradecover.pricing import (
    DrawdownIn,
    DueBeforeIndemnityOut,
    IndemnitySettlement,
    InvestmentDebtQuoteIn,
    NoticeIn,
    PaymentIn,
    PeriodOut,
    RepaymentIn,
    ScheduleOut,
)

if TYPE_CHECKING:
    from tradecover.policies.model import Policy

router = APIRouter(prefix="/api/v1/investment-debt", tags=["investment debt"])
Id = Annotated[int, Path(ge=1, le=2**63 - 1, description="Numeric id")]

_EXAMPLE: dict[str, Any] = {
    "currency": "USD",
    "requested_inception": "2027-01-01",
    "host_country": "KZ",
    "drawdown_periods": [
        {"drawn": "6000000", "interest": "180000"},
        {"drawn": "4000000", "interest": "420000"},
    ],
    "repayment_periods": [
        {"principal": "5000000", "interest": "600000"},
        {"principal": "5000000", "interest": "300000"},
    ],
    "covered_repayment_periods": 1,
}


class InvestmentDebtApplicationIn(InputModel):
    """An investment-debt application: the loan's schedule and the cover asked for.

    ``covered_repayment_periods`` (``T3``) asks for partial cover of the first repayment
    periods; without ``max_insured_amount`` the maximum is then ``sum_{n<=T3}(a_n+I_n)``.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})
    exporter_org_id: int | None = Field(
        default=None, ge=1, description="Insurer staff only; exporters apply for themselves"
    )
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["USD"])
    requested_inception: date
    host_country: str = Field(examples=["KZ"], description="Country of the project company")
    insure_interest: Any = Field(default=True)
    max_insured_amount: Any = Field(default=None, examples=["5600000"])
    covered_repayment_periods: Any = Field(default=None, examples=[1])
    drawdown_periods: list[DrawdownIn] | None = Field(default=None, max_length=100)
    repayment_periods: list[RepaymentIn] = Field(max_length=100)
    notes: str | None = Field(default=None, max_length=5000)

    def loan(self) -> dict[str, Any]:
        """The loan part as the pure parser reads it (unset optional keys left out)."""
        data = self.model_dump(exclude_unset=True, include=set(service.LOAN_FIELDS))
        return {k: v for k, v in data.items() if v is not None}


class InvestmentDebtApplicationOut(BaseModel):
    """An investment-debt application with its loan."""

    application: ApplicationOut
    host_country: str
    principal: str = Field(description="Principal of the loan (sum of a_n)")
    maximum_insured_amount: str | None = Field(
        description="The cap on every period's insured amount; null when uncapped"
    )
    loan: dict[str, Any]

    @classmethod
    def of(cls, view: service.LoanApplication) -> InvestmentDebtApplicationOut:
        """From the service view."""
        cap = view.maximum_insured_amount
        return cls(
            application=ApplicationOut.of(view.application),
            host_country=view.host_country,
            principal=str(view.principal.amount),
            maximum_insured_amount=None if cap is None else str(cap.amount),
            loan=view.loan,
        )


class InvestmentDebtUnderwriteIn(InputModel):
    """The underwriter's terms: rate per period of insurance and the inception date."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"rate": "0.0085", "inception": "2027-01-01", "indemnity_pct": "100"}]
        },
    )
    rate: Any = Field(examples=["0.0085"], description="Premium rate per period (p of [004])")
    inception: date
    indemnity_pct: Decimal = Field(default=Decimal(100), gt=0, le=100)


class UnderwrittenOut(BaseModel):
    """The draft policy and its premium schedule."""

    policy: PolicyOut
    schedule: ScheduleOut


@router.post(
    "/applications",
    response_model=InvestmentDebtApplicationOut,
    status_code=201,
    summary="Apply for overseas investment debt insurance ([004])",
)
def submit_application(
    body: InvestmentDebtApplicationIn, session: SessionDep, principal: PrincipalDep
) -> InvestmentDebtApplicationOut:
    """Principal drawn must equal principal repaid; a partial cover may not cover more
    repayment periods than the loan has (422 naming the field, nothing written).
    """
    org_id = body.exporter_org_id if body.exporter_org_id is not None else principal.org_id
    view = service.submit_application(
        session,
        principal=principal,
        exporter_org_id=org_id,
        currency=body.currency,
        requested_inception=body.requested_inception,
        host_country=body.host_country,
        loan=body.loan(),
        notes=body.notes,
    )
    return InvestmentDebtApplicationOut.of(view)


@router.get(
    "/applications/{application_id}",
    response_model=InvestmentDebtApplicationOut,
    summary="One investment-debt application",
)
def get_application(
    application_id: Id, session: SessionDep, principal: PrincipalDep
) -> InvestmentDebtApplicationOut:
    """The application with its loan."""
    return InvestmentDebtApplicationOut.of(
        service.get_application(session, principal=principal, application_id=application_id)
    )


@router.post(
    "/applications/{application_id}/underwrite",
    response_model=UnderwrittenOut,
    status_code=201,
    summary="Underwrite into a draft policy with its premium schedule",
)
def underwrite(
    application_id: Id,
    body: InvestmentDebtUnderwriteIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> UnderwrittenOut:
    """One period of insurance a year; each period's premium = insured amount x rate."""
    policy = service.underwrite(
        session,
        principal=principal,
        application_id=application_id,
        rate=body.rate,
        inception=body.inception,
        indemnity_pct=body.indemnity_pct,
    )
    schedule = pricing.get_investment_debt_schedule(
        session, principal=principal, policy=policy, today=business_today()
    )
    return UnderwrittenOut(policy=PolicyOut.of(policy), schedule=ScheduleOut.of(schedule))


# --- the premium schedule of an investment-debt policy ------------------------------------

schedule_router = APIRouter(prefix="/api/v1", tags=["pricing"])
"""The premium schedule's routes: the policy is looked up here, then pricing's use cases."""


def _schedule_now(session: SessionDep, principal: PrincipalDep, policy: Policy) -> ScheduleOut:
    return ScheduleOut.of(
        pricing.get_investment_debt_schedule(
            session, principal=principal, policy=policy, today=business_today()
        )
    )


@schedule_router.put(
    "/policies/{policy_id}/investment-debt-schedule",
    response_model=ScheduleOut,
    summary="Price and store an investment-debt policy's premium schedule",
)
def set_schedule(
    policy_id: Id, body: InvestmentDebtQuoteIn, session: SessionDep, principal: PrincipalDep
) -> ScheduleOut:
    """Underwriters price the policy's periods from the quote request (once)."""
    policy = service.investment_debt_policy(session, principal=principal, policy_id=policy_id)
    pricing.create_investment_debt_schedule(
        session, principal=principal, policy=policy, request=body.to_json()
    )
    return _schedule_now(session, principal, policy)


@schedule_router.get(
    "/policies/{policy_id}/investment-debt-schedule",
    response_model=ScheduleOut,
    summary="An investment-debt policy's premium schedule",
)
def get_schedule(policy_id: Id, session: SessionDep, principal: PrincipalDep) -> ScheduleOut:
    """Each period with its notice, due date, payment, status and cover today."""
    policy = service.investment_debt_policy(session, principal=principal, policy_id=policy_id)
    return _schedule_now(session, principal, policy)


@schedule_router.post(
    "/policies/{policy_id}/investment-debt-schedule/notices",
    response_model=ScheduleOut,
    summary="Issue a period's premium notice",
)
def issue_notice(
    policy_id: Id, body: NoticeIn, session: SessionDep, principal: PrincipalDep
) -> ScheduleOut:
    """The premium is due within 30 days of the notice."""
    policy = service.investment_debt_policy(session, principal=principal, policy_id=policy_id)
    pricing.issue_premium_notice(
        session,
        principal=principal,
        policy=policy,
        position=body.position,
        notice_date=body.notice_date,
    )
    return _schedule_now(session, principal, policy)


@schedule_router.post(
    "/policies/{policy_id}/investment-debt-schedule/payments",
    response_model=ScheduleOut,
    summary="Record a period's premium payment",
)
def record_payment(
    policy_id: Id, body: PaymentIn, session: SessionDep, principal: PrincipalDep
) -> ScheduleOut:
    """Late premium is refused (409) unless the insurer accepts it."""
    policy = service.investment_debt_policy(session, principal=principal, policy_id=policy_id)
    pricing.record_premium_payment(
        session,
        principal=principal,
        policy=policy,
        position=body.position,
        paid_on=body.paid_on,
        accept_late=body.accept_late,
    )
    return _schedule_now(session, principal, policy)


@schedule_router.get(
    "/policies/{policy_id}/investment-debt-schedule/due-before-indemnity",
    response_model=DueBeforeIndemnityOut,
    summary="Premiums to be paid before a loss is indemnified",
)
def due_before_indemnity(
    policy_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    loss_period: Annotated[int, Query(ge=1, le=10_000)],
    settlement: Annotated[IndemnitySettlement, Query()],
) -> DueBeforeIndemnityOut:
    """Lump sum: every later unpaid period; on the original schedule: none in advance."""
    policy = service.investment_debt_policy(session, principal=principal, policy_id=policy_id)
    periods = pricing.premiums_due_before_indemnity_for(
        session, principal=principal, policy=policy, loss_period=loss_period, settlement=settlement
    )
    schedule = pricing.get_investment_debt_schedule(
        session, principal=principal, policy=policy, today=business_today()
    )
    total = round_money(sum((p.premium for p in periods), Decimal(0)), schedule.currency)
    return DueBeforeIndemnityOut(
        settlement=settlement,
        loss_period=loss_period,
        periods=[PeriodOut.of(p) for p in periods],
        total=str(total),
    )
