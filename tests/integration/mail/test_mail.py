"""The outbox's notices go out by SMTP (a real SMTP server in the test process), in each
recipient's language, to those who did not opt out, once.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from tests.conftest import Cast, Database, FormClient, make_person, sign_in
from tests.integration.mail.smtp import Inbox
from tradecover.access.model import User
from tradecover.access.principal import Principal
from tradecover.access.roles import OrganisationKind, Role
from tradecover.cli.main import app
from tradecover.config import get_settings
from tradecover.db.engine import transaction
from tradecover.events import record_event
from tradecover.mail import Smtp, mail_pending, set_preference

ISSUED = {
    "notice_id": 41,
    "policy_id": 3,
    "month": "2026-11",
    "total_amount": "1234.50",
    "currency": "USD",
    "due_date": "2026-12-31",
}

CONSENT = {"consent_id": 1, "grantee_org_id": 2, "scope": "declarations:read"}


def _issue(db: Database, org_id: int) -> None:
    with transaction(db.factory) as session:
        record_event(session, "notice.issued", "notice:41", ISSUED, org_id)
        record_event(
            session,
            "claim.filed",
            "claim:1",
            {
                "claim_id": 1,
                "policy_id": 3,
                "buyer_id": 2,
                "claimed_amount": "10.00",
                "currency": "USD",
            },
            org_id,
        )


def test_a_notice_is_mailed_in_each_recipients_language_once(
    db: Database, cast: Cast, inbox: tuple[Inbox, Smtp]
) -> None:
    handler, smtp = inbox
    english = make_person(db, "acme-exports", Role.EXPORTER, "finance@acme.example")
    chinese = make_person(db, "acme-exports", Role.EXPORTER, "caiwu@acme.example")
    taiwanese = make_person(db, "acme-exports", Role.EXPORTER, "kuaiji@acme.example")
    korean = make_person(db, "acme-exports", Role.EXPORTER, "hoegye@acme.example")
    make_person(db, "other-exports", Role.EXPORTER, "someone@other.example")
    with transaction(db.factory) as session:
        for person, locale in ((chinese, "zh_Hans"), (taiwanese, "zh_Hant"), (korean, "ko")):
            session.execute(update(User).where(User.id == person.user_id).values(locale=locale))
    _issue(db, cast.exporter.org_id)
    with transaction(db.factory) as session:
        assert mail_pending(session, smtp) == 4
    with transaction(db.factory) as session:
        assert mail_pending(session, smtp) == 0  # the cursor moved on
    by_recipient = {m["To"]: m for m in handler.messages}
    assert set(by_recipient) == {english.email, chinese.email, taiwanese.email, korean.email}
    assert by_recipient[english.email]["Subject"] == "Premium notice 41 issued"
    assert "保费通知书" in str(by_recipient[chinese.email]["Subject"])
    assert "保費通知書" in str(by_recipient[taiwanese.email]["Subject"])
    assert "보험료 고지서" in str(by_recipient[korean.email]["Subject"])
    assert by_recipient[chinese.email]["Content-Language"] == "zh-Hans"
    assert not any(m.is_multipart() for m in handler.messages)  # notice 41 is not billed: no PDF


def test_a_person_who_opted_out_gets_nothing(
    db: Database, cast: Cast, inbox: tuple[Inbox, Smtp]
) -> None:
    handler, smtp = inbox
    person = make_person(db, "acme-exports", Role.EXPORTER, "quiet@acme.example")
    with transaction(db.factory) as session:
        assert person.user_id is not None
        set_preference(
            session,
            principal=Principal(
                actor=f"user:{person.user_id}",
                org_id=person.org_id,
                org_slug="acme-exports",
                org_kind=OrganisationKind.EXPORTER,
                role=Role.EXPORTER,
                user_id=person.user_id,
            ),
            event_type="notice.issued",
            enabled=False,
        )
    _issue(db, cast.exporter.org_id)
    with transaction(db.factory) as session:
        assert mail_pending(session, smtp) == 0
    assert handler.messages == []


def test_a_person_chooses_the_notices_on_the_page(
    app_client: FormClient, cast: Cast, db: Database, inbox: tuple[Inbox, Smtp]
) -> None:
    handler, smtp = inbox
    person = make_person(db, "acme-exports", Role.EXPORTER, "ops@acme.example")
    sign_in(app_client, person)
    page = app_client.get("/account/mail")
    assert page.status_code == 200 and 'value="notice.issued" checked' in page.text
    saved = app_client.post("/account/mail", data={"receive": ["limit.decided"]})
    assert saved.status_code == 200 and 'data-testid="saved"' in saved.text
    assert 'value="notice.issued">' in saved.text and 'value="limit.decided" checked' in saved.text
    refused = app_client.post("/account/mail", data={"receive": ["claim.filed"]})
    assert refused.status_code == 422 and 'data-testid="problem"' in refused.text
    _issue(db, cast.exporter.org_id)
    with transaction(db.factory) as session:
        assert mail_pending(session, smtp) == 0  # the notice was unticked, and kept so
    assert handler.messages == []


def test_the_relay_command_mails_past_a_batch_of_other_events_and_stops(
    db: Database, cast: Cast, inbox: tuple[Inbox, Smtp], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, smtp = inbox
    make_person(db, "acme-exports", Role.EXPORTER, "finance@acme.example")
    with transaction(db.factory) as session:
        for n in range(501):  # a whole batch of events that are not mailed comes first
            record_event(session, "consent.granted", f"consent:{n}", CONSENT, cast.exporter.org_id)
    _issue(db, cast.exporter.org_id)
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    monkeypatch.setenv("TRADECOVER_SMTP_PORT", str(smtp.port))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["mail", "relay", "--once"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert [m["Subject"] for m in handler.messages] == ["Premium notice 41 issued"]
