"""API shapes of the buyer registry."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tradecover.buyers.directory import BuyerKind
from tradecover.buyers.matching import ReviewResolution
from tradecover.buyers.model import Buyer, BuyerMatchReview, BuyerRating
from tradecover.buyers.rating_factors import AdverseEvent, CompanyType, Sector, SizeBand
from tradecover.kit.inputs import InputModel


class FinancialsIn(InputModel):
    """Financial ratios (decimals) of a buyer; all optional."""

    model_config = ConfigDict(extra="forbid")
    current_ratio: Decimal | None = Field(default=None, ge=0, le=1000, max_digits=12)
    debt_to_equity: Decimal | None = Field(default=None, ge=0, le=1000, max_digits=12)
    negative_equity: bool = False
    net_margin: Decimal | None = Field(default=None, ge=-100, le=100, max_digits=12)
    interest_cover: Decimal | None = Field(default=None, ge=-1000, le=1000, max_digits=12)

    def as_dict(self) -> dict[str, Decimal | bool]:
        """The figures given, for the service."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class BuyerDetailsIn(InputModel):
    """What is known about a buyer's business and risk."""

    model_config = ConfigDict(extra="forbid")
    address: str | None = Field(default=None, max_length=500)
    sector: Sector | None = None
    size: SizeBand | None = None
    company_type: CompanyType | None = None
    ownership: str | None = Field(default=None, max_length=200)
    financials: FinancialsIn | None = None
    days_beyond_terms: int | None = Field(default=None, ge=0, le=3650)
    overdue_reports: int = Field(default=0, ge=0, le=1000)
    adverse_events: list[AdverseEvent] = Field(default_factory=list, max_length=10)
    bank_rank: int | None = Field(default=None, ge=1, le=100_000)
    capital_adequacy_ratio: Decimal | None = Field(default=None, ge=0, le=100, max_digits=10)
    total_assets_usd: Decimal | None = Field(
        default=None,
        ge=0,
        max_digits=18,
        decimal_places=2,
        description="a bank's total assets, in USD",
    )
    defaults_on_record: int = Field(default=0, ge=0, le=1000)


class BuyerIn(BuyerDetailsIn):
    """Register a buyer (or bank); the same company is matched, not duplicated."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Müller Maschinenbau GmbH",
                    "country": "DE",
                    "registration_number": "HRB 12345",
                    "sector": "machinery",
                    "size": "medium",
                    "company_type": "private",
                    "own_reference": "CUST-0042",
                    "trading_since": "2019-03-01",
                }
            ]
        },
    )
    kind: BuyerKind = BuyerKind.BUYER
    name: str = Field(min_length=1, max_length=300)
    country: str = Field(min_length=2, max_length=2)
    other_names: list[str] = Field(default_factory=list, max_length=10)
    lei: str | None = Field(default=None, max_length=40)
    duns: str | None = Field(default=None, max_length=20)
    tax_id: str | None = Field(default=None, max_length=64)
    registration_number: str | None = Field(default=None, max_length=64)
    own_reference: str | None = Field(default=None, max_length=100)
    trading_since: date | None = None


class AssessmentIn(BuyerDetailsIn):
    """New financials, payment record or adverse events, with a reason (insurer)."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=1000)


class BuyerOut(BaseModel):
    """A buyer as the caller may see it."""

    id: int
    kind: str
    legal_name: str
    other_names: list[str]
    country: str
    registration_number: str | None
    lei: str | None
    tax_id: str | None
    duns: str | None
    address: str | None
    sector: str | None
    size: str | None
    company_type: str | None
    adverse_events: list[str]
    merged_into_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, row: Buyer) -> BuyerOut:
        """Build from the row."""
        return cls(
            id=row.id,
            kind=row.kind,
            legal_name=row.legal_name,
            other_names=list(row.other_names or ()),
            country=row.country,
            registration_number=row.registration_number,
            lei=row.lei,
            tax_id=row.tax_id,
            duns=row.duns,
            address=row.address,
            sector=row.sector,
            size=row.size,
            company_type=row.company_type,
            adverse_events=list(row.adverse_events or ()),
            merged_into_id=row.merged_into_id,
            created_at=row.created_at,
        )


class RegistrationOut(BaseModel):
    """The record used and how it was matched (same, possible, different)."""

    buyer: BuyerOut
    verdict: str
    created: bool
    review_id: int | None


class RatingOut(BaseModel):
    """A stored rating with every factor's contribution."""

    id: int
    buyer_id: int
    model_version: str
    score: int
    grade: int
    pd: str
    hard_stop: bool
    hard_stop_reasons: list[str]
    contributions: list[dict[str, Any]]
    rated_at: datetime

    @classmethod
    def of(cls, row: BuyerRating) -> RatingOut:
        """Build from the row."""
        return cls(
            id=row.id,
            buyer_id=row.buyer_id,
            model_version=row.model_version,
            score=row.score,
            grade=row.grade,
            pd=str(row.pd),
            hard_stop=row.hard_stop,
            hard_stop_reasons=list(row.hard_stop_reasons or ()),
            contributions=list(row.contributions or ()),
            rated_at=row.rated_at,
        )


class ReviewOut(BaseModel):
    """An uncertain match waiting for (or resolved by) a risk manager."""

    id: int
    buyer_id: int
    candidate_id: int
    score: str
    matched_on: str
    reason: str
    status: str
    resolved_by: str | None

    @classmethod
    def of(cls, row: BuyerMatchReview) -> ReviewOut:
        """Build from the row."""
        return cls(
            id=row.id,
            buyer_id=row.buyer_id,
            candidate_id=row.candidate_id,
            score=str(row.score),
            matched_on=row.matched_on,
            reason=row.reason,
            status=row.status,
            resolved_by=row.resolved_by,
        )


class ResolveIn(InputModel):
    """Merge the two records, or keep them separate."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"resolution": "merge", "note": "same registration in the trade register"}]
        },
    )
    resolution: ReviewResolution
    note: str | None = Field(default=None, max_length=1000)
