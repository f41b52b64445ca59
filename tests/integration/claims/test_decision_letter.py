"""The decision letter of a claim: a PDF in the reader's language, served by the API and
the claims page to those who may read the claim once it is decided, and attached to the
e-mail of the decision."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.conftest import Cast, Database, make_person, sign_in
from tests.integration.claims.conftest import AFTER_DUE, Book, principal, run
from tests.integration.claims.documents import accept_documents
from tests.integration.documents.registry import assert_registered
from tests.integration.mail.smtp import Inbox, pdf_attachments, pdf_text, serve
from tradecover import claims
from tradecover.access.model import User
from tradecover.access.roles import Role
from tradecover.claims.indemnity import LossCause
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.db.engine import transaction
from tradecover.mail import Smtp, mail_pending


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, Smtp]]:
    """An SMTP server on loopback and where to reach it."""
    yield from serve()


def _file_claim(db: Database, cast: Cast, book: Book) -> int:
    exporter = principal(db, cast.exporter)
    for decl in book.declarations:
        run(
            db,
            lambda s, d=decl: collections.file_notice(  # type: ignore[misc]
                s,
                principal=exporter,
                declaration_id=d,
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
            lines=[claims.LineIn(declaration_id=d) for d in book.declarations],
        ).id

    claim_id = run(db, file)
    assert isinstance(claim_id, int)
    return claim_id


def test_the_decision_letter_is_served_and_mailed_once_decided(
    db: Database, cast: Cast, book: Book, app_client: TestClient, inbox: tuple[Inbox, Smtp]
) -> None:
    handler, smtp = inbox
    claim_id = _file_claim(db, cast, book)
    path = f"/api/v1/claims/{claim_id}/decision.pdf"
    undecided = app_client.get(path, headers=cast.exporter.headers)
    assert undecided.status_code == 404
    with transaction(db.factory) as s:
        mail_pending(s, smtp)  # what came before the decision goes to nobody
    korean = make_person(db, "acme-exports", Role.EXPORTER, "hoegye@acme.example")
    with transaction(db.factory) as s:
        s.execute(update(User).where(User.id == korean.user_id).values(locale="ko"))
    handler_principal = principal(db, cast.claims_handler)
    run(db, lambda s: claims.start_checks(s, principal=handler_principal, claim_id=claim_id))
    accept_documents(db, cast, claim_id)
    run(
        db,
        lambda s: claims.approve(
            s, principal=handler_principal, claim_id=claim_id, today=AFTER_DUE
        ),
    )

    answer = app_client.get(path, headers=cast.exporter.headers)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="claim-{claim_id}-decision.pdf"'
    )
    text = pdf_text(answer.content)
    assert f"Claim decision {claim_id}" in text and "Approved" in text
    assert "$60,000.00" in text and "$36,000.00" in text  # the loss, the indemnity
    assert_registered(db, app_client, answer.content, cast.exporter, "claim_decision")
    staff = app_client.get(f"{path}?lang=zh_Hans", headers=cast.claims_handler.headers)
    assert f"索赔决定书 {claim_id}" in pdf_text(staff.content)
    assert app_client.get(path, headers=cast.other_exporter.headers).status_code == 404

    with transaction(db.factory) as s:
        assert mail_pending(s, smtp) == 1
    (mail,) = handler.to(korean.email)
    ((name, text),) = pdf_attachments(mail)
    assert name == f"claim-{claim_id}-decision.pdf"
    assert f"보험금 청구 결정서 {claim_id}" in text and "US$36,000.00" in text

    sign_in(app_client, korean)
    queue = app_client.get("/claims")
    assert f'href="/claims/{claim_id}/decision.pdf"' in queue.text
    download = app_client.get(f"/claims/{claim_id}/decision.pdf")
    assert download.status_code == 200
    assert f"보험금 청구 결정서 {claim_id}" in pdf_text(download.content)
