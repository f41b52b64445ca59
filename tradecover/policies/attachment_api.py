"""HTTP routes of a policy's attachment model ([domain A-2]): the terms it has had, and
the underwriter's endorsement that changes them from an effective date.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.kit.inputs import InputModel
from tradecover.policies.attachment_repository import (
    attachment_history,
    endorse_attachment_terms,
)
from tradecover.policies.attachment_terms import (
    DEFAULT_CORRECTION_DAYS,
    FEED_SOURCES,
    MAX_CORRECTION_DAYS,
    AttachmentModel,
    AttachmentTerms,
    ShipmentDateBasis,
)
from tradecover.policies.record_schemas import EndorsementOut

router = APIRouter(prefix="/api/v1", tags=["policies"])
Id = Annotated[int, Path(ge=1, le=2**63 - 1, description="Numeric id")]


class AttachmentTermsIn(InputModel):
    """New attachment terms of a policy, from ``effective_date`` on (within its term)."""

    model: AttachmentModel
    correction_days: int = Field(DEFAULT_CORRECTION_DAYS, ge=0, le=MAX_CORRECTION_DAYS)
    authorised_sources: list[str] = Field(
        default_factory=lambda: list(FEED_SOURCES),
        max_length=len(FEED_SOURCES),
        description="Hybrid: the sources whose shipments attach on receipt",
    )
    shipment_date_basis: ShipmentDateBasis = ShipmentDateBasis.EXIT_THEN_ACCEPTANCE
    effective_date: date


class AttachmentTermsOut(BaseModel):
    """Attachment terms in force from ``effective``."""

    effective: date
    model: AttachmentModel
    correction_days: int
    authorised_sources: list[str]
    shipment_date_basis: ShipmentDateBasis


@router.get(
    "/policies/{policy_id}/attachment-terms",
    response_model=list[AttachmentTermsOut],
    summary="The attachment terms a policy has had, oldest first",
)
def get_attachment_terms(
    policy_id: Id, session: SessionDep, principal: PrincipalDep
) -> list[AttachmentTermsOut]:
    """Empty: individual throughout (the policy never chose)."""
    return [
        AttachmentTermsOut(
            effective=item.effective,
            model=item.terms.model,
            correction_days=item.terms.correction_days,
            authorised_sources=list(item.terms.authorised_sources),
            shipment_date_basis=item.terms.shipment_date_basis,
        )
        for item in attachment_history(session, principal=principal, policy_id=policy_id)
    ]


@router.post(
    "/policies/{policy_id}/attachment-terms",
    response_model=EndorsementOut,
    status_code=201,
    summary="Change the attachment model by endorsement",
    responses={422: {"description": "unknown_source, endorsement_outside_term, ..."}},
)
def post_attachment_terms(
    policy_id: Id, body: AttachmentTermsIn, session: SessionDep, principal: PrincipalDep
) -> EndorsementOut:
    """The endorsement that states the new terms; audited with the terms before and after."""
    terms = AttachmentTerms(
        model=body.model,
        correction_days=body.correction_days,
        authorised_sources=tuple(body.authorised_sources),
        shipment_date_basis=body.shipment_date_basis,
    )
    return EndorsementOut.of(
        endorse_attachment_terms(
            session,
            principal=principal,
            policy_id=policy_id,
            terms=terms,
            effective_date=body.effective_date,
        )
    )
