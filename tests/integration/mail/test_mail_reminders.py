"""The daily overdue job's reminders and chasers go out by e-mail through the outbox: one
event per reminder sent (a rerun of the day tells nothing twice), mailed in each
recipient's language, not to a person who unticked them on the preferences page."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.conftest import Cast, Database, FormClient, make_person, sign_in
from tests.integration.claims.conftest import DUE, Book, run
from tests.integration.mail.smtp import Inbox
from tradecover.access.model import User
from tradecover.access.roles import Role
from tradecover.access.service import system_principal
from tradecover.collections import service as collections
from tradecover.db.engine import transaction
from tradecover.events.model import OutboxEvent
from tradecover.mail import Smtp, mail_kinds, mail_pending
from tradecover.policies.model import Policy

TOLD = ("collection.chased", "declaration.reminded")


def _daily_job(db: Database, day: date) -> int:
    """Run the daily overdue job on ``day``; how many notifications it sent."""

    def work(s: Session) -> int:
        return len(collections.daily_job(s, principal=system_principal(s), today=day).sent)

    sent = run(db, work)
    assert isinstance(sent, int)
    return sent


def _requested_on(db: Database, book: Book) -> str:
    """When the insurer asked to confirm the book's invoices (its first confirmation run
    on or after their due date)."""
    with db.factory() as s:
        policy = s.get(Policy, book.policy_id)
        assert policy is not None
        return collections.confirmation_requested_on(policy, DUE).isoformat()


def _told(db: Database) -> list[tuple[str, str]]:
    with db.factory() as s:
        rows = s.execute(
            select(OutboxEvent.event_type, OutboxEvent.subject)
            .where(OutboxEvent.event_type.in_(TOLD))
            .order_by(OutboxEvent.id)
        )
        return [(str(t), str(subject)) for t, subject in rows]


def test_reminders_and_chasers_are_mailed_once_in_each_language(
    db: Database,
    cast: Cast,
    book: Book,
    inbox: tuple[Inbox, Smtp],
    app_client: FormClient,
) -> None:
    handler, smtp = inbox
    with transaction(db.factory) as s:
        mail_pending(s, smtp)  # the book's own events (limit decided...) go to nobody yet
    english = make_person(db, "acme-exports", Role.EXPORTER, "finance@acme.example")
    korean = make_person(db, "acme-exports", Role.EXPORTER, "hoegye@acme.example")
    quiet = make_person(db, "acme-exports", Role.EXPORTER, "quiet@acme.example")
    with transaction(db.factory) as s:
        s.execute(update(User).where(User.id == korean.user_id).values(locale="ko"))
    sign_in(app_client, quiet)
    page = app_client.get("/account/mail")
    assert 'value="declaration.reminded" checked' in page.text
    assert 'value="collection.chased" checked' in page.text
    keep = [kind for kind in mail_kinds() if kind != "declaration.reminded"]
    assert app_client.post("/account/mail", data={"receive": keep}).status_code == 200

    # 30 days before the notice deadline (due + 90): a notice reminder on each invoice,
    # and the escalated chaser of each unanswered confirmation
    assert _daily_job(db, DUE + timedelta(days=60)) == 4
    assert _daily_job(db, DUE + timedelta(days=60)) == 0  # the rerun sends nothing twice
    first, second = book.declarations
    assert sorted(_told(db)) == [
        ("collection.chased", f"declaration:{first}"),
        ("collection.chased", f"declaration:{second}"),
        ("declaration.reminded", f"declaration:{first}"),
        ("declaration.reminded", f"declaration:{second}"),
    ]
    with transaction(db.factory) as s:
        assert mail_pending(s, smtp) == 10  # 4 each, the quiet one's 2 chasers
    with transaction(db.factory) as s:
        assert mail_pending(s, smtp) == 0

    deadline = (DUE + timedelta(days=90)).isoformat()
    due = DUE.isoformat()
    assert sorted(str(m["Subject"]) for m in handler.to(english.email)) == [
        f"Notice of possible loss due by {deadline}: invoice INV-1",
        f"Notice of possible loss due by {deadline}: invoice INV-2",
        "Please confirm collection of invoice INV-1",
        "Please confirm collection of invoice INV-2",
    ]
    reminder = next(m for m in handler.to(english.email) if "INV-1" in str(m["Subject"]))
    assert reminder.get_content().strip() == (
        f"Invoice INV-1 was due on {due} and is unpaid. File a notice of possible loss by "
        f"{deadline} (30 days left), or the right to claim may be lost."
    )
    chaser = next(
        m
        for m in handler.to(english.email)
        if m["Subject"] == "Please confirm collection of invoice INV-2"
    )
    assert chaser.get_content().strip() == (
        f"Invoice INV-2 fell due on {due}; we asked on {_requested_on(db, book)} whether the "
        "buyer paid. Confirm it paid in full, in part or unpaid. This request is now with the "
        "insurer's staff."
    )
    assert sorted(str(m["Subject"]) for m in handler.to(korean.email)) == [
        f"사고발생통지 기한 {deadline}: 송장 INV-1",
        f"사고발생통지 기한 {deadline}: 송장 INV-2",
        "송장 INV-1의 대금 회수 여부를 확인해 주십시오",
        "송장 INV-2의 대금 회수 여부를 확인해 주십시오",
    ]
    assert {m["Content-Language"] for m in handler.to(korean.email)} == {"ko"}
    assert sorted(str(m["Subject"]) for m in handler.to(quiet.email)) == [
        "Please confirm collection of invoice INV-1",
        "Please confirm collection of invoice INV-2",
    ]
