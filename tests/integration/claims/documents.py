"""Test helpers for claim documents: an in-memory store and "every required document
uploaded and accepted", through the services or through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Actor, Cast, Database
from tradecover.access import service as access
from tradecover.access.principal import Principal
from tradecover.claims.documents import service as documents
from tradecover.claims.documents.checklist import DocumentStatus
from tradecover.db.engine import transaction
from tradecover.kit.errors import NotFound

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


class MemoryStore:
    """A document store in a dict (the port's contract, nothing else)."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        self.objects[key] = data

    def get(self, key: str) -> bytes:
        if key not in self.objects:
            raise NotFound(f"no stored document under {key}", code="document_content_lost")
        return self.objects[key]

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)


LIMITS = documents.UploadLimits(max_bytes=1024 * 1024, accepted=("application/pdf",))


def accept_documents_in(
    s: Session,
    *,
    exporter: Principal,
    handler: Principal,
    claim_id: int,
    store: MemoryStore | None = None,
) -> None:
    """In ``s``: the exporter uploads every outstanding required document; the handler
    accepts it."""
    store = store or MemoryStore()
    _claim, checklist, _rows = documents.checklist_of(s, principal=exporter, claim_id=claim_id)
    for item in checklist.outstanding:
        row = documents.upload(
            s,
            principal=exporter,
            store=store,
            claim_id=claim_id,
            kind=item.kind,
            filename=f"{item.kind.value}.pdf",
            data=PDF,
            declared_type="application/pdf",
            limits=LIMITS,
            written=[],
        )
        documents.review(
            s,
            principal=handler,
            claim_id=claim_id,
            document_id=row.id,
            decision=DocumentStatus.ACCEPTED,
            note=None,
        )


def accept_documents(
    db: Database, cast: Cast, claim_id: int, store: MemoryStore | None = None
) -> None:
    """Every required document of the claim uploaded by the exporter and accepted by the
    claims handler, in a transaction of its own."""
    with transaction(db.factory) as s:
        accept_documents_in(
            s,
            exporter=access.principal_from_api_key(s, cast.exporter.headers["X-API-Key"]),
            handler=access.principal_from_api_key(s, cast.claims_handler.headers["X-API-Key"]),
            claim_id=claim_id,
            store=store,
        )


def accept_documents_via_api(
    client: TestClient, exporter: Actor, handler: Actor, claim_id: int
) -> None:
    """The same through the API: multipart uploads, then the handler's reviews."""
    checklist = client.get(f"/api/v1/claims/{claim_id}/documents", headers=exporter.headers)
    assert checklist.status_code == 200, checklist.text
    for kind in checklist.json()["outstanding"]:
        r = client.post(
            f"/api/v1/claims/{claim_id}/documents",
            headers=exporter.headers,
            data={"kind": kind},
            files={"file": (f"{kind}.pdf", PDF, "application/pdf")},
        )
        assert r.status_code == 201, r.text
        r = client.post(
            f"/api/v1/claims/{claim_id}/documents/{r.json()['id']}/review",
            headers=handler.headers,
            json={"decision": "accepted"},
        )
        assert r.status_code == 200, r.text
