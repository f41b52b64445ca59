"""API shapes of limit reduction proposals: the job's run, a proposal, accept, dismiss, bulk."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tradecover.kit.inputs import InputModel
from tradecover.limits.model import LimitReductionProposal
from tradecover.limits.schemas import MoneyOut, SignedAmount


class ProposeReductionsIn(InputModel):
    """Run the under-use job now (defaults: the configured share and period)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"max_share": "0.25", "period_days": 180}]}
    )
    max_share: Decimal | None = Field(
        default=None,
        gt=0,
        lt=1,
        max_digits=6,
        decimal_places=4,
        description="Under-used below this share of the limit (default "
        "TRADECOVER_LIMIT_UNDER_USE_SHARE)",
    )
    period_days: int | None = Field(
        default=None,
        ge=1,
        le=3650,
        description="Days observed, ending today (default TRADECOVER_LIMIT_UNDER_USE_DAYS)",
    )


class ProposeReductionsOut(BaseModel):
    """Ids of the proposals the run wrote, and of pending ones it lapsed."""

    proposed: list[int]
    lapsed: list[int]


class ReductionProposalOut(BaseModel):
    """A proposed reduction of an under-used limit, and what became of it."""

    id: int
    limit_id: int
    buyer_id: int
    exporter_org_id: int
    limit_version: int
    status: Literal["pending", "accepted", "dismissed", "lapsed"]
    approved: MoneyOut
    peak_outstanding: MoneyOut
    peak_share: str = Field(description="Peak outstanding / limit, a fraction to 4 decimals")
    proposed: MoneyOut
    max_share: str
    period_days: int
    window_start: date
    proposed_on: date
    decided_on: date | None
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    version_id: int | None = Field(description="The limit version an acceptance wrote")

    @classmethod
    def of(cls, row: LimitReductionProposal) -> ReductionProposalOut:
        """Build from the row."""
        return cls(
            id=row.id,
            limit_id=row.limit_id,
            buyer_id=row.buyer_id,
            exporter_org_id=row.org_id,
            limit_version=row.limit_version,
            status=row.status,
            approved=MoneyOut.minor(row.approved_minor, row.currency),
            peak_outstanding=MoneyOut.minor(row.peak_minor, row.currency),
            peak_share=str(row.peak_share),
            proposed=MoneyOut.minor(row.proposed_minor, row.currency),
            max_share=str(row.max_share),
            period_days=row.period_days,
            window_start=row.window_start,
            proposed_on=row.proposed_on,
            decided_on=row.decided_on,
            decided_at=row.decided_at,
            decided_by=row.decided_by,
            decision_reason=row.decision_reason,
            version_id=row.version_id,
        )


class AcceptProposalIn(InputModel):
    """Accept a proposal: reduce to the proposed amount, or to ``amount`` (below the limit)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "agreed with the exporter's sales plan"}]},
    )
    amount: SignedAmount | None = Field(default=None, description="In the limit's currency")
    reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="Told to the exporter (default: the peak found)",
    )


class DismissProposalIn(InputModel):
    """Dismiss a proposal: the limit stays; it is judged again after a full new period."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "seasonal buyer: peak expected in Q4"}]},
    )
    reason: str = Field(min_length=1, max_length=1000)


class BulkDecisionIn(InputModel):
    """Accept or dismiss many proposals at once (a dismissal needs a reason)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"proposal_ids": [1, 2, 3], "action": "accept"}]},
    )
    proposal_ids: list[int] = Field(min_length=1, max_length=1000)
    action: Literal["accept", "dismiss"]
    reason: str | None = Field(default=None, min_length=1, max_length=1000)


class BulkDecisionOut(BaseModel):
    """Proposals decided, and those skipped with why (not pending, limit changed)."""

    decided: list[int]
    skipped: dict[int, str]
