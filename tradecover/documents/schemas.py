"""Request and response bodies of the document registry's API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from tradecover.documents.registry import Verdict
from tradecover.kit.inputs import InputModel


class VerifyIn(InputModel):
    """A document number and the SHA-256 of the file its holder has."""

    number: str = Field(min_length=1, max_length=40, examples=["DOC-2026-000123"])
    sha256: str = Field(min_length=64, max_length=64, pattern=r"^[0-9A-Fa-f]{64}$")


class VerdictOut(BaseModel):
    """Genuine, not genuine or unknown number; the kind and date of issue only when genuine."""

    number: str
    outcome: str = Field(description="genuine, not_genuine or unknown_number")
    kind: str | None = Field(
        default=None,
        description=(
            "policy_schedule, endorsement, limit_decision, premium_notice, subsidy_statement, "
            "claim_decision or recovery_statement; only when genuine"
        ),
    )
    issued_on: date | None = Field(default=None, description="Only when genuine")

    @classmethod
    def of(cls, verdict: Verdict) -> VerdictOut:
        """The body of ``verdict``."""
        return cls(
            number=verdict.number,
            outcome=verdict.outcome.value,
            kind=verdict.kind.value if verdict.kind else None,
            issued_on=verdict.issued_on,
        )
