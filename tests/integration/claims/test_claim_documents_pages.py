"""The claim's page: the documents checklist, the exporter's upload form and the claims
handler's accept / missing buttons, each for the right people only; a refused upload
writes nothing and leaves no file."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Cast, Database, make_person, sign_in
from tests.integration.claims.conftest import Book
from tests.integration.claims.documents import PDF
from tests.integration.claims.test_claim_documents import PNG, _claim, _files, _state
from tradecover.access.roles import Role
from tradecover.claims.documents.model import ClaimDocumentRow
from tradecover.claims.indemnity import LossCause
from tradecover.config import Settings


def test_the_exporter_uploads_and_the_handler_reviews_on_the_claim_s_page(
    app_client: TestClient, db: Database, cast: Cast, book: Book, settings: Settings
) -> None:
    cid = _claim(db, cast, book, cause=LossCause.INSOLVENCY)
    exporter = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    stranger = make_person(db, "other-exports", Role.EXPORTER, "kim@other.example")
    handler = make_person(db, "insurer", Role.CLAIMS_HANDLER, "claims@insurer.example")

    sign_in(app_client, stranger)
    assert app_client.get(f"/claims/{cid}").status_code == 404
    sign_in(app_client, exporter)
    page = app_client.get(f"/claims/{cid}")
    assert page.status_code == 200, page.text
    assert 'data-testid="document-upload-form"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert 'data-testid="documents-outstanding"' in page.text
    for kind in (
        "sales_contract",
        "commercial_invoice",
        "transport_document",
        "proof_of_insolvency",
    ):
        assert f'data-testid="item-{kind}"' in page.text
    assert "<td>Proof of the buyer's insolvency</td><td>yes</td><td>Missing</td>" in page.text
    assert (
        'action="/claims/' not in page.text.split('data-testid="checklist"')[1].split("</table>")[0]
    )  # no review buttons for the exporter

    before = _state(db, settings.document_dir)
    refused = app_client.post(
        f"/claims/{cid}/documents",
        data={"kind": "commercial_invoice"},
        files={"file": ("invoice.pdf", PNG, "application/pdf")},
    )
    assert refused.status_code == 422 and "document_content_mismatch" in refused.text
    unknown = app_client.post(
        f"/claims/{cid}/documents",
        data={"kind": "poem"},
        files={"file": ("invoice.pdf", PDF, "application/pdf")},
    )
    assert unknown.status_code == 422 and "invalid_form" in unknown.text
    assert _state(db, settings.document_dir) == before

    done = app_client.post(
        f"/claims/{cid}/documents",
        data={"kind": "commercial_invoice"},
        files={"file": ("<i>invoice.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, f"/claims/{cid}?done=uploaded")
    with db.factory() as s:
        row = s.execute(select(ClaimDocumentRow)).scalar_one()
    assert (row.kind, row.content_type, row.status, row.size_bytes) == (
        "commercial_invoice",
        "application/pdf",
        "received",
        len(PDF),
    )
    assert _files(Path(settings.document_dir)) == [row.storage_key]
    page = app_client.get(f"/claims/{cid}?done=uploaded")
    assert f'data-testid="document-{row.id}"' in page.text
    assert "&lt;i&gt;invoice.pdf" in page.text and "<i>invoice" not in page.text
    assert (
        app_client.post(
            f"/claims/{cid}/documents/{row.id}/review", data={"decision": "accepted"}
        ).status_code
        == 403
    )

    sign_in(app_client, handler)
    page = app_client.get(f"/claims/{cid}")
    assert 'data-testid="document-upload-form"' not in page.text
    assert f'action="/claims/{cid}/documents/{row.id}/review"' in page.text
    download = app_client.get(f"/claims/{cid}/documents/{row.id}/content")
    assert (download.status_code, download.content) == (200, PDF)
    missing = app_client.post(
        f"/claims/{cid}/documents/{row.id}/review", data={"decision": "missing", "note": "unsigned"}
    )
    assert missing.status_code == 200 and 'data-testid="done"' in missing.text
    assert "unsigned" in missing.text
    accepted = app_client.post(
        f"/claims/{cid}/documents/{row.id}/review", data={"decision": "accepted"}
    )
    assert accepted.status_code == 200
    with db.factory() as s:
        assert s.get(ClaimDocumentRow, row.id).status == "accepted"  # type: ignore[union-attr]
    bad = app_client.post(f"/claims/{cid}/documents/{row.id}/review", data={"decision": "maybe"})
    assert bad.status_code == 422 and "invalid_form" in bad.text
    app_client.post("/language", data={"locale": "zh_Hans", "next": f"/claims/{cid}"})
    zh = app_client.get(f"/claims/{cid}")
    assert "商业发票" in zh.text and "索赔单证" in zh.text
