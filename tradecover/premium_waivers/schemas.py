"""API shapes of late-premium waivers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tradecover.kit.inputs import InputModel
from tradecover.premium_waivers.model import PremiumWaiver


class WaiverIn(InputModel):
    """Propose waiving a notice's late premium (a second person approves it)."""

    model_config = ConfigDict(extra="forbid")

    notice_id: int = Field(ge=1, le=2**63 - 1, description="the premium notice paid late")
    reason: str = Field(
        min_length=1,
        max_length=1000,
        description="why the insurer keeps the cover despite late premium",
    )


class WaiverOut(BaseModel):
    """A waiver and where it stands: only an approved one counts in the claim checks."""

    id: int
    notice_id: int
    exporter_org_id: int
    status: Literal["proposed", "approved"]
    reason: str
    proposed_by: str
    proposed_at: datetime
    approved_by: str | None
    approved_on: date | None
    approved_at: datetime | None

    @classmethod
    def of(cls, waiver: PremiumWaiver) -> WaiverOut:
        """From the row."""
        return cls(
            id=waiver.id,
            notice_id=waiver.notice_id,
            exporter_org_id=waiver.exporter_org_id,
            status="approved" if waiver.status == "approved" else "proposed",
            reason=waiver.reason,
            proposed_by=waiver.proposed_by,
            proposed_at=waiver.proposed_at,
            approved_by=waiver.approved_by,
            approved_on=waiver.approved_on,
            approved_at=waiver.approved_at,
        )
