"""API shapes of pricing: quotes, rate tables, renewal rate decisions, investment-debt
schedules.  Money and rates travel as decimal strings, never floats; the pure rules check
the numbers themselves so that every 422 names the field as the issue describes it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tradecover.kit.inputs import InputModel
from tradecover.pricing.investment_debt import IndemnitySettlement, PeriodPremium
from tradecover.pricing.model import RateTableVersion
from tradecover.pricing.service import PeriodView, ScheduleView
from tradecover.pricing.short_term import ExporterExperience, ShortTermRateRequest
from tradecover.reference.payment_terms import PaymentTerms

DecimalStr = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        pattern=r"^-?[0-9]{1,18}(\.[0-9]{1,18})?$",
        description="A decimal number as a string (never a float)",
    ),
]
"""A decimal string; its range is checked by the pricing rules, which name the field."""

FORBID = ConfigDict(extra="forbid")


class ExperienceIn(InputModel):
    """The exporter's record over past policy years (experience rating)."""

    model_config = FORBID
    years: int = Field(ge=0, le=100, examples=[3])
    earned_premium: DecimalStr = Field(examples=["120000"])
    incurred_claims: DecimalStr = Field(examples=["30000"])
    exposure: DecimalStr = Field(
        examples=["40"], description="Insured turnover over those years, USD million"
    )


class ShortTermQuoteIn(InputModel):
    """A short-term rate request: give ``country`` or ``country_class``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "country": "TR",
                    "payment_terms": "OA",
                    "credit_days": 90,
                    "indemnity_percentage": "90",
                    "buyer_grade": "B",
                }
            ]
        },
    )
    country: str | None = Field(default=None, min_length=2, max_length=2, examples=["TR"])
    country_class: int | None = Field(default=None, examples=[4])
    payment_terms: PaymentTerms = Field(examples=["OA"])
    credit_days: int = Field(ge=-100_000, le=100_000, examples=[90])
    indemnity_percentage: DecimalStr = Field(
        examples=["90"], description="Share of a loss the insurer pays, in percent"
    )
    buyer_grade: str | None = Field(default=None, max_length=16, examples=["B"])
    buyer_pd: DecimalStr | None = Field(
        default=None, examples=["0.015"], description="Probability of default, 0..1"
    )
    concentration_hhi: DecimalStr | None = Field(default=None, examples=["0.30"])
    experience: ExperienceIn | None = None
    rate_table: str | None = Field(default=None, min_length=1, max_length=64, examples=["ST-2026"])

    def to_request(self) -> ShortTermRateRequest:
        """The pure request (indemnity percent to a fraction)."""
        exp = self.experience
        return ShortTermRateRequest(
            payment_terms=self.payment_terms,
            credit_days=self.credit_days,
            indemnity_percentage=Decimal(self.indemnity_percentage) / 100,
            country_class=self.country_class,
            country=self.country,
            buyer_grade=self.buyer_grade,
            buyer_pd=Decimal(self.buyer_pd) if self.buyer_pd is not None else None,
            concentration_hhi=(
                Decimal(self.concentration_hhi) if self.concentration_hhi is not None else None
            ),
            experience=ExporterExperience(
                years=exp.years,
                earned_premium=Decimal(exp.earned_premium),
                incurred_claims=Decimal(exp.incurred_claims),
                exposure=Decimal(exp.exposure),
            )
            if exp is not None
            else None,
        )


class RateQuoteOut(BaseModel):
    """A rate per unit of insured amount and how it was reached."""

    rate: str = Field(examples=["0.00540000"])
    explanation: dict[str, Any]


class DrawdownIn(InputModel):
    """A drawdown period: principal drawn in it and the interest accrued."""

    model_config = FORBID
    drawn: Any = Field(examples=["5000000"])
    interest: Any = Field(examples=["150000"])


class RepaymentIn(InputModel):
    """A repayment period n: principal a_n due at its end and its interest I_n."""

    model_config = FORBID
    principal: Any = Field(examples=["2000000"])
    interest: Any = Field(examples=["600000"])


class InvestmentDebtQuoteIn(InputModel):
    """Overseas investment debt insurance quote request ([004]); amounts decimal strings."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "currency": "USD",
                    "rate": "0.0085",
                    "insure_interest": True,
                    "drawdown_periods": [
                        {"drawn": "6000000", "interest": "180000"},
                        {"drawn": "4000000", "interest": "420000"},
                    ],
                    "repayment_periods": [
                        {"principal": "5000000", "interest": "600000"},
                        {"principal": "5000000", "interest": "300000"},
                    ],
                }
            ]
        },
    )
    currency: Any = Field(examples=["USD"])
    rate: Any = Field(examples=["0.0085"])
    insure_interest: Any = Field(default=True)
    max_insured_amount: Any = Field(default=None)
    covered_repayment_periods: Any = Field(default=None)
    drawdown_periods: list[DrawdownIn] | None = Field(default=None, max_length=600)
    repayment_periods: list[RepaymentIn] = Field(max_length=600)

    def to_json(self) -> dict[str, Any]:
        """The JSON form the pure parser reads (unset optional keys left out)."""
        return self.model_dump(exclude_unset=True)


class PeriodOut(BaseModel):
    """One period of an investment-debt quote."""

    index: int
    phase: Literal["drawdown", "repayment"]
    insured_amount: str
    premium: str

    @classmethod
    def of(cls, period: PeriodPremium) -> PeriodOut:
        """From the pure period."""
        return cls(**period.to_json())


class InvestmentDebtQuoteOut(BaseModel):
    """The premium schedule: exactly the issue's response shape."""

    currency: str
    periods: list[PeriodOut]
    total_premium: str


class CoverComparisonOut(BaseModel):
    """One row of the cover comparison ([004] Table 2): what full cover adds over covering
    the first T3 periods.
    """

    covered_repayment_periods: int
    extra_liability: str
    extra_premium: str
    partial_premium: str
    full_premium: str


class MltQuoteIn(InputModel):
    """OECD Arrangement minimum premium rate request (medium/long-term buyer credit)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "country_category": 4,
                    "buyer_risk_category": "CC2",
                    "disbursement_years": "1",
                    "repayment_years": "5",
                }
            ]
        },
    )
    country_category: int = Field(ge=-10, le=100, examples=[4])
    buyer_risk_category: str = Field(min_length=1, max_length=8, examples=["CC2"])
    disbursement_years: DecimalStr = Field(examples=["1"])
    repayment_years: DecimalStr = Field(examples=["5"])
    weighted_average_life: DecimalStr | None = None
    commercial_cover: DecimalStr = Field(default="0.95")
    political_cover: DecimalStr = Field(default="0.95")
    product_quality: str = Field(default="standard", max_length=24)
    local_currency_factor: DecimalStr = Field(default="0")
    credit_enhancement_factor: DecimalStr = Field(default="0")


class RateTableVersionOut(BaseModel):
    """One stored version of a rate table."""

    code: str
    version: int
    effective_from: date
    status: str
    reason: str | None
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, row: RateTableVersion) -> RateTableVersionOut:
        """From the ORM row."""
        return cls(
            code=row.code,
            version=row.version,
            effective_from=row.effective_from,
            status=row.status,
            reason=row.reason,
            created_by=row.created_by,
            created_at=row.created_at,
        )


class RateTableSummaryOut(RateTableVersionOut):
    """A table code with its newest version and how many versions it has."""

    versions: int


class RateTableOut(BaseModel):
    """A table: its current (priced-on) version's body and every version, newest first."""

    code: str
    current: RateTableVersionOut
    body: dict[str, Any]
    versions: list[RateTableVersionOut]


class RateTableVersionIn(InputModel):
    """A new version of a table: the table's JSON body, why, and draft or active."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reason": "raise open-account rates for class 6-7 after the 2026 review",
                    "status": "active",
                    "body": {"effective_from": "2026-07-01", "...": "..."},
                }
            ]
        },
    )
    body: dict[str, Any]
    reason: str = Field(min_length=1, max_length=1000)
    status: Literal["active", "draft"] = "active"


class NoticeIn(InputModel):
    """Issue the premium notice of one period."""

    model_config = FORBID
    position: int = Field(ge=1, le=10_000, examples=[1])
    notice_date: date = Field(examples=["2026-01-15"])


class PaymentIn(InputModel):
    """Record the payment of one period's premium."""

    model_config = FORBID
    position: int = Field(ge=1, le=10_000, examples=[1])
    paid_on: date = Field(examples=["2026-02-01"])
    accept_late: bool = Field(
        default=False, description="The insurer accepts premium paid after the due date"
    )


class SchedulePeriodOut(BaseModel):
    """A period of a policy's premium schedule with its notice, payment and status."""

    position: int
    phase: str
    index: int
    insured_amount: str
    premium: str
    notice_date: date | None
    due_date: date | None
    paid_on: date | None
    status: str
    cover_in_force: bool | None

    @classmethod
    def of(cls, view: PeriodView) -> SchedulePeriodOut:
        """From the service view."""
        return cls(
            position=view.position,
            phase=view.phase,
            index=view.index,
            insured_amount=str(view.insured_amount.amount),
            premium=str(view.premium.amount),
            notice_date=view.notice_date,
            due_date=view.due_date,
            paid_on=view.paid_on,
            status=view.status,
            cover_in_force=view.cover_in_force,
        )


class ScheduleOut(BaseModel):
    """An investment-debt policy's premium schedule."""

    policy_id: int
    currency: str
    total_premium: str
    request: dict[str, Any]
    periods: list[SchedulePeriodOut]

    @classmethod
    def of(cls, view: ScheduleView) -> ScheduleOut:
        """From the service view."""
        return cls(
            policy_id=view.policy_id,
            currency=view.currency,
            total_premium=str(view.total_premium.amount),
            request=view.request,
            periods=[SchedulePeriodOut.of(p) for p in view.periods],
        )


class DueBeforeIndemnityOut(BaseModel):
    """Premiums that must be paid before a loss is indemnified."""

    settlement: IndemnitySettlement
    loss_period: int
    periods: list[PeriodOut]
    total: str
