"""The reminder before a declaration deadline [domain D-14]: told once per policy and
period, with what is declared so far, only when the deadline is near, for the exporter.
"""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.builders.declarations import body, world
from tests.conftest import Cast, Database
from tradecover.db.engine import transaction
from tradecover.declarations.reminder_repository import remind_declarations_due
from tradecover.events.model import OutboxEvent
from tradecover.kit.dates import add_months, business_today


def _due_events(db: Database) -> list[tuple[str, int, dict[str, object]]]:
    with db.factory() as s:
        rows = s.execute(
            select(OutboxEvent.subject, OutboxEvent.org_id, OutboxEvent.payload)
            .where(OutboxEvent.event_type == "declaration.due")
            .order_by(OutboxEvent.id)
        )
        return [(str(subject), int(org), dict(payload)) for subject, org, payload in rows]


def test_a_monthly_deadline_is_reminded_once_with_what_is_declared(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    w = world(app_client, cast, db)
    month = business_today().replace(day=1)
    last_month = add_months(month, -1)
    shipped = last_month + timedelta(days=9)
    made = app_client.post(
        "/api/v1/declarations",
        json=body(
            w,
            invoice_number="REM-1",
            shipment_date=shipped.isoformat(),
            due_date=(shipped + timedelta(days=60)).isoformat(),
        ),
        headers={**cast.exporter.headers, "Idempotency-Key": "reminder-test-1"},
    )
    assert made.status_code == 201, made.text
    deadline = month.replace(day=15)

    with transaction(db.factory) as s:  # 6 days before: outside the 3-day window
        assert remind_declarations_due(s, today=deadline - timedelta(days=6)) == []
    with transaction(db.factory) as s:
        told = remind_declarations_due(s, today=deadline - timedelta(days=2))
    assert [(r.policy_id, r.period.start, r.period.due, r.declared) for r in told] == [
        (w.policy_id, last_month, deadline, 1)
    ]
    with transaction(db.factory) as s:  # the next day: already told
        assert remind_declarations_due(s, today=deadline - timedelta(days=1)) == []
    assert _due_events(db) == [
        (
            f"policy:{w.policy_id}:period:{last_month.isoformat()}",
            cast.exporter.org_id,
            {
                "policy_id": w.policy_id,
                "frequency": "monthly",
                "period_start": last_month.isoformat(),
                "period_end": (month - timedelta(days=1)).isoformat(),
                "due_date": deadline.isoformat(),
                "days_left": 2,
                "declared": 1,
            },
        )
    ]


def test_a_period_outside_the_cover_is_not_reminded(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    w = world(app_client, cast, db)
    before_inception = date(w.inception.year, w.inception.month, 1) - timedelta(days=1)
    deadline = add_months(before_inception.replace(day=1), 1).replace(day=15)
    with transaction(db.factory) as s:
        told = remind_declarations_due(s, today=deadline - timedelta(days=1))
    assert told == []  # the month before inception is due within the window, but not covered
