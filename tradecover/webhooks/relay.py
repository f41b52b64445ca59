"""The worker's database side: outbox to deliveries, claim the due ones, record outcomes.

Each function runs in its own short transaction that the worker owns.  The claim is one
``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING`` on PostgreSQL, so
that several workers share the deliveries; on SQLite (one writer at a time) the same
statement without the lock clause.  A claimed delivery's ``next_attempt_at`` moves forward
by the lease: if its worker dies, the delivery becomes due again when the lease ends.
Only the oldest pending delivery of an endpoint and subject is ever due: a later event for
the same subject waits for the earlier one to be delivered or to fail.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from tradecover import consents
from tradecover.access import OrganisationKind
from tradecover.events import claim_unrelayed, mark_relayed, message_body, record_event
from tradecover.webhooks.model import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tradecover.webhooks.retry import next_attempt
from tradecover.webhooks.service import EVERY_TYPE, secrets_in_force

_DELIVERIES = cast(Table, WebhookDelivery.__table__)  # plain inserts: no ORM bookkeeping
_ATTEMPTS = cast(Table, WebhookAttempt.__table__)
LEASE = timedelta(seconds=60)
"""How long a claimed delivery stays with its worker before another may take it."""


@dataclass(frozen=True, slots=True)
class DueDelivery:
    """A claimed delivery with what sending it needs."""

    delivery_id: int
    endpoint_id: int
    url: str
    secrets: tuple[str, ...]
    event_id: str
    body: str
    attempts: int
    first_attempt_at: datetime | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt got: the receiver's status and answer, or why it never got one."""

    delivery_id: int
    attempted_at: datetime
    duration_ms: int
    status_code: int | None = None
    response: str | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        """A 2xx answer delivers the event."""
        return self.status_code is not None and 200 <= self.status_code < 300


def relay_outbox(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Turn up to ``limit`` outbox events into deliveries to the endpoints that want them;
    return how many events were relayed.
    """
    entries = claim_unrelayed(session, limit=limit)
    if not entries:
        return 0
    endpoints = session.execute(
        select(
            WebhookEndpoint.id,
            WebhookEndpoint.org_id,
            WebhookEndpoint.event_types,
            WebhookEndpoint.all_organisations,
        ).where(WebhookEndpoint.disabled_at.is_(None))
    ).all()
    rows = []
    log: list[consents.DeliveryRead] = []
    for entry in entries:
        body: str | None = None
        for endpoint_id, org_id, types, everyone in endpoints:
            if not (everyone or org_id == entry.org_id):
                continue
            if EVERY_TYPE not in types and entry.event_type not in types:
                continue
            if org_id != entry.org_id:
                basis = consents.receive_basis(
                    session,
                    reader_org_id=org_id,
                    reader_kind=OrganisationKind.INSURER.value,  # only its endpoints hear everyone
                    exporter_org_id=entry.org_id,
                    event_type=entry.event_type,
                    occurred_on=entry.occurred_at.date(),
                    now=now,
                )
                log.append(
                    consents.DeliveryRead(
                        reader_org_id=org_id,
                        endpoint_id=endpoint_id,
                        exporter_org_id=entry.org_id,
                        event_type=entry.event_type,
                        basis=basis,
                        event_sequence=entry.sequence,
                    )
                )
                if basis is None:
                    continue  # no consent covers this read [domain CS-17]
            body = body or message_body(entry)
            rows.append(
                {
                    "endpoint_id": endpoint_id,
                    "sequence": entry.sequence,
                    "event_id": entry.event_id,
                    "event_type": entry.event_type,
                    "subject": entry.subject,
                    "body": body,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                    "next_attempt_at": now,
                }
            )
    # delivered and refused reads of exporters' data, in the relay's transaction [domain CS-18]
    consents.record_deliveries(session, log)
    if rows:
        session.execute(insert(_DELIVERIES), rows)
    mark_relayed(session, (e.sequence for e in entries))
    return len(entries)


def claim_due(
    session: Session, *, now: datetime, limit: int = 500, lease: timedelta = LEASE
) -> list[DueDelivery]:
    """Claim up to ``limit`` due deliveries (the oldest pending one per endpoint and
    subject, of enabled endpoints) for ``lease``.
    """
    d, earlier = WebhookDelivery, aliased(WebhookDelivery)
    waiting = (
        select(earlier.id)
        .where(
            earlier.endpoint_id == d.endpoint_id,
            earlier.subject == d.subject,
            earlier.sequence < d.sequence,
            earlier.status == "pending",
        )
        .exists()
    )
    candidates = (
        select(d.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == d.endpoint_id)
        .where(
            d.status == "pending",
            d.next_attempt_at <= now,
            WebhookEndpoint.disabled_at.is_(None),
            ~waiting,
        )
        .order_by(d.next_attempt_at, d.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(of=d, skip_locked=True)
    claimed = session.scalars(
        update(d)
        .where(d.id.in_(candidates.scalar_subquery()), d.next_attempt_at <= now)
        .values(next_attempt_at=now + lease)
        .returning(d.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not claimed:
        return []
    found = session.execute(
        select(
            d.id, d.endpoint_id, d.event_id, d.body, d.attempts, d.first_attempt_at, WebhookEndpoint
        )
        .join(WebhookEndpoint, WebhookEndpoint.id == d.endpoint_id)
        .where(d.id.in_(claimed))
        .order_by(d.id)
    ).all()
    return [
        DueDelivery(
            delivery_id=row[0],
            endpoint_id=row[1],
            url=row[6].url,
            secrets=tuple(secrets_in_force(row[6], now)),
            event_id=row[2],
            body=row[3],
            attempts=row[4],
            first_attempt_at=row[5],
        )
        for row in found
    ]


def record_outcomes(
    session: Session,
    claimed: Sequence[DueDelivery],
    outcomes: Sequence[Outcome],
    *,
    now: datetime,
    disable_after: timedelta,
    rng: random.Random | None = None,
) -> list[int]:
    """Store each attempt, move each delivery on (delivered, retried later or failed) and
    keep the endpoints' health; return the ids of endpoints disabled now.
    """
    if not outcomes:
        return []
    by_id = {c.delivery_id: c for c in claimed}
    session.execute(
        insert(_ATTEMPTS),
        [
            {
                "delivery_id": o.delivery_id,
                "attempted_at": o.attempted_at,
                "status_code": o.status_code,
                "response": (o.response or "")[:1000] or None,
                "error": (o.error or "")[:300] or None,
                "duration_ms": o.duration_ms,
            }
            for o in outcomes
        ],
    )
    changes, healthy, failing = [], set(), set()
    delivered: dict[int | None, list[int]] = {}  # status code: deliveries, one UPDATE each
    for outcome in outcomes:
        due = by_id[outcome.delivery_id]
        if outcome.delivered:
            delivered.setdefault(outcome.status_code, []).append(due.delivery_id)
            healthy.add(due.endpoint_id)
            continue
        first = due.first_attempt_at or outcome.attempted_at
        change = {
            "id": due.delivery_id,
            "attempts": due.attempts + 1,
            "first_attempt_at": first,
            "last_status_code": outcome.status_code,
        }
        failing.add(due.endpoint_id)
        retry_at = next_attempt(failures=due.attempts + 1, first_attempt_at=first, now=now, rng=rng)
        change |= (
            {"status": "failed", "finished_at": now}
            if retry_at is None
            else {"next_attempt_at": retry_at}
        )
        changes.append(change)
    d = WebhookDelivery
    for status_code, ids in delivered.items():
        session.execute(
            update(d)
            .where(d.id.in_(ids))
            .values(
                status="delivered",
                finished_at=now,
                attempts=d.attempts + 1,
                first_attempt_at=func.coalesce(d.first_attempt_at, now),
                last_status_code=status_code,
            )
            .execution_options(synchronize_session=False)
        )
    if changes:
        session.execute(update(WebhookDelivery), changes)
    if healthy:
        session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id.in_(healthy), WebhookEndpoint.failing_since.is_not(None))
            .values(failing_since=None)
            .execution_options(synchronize_session=False)
        )
    return _keep_failing(session, failing - healthy, now=now, disable_after=disable_after)


def _keep_failing(
    session: Session, endpoint_ids: set[int], *, now: datetime, disable_after: timedelta
) -> list[int]:
    """Note when the endpoints started failing; disable those failing for too long and
    tell their organisation (an event, which the e-mail relay also hears).
    """
    if not endpoint_ids:
        return []
    session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id.in_(endpoint_ids), WebhookEndpoint.failing_since.is_(None))
        .values(failing_since=now)
        .execution_options(synchronize_session=False)
    )
    stale = session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.id.in_(endpoint_ids),
            WebhookEndpoint.disabled_at.is_(None),
            WebhookEndpoint.failing_since <= now - disable_after,
        )
    ).all()
    for endpoint in stale:
        endpoint.disabled_at = now
        endpoint.disabled_reason = f"failing since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC"
        record_event(
            session,
            "webhook_endpoint.disabled",
            f"webhook_endpoint:{endpoint.id}",
            {
                "endpoint_id": endpoint.id,
                "url": endpoint.url,
                "failing_since": (endpoint.failing_since or now).isoformat(),
            },
            endpoint.org_id,
        )
    return [e.id for e in stale]
