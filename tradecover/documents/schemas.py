"""Request and response bodies of the document registry's API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from tradecover.documents.registry import DocumentKind, Genuineness, Verdict
from tradecover.kit.inputs import InputModel


class VerifyIn(InputModel):
    """A document number and the SHA-256 of the file its holder has."""

    number: str = Field(min_length=1, max_length=40, examples=["DOC-2026-000123"])
    sha256: str = Field(min_length=64, max_length=64, pattern=r"^[0-9A-Fa-f]{64}$")


class VerdictOut(BaseModel):
    """Genuine, not genuine or unknown number; the kind and date of issue only when genuine."""

    number: str
    outcome: Genuineness
    kind: DocumentKind | None = None
    issued_on: date | None = None

    @classmethod
    def of(cls, verdict: Verdict) -> VerdictOut:
        """The body of ``verdict``."""
        return cls(
            number=verdict.number,
            outcome=verdict.outcome,
            kind=verdict.kind,
            issued_on=verdict.issued_on,
        )
