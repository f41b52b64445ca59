"""API answers about a policy's records: endorsements, renewal offers, history, jobs, liability."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tradecover.kit.inputs import InputModel
from tradecover.policies.liability import LiabilityRule, LiabilityRuling
from tradecover.policies.model import (
    Endorsement,
    RenewalOffer,
)

if TYPE_CHECKING:
    from tradecover.audit import AuditEntry


class EndorsementOut(BaseModel):
    """One numbered endorsement."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    policy_id: int
    number: int
    text: str
    effective_date: date
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, endorsement: Endorsement) -> EndorsementOut:
        """From the row."""
        return cls.model_validate(endorsement)


class RenewalOfferOut(BaseModel):
    """The review of a term and the proposed terms of the next
    ([domain P-8]).
    """

    model_config = ConfigDict(from_attributes=True)
    id: int
    policy_id: int
    status: Literal["offered", "accepted", "declined", "lapsed"]
    review_metrics: dict[str, str]
    proposed_terms: dict[str, Any]
    explanation: dict[str, Any]
    offered_at: datetime
    offered_by: str
    decided_at: datetime | None
    renewal_policy_id: int | None

    @classmethod
    def of(cls, offer: RenewalOffer) -> RenewalOfferOut:
        """From the row."""
        return cls.model_validate(offer)


class HistoryEntryOut(BaseModel):
    """One audit entry about a policy."""

    model_config = ConfigDict(from_attributes=True)
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    reason: str | None
    before: Any
    after: Any

    @classmethod
    def of(cls, entry: AuditEntry) -> HistoryEntryOut:
        """From the row."""
        return cls.model_validate(entry)


class JobOut(BaseModel):
    """What a job did."""

    today: date
    processed: int = Field(description="Policies changed (0 on a rerun)")


class LiabilityOut(BaseModel):
    """Whether the policy, as it stands, still carries a shipment made on a date ([002] 5)."""

    policy_id: int
    shipment_date: date
    keeps_cover: bool
    rule: LiabilityRule = Field(description="the way the policy ended or paused that decided")
    explanation: str
    compared: dict[str, str] = Field(description="the dates the rule compared (ISO)")

    @classmethod
    def of(cls, policy_id: int, shipment_date: date, ruling: LiabilityRuling) -> LiabilityOut:
        """From the rule's ruling."""
        return cls(
            policy_id=policy_id,
            shipment_date=shipment_date,
            keeps_cover=ruling.keeps_cover,
            rule=ruling.rule,
            explanation=ruling.explanation,
            compared=dict(ruling.compared),
        )


_RateStr = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        pattern=r"^-?[0-9]{1,18}(\.[0-9]{1,18})?$",
        description="A decimal number as a string (never a float)",
    ),
]


class RenewalRateIn(InputModel):
    """Accept the proposed renewal rate, or override it with a rate and a reason."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"accept": True},
                {"rate": "0.0085", "reason": "new collateral from the parent"},
            ]
        },
    )
    accept: bool = False
    rate: _RateStr | None = None
    reason: str | None = Field(default=None, max_length=1000)
