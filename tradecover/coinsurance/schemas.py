"""API shapes of coinsurance: participations in and out, statement lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tradecover.coinsurance.service import StatementLine
from tradecover.coinsurance.shares import ParticipantRole, Participation
from tradecover.kit.inputs import InputModel


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
    """A policy's participations."""

    policy_id: int
    participations: list[ParticipationOut]


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
