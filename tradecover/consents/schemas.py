"""Request and response bodies of the consents API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tradecover.consents.model import Consent
from tradecover.consents.rules import Purpose, Scope
from tradecover.consents.service import status_now
from tradecover.kit.inputs import InputModel


class ConsentIn(InputModel):
    """A grantee's request for a consent (the scopes and purposes are checked by the
    rules, so that an unknown one answers ``unknown_scope``/``unknown_purpose``).
    """

    model_config = ConfigDict(extra="forbid")

    grantor_org_id: int = Field(ge=1, le=2**63 - 1, description="The exporter asked")
    scopes: list[str] = Field(
        max_length=len(Scope), examples=[[Scope.SHIPMENT_CORE.value]], description="Data categories"
    )
    purposes: list[str] = Field(
        max_length=len(Purpose), examples=[[Purpose.FINANCING.value]], description="Purposes"
    )
    data_from: date | None = None
    data_to: date | None = None
    expires_at: datetime


class DecisionIn(InputModel):
    """The reason of an authorisation, rejection or revocation (optional)."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=500)


class ConsentOut(BaseModel):
    """A consent as its parties see it (the status as of now)."""

    id: int
    grantor_org_id: int
    grantee_org_id: int
    scopes: list[str]
    purposes: list[str]
    data_from: date | None
    data_to: date | None
    expires_at: datetime
    status: str
    requested_by: str
    requested_at: datetime
    authorised_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: Consent) -> ConsentOut:
        """The body of ``row``."""
        return cls(
            id=row.id,
            grantor_org_id=row.grantor_org_id,
            grantee_org_id=row.grantee_org_id,
            scopes=list(row.scopes),
            purposes=list(row.purposes),
            data_from=row.data_from,
            data_to=row.data_to,
            expires_at=row.expires_at,
            status=status_now(row).value,
            requested_by=row.requested_by,
            requested_at=row.requested_at,
            authorised_at=row.authorised_at,
            revoked_at=row.revoked_at,
        )


class AccessReadOut(BaseModel):
    """One read of the caller's data by another organisation."""

    entry_id: int
    at: datetime
    refused: bool
    actor: str
    reader_org_id: int
    reader_role: str
    consent: str | None
    scope: str
    purpose: str
    path: str
    records: dict[str, list[int]]
    reads: int = Field(description="Reads of the same data in this line (coalesced per batch)")


class VisibilityOut(BaseModel):
    """What the caller's organisation may see of one exporter, and for what."""

    exporter_org_id: int
    basis: str
    consent_id: int | None
    scopes: list[str]
    purposes: list[str]
    expires_at: datetime | None


Json = dict[str, Any]
