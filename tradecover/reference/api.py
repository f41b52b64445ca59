"""HTTP routes of static reference data: currencies, payment terms, credit bands, HS chapters."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from tradecover.api.deps import PrincipalDep
from tradecover.kit.money import minor_unit
from tradecover.reference.hs import hs_chapters
from tradecover.reference.payment_terms import CREDIT_PERIOD_BANDS, PaymentTerms

router = APIRouter(prefix="/api/v1/reference", tags=["reference"])


class CurrencyOut(BaseModel):
    """An ISO 4217 currency and its minor unit."""

    code: str
    name: str
    minor_unit: int


class PaymentTermsOut(BaseModel):
    """A payment term, riskiest last."""

    code: str
    label: str
    risk_rank: int


class CreditBandOut(BaseModel):
    """A credit period band in days."""

    label: str
    min_days: int
    max_days: int


class HsChapterOut(BaseModel):
    """A Harmonized System chapter."""

    chapter: str
    description: str
    status: str


@router.get("/currencies", response_model=list[CurrencyOut], summary="ISO 4217 currencies")
def currencies(principal: PrincipalDep) -> list[CurrencyOut]:
    """Every tradable ISO 4217 currency with its minor unit."""
    import pycountry

    from tradecover.kit.money import is_currency

    return [
        CurrencyOut(code=c.alpha_3, name=c.name, minor_unit=minor_unit(c.alpha_3))
        for c in sorted(pycountry.currencies, key=lambda c: c.alpha_3)
        if is_currency(c.alpha_3)
    ]


@router.get("/payment-terms", response_model=list[PaymentTermsOut], summary="Payment terms")
def payment_terms(principal: PrincipalDep) -> list[PaymentTermsOut]:
    """L/C, D/P, D/A, O/A in rising order of risk."""
    return [
        PaymentTermsOut(code=t.value, label=t.label, risk_rank=t.risk_rank)
        for t in sorted(PaymentTerms, key=lambda t: t.risk_rank)
    ]


@router.get(
    "/credit-period-bands", response_model=list[CreditBandOut], summary="Credit period bands"
)
def credit_period_bands(principal: PrincipalDep) -> list[CreditBandOut]:
    """The bands of the rate matrix."""
    return [
        CreditBandOut(label=b.label, min_days=b.min_days, max_days=b.max_days)
        for b in CREDIT_PERIOD_BANDS
    ]


@router.get("/hs-chapters", response_model=list[HsChapterOut], summary="HS chapters")
def hs_chapter_list(principal: PrincipalDep) -> list[HsChapterOut]:
    """Harmonized System 2022 chapters."""
    return [
        HsChapterOut(chapter=c.code, description=c.description, status=str(c.status))
        for c in hs_chapters()
    ]
