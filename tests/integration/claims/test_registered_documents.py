"""The registered documents of a policy, a limit and a claim ([domain DOC-1]..[DOC-4]):
each downloads as a PDF in the reader's language from the API and from its page, carries
its number, has its hash in the audit log and verifies as genuine; another organisation
gets 404; the verification page answers without signing in and shows no contents."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Cast, Database, FormClient, make_person, sign_in
from tests.integration.claims.conftest import AFTER_DUE, TODAY, Book, principal, run
from tests.integration.documents.registry import assert_registered
from tests.integration.mail.smtp import pdf_text
from tradecover import claims
from tradecover.access.roles import Role
from tradecover.claims.indemnity import LossCause
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.documents.model import IssuedDocument

PDF = "application/pdf"


def _file_claim(db: Database, cast: Cast, book: Book) -> int:
    exporter = principal(db, cast.exporter)
    declaration = book.declarations[0]
    run(
        db,
        lambda s: collections.file_notice(
            s,
            principal=exporter,
            declaration_id=declaration,
            cause=LossCauseHint.PROTRACTED_DEFAULT,
            today=AFTER_DUE,
        ),
    )

    def file(s: Session) -> int:
        return claims.file_claim(
            s,
            principal=exporter,
            cause=LossCause.PROTRACTED_DEFAULT,
            today=AFTER_DUE,
            lines=[claims.LineIn(declaration_id=declaration)],
        ).id

    claim_id = run(db, file)
    assert isinstance(claim_id, int)
    return claim_id


def _documents(db: Database) -> int:
    with db.factory() as s:
        return int(s.execute(select(func.count()).select_from(IssuedDocument)).scalar_one())


def test_each_document_is_registered_verified_and_read_only_by_its_readers(
    db: Database, cast: Cast, book: Book, app_client: FormClient
) -> None:
    endorsed = app_client.post(
        f"/api/v1/policies/{book.policy_id}/endorsements",
        json={"text": "Buyers in BR are covered on LC terms only.", "effective_date": str(TODAY)},
        headers=cast.underwriter.headers,
    )
    assert endorsed.status_code == 201, endorsed.text
    claim_id = _file_claim(db, cast, book)
    documents = {
        f"/api/v1/policies/{book.policy_id}/schedule.pdf": ("policy_schedule", "Policy schedule"),
        f"/api/v1/policies/{book.policy_id}/endorsements/1.pdf": ("endorsement", "LC terms"),
        f"/api/v1/limits/{book.limit_id}/decision.pdf": ("limit_decision", "Limit decision"),
        f"/api/v1/claims/{claim_id}/recoveries.pdf": ("recovery_statement", "No recovery"),
    }
    numbers = set()
    for path, (kind, words) in documents.items():
        answer = app_client.get(path, headers=cast.exporter.headers)
        assert answer.status_code == 200, (path, answer.text)
        assert answer.headers["content-type"] == PDF
        assert words in pdf_text(answer.content)
        numbers.add(assert_registered(db, app_client, answer.content, cast.exporter, kind))
        other = app_client.get(path, headers=cast.other_exporter.headers)
        assert other.status_code in (403, 404), path
    assert len(numbers) == len(documents)

    # the same document in the same language again: the same bytes, the same number, no
    # new row [domain DOC-4]; another language is another document
    count = _documents(db)
    schedule = f"/api/v1/policies/{book.policy_id}/schedule.pdf"
    first = app_client.get(schedule, headers=cast.exporter.headers).content
    again = app_client.get(schedule, headers=cast.underwriter.headers).content
    assert first == again and _documents(db) == count
    korean = app_client.get(f"{schedule}?lang=ko", headers=cast.exporter.headers)
    assert "보험증권 명세" in pdf_text(korean.content) and "문서 번호" in pdf_text(korean.content)
    assert_registered(db, app_client, korean.content, cast.exporter, "policy_schedule")
    assert _documents(db) == count + 1
    assert (
        app_client.get(
            f"/api/v1/policies/{book.policy_id}/endorsements/2.pdf", headers=cast.exporter.headers
        ).status_code
        == 404
    )

    person = make_person(db, "acme-exports", Role.EXPORTER, "docs@acme.example")
    sign_in(app_client, person)
    page = app_client.get(f"/policies/{book.policy_id}")
    assert f'href="/policies/{book.policy_id}/schedule.pdf"' in page.text
    assert f'href="/policies/{book.policy_id}/endorsements/1.pdf"' in page.text
    assert (
        f'href="/limits/{book.limit_id}/decision.pdf"'
        in app_client.get(f"/limits/{book.limit_id}").text
    )
    for path in (
        f"/policies/{book.policy_id}/schedule.pdf",
        f"/policies/{book.policy_id}/endorsements/1.pdf",
        f"/limits/{book.limit_id}/decision.pdf",
        f"/claims/{claim_id}/recoveries.pdf",
    ):
        download = app_client.get(path)
        assert download.status_code == 200 and download.headers["content-type"] == PDF, path
        assert download.content.startswith(b"%PDF")
    held = app_client.get(f"/policies/{book.policy_id}/schedule.pdf").content
    stranger = make_person(db, "other-exports", Role.EXPORTER, "kim@other.example")
    sign_in(app_client, stranger)
    for path in (
        f"/policies/{book.policy_id}/schedule.pdf",
        f"/limits/{book.limit_id}/decision.pdf",
        f"/claims/{claim_id}/recoveries.pdf",
    ):
        assert app_client.get(path).status_code == 404, path

    # the verification page: anyone holding the file, signed in or not
    app_client.cookies.clear()
    number = assert_registered(db, app_client, held, cast.exporter, "policy_schedule")
    form = app_client.get(f"/verify?number={number}")
    assert form.status_code == 200 and f'value="{number}"' in form.text
    genuine = app_client.post(
        "/verify", data={"number": number}, files={"file": ("s.pdf", held, PDF)}
    )
    assert genuine.status_code == 200 and 'data-outcome="genuine"' in genuine.text
    assert "LC terms" not in genuine.text and "Policy schedule" in genuine.text
    forged = app_client.post(
        "/verify", data={"number": number}, files={"file": ("s.pdf", held[:-1] + b" ", PDF)}
    )
    assert 'data-outcome="not_genuine"' in forged.text
    unknown = app_client.post(
        "/verify",
        data={"number": "DOC-2026-999999"},
        files={"file": ("s.pdf", held, PDF)},
        headers={"Accept-Language": "ko"},
    )
    assert 'data-outcome="unknown_number"' in unknown.text and "알 수 없는 번호" in unknown.text
    malformed = app_client.post("/verify", data={"number": "12345", "sha256": "abc"})
    assert malformed.status_code == 422 and 'aria-invalid="true"' in malformed.text
