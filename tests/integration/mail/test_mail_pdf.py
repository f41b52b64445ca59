"""A premium notice's e-mail carries its PDF in the recipient's language; the API and the
notice page serve the same PDF to those who may read the notice, and to nobody else."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from tests.conftest import Cast, Database, FormClient, make_person, sign_in
from tests.integration.billing.helpers import book, declaration_row, declare
from tests.integration.documents.registry import assert_registered
from tests.integration.mail.smtp import Inbox, pdf_attachments, pdf_text
from tradecover.access.model import User
from tradecover.access.roles import Role
from tradecover.access.service import system_principal
from tradecover.billing import jobs
from tradecover.billing.notice import DEFAULT_TERMS
from tradecover.db.engine import transaction
from tradecover.mail import Smtp, mail_pending

REFERENCE = "PN-2026-10-000001"


def _bill_october(db: Database, app_client: FormClient, cast: Cast, smtp: Smtp) -> None:
    """One declaration of October with a premium of 134.01, billed on 2 November."""
    b = book(db, app_client, cast)
    with transaction(db.factory) as s:
        declare(
            s,
            [
                declaration_row(
                    policy_id=b.policy_ids[0],
                    org_id=b.exporter_org_id,
                    buyer_id=b.buyer_id,
                    premium_minor=13401,
                    day=date(2026, 10, 2),
                    n=1,
                )
            ],
        )
        principal = system_principal(s)
        mail_pending(s, smtp)  # the book's own events go to nobody yet
    jobs.run_month(
        db.factory,
        principal=principal,
        month="2026-10",
        issue_date=date(2026, 11, 2),
        terms=DEFAULT_TERMS,
    )


def test_the_notice_email_carries_its_pdf_in_the_readers_language(
    db: Database, cast: Cast, app_client: FormClient, inbox: tuple[Inbox, Smtp]
) -> None:
    handler, smtp = inbox
    english = make_person(db, "acme-exports", Role.EXPORTER, "finance@acme.example")
    chinese = make_person(db, "acme-exports", Role.EXPORTER, "caiwu@acme.example")
    with transaction(db.factory) as s:
        s.execute(update(User).where(User.id == chinese.user_id).values(locale="zh_Hans"))
    _bill_october(db, app_client, cast, smtp)
    with transaction(db.factory) as s:
        assert mail_pending(s, smtp) == 2
    (mail,) = handler.to(english.email)
    assert mail["Subject"] == "Premium notice 1 issued"
    body = mail.get_body(("plain",))
    assert body is not None and body.get_content().strip() == (
        "Your premium notice 1 for 2026-10 is issued: 134.01 USD, due on 2026-12-02."
    )
    ((name, text),) = pdf_attachments(mail)
    assert name == f"{REFERENCE}.pdf"
    assert f"Premium notice {REFERENCE}" in text and "$134.01" in text
    assert f"Quote the reference {REFERENCE} with your payment." in text
    (mail,) = handler.to(chinese.email)
    ((name, text),) = pdf_attachments(mail)
    assert name == f"{REFERENCE}.pdf"
    assert f"保费通知书 {REFERENCE}" in text and "US$134.01" in text


def test_the_api_and_the_page_serve_the_pdf_to_its_readers_only(
    db: Database, cast: Cast, app_client: FormClient, inbox: tuple[Inbox, Smtp]
) -> None:
    _bill_october(db, app_client, cast, inbox[1])
    answer = app_client.get("/api/v1/billing/notices/1/pdf", headers=cast.exporter.headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == f'attachment; filename="{REFERENCE}.pdf"'
    assert f"Premium notice {REFERENCE}" in pdf_text(answer.content)
    assert_registered(db, app_client, answer.content, cast.exporter, "premium_notice")
    subsidy = app_client.get("/api/v1/billing/notices/1/subsidy.pdf", headers=cast.exporter.headers)
    assert subsidy.status_code == 200 and subsidy.headers["content-type"] == "application/pdf"
    assert f"Subsidy statement {REFERENCE}" in pdf_text(subsidy.content)
    assert_registered(db, app_client, subsidy.content, cast.exporter, "subsidy_statement")
    assert (
        app_client.get(
            "/api/v1/billing/notices/1/subsidy.pdf", headers=cast.other_exporter.headers
        ).status_code
        == 404
    )
    korean = app_client.get("/api/v1/billing/notices/1/pdf?lang=ko", headers=cast.exporter.headers)
    assert f"보험료 고지서 {REFERENCE}" in pdf_text(korean.content)
    traditional = app_client.get(
        "/api/v1/billing/notices/1/pdf",
        headers={**cast.finance.headers, "Accept-Language": "zh-TW"},
    )
    assert f"保費通知書 {REFERENCE}" in pdf_text(traditional.content)
    other = app_client.get("/api/v1/billing/notices/1/pdf", headers=cast.other_exporter.headers)
    assert other.status_code == 404 and other.json()["code"] == "notice_not_found"
    assert (
        app_client.get("/api/v1/billing/notices/2/pdf", headers=cast.exporter.headers).status_code
        == 404
    )

    person = make_person(db, "acme-exports", Role.EXPORTER, "li@acme.example")
    sign_in(app_client, person)
    page = app_client.get("/billing/notices/1")
    assert 'href="/billing/notices/1/pdf"' in page.text
    download = app_client.get("/billing/notices/1/pdf")
    assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
    assert "$134.01" in pdf_text(download.content)
    assert 'href="/billing/notices/1/subsidy.pdf"' in page.text
    statement = app_client.get("/billing/notices/1/subsidy.pdf")
    assert statement.status_code == 200 and statement.content.startswith(b"%PDF")
    stranger = make_person(db, "other-exports", Role.EXPORTER, "kim@other.example")
    sign_in(app_client, stranger)
    assert app_client.get("/billing/notices/1/pdf").status_code == 404
    assert app_client.get("/billing/notices/1/subsidy.pdf").status_code == 404
