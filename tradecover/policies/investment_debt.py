"""Use cases of overseas investment debt insurance policies ([004]): application with
the loan's drawdown and repayment schedule, and underwriting into a draft policy with its
premium schedule.

The rest of the lifecycle is shared with every product: the draft is quoted and issued
through :func:`tradecover.policies.service.quote` and :func:`~tradecover.policies.service.issue`
(policy number ``ID-<year>-<id>``); premium notices (due within 30 days) and payments are
:mod:`tradecover.pricing.service`'s; claims on a missed repayment are
:mod:`tradecover.claims.investment_debt.service`'s.

The policy's term is one year per period of insurance (the drawdown periods, then the
covered repayment periods ``T3``), its maximum liability the maximum insured amount
([004] 3.2: the request's, or under partial cover scheme 2's ``sum_{n<=T3} (a_n + I_n)``,
else the largest period's insured amount), its expected turnover the loan principal.  It
never renews by itself.  Services never commit; every change is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from tradecover import audit, pricing
from tradecover.access import Permission, Principal
from tradecover.kit.dates import add_years, utc_now
from tradecover.kit.errors import Conflict, ValidationFailed
from tradecover.kit.money import Money
from tradecover.policies import service as policies
from tradecover.policies.lifecycle import PolicyState
from tradecover.policies.model import Policy, PolicyApplication
from tradecover.policies.schedule import (
    DeclarationFrequency,
    InsurableScope,
    PolicySchedule,
    Product,
)
from tradecover.pricing import (
    InvestmentDebtLoan,
    InvestmentDebtQuote,
    InvestmentDebtQuoteRequest,
    loan_of,
    maximum_insured_amount,
    parse_quote_request,
    quote_investment_debt,
    record_loan,
)
from tradecover.reference.countries import check_country

RATE_TABLE = "ID-004"
"""The rate table name an investment-debt policy's schedule carries: its rate is per period."""
LOAN_FIELDS = (
    "drawdown_periods",
    "repayment_periods",
    "insure_interest",
    "max_insured_amount",
    "covered_repayment_periods",
)
"""What an application's loan holds: the quote request of [004] without currency and rate."""
_VALIDATION_RATE = "0.01"  # any valid rate: an application is checked before it is priced


@dataclass(frozen=True, slots=True)
class LoanApplication:
    """An investment-debt application with its loan."""

    application: PolicyApplication
    host_country: str
    loan: dict[str, Any]
    principal: Money
    maximum_insured_amount: Money | None


def _request(loan: Mapping[str, Any], *, currency: str, rate: Any) -> InvestmentDebtQuoteRequest:
    return parse_quote_request({**loan, "currency": currency, "rate": rate})


def _normalised_loan(request: InvestmentDebtQuoteRequest) -> dict[str, Any]:
    """The loan as stored: every amount a decimal string, defaults spelled out."""
    return {
        "drawdown_periods": [
            {"drawn": str(p.drawn), "interest": str(p.interest)} for p in request.drawdown_periods
        ],
        "repayment_periods": [
            {"principal": str(p.principal), "interest": str(p.interest)}
            for p in request.repayment_periods
        ],
        "insure_interest": request.insure_interest,
        "max_insured_amount": (
            None if request.max_insured_amount is None else str(request.max_insured_amount)
        ),
        "covered_repayment_periods": request.covered_repayment_periods,
    }


def _view(app: PolicyApplication, row: InvestmentDebtLoan) -> LoanApplication:
    request = _request(row.loan, currency=app.currency, rate=_VALIDATION_RATE)
    cap = maximum_insured_amount(request)
    return LoanApplication(
        application=app,
        host_country=row.host_country,
        loan=dict(row.loan),
        principal=Money.from_minor(app.expected_turnover_minor, app.currency),
        maximum_insured_amount=None
        if cap is None
        else Money.from_minor(Money.of(cap, app.currency).minor_units(), app.currency),
    )


def submit_application(
    session: Session,
    *,
    principal: Principal,
    exporter_org_id: int,
    currency: str,
    requested_inception: date,
    host_country: str,
    loan: Mapping[str, Any],
    notes: str | None,
) -> LoanApplication:
    """File an investment-debt application with the loan's drawdown and repayment schedule.

    Refused with a 422 naming the field, writing nothing: principal drawn differing from
    principal repaid (``schedule_does_not_add_up``, ``drawdown_periods``), a partial cover
    of more repayment periods than the loan has (``covered_repayment_periods``), any
    amount that is not money in ``currency``.
    """
    if principal.is_insurer:
        principal.require(Permission.POLICY_UNDERWRITE)
    else:
        principal.require(Permission.POLICY_APPLY)
    org = policies._exporter_org(session, principal, exporter_org_id)
    unknown = sorted(set(loan) - set(LOAN_FIELDS))
    if unknown:
        raise ValidationFailed(f"unknown field {unknown[0]!r}", field=unknown[0])
    request = _request(loan, currency=currency, rate=_VALIDATION_RATE)
    country = check_country(host_country, field="host_country")
    policies._check_date(requested_inception, field="requested_inception")
    repaid = sum((p.principal for p in request.repayment_periods), Decimal(0))
    policies._check_money(Money.of(repaid, currency), currency=currency, field="repayment_periods")
    app = PolicyApplication(
        exporter_org_id=org.id,
        product=Product.INVESTMENT_DEBT.value,
        status=policies.APPLICATION_SUBMITTED,
        currency=request.currency,
        expected_turnover_minor=Money.of(repaid, currency).minor_units(),
        requested_inception=requested_inception,
        destination_countries=[country],
        payment_terms=[],
        max_credit_days=0,
        hs_chapters=[],
        notes=policies._text(notes, field="notes", max_len=5000, required=False),
        submitted_at=utc_now(),
        submitted_by=principal.actor,
    )
    session.add(app)
    session.flush()
    row = record_loan(
        session, application_id=app.id, host_country=country, loan=_normalised_loan(request)
    )
    view = _view(app, row)
    audit.record(
        session,
        org_id=org.id,
        actor=principal.actor,
        action="application.submitted",
        entity_type="policy_application",
        entity_id=app.id,
        after={**policies._application_snapshot(app), "host_country": country, "loan": row.loan},
    )
    return view


def get_application(
    session: Session, *, principal: Principal, application_id: int
) -> LoanApplication:
    """An investment-debt application the caller may see, with its loan."""
    app = policies.get_application(session, principal=principal, application_id=application_id)
    row = loan_of(session, app.id)
    if row is None:
        raise Conflict(
            f"application {app.id} is not an investment-debt application",
            code="not_investment_debt",
        )
    return _view(app, row)


def investment_debt_policy(session: Session, *, principal: Principal, policy_id: int) -> Policy:
    """An investment-debt policy the caller may see (its premium schedule's use cases take
    it); another organisation's answers 404, another product 409.
    """
    policy = policies.get_policy(session, principal=principal, policy_id=policy_id)
    if policy.product != Product.INVESTMENT_DEBT.value:
        raise Conflict(
            f"policy {policy_id} is not an investment-debt policy", code="not_investment_debt"
        )
    return policy


def policy_term(*, inception: date, periods: int) -> date:
    """Expiry of a policy of ``periods`` one-year periods of insurance from ``inception``."""
    return add_years(inception, periods) - timedelta(days=1)


def _schedule(
    quote: InvestmentDebtQuote,
    request: InvestmentDebtQuoteRequest,
    *,
    rate: Decimal,
    indemnity_pct: Decimal,
    host_country: str,
) -> PolicySchedule:
    currency = request.currency
    cap = maximum_insured_amount(request)
    liability = cap if cap is not None else max(p.insured_amount for p in quote.periods)
    principal = sum((p.principal for p in request.repayment_periods), Decimal(0))
    return PolicySchedule(
        currency=currency,
        expected_turnover=Money.of(principal, currency),
        maximum_liability=Money.of(liability, currency),
        indemnity_commercial_pct=indemnity_pct,
        indemnity_political_pct=indemnity_pct,
        declaration_frequency=DeclarationFrequency.MONTHLY,
        rate_table=RATE_TABLE,
        base_rate_pct=rate * 100,
        whole_turnover=False,
        scope=InsurableScope(destination_countries=(host_country,)),
    )


def underwrite(
    session: Session,
    *,
    principal: Principal,
    application_id: int,
    rate: str,
    inception: date,
    indemnity_pct: Decimal = Decimal(100),
) -> Policy:
    """Price the application's loan at ``rate`` per period into a DRAFT policy with its
    premium schedule (one period of insurance a year: drawdown, then covered repayment).

    ``indemnity_pct`` defaults to 100: [004] makes the insurer liable for the whole
    ``a_n + I_n`` of a covered period.
    """
    policies._require_insurer(principal, Permission.POLICY_UNDERWRITE)
    app = policies._application(session, principal, application_id, lock=True)
    row = loan_of(session, app.id)
    if app.product != Product.INVESTMENT_DEBT.value or row is None:
        raise Conflict(
            f"application {app.id} is not an investment-debt application",
            code="not_investment_debt",
        )
    request = _request(row.loan, currency=app.currency, rate=rate)
    policies._check_date(inception, field="inception")
    if app.status != policies.APPLICATION_SUBMITTED:
        raise Conflict(f"application {app.id} is already {app.status}", code="application_not_open")
    quote = quote_investment_debt(request)
    schedule = _schedule(
        quote,
        request,
        rate=request.rate,
        indemnity_pct=indemnity_pct,
        host_country=row.host_country,
    )
    policies._check_schedule(schedule)
    now = utc_now()
    policy = Policy(
        exporter_org_id=app.exporter_org_id,
        application_id=app.id,
        product=app.product,
        state=PolicyState.DRAFT.value,
        inception=inception,
        expiry=policy_term(inception=inception, periods=len(quote.periods)),
        auto_renew=False,
        created_at=now,
        updated_at=now,
    )
    policies._apply_schedule(policy, schedule)
    session.add(policy)
    app_before = policies._application_snapshot(app)
    app.status = policies.APPLICATION_UNDERWRITTEN
    session.flush()
    audit.record(
        session,
        org_id=app.exporter_org_id,
        actor=principal.actor,
        action="application.underwritten",
        entity_type="policy_application",
        entity_id=app.id,
        before=app_before,
        after={**policies._application_snapshot(app), "policy_id": policy.id},
    )
    audit.record(
        session,
        org_id=policy.exporter_org_id,
        actor=principal.actor,
        action="policy.drafted",
        entity_type="policy",
        entity_id=policy.id,
        after=policies.snapshot(policy),
    )
    pricing.create_investment_debt_schedule(
        session,
        principal=principal,
        policy=policy,
        request={**row.loan, "currency": app.currency, "rate": str(request.rate)},
    )
    return policy
