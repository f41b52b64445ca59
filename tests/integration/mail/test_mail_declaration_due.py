"""The reminder of a declaration deadline goes out by e-mail in the reader's language
[domain D-14]."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from tests.conftest import Cast, Database, make_person
from tests.integration.mail.smtp import Inbox
from tradecover.access.model import User
from tradecover.access.roles import Role
from tradecover.db.engine import transaction
from tradecover.events import record_event
from tradecover.mail import Smtp, mail_pending


def test_the_deadline_reminder_is_mailed_in_each_language(
    db: Database, cast: Cast, inbox: tuple[Inbox, Smtp]
) -> None:
    handler, smtp = inbox
    english = make_person(db, "acme-exports", Role.EXPORTER, "finance@acme.example")
    korean = make_person(db, "acme-exports", Role.EXPORTER, "hoegye@acme.example")
    with transaction(db.factory) as s:
        s.execute(update(User).where(User.id == korean.user_id).values(locale="ko"))
        record_event(
            s,
            "declaration.due",
            "policy:7:period:2026-11-01",
            {
                "policy_id": 7,
                "frequency": "monthly",
                "period_start": date(2026, 11, 1),
                "period_end": date(2026, 11, 30),
                "due_date": date(2026, 12, 15),
                "days_left": 3,
                "declared": 4,
            },
            cast.exporter.org_id,
        )
    with transaction(db.factory) as s:
        assert mail_pending(s, smtp) == 2
    (mail,) = handler.to(english.email)
    assert mail["Subject"] == "Declare by 2026-12-15: shipments of 2026-11-01 to 2026-11-30"
    assert mail.get_content().strip() == (
        "The shipments of 2026-11-01 to 2026-11-30 under policy 7 are to be declared by "
        "2026-12-15 (3 days left). 4 are declared so far. A late declaration can cost cover."
    )
    (mail,) = handler.to(korean.email)
    assert mail["Subject"] == "2026-12-15까지 신고하세요: 2026-11-01 ~ 2026-11-30 선적"
