"""The daily overdue job sends what it finds: notice reminders before the deadline and
chasers of unconfirmed collections, recorded as notifications to the exporter, each once
(a rerun on the same day sends nothing), audited, and visible to that exporter only
through the API and on its overdue page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import Cast, Database, make_user_actor
from tests.integration.claims.conftest import DUE, Book, principal, run
from tradecover.access.roles import Role
from tradecover.access.service import system_principal
from tradecover.audit.model import AuditEntry
from tradecover.collections import service as collections
from tradecover.collections.confirmation import CollectionOutcome
from tradecover.collections.model import DueDateArrangement, Notification
from tradecover.collections.overdue import ArrangementKind
from tradecover.db.engine import transaction
from tradecover.kit.dates import add_months
from tradecover.kit.errors import PermissionDenied
from tradecover.policies.model import Policy


def _job(db: Database, day: date) -> list[tuple[str, int | None, dict[str, object]]]:
    """Run the daily job on ``day``; what it sent now: (kind, declaration, data)."""

    def work(s: object) -> list[tuple[str, int | None, dict[str, object]]]:
        outcome = collections.daily_job(
            s,  # type: ignore[arg-type]
            principal=system_principal(s),  # type: ignore[arg-type]
            today=day,
        )
        return sorted((n.kind, n.declaration_id, dict(n.data)) for n in outcome.sent)

    result = run(db, work)
    assert isinstance(result, list)
    return result


def _stored(db: Database) -> tuple[int, int]:
    with db.factory() as s:
        sent = s.execute(select(func.count()).select_from(Notification)).scalar_one()
        audited = s.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "notification.sent")
        ).scalar_one()
    return int(sent), int(audited)


def _requested_on(db: Database, book: Book) -> date:
    """The first monthly confirmation run from the policy's inception on or after the due
    date: when the insurer asks whether the invoices were paid."""
    with db.factory() as s:
        policy = s.get(Policy, book.policy_id)
        assert policy is not None
        inception = policy.inception
    return next(add_months(inception, n) for n in range(36) if add_months(inception, n) >= DUE)


def test_reminders_and_chasers_are_sent_once_and_audited(
    db: Database, cast: Cast, book: Book, app_client: TestClient
) -> None:
    first, second = book.declarations
    asked = _requested_on(db, book)
    asked_text = asked.isoformat()
    # a week after the request: the first chaser on each unanswered invoice
    day = asked + timedelta(days=7)
    assert _job(db, day) == [
        (
            "confirmation_chase",
            first,
            {"requested_on": asked_text, "reminder_number": 1, "escalate": False},
        ),
        (
            "confirmation_chase",
            second,
            {"requested_on": asked_text, "reminder_number": 1, "escalate": False},
        ),
    ]
    assert _stored(db) == (2, 2)
    assert _job(db, day) == []  # the rerun of the same day sends nothing twice
    assert _stored(db) == (2, 2)
    # the exporter answers for the first invoice: unpaid (an answer all the same)
    exporter = principal(db, cast.exporter)
    run(
        db,
        lambda s: collections.confirm_collection(
            s,
            principal=exporter,
            declaration_id=first,
            outcome=CollectionOutcome.UNPAID,
            amount=None,
            paid_on=None,
            today=day,
        ),
    )
    assert _job(db, asked + timedelta(days=14)) == [
        (
            "confirmation_chase",
            second,
            {"requested_on": asked_text, "reminder_number": 2, "escalate": False},
        )
    ]
    # 30 days before the notice deadline (due + 90): both get the notice reminder, the
    # unanswered one its escalated chaser
    deadline = (DUE + timedelta(days=90)).isoformat()
    assert _job(db, DUE + timedelta(days=60)) == [
        (
            "confirmation_chase",
            second,
            {"requested_on": asked_text, "reminder_number": 3, "escalate": True},
        ),
        ("notice_reminder", first, {"deadline": deadline, "days_left": 30}),
        ("notice_reminder", second, {"deadline": deadline, "days_left": 30}),
    ]
    assert _job(db, DUE + timedelta(days=60)) == []
    assert _stored(db) == (6, 6)

    mine = app_client.get("/api/v1/notifications", headers=cast.exporter.headers)
    assert mine.status_code == 200, mine.text
    assert mine.json()["total"] == 6
    newest = mine.json()["items"][0]
    assert newest["kind"] in ("notice_reminder", "confirmation_chase")
    assert newest["sent_on"] == (DUE + timedelta(days=60)).isoformat()
    reminder = next(n for n in mine.json()["items"] if n["kind"] == "notice_reminder")
    assert f"by {deadline}" in reminder["body"]
    theirs = app_client.get("/api/v1/notifications", headers=cast.other_exporter.headers)
    assert theirs.json()["total"] == 0
    nid = newest["id"]
    assert (
        app_client.post(
            f"/api/v1/notifications/{nid}/read", headers=cast.other_exporter.headers
        ).status_code
        == 404
    )
    read = app_client.post(f"/api/v1/notifications/{nid}/read", headers=cast.exporter.headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    unread = app_client.get("/api/v1/notifications?unread=true", headers=cast.exporter.headers)
    assert unread.json()["total"] == 5


def test_an_exporter_cannot_run_the_job(db: Database, cast: Cast, book: Book) -> None:
    exporter = principal(db, cast.exporter)
    with pytest.raises(PermissionDenied):
        run(
            db,
            lambda s: collections.daily_job(s, principal=exporter, today=DUE + timedelta(days=60)),
        )
    assert _stored(db) == (0, 0)


def test_the_exporter_sees_its_notifications_on_the_overdue_page(
    db: Database, cast: Cast, book: Book, app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = DUE + timedelta(days=60)
    _job(db, day)
    monkeypatch.setattr("tradecover.web.claims.overdue_pages.business_today", lambda: day)
    with transaction(db.factory) as s:
        person = make_user_actor(
            s,
            org_slug="acme-exports",
            role=Role.EXPORTER,
            email="anna@acme.example",
            password="correct horse battery",
        )
        stranger = make_user_actor(
            s,
            org_slug="other-exports",
            role=Role.EXPORTER,
            email="gus@other.example",
            password="correct horse battery",
        )
    for who, sees in ((person, True), (stranger, False)):
        app_client.cookies.clear()
        assert (
            app_client.post(
                "/sign-in",
                data={"email": who.email, "password": "correct horse battery"},
                follow_redirects=False,
            ).status_code
            == 303
        )
        page = app_client.get("/overdue")
        assert page.status_code == 200
        assert 'data-testid="notifications"' in page.text
        assert (
            f"Notice of possible loss due by {(DUE + timedelta(days=90)).isoformat()}" in page.text
        ) is sees


RUNS = 4


def test_concurrent_runs_of_the_job_send_each_reminder_once(
    db: Database, cast: Cast, book: Book
) -> None:
    import threading

    day = DUE + timedelta(days=60)
    barrier = threading.Barrier(RUNS)
    sent: list[int] = [0] * RUNS
    errors: list[str] = []

    def job(i: int) -> None:
        barrier.wait()
        try:
            with transaction(db.factory) as s:
                sent[i] = len(
                    collections.daily_job(s, principal=system_principal(s), today=day).sent
                )
        except Exception as exc:  # a failed run is a finding, reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=job, args=(i,)) for i in range(RUNS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    # two notice reminders and two escalated chasers, whoever sent them
    assert sum(sent) == 4 and not errors
    assert _stored(db) == (4, 4)


def _reminders(
    sent: list[tuple[str, int | None, dict[str, object]]],
) -> list[tuple[int | None, dict[str, object]]]:
    return [(decl, data) for kind, decl, data in sent if kind == "notice_reminder"]


def test_a_job_that_skipped_days_catches_up_the_latest_reminder_once(
    db: Database, book: Book
) -> None:
    """Notice deadline: due + 90; reminders on due + 60 (30 days left), due + 76 (14)
    and due + 87 (3).  The job does not run on any of those days."""
    first, second = book.declarations
    deadline = (DUE + timedelta(days=90)).isoformat()
    assert _reminders(_job(db, DUE + timedelta(days=59))) == []  # not yet
    # first run after the 30-day reminder's day: it goes out late, with the days left now
    assert _reminders(_job(db, DUE + timedelta(days=70))) == [
        (first, {"deadline": deadline, "days_left": 20}),
        (second, {"deadline": deadline, "days_left": 20}),
    ]
    assert _reminders(_job(db, DUE + timedelta(days=70))) == []  # a rerun sends nothing
    assert _reminders(_job(db, DUE + timedelta(days=75))) == []  # already sent
    # the job skips both the 14-day and the 3-day reminder days: only the latest goes out
    assert _reminders(_job(db, DUE + timedelta(days=89))) == [
        (first, {"deadline": deadline, "days_left": 1}),
        (second, {"deadline": deadline, "days_left": 1}),
    ]
    assert _reminders(_job(db, DUE + timedelta(days=90))) == []
    assert _reminders(_job(db, DUE + timedelta(days=91))) == []  # the deadline has passed
    with db.factory() as s:
        keys = sorted(
            s.execute(
                select(Notification.dedupe_key).where(Notification.kind == "notice_reminder")
            ).scalars()
        )
    assert keys == sorted(
        f"notice_reminder:{d}:{deadline}:{stage}" for d in (first, second) for stage in (30, 3)
    )
    sent, audited = _stored(db)  # reminders and chasers, each audited once
    assert sent == audited


def test_an_approved_extension_moves_the_reminders_of_the_job(
    db: Database, cast: Cast, book: Book
) -> None:
    first, second = book.declarations
    exporter, insurer = principal(db, cast.exporter), principal(db, cast.claims_handler)
    asked = run(
        db,
        lambda s: collections.request_extension(
            s,
            principal=exporter,
            declaration_id=first,
            kind=ArrangementKind.EXTENSION,
            today=DUE + timedelta(days=5),
            new_due_date=DUE + timedelta(days=30),
        ),
    )
    assert isinstance(asked, DueDateArrangement)
    run(
        db,
        lambda s: collections.decide_extension(
            s,
            principal=insurer,
            arrangement_id=asked.id,
            approve=True,
            reason=None,
            today=DUE + timedelta(days=6),
        ),
    )
    # 30 days before the original deadline only the invoice not extended is reminded
    assert _reminders(_job(db, DUE + timedelta(days=60))) == [
        (second, {"deadline": (DUE + timedelta(days=90)).isoformat(), "days_left": 30})
    ]
    # the extended one 30 days before its moved deadline (new due date + 90); the other
    # one, on its deadline day, gets the 3-day reminder the job missed
    assert _reminders(_job(db, DUE + timedelta(days=90))) == [
        (first, {"deadline": (DUE + timedelta(days=120)).isoformat(), "days_left": 30}),
        (second, {"deadline": (DUE + timedelta(days=90)).isoformat(), "days_left": 0}),
    ]


def test_the_job_reads_the_effective_due_dates_in_one_query(db: Database, book: Book) -> None:
    """Not one query per invoice: the candidates come with their effective due dates."""
    from sqlalchemy import event

    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        _job(db, DUE + timedelta(days=60))
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len([s for s in reads if "due_date_arrangements" in s]) == 1
    assert len([s for s in reads if "FROM declarations" in s]) == 1
    assert len([s for s in reads if "FROM possible_loss_notices" in s]) == 1
