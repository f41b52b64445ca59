"""API shapes of a policy's rate basis: the flat-rate option and the floating adjustments.

A schedule prices its shipments on the rate table unless it has the flat-rate option
(``flat_rate_option``) with the agreed ``flat_rate_pct``; ``rate_floating`` holds the
insurer's floating adjustments of the table rate for this policy ([002] 4).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from tradecover.kit.inputs import InputModel
from tradecover.policies.schedule import ExperienceRecord, RateFloating

_Amount = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{1,15}(\.[0-9]{1,6})?$",
        examples=["120000"],
        description="A non-negative decimal string (never a float)",
    ),
]
_Share = Annotated[
    str,
    Field(
        pattern=r"^[01](\.[0-9]{1,6})?$",
        examples=["0.30"],
        description="A share between 0 and 1 as a decimal string",
    ),
]


class ExperienceIn(InputModel):
    """The exporter's record over past policy years that the insurer rates the policy on."""

    model_config = ConfigDict(extra="forbid")
    years: int = Field(ge=0, le=100, examples=[3])
    earned_premium: _Amount
    incurred_claims: _Amount = Field(examples=["30000"])
    exposure: _Amount = Field(
        examples=["40"],
        description="Insured turnover over those years in the rate table's "
        "exposure unit (USD million in ST-2026)",
    )

    def to_record(self) -> ExperienceRecord:
        """The pure value."""
        return ExperienceRecord(
            years=self.years,
            earned_premium=Decimal(self.earned_premium),
            incurred_claims=Decimal(self.incurred_claims),
            exposure=Decimal(self.exposure),
        )


class RateFloatingIn(InputModel):
    """The policy's floating adjustments of the table rate; a part left out: none."""

    model_config = ConfigDict(extra="forbid")
    experience: ExperienceIn | None = Field(
        default=None, description="Experience rating (loss ratio with Buhlmann credibility)"
    )
    concentration_hhi: _Share | None = Field(
        default=None, description="Herfindahl index of the policy's buyer limits (0 to 1)"
    )

    def to_floating(self) -> RateFloating:
        """The pure value."""
        return RateFloating(
            experience=self.experience.to_record() if self.experience else None,
            concentration_hhi=(
                None if self.concentration_hhi is None else Decimal(self.concentration_hhi)
            ),
        )


class ExperienceOut(BaseModel):
    """The experience record a policy is rated on."""

    years: int
    earned_premium: str
    incurred_claims: str
    exposure: str


class RateFloatingOut(BaseModel):
    """The policy's floating adjustments of the table rate."""

    experience: ExperienceOut | None
    concentration_hhi: str | None

    @classmethod
    def of(cls, floating: RateFloating) -> RateFloatingOut:
        """From the pure value."""
        record = floating.experience
        return cls(
            experience=None
            if record is None
            else ExperienceOut(
                years=record.years,
                earned_premium=str(record.earned_premium),
                incurred_claims=str(record.incurred_claims),
                exposure=str(record.exposure),
            ),
            concentration_hhi=(
                None if floating.concentration_hhi is None else str(floating.concentration_hhi)
            ),
        )
