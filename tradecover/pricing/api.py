"""HTTP routes of pricing: quotes (any signed-in role), rate tables (insurer edits with
history), the underwriter's renewal rate decision and investment-debt premium schedules.

The organisation always comes from the credential; a policy or offer of another
organisation answers 404 exactly like a missing one.  Each request is one transaction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Query

from tradecover import policies
from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import Page, PageDep
from tradecover.kit.dates import business_today
from tradecover.kit.money import round_money
from tradecover.policies import RenewalOfferOut
from tradecover.pricing import service
from tradecover.pricing.investment_debt import (
    IndemnitySettlement,
    compare_full_and_partial_cover,
    parse_quote_request,
    quote_investment_debt,
)
from tradecover.pricing.mlt_minimum_premium import horizon_of_risk, minimum_premium_rate
from tradecover.pricing.schemas import (
    CoverComparisonOut,
    DueBeforeIndemnityOut,
    InvestmentDebtQuoteIn,
    InvestmentDebtQuoteOut,
    MltQuoteIn,
    NoticeIn,
    PaymentIn,
    PeriodOut,
    RateQuoteOut,
    RateTableOut,
    RateTableSummaryOut,
    RateTableVersionIn,
    RateTableVersionOut,
    RenewalRateIn,
    ScheduleOut,
    ShortTermQuoteIn,
)

router = APIRouter(prefix="/api/v1", tags=["pricing"])

Id = Annotated[int, Path(ge=1, le=2**63 - 1, description="Numeric id")]
Code = Annotated[str, Path(min_length=1, max_length=64, description="Rate table code")]


# --- quotes -------------------------------------------------------------------------------


@router.post("/quotes/short-term", response_model=RateQuoteOut,
             summary="Quote a short-term rate with its explanation")
def quote_short_term(body: ShortTermQuoteIn, session: SessionDep,
                     principal: PrincipalDep) -> RateQuoteOut:
    """The rate per unit of insured amount: table and version, base cell, each adjustment
    and why, bounds applied.  Any signed-in role may quote.
    """
    quote = service.quote_short_term(session, principal=principal, request=body.to_request(),
                                     code=body.rate_table)
    return RateQuoteOut(rate=str(quote.rate), explanation=quote.explanation.to_dict())


@router.post("/quotes/investment-debt", response_model=InvestmentDebtQuoteOut,
             summary="Quote overseas investment debt insurance ([004])")
def quote_investment_debt_route(body: InvestmentDebtQuoteIn,
                                principal: PrincipalDep) -> InvestmentDebtQuoteOut:
    """Insured amount and premium of every period and the total premium; any
    inconsistency is a 422 naming the field.
    """
    quote = quote_investment_debt(parse_quote_request(body.to_json()))
    return InvestmentDebtQuoteOut.model_validate(quote.to_json())


@router.post("/quotes/investment-debt/cover-comparison",
             response_model=list[CoverComparisonOut],
             summary="Full vs partial cover of an investment-debt quote ([004] Table 2)")
def cover_comparison(body: InvestmentDebtQuoteIn,
                     principal: PrincipalDep) -> list[CoverComparisonOut]:
    """For T3 = T2-1 down to 1: the liability and premium full cover adds over T3 years."""
    rows = compare_full_and_partial_cover(parse_quote_request(body.to_json()))
    return [CoverComparisonOut.model_validate(r.to_json()) for r in rows]


@router.post("/quotes/mlt-minimum-premium", response_model=dict[str, object],
             summary="OECD Arrangement minimum premium rate (medium/long term)")
def quote_mlt(body: MltQuoteIn, principal: PrincipalDep) -> dict[str, object]:
    """The minimum premium rate with its parts and the constants' edition."""
    horizon = horizon_of_risk(
        disbursement_years=Decimal(body.disbursement_years),
        repayment_years=Decimal(body.repayment_years),
        weighted_average_life=(Decimal(body.weighted_average_life)
                               if body.weighted_average_life is not None else None))
    result = minimum_premium_rate(
        country_category=body.country_category, buyer_risk_category=body.buyer_risk_category,
        horizon=horizon, commercial_cover=Decimal(body.commercial_cover),
        political_cover=Decimal(body.political_cover), product_quality=body.product_quality,
        local_currency_factor=Decimal(body.local_currency_factor),
        credit_enhancement_factor=Decimal(body.credit_enhancement_factor))
    return result.to_dict()


# --- rate tables --------------------------------------------------------------------------


@router.get("/rate-tables", response_model=Page[RateTableSummaryOut],
            summary="Rate tables, each with its newest version")
def list_rate_tables(session: SessionDep, principal: PrincipalDep,
                     page: PageDep) -> Page[RateTableSummaryOut]:
    """Every table code; the rates are public to signed-in callers (they may quote)."""
    rows, total = service.list_current(session, limit=page.limit, offset=page.offset)
    items = [RateTableSummaryOut(**RateTableVersionOut.of(row).model_dump(), versions=count)
             for row, count in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/rate-tables/{code}", response_model=RateTableOut,
            summary="A rate table: the current version's body and its history")
def get_rate_table(code: Code, session: SessionDep, principal: PrincipalDep) -> RateTableOut:
    """The version priced on (highest active) and every version, newest first."""
    history = service.versions(session, code=code)
    current = service.current_version(session, code=code)
    return RateTableOut(code=code, current=RateTableVersionOut.of(current), body=current.body,
                        versions=[RateTableVersionOut.of(v) for v in history])


@router.post("/rate-tables/{code}/versions", response_model=RateTableVersionOut,
             status_code=201, summary="Save an edit of a rate table as a new version")
def add_rate_table_version(code: Code, body: RateTableVersionIn, session: SessionDep,
                           principal: PrincipalDep) -> RateTableVersionOut:
    """Underwriters, risk managers and admins; the table is validated in full (a matrix
    that falls along a risk axis is a 422 naming the cell) and nothing is written if not.
    """
    row = service.add_rate_table_version(session, principal=principal, code=code,
                                         body=body.body, reason=body.reason,
                                         status=body.status)
    return RateTableVersionOut.of(row)


# --- renewal rate decision ------------------------------------------------------------------


@router.post("/renewal-offers/{offer_id}/rate", response_model=RenewalOfferOut,
             summary="Accept or override the proposed renewal rate")
def decide_renewal_rate(offer_id: Id, body: RenewalRateIn, session: SessionDep,
                        principal: PrincipalDep) -> RenewalOfferOut:
    """``{"accept": true}`` or ``{"rate": "0.0085", "reason": "..."}`` (a reason is
    required to override).
    """
    service.decide_renewal_rate(
        session, principal=principal, offer_id=offer_id, accept=body.accept,
        rate=Decimal(body.rate) if body.rate is not None else None,
        reason=body.reason if not body.accept else None)
    return RenewalOfferOut.of(policies.get_renewal_offer(session, principal=principal,
                                                         offer_id=offer_id))


# --- investment-debt schedules --------------------------------------------------------------


@router.put("/policies/{policy_id}/investment-debt-schedule", response_model=ScheduleOut,
            summary="Price and store an investment-debt policy's premium schedule")
def set_schedule(policy_id: Id, body: InvestmentDebtQuoteIn, session: SessionDep,
                 principal: PrincipalDep) -> ScheduleOut:
    """Underwriters price the policy's periods from the quote request (once)."""
    service.create_investment_debt_schedule(session, principal=principal, policy_id=policy_id,
                                            request=body.to_json())
    return ScheduleOut.of(service.get_investment_debt_schedule(
        session, principal=principal, policy_id=policy_id, today=business_today()))


@router.get("/policies/{policy_id}/investment-debt-schedule", response_model=ScheduleOut,
            summary="An investment-debt policy's premium schedule")
def get_schedule(policy_id: Id, session: SessionDep, principal: PrincipalDep) -> ScheduleOut:
    """Each period with its notice, due date, payment, status and cover today."""
    return ScheduleOut.of(service.get_investment_debt_schedule(
        session, principal=principal, policy_id=policy_id, today=business_today()))


@router.post("/policies/{policy_id}/investment-debt-schedule/notices",
             response_model=ScheduleOut, summary="Issue a period's premium notice")
def issue_notice(policy_id: Id, body: NoticeIn, session: SessionDep,
                 principal: PrincipalDep) -> ScheduleOut:
    """The premium is due within 30 days of the notice."""
    service.issue_premium_notice(session, principal=principal, policy_id=policy_id,
                                 position=body.position, notice_date=body.notice_date)
    return ScheduleOut.of(service.get_investment_debt_schedule(
        session, principal=principal, policy_id=policy_id, today=business_today()))


@router.post("/policies/{policy_id}/investment-debt-schedule/payments",
             response_model=ScheduleOut, summary="Record a period's premium payment")
def record_payment(policy_id: Id, body: PaymentIn, session: SessionDep,
                   principal: PrincipalDep) -> ScheduleOut:
    """Late premium is refused (409) unless the insurer accepts it."""
    service.record_premium_payment(session, principal=principal, policy_id=policy_id,
                                   position=body.position, paid_on=body.paid_on,
                                   accept_late=body.accept_late)
    return ScheduleOut.of(service.get_investment_debt_schedule(
        session, principal=principal, policy_id=policy_id, today=business_today()))


@router.get("/policies/{policy_id}/investment-debt-schedule/due-before-indemnity",
            response_model=DueBeforeIndemnityOut,
            summary="Premiums to be paid before a loss is indemnified")
def due_before_indemnity(
    policy_id: Id, session: SessionDep, principal: PrincipalDep,
    loss_period: Annotated[int, Query(ge=1, le=10_000)],
    settlement: Annotated[IndemnitySettlement, Query()],
) -> DueBeforeIndemnityOut:
    """Lump sum: every later unpaid period; on the original schedule: none in advance."""
    periods = service.premiums_due_before_indemnity_for(
        session, principal=principal, policy_id=policy_id, loss_period=loss_period,
        settlement=settlement)
    schedule = service.get_investment_debt_schedule(
        session, principal=principal, policy_id=policy_id, today=business_today())
    total = round_money(sum((p.premium for p in periods), Decimal(0)), schedule.currency)
    return DueBeforeIndemnityOut(settlement=settlement, loss_period=loss_period,
                                 periods=[PeriodOut.of(p) for p in periods], total=str(total))
