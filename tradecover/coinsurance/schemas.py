"""API shapes of coinsurance: participations (of a policy or a single limit) in and out,
statement lines, the claim approval threshold, followers' approvals, a follower's shares.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tradecover.coinsurance.model import CoinsuranceClaimApproval
from tradecover.coinsurance.service import StatementLine
from tradecover.coinsurance.shares import ParticipantRole, Participation
from tradecover.kit.inputs import InputModel
from tradecover.kit.money import Money


class ParticipationIn(InputModel):
    """One insurer's share of the policy for a period."""

    model_config = ConfigDict(extra="forbid")

    org_id: int = Field(ge=1, le=2**63 - 1, description="the insurer or co-insurer organisation")
    role: Literal["lead", "follower"]
    share: Decimal = Field(
        gt=0, le=100, max_digits=5, decimal_places=2, description="percent, two decimals at most"
    )
    effective_from: date
    effective_to: date | None = Field(default=None, description="inclusive; open when absent")

    def value(self) -> Participation:
        """The pure value."""
        return Participation(
            org_id=self.org_id,
            role=ParticipantRole(self.role),
            share=self.share,
            effective_from=self.effective_from,
            effective_to=self.effective_to,
        )


class ParticipationsIn(InputModel):
    """The whole set of a policy's participations (replaces the current one)."""

    model_config = ConfigDict(extra="forbid")

    policy_id: int = Field(ge=1, le=2**63 - 1)
    reason: str = Field(min_length=1, max_length=1000, description="why the shares change")
    participations: list[ParticipationIn] = Field(max_length=50)


class ParticipationOut(BaseModel):
    """One participation as stored."""

    org_id: int
    role: Literal["lead", "follower"]
    share: Decimal
    effective_from: date
    effective_to: date | None

    @classmethod
    def of(cls, p: Participation) -> ParticipationOut:
        """From the pure value."""
        return cls(
            org_id=p.org_id,
            role="lead" if p.role is ParticipantRole.LEAD else "follower",
            share=p.share,
            effective_from=p.effective_from,
            effective_to=p.effective_to,
        )


class ParticipationsOut(BaseModel):
    """A policy's participations (and its claim approval threshold, when it has one)."""

    policy_id: int
    participations: list[ParticipationOut]
    claim_approval_threshold: Decimal | None = None
    currency: str | None = None


class StatementLineOut(BaseModel):
    """A participant's share of one policy's premium, claims paid and recoveries."""

    policy_id: int
    currency: str
    premium: Decimal
    claims: Decimal
    recoveries: Decimal

    @classmethod
    def of(cls, line: StatementLine) -> StatementLineOut:
        """From the use case's line."""
        return cls(
            policy_id=line.policy_id,
            currency=line.currency,
            premium=line.premium.amount,
            claims=line.claims.amount,
            recoveries=line.recoveries.amount,
        )


class LimitParticipationsIn(InputModel):
    """The whole set of a single large limit's participations [domain CO-13]."""

    model_config = ConfigDict(extra="forbid")

    limit_id: int = Field(ge=1, le=2**63 - 1)
    reason: str = Field(min_length=1, max_length=1000, description="why the shares change")
    participations: list[ParticipationIn] = Field(max_length=50)


class LimitParticipationsOut(BaseModel):
    """A limit's participations."""

    limit_id: int
    participations: list[ParticipationOut]


class ThresholdIn(InputModel):
    """A coinsured policy's claim approval threshold; null removes it [domain CO-11]."""

    model_config = ConfigDict(extra="forbid")

    threshold: Decimal | None = Field(
        ge=0, max_digits=18, decimal_places=2, description="claims above it ask the followers"
    )
    currency: str = Field(pattern="^[A-Z]{3}$", description="the policy's currency")
    reason: str = Field(min_length=1, max_length=1000)


class ThresholdOut(BaseModel):
    """The threshold as set."""

    policy_id: int
    threshold: Decimal | None
    currency: str


class ClaimAnswerIn(InputModel):
    """A follower's answer on a claim above the threshold [domain CO-12]."""

    model_config = ConfigDict(extra="forbid")

    answer: Literal["approve", "object"]
    reason: str | None = Field(default=None, max_length=1000, description="required to object")


class ClaimApprovalOut(BaseModel):
    """A follower's approval of one claim and where it stands."""

    claim_id: int
    policy_id: int
    org_id: int
    currency: str
    indemnity: Decimal
    share_amount: Decimal
    threshold: Decimal
    state: Literal["pending", "approved", "objected"]
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None

    @classmethod
    def of(cls, row: CoinsuranceClaimApproval) -> ClaimApprovalOut:
        """From the stored row."""
        cur = row.currency
        return cls(
            claim_id=row.claim_id,
            policy_id=row.policy_id,
            org_id=row.org_id,
            currency=cur,
            indemnity=Money.from_minor(row.indemnity_minor, cur).amount,
            share_amount=Money.from_minor(row.share_minor, cur).amount,
            threshold=Money.from_minor(row.threshold_minor, cur).amount,
            state=row.state,
            requested_at=row.requested_at,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            reason=row.reason,
        )
