"""Claim documents through the API, on both databases: the checklist per cause of loss,
multipart uploads stored with their SHA-256 (type sniffed from the content), every bad
upload refused naming the field with nothing written and no file left behind, the claims
handler's review, and approval refused while a required document is not accepted."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient
from moto import mock_aws
from sqlalchemy import func, select

from tests.conftest import Actor, Cast, Database
from tests.integration.claims.conftest import AFTER_DUE, Book, counts, principal, run
from tests.integration.claims.documents import PDF
from tradecover import claims
from tradecover.api.app import create_app
from tradecover.claims.documents import api as documents_api
from tradecover.claims.documents import service as documents_service
from tradecover.claims.documents.model import ClaimDocumentRow
from tradecover.claims.documents.schemas import DocumentOut
from tradecover.claims.indemnity import LossCause
from tradecover.claims.model import ClaimRow
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.config import Settings
from tradecover.kit.errors import ValidationFailed

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40)
CSV = b"date,letter\n2026-08-01,first reminder\n2026-08-20,final demand\n"
HINT = {
    LossCause.INSOLVENCY: LossCauseHint.INSOLVENCY,
    LossCause.PROTRACTED_DEFAULT: LossCauseHint.PROTRACTED_DEFAULT,
}


def _claim(
    db: Database, cast: Cast, book: Book, cause: LossCause = LossCause.PROTRACTED_DEFAULT
) -> int:
    exporter = principal(db, cast.exporter)
    first = book.declarations[0]
    run(
        db,
        lambda s: collections.file_notice(
            s, principal=exporter, declaration_id=first, cause=HINT[cause], today=AFTER_DUE
        ),
    )
    row = run(
        db,
        lambda s: claims.file_claim(
            s,
            principal=exporter,
            cause=cause,
            today=AFTER_DUE,
            lines=[claims.LineIn(declaration_id=first)],
        ),
    )
    assert isinstance(row, ClaimRow)
    handler = principal(db, cast.claims_handler)
    run(db, lambda s: claims.start_checks(s, principal=handler, claim_id=row.id))
    return row.id


def _upload(
    client: TestClient,
    actor: Actor,
    claim_id: int,
    kind: str,
    data: bytes,
    declared: str | None,
    name: str = "scan.pdf",
) -> Any:
    # nothing declared: a name without extension, so the client sends octet-stream
    part = (name, data, declared) if declared is not None else ("scan", data)
    return client.post(
        f"/api/v1/claims/{claim_id}/documents",
        headers=actor.headers,
        data={"kind": kind},
        files={"file": part},
    )


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _state(db: Database, root: Path) -> tuple[dict[str, int], int, list[str]]:
    with db.factory() as s:
        docs = int(s.execute(select(func.count()).select_from(ClaimDocumentRow)).scalar_one())
    return counts(db), docs, _files(root) if root.exists() else []


def test_a_claim_lists_what_its_cause_needs_and_cannot_be_approved_without_it(
    app_client: TestClient, db: Database, cast: Cast, book: Book, settings: Settings
) -> None:
    cid = _claim(db, cast, book)
    r = app_client.get(f"/api/v1/claims/{cid}/documents", headers=cast.exporter.headers)
    assert r.status_code == 200, r.text
    needed = [
        "sales_contract",
        "commercial_invoice",
        "transport_document",
        "proof_of_default",
        "collection_correspondence",
    ]
    assert r.json() == {
        "claim_id": cid,
        "cause": "protracted_default",
        "complete": False,
        "outstanding": needed,
        "items": [
            {"kind": k, "required": True, "status": "missing", "documents": []} for k in needed
        ],
    }
    assert (
        app_client.get(
            f"/api/v1/claims/{cid}/documents", headers=cast.other_exporter.headers
        ).status_code
        == 404
    )
    claim = app_client.get(f"/api/v1/claims/{cid}", headers=cast.exporter.headers).json()
    assert claim["documents"] == {"complete": False, "outstanding": needed}
    handler = cast.claims_handler.headers
    before = _state(db, settings.document_dir)
    refused = app_client.post(f"/api/v1/claims/{cid}/approve", headers=handler)
    assert refused.status_code == 409
    assert refused.json()["code"] == "required_documents_missing"
    assert refused.json()["field"] == "documents"
    assert _state(db, settings.document_dir) == before

    # upload everything: a PNG scan named .pdf is stored as the PNG it is
    ids = {}
    for kind in needed:
        data, declared = (PNG, "image/png") if kind == "transport_document" else (PDF, None)
        if kind == "collection_correspondence":
            data, declared = CSV, "text/csv"
        up = _upload(app_client, cast.exporter, cid, kind, data, declared)
        assert up.status_code == 201, up.text
        ids[kind] = up.json()["id"]
    doc = app_client.get(
        f"/api/v1/claims/{cid}/documents/{ids['transport_document']}", headers=cast.exporter.headers
    ).json()
    assert {
        k: doc[k]
        for k in (
            "kind",
            "filename",
            "content_type",
            "size_bytes",
            "sha256",
            "status",
            "reviewed_by",
        )
    } == {
        "kind": "transport_document",
        "filename": "scan.pdf",
        "content_type": "image/png",
        "size_bytes": len(PNG),
        "sha256": hashlib.sha256(PNG).hexdigest(),
        "status": "received",
        "reviewed_by": None,
    }
    listed = app_client.get(f"/api/v1/claims/{cid}/documents", headers=handler).json()
    assert [(i["kind"], i["status"]) for i in listed["items"]] == [(k, "received") for k in needed]
    assert listed["items"][4]["documents"][0]["content_type"] == "text/csv"
    assert len(_files(settings.document_dir)) == 5
    # the handler reads the bytes back, exactly
    got = app_client.get(
        f"/api/v1/claims/{cid}/documents/{ids['transport_document']}/content", headers=handler
    )
    assert (got.status_code, got.content, got.headers["content-type"]) == (200, PNG, "image/png")

    # received is not accepted: still refused; one marked missing keeps it refused
    assert app_client.post(f"/api/v1/claims/{cid}/approve", headers=handler).status_code == 409
    for kind, doc_id in ids.items():
        decision = "missing" if kind == "proof_of_default" else "accepted"
        r = app_client.post(
            f"/api/v1/claims/{cid}/documents/{doc_id}/review",
            headers=handler,
            json={"decision": decision, "note": "illegible" if decision == "missing" else None},
        )
        assert (r.status_code, r.json()["status"]) == (200, decision), r.text
    assert r.json()["reviewed_by"] is not None
    refused = app_client.post(f"/api/v1/claims/{cid}/approve", headers=handler)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "the claim cannot be approved: required document(s) not accepted: "
        "proof_of_default (missing)"
    )
    listed = app_client.get(f"/api/v1/claims/{cid}/documents", headers=handler).json()
    assert listed["outstanding"] == ["proof_of_default"]
    assert listed["items"][3]["documents"][0]["review_note"] == "illegible"

    # the exporter uploads a better one; the handler accepts it; approval goes through
    again = _upload(app_client, cast.exporter, cid, "proof_of_default", PDF, "application/pdf")
    assert again.status_code == 201
    assert (
        app_client.post(
            f"/api/v1/claims/{cid}/documents/{again.json()['id']}/review",
            headers=handler,
            json={"decision": "accepted"},
        ).status_code
        == 200
    )
    listed = app_client.get(f"/api/v1/claims/{cid}/documents", headers=handler).json()
    assert (listed["complete"], listed["outstanding"]) == (True, [])
    approved = app_client.post(f"/api/v1/claims/{cid}/approve", headers=handler)
    assert (approved.status_code, approved.json()["state"]) == (200, "approved")
    assert approved.json()["documents"] == {"complete": True, "outstanding": []}
    # a decided claim's documents no longer change
    late = _upload(app_client, cast.exporter, cid, "other", PDF, "application/pdf")
    assert (late.status_code, late.json()["code"]) == (409, "claim_decided")
    review = app_client.post(
        f"/api/v1/claims/{cid}/documents/{ids['sales_contract']}/review",
        headers=handler,
        json={"decision": "missing"},
    )
    assert (review.status_code, review.json()["code"]) == (409, "claim_decided")


@pytest.mark.parametrize(
    ("data", "declared", "status", "code"),
    [
        (PNG, "application/pdf", 422, "document_content_mismatch"),
        (b"\x7fELF\x02\x01\x01" + bytes(30), "application/pdf", 422, "document_content_mismatch"),
        (PDF, "application/zip", 415, "document_type_not_accepted"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(40), None, 415, "document_type_not_accepted"),
        (b"", "application/pdf", 422, "document_empty"),
        (PDF * 400, "application/pdf", 413, "document_too_large"),
    ],
)
def test_a_bad_upload_is_refused_naming_the_field_and_leaves_nothing(
    app_client: TestClient,
    db: Database,
    cast: Cast,
    book: Book,
    settings: Settings,
    data: bytes,
    declared: str | None,
    status: int,
    code: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cid = _claim(db, cast, book)
    app_client.app.state.settings = settings.model_copy(  # type: ignore[attr-defined]
        update={"claim_document_max_bytes": 10_000}
    )
    before = _state(db, settings.document_dir)
    r = _upload(app_client, cast.exporter, cid, "commercial_invoice", data, declared)
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (status, code, "file")
    assert r.headers["content-type"].startswith("application/problem+json")
    assert _state(db, settings.document_dir) == before


def test_an_upload_must_be_the_exporter_s_own_claim_and_a_known_kind(
    app_client: TestClient, db: Database, cast: Cast, book: Book, settings: Settings
) -> None:
    cid = _claim(db, cast, book)
    before = _state(db, settings.document_dir)
    assert (
        _upload(
            app_client, cast.other_exporter, cid, "commercial_invoice", PDF, "application/pdf"
        ).status_code
        == 404
    )
    assert (
        _upload(
            app_client, cast.claims_handler, cid, "commercial_invoice", PDF, "application/pdf"
        ).status_code
        == 403
    )
    bad_kind = _upload(app_client, cast.exporter, cid, "love_letter", PDF, "application/pdf")
    assert bad_kind.status_code == 422 and "kind" in bad_kind.text
    no_file = app_client.post(
        f"/api/v1/claims/{cid}/documents",
        headers=cast.exporter.headers,
        data={"kind": "commercial_invoice"},
    )
    assert no_file.status_code == 422 and "file" in no_file.text
    assert (
        _upload(
            app_client, cast.exporter, 999_999, "commercial_invoice", PDF, "application/pdf"
        ).status_code
        == 404
    )
    assert _state(db, settings.document_dir) == before
    up = _upload(
        app_client,
        cast.exporter,
        cid,
        "commercial_invoice",
        PDF,
        "application/pdf",
        name="../../etc/invoice.pdf",
    )
    assert up.status_code == 201 and up.json()["filename"] == "invoice.pdf"
    doc = up.json()["id"]
    # a type declared as a form field replaces the part's: checked against the content too
    form = app_client.post(
        f"/api/v1/claims/{cid}/documents",
        headers=cast.exporter.headers,
        data={"kind": "other", "content_type": "image/png"},
        files={"file": ("x.pdf", PDF, "application/pdf")},
    )
    assert (form.status_code, form.json()["code"], form.json()["field"]) == (
        422,
        "document_content_mismatch",
        "file",
    )
    assert (
        app_client.post(
            f"/api/v1/claims/{cid}/documents/{doc}/review",
            headers=cast.exporter.headers,
            json={"decision": "accepted"},
        ).status_code
        == 403
    )
    bad = app_client.post(
        f"/api/v1/claims/{cid}/documents/{doc}/review",
        headers=cast.claims_handler.headers,
        json={"decision": "received"},
    )
    assert bad.status_code == 422
    assert (
        app_client.get(
            f"/api/v1/claims/{cid}/documents/{doc}/content", headers=cast.other_exporter.headers
        ).status_code
        == 404
    )


def test_a_failed_upload_takes_its_stored_bytes_back(
    app_client: TestClient,
    db: Database,
    cast: Cast,
    book: Book,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cid = _claim(db, cast, book)
    before = _state(db, settings.document_dir)

    def broken(row: ClaimDocumentRow) -> None:
        assert len(_files(settings.document_dir)) == 1  # the bytes were stored...
        raise ValidationFailed(
            "refused after the bytes were stored", code="late_refusal", field="file"
        )

    monkeypatch.setattr(DocumentOut, "of", broken)
    r = _upload(app_client, cast.exporter, cid, "commercial_invoice", PDF, "application/pdf")
    assert (r.status_code, r.json()["code"]) == (422, "late_refusal")
    assert _state(db, settings.document_dir) == before  # ...and taken back


@pytest.fixture
def small_client(settings: Settings) -> Iterator[TestClient]:
    """An app accepting documents up to 2,000 bytes (bodies up to 2 MiB elsewhere)."""
    app = create_app(settings.model_copy(update={"claim_document_max_bytes": 2_000}))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()


def test_the_size_limit_holds_in_the_route_and_before_it(
    small_client: TestClient, db: Database, cast: Cast, book: Book, settings: Settings
) -> None:
    cid = _claim(db, cast, book)
    before = _state(db, settings.document_dir)
    exact = PDF + b"%" * (2_000 - len(PDF))
    over = exact + b"%"
    huge = exact * 100  # over the document limit plus the multipart allowance
    for data in (over, huge):
        r = _upload(small_client, cast.exporter, cid, "commercial_invoice", data, "application/pdf")
        assert (r.status_code, r.json()["code"], r.json()["field"]) == (
            413,
            "document_too_large",
            "file",
        )
    assert _state(db, settings.document_dir) == before
    ok = _upload(small_client, cast.exporter, cid, "commercial_invoice", exact, "application/pdf")
    assert (ok.status_code, ok.json()["size_bytes"]) == (201, 2_000)
    # other routes keep the general body limit
    assert documents_api.UPLOAD_PATH.match(f"/api/v1/claims/{cid}/documents")
    assert not documents_api.UPLOAD_PATH.match(f"/api/v1/claims/{cid}/approve")


def test_documents_go_to_the_s3_store_by_configuration(
    settings: Settings, db: Database, cast: Cast, book: Book
) -> None:
    cid = _claim(db, cast, book, cause=LossCause.INSOLVENCY)
    with mock_aws():
        s3 = boto3.client(
            "s3", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
        )
        s3.create_bucket(Bucket="claims-bucket")
        app = create_app(
            settings.model_copy(
                update={
                    "document_storage": "s3",
                    "s3_bucket": "claims-bucket",
                    "s3_prefix": "tc/",
                    "s3_region": "us-east-1",
                    "s3_access_key_id": "test",
                    "s3_secret_access_key": "test",
                }
            )
        )
        with TestClient(app, raise_server_exceptions=False) as client:
            up = _upload(client, cast.exporter, cid, "proof_of_insolvency", PDF, "application/pdf")
            assert up.status_code == 201, up.text
            bad = _upload(client, cast.exporter, cid, "proof_of_insolvency", PNG, "application/pdf")
            assert bad.status_code == 422
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket="claims-bucket")["Contents"]]
            assert len(keys) == 1 and keys[0].startswith(f"tc/claims/{cid}/")
            assert s3.get_object(Bucket="claims-bucket", Key=keys[0])["Body"].read() == PDF
            got = client.get(
                f"/api/v1/claims/{cid}/documents/{up.json()['id']}/content",
                headers=cast.claims_handler.headers,
            )
            assert (got.status_code, got.content) == (200, PDF)
        app.state.engine.dispose()
    assert not settings.document_dir.exists()


def test_a_file_name_is_only_shown_never_used_as_a_path() -> None:
    assert documents_service.safe_filename("../../etc/invoice\x07.pdf") == "invoice.pdf"
    assert documents_service.safe_filename("C:\\scans\\B-L 7.pdf") == "B-L 7.pdf"
    assert documents_service.safe_filename("") == "document"
    assert documents_service.safe_filename(None) == "document"
    assert documents_service.safe_filename("\x00\x1f") == "document"
    assert documents_service.safe_filename("发票" * 200) == "发票" * 127 + "发"
