"""HTTP routes of the document registry: verify a held document [domain DOC-3]."""

from __future__ import annotations

from fastapi import APIRouter

from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.documents import service
from tradecover.documents.schemas import VerdictOut, VerifyIn

router = APIRouter(prefix="/api/v1/documents", tags=["documents"])


@router.post("/verify", response_model=VerdictOut, summary="Verify a document")
def post_verify(body: VerifyIn, session: SessionDep, principal: PrincipalDep) -> VerdictOut:
    """Whether the document issued under ``number`` has exactly this SHA-256: genuine, not
    genuine or unknown number, with the kind and date of issue only when genuine (any
    signed-in caller; nothing of the document's contents is answered).
    """
    del principal  # any signed-in caller may verify what it holds
    return VerdictOut.of(service.verify(session, number=body.number, sha256=body.sha256))
