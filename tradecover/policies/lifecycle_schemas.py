"""API shapes of the steps of a policy's life: underwriting and revising its terms,
endorsing, terminating and running a policy job.
"""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict, Field

from tradecover.kit.inputs import InputModel
from tradecover.policies.lifecycle import TerminationKind
from tradecover.policies.schemas import SCHEDULE_EXAMPLE, STRICT, Reason, ScheduleIn


class UnderwriteIn(InputModel):
    """Underwrite an application into a draft policy."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"inception": "2027-01-01", "schedule": SCHEDULE_EXAMPLE}]},
    )
    inception: date
    schedule: ScheduleIn


class ReviseIn(InputModel):
    """New terms for a draft or quoted policy."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"schedule": SCHEDULE_EXAMPLE, "reason": "exporter asked for 95 % political cover"}
            ]
        },
    )
    schedule: ScheduleIn
    reason: Reason


class EndorsementIn(InputModel):
    """A special provision."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "Buyers in BR are covered on LC terms only.",
                    "effective_date": "2027-03-01",
                }
            ]
        },
    )
    text: str = Field(min_length=1, max_length=10_000)
    effective_date: date


class TerminateIn(InputModel):
    """End a policy ([domain P-10])."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "insured_cancellation",
                    "reason": "business closed",
                    "effective_date": None,
                }
            ]
        },
    )
    kind: TerminationKind
    reason: Reason
    effective_date: date | None = Field(
        default=None, description="Cancellations only; default today, never in the past"
    )


class JobIn(InputModel):
    """Run a policy job as of a business date (default today)."""

    model_config = STRICT
    today: date | None = None
