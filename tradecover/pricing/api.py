"""HTTP routes of pricing: quotes (any signed-in role) and rate tables (insurer edits with
history).  The underwriter's renewal rate decision and the investment-debt premium
schedules act on a policy: their routes are the policies context's.  Each request is one
transaction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path

from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import Page, PageDep
from tradecover.pricing import service
from tradecover.pricing.investment_debt import (
    compare_full_and_partial_cover,
    parse_quote_request,
    quote_investment_debt,
)
from tradecover.pricing.mlt_minimum_premium import horizon_of_risk, minimum_premium_rate
from tradecover.pricing.schemas import (
    CoverComparisonOut,
    InvestmentDebtQuoteIn,
    InvestmentDebtQuoteOut,
    MltQuoteIn,
    RateQuoteOut,
    RateTableOut,
    RateTableSummaryOut,
    RateTableVersionIn,
    RateTableVersionOut,
    ShortTermQuoteIn,
)

router = APIRouter(prefix="/api/v1", tags=["pricing"])

Id = Annotated[int, Path(ge=1, le=2**63 - 1, description="Numeric id")]
Code = Annotated[str, Path(min_length=1, max_length=64, description="Rate table code")]


# --- quotes -------------------------------------------------------------------------------


@router.post(
    "/quotes/short-term",
    response_model=RateQuoteOut,
    summary="Quote a short-term rate with its explanation",
)
def quote_short_term(
    body: ShortTermQuoteIn, session: SessionDep, principal: PrincipalDep
) -> RateQuoteOut:
    """The rate per unit of insured amount: table and version, base cell, each adjustment
    and why, bounds applied.  Any signed-in role may quote.
    """
    quote = service.quote_short_term(
        session, principal=principal, request=body.to_request(), code=body.rate_table
    )
    return RateQuoteOut(rate=str(quote.rate), explanation=quote.explanation.to_dict())


@router.post(
    "/quotes/investment-debt",
    response_model=InvestmentDebtQuoteOut,
    summary="Quote overseas investment debt insurance ([004])",
)
def quote_investment_debt_route(
    body: InvestmentDebtQuoteIn, principal: PrincipalDep
) -> InvestmentDebtQuoteOut:
    """Insured amount and premium of every period and the total premium; any
    inconsistency is a 422 naming the field.
    """
    quote = quote_investment_debt(parse_quote_request(body.to_json()))
    return InvestmentDebtQuoteOut.model_validate(quote.to_json())


@router.post(
    "/quotes/investment-debt/cover-comparison",
    response_model=list[CoverComparisonOut],
    summary="Full vs partial cover of an investment-debt quote ([004] Table 2)",
)
def cover_comparison(
    body: InvestmentDebtQuoteIn, principal: PrincipalDep
) -> list[CoverComparisonOut]:
    """For T3 = T2-1 down to 1: the liability and premium full cover adds over T3 years."""
    rows = compare_full_and_partial_cover(parse_quote_request(body.to_json()))
    return [CoverComparisonOut.model_validate(r.to_json()) for r in rows]


@router.post(
    "/quotes/mlt-minimum-premium",
    response_model=dict[str, object],
    summary="OECD Arrangement minimum premium rate (medium/long term)",
)
def quote_mlt(body: MltQuoteIn, principal: PrincipalDep) -> dict[str, object]:
    """The minimum premium rate with its parts and the constants' edition."""
    horizon = horizon_of_risk(
        disbursement_years=Decimal(body.disbursement_years),
        repayment_years=Decimal(body.repayment_years),
        weighted_average_life=(
            Decimal(body.weighted_average_life) if body.weighted_average_life is not None else None
        ),
    )
    result = minimum_premium_rate(
        country_category=body.country_category,
        buyer_risk_category=body.buyer_risk_category,
        horizon=horizon,
        commercial_cover=Decimal(body.commercial_cover),
        political_cover=Decimal(body.political_cover),
        product_quality=body.product_quality,
        local_currency_factor=Decimal(body.local_currency_factor),
        credit_enhancement_factor=Decimal(body.credit_enhancement_factor),
    )
    return result.to_dict()


# --- rate tables --------------------------------------------------------------------------


@router.get(
    "/rate-tables",
    response_model=Page[RateTableSummaryOut],
    summary="Rate tables, each with its newest version",
)
def list_rate_tables(
    session: SessionDep, principal: PrincipalDep, page: PageDep
) -> Page[RateTableSummaryOut]:
    """Every table code; the rates are public to signed-in callers (they may quote)."""
    rows, total = service.list_current(session, limit=page.limit, offset=page.offset)
    items = [
        RateTableSummaryOut(**RateTableVersionOut.of(row).model_dump(), versions=count)
        for row, count in rows
    ]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/rate-tables/{code}",
    response_model=RateTableOut,
    summary="A rate table: the current version's body and its history",
)
def get_rate_table(code: Code, session: SessionDep, principal: PrincipalDep) -> RateTableOut:
    """The version priced on (highest active) and every version, newest first."""
    history = service.versions(session, code=code)
    current = service.current_version(session, code=code)
    return RateTableOut(
        code=code,
        current=RateTableVersionOut.of(current),
        body=current.body,
        versions=[RateTableVersionOut.of(v) for v in history],
    )


@router.post(
    "/rate-tables/{code}/versions",
    response_model=RateTableVersionOut,
    status_code=201,
    summary="Save an edit of a rate table as a new version",
)
def add_rate_table_version(
    code: Code, body: RateTableVersionIn, session: SessionDep, principal: PrincipalDep
) -> RateTableVersionOut:
    """Underwriters, risk managers and admins; the table is validated in full (a matrix
    that falls along a risk axis is a 422 naming the cell) and nothing is written if not.
    """
    row = service.add_rate_table_version(
        session,
        principal=principal,
        code=code,
        body=body.body,
        reason=body.reason,
        status=body.status,
    )
    return RateTableVersionOut.of(row)
