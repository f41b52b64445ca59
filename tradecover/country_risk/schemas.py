"""API shapes of country risk."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from tradecover.country_risk.cover import CoverStatus
from tradecover.country_risk.service import CountryRisk
from tradecover.kit.inputs import InputModel


class MoneyOut(BaseModel):
    """An amount as a decimal string with its currency."""

    amount: str = Field(examples=["5000000.00"])
    currency: str = Field(examples=["USD"])


class CountryRiskOut(BaseModel):
    """The insurer's view of a country in force."""

    country: str = Field(examples=["TR"])
    name: str
    risk_class: int | None = Field(description="OECD class 0-7; null when unclassified")
    cover_status: CoverStatus
    exposure_cap: MoneyOut | None
    source: str
    effective_from: date
    reason: str | None
    version_id: int

    @classmethod
    def of(cls, view: CountryRisk) -> CountryRiskOut:
        """Build from the service's view."""
        cap = view.exposure_cap
        return cls(
            country=view.country,
            name=view.name,
            risk_class=view.risk_class,
            cover_status=view.cover_status,
            exposure_cap=MoneyOut(amount=str(cap.rounded().amount), currency=cap.currency)
            if cap
            else None,
            source=view.source,
            effective_from=view.effective_from,
            reason=view.reason,
            version_id=view.version_id,
        )


class CountryRiskChangeIn(InputModel):
    """A change to a country's view; omitted fields keep their value."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "cover_status": "restricted",
                    "exposure_cap_amount": "250000000",
                    "exposure_cap_currency": "USD",
                    "effective_from": "2026-11-23",
                    "reason": "tariff shock: new limits case by case",
                }
            ]
        },
    )
    risk_class: int | None = Field(default=None, ge=0, le=7)
    unclassified: bool = Field(default=False, description="Set the class to unclassified")
    cover_status: CoverStatus | None = None
    exposure_cap_amount: Decimal | None = Field(default=None, gt=0, max_digits=20, decimal_places=4)
    exposure_cap_currency: str | None = Field(default=None, min_length=3, max_length=3)
    remove_exposure_cap: bool = False
    effective_from: date
    reason: str = Field(min_length=1, max_length=1000)
