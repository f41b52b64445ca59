"""Helpers of the webhook tests: endpoints, events and a worker on the test database."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.conftest import Database
from tradecover.access import service as access
from tradecover.access.principal import Principal
from tradecover.access.roles import OrganisationKind, Role
from tradecover.db.engine import transaction
from tradecover.events import record_event
from tradecover.webhooks import WebhookWorker, WorkerOptions, create_endpoint, replay
from tradecover.webhooks.model import WebhookDelivery
from tradecover.webhooks.sender import resolve_host

Resolver = Callable[[str, int], Awaitable[list[str]]]


def endpoint_for(
    db: Database,
    org_slug: str,
    url: str,
    types: list[str] | None = None,
    *,
    development: bool = True,
) -> tuple[int, str]:
    """Register an endpoint of ``org_slug`` as one of its administrators; id and secret."""
    with transaction(db.factory) as session:
        principal = owner(session, org_slug)
        row = create_endpoint(
            session,
            principal=principal,
            url=url,
            event_types=types or ["*"],
            description=None,
            development=development,
        )
        return row.id, row.secret


def record(db: Database, org_id: int, events: list[tuple[str, int]]) -> list[str]:
    """Record ``limit.decided`` events, one per (subject, application id); their ids."""
    ids = []
    with transaction(db.factory) as session:
        for subject, application_id in events:
            ids.append(
                record_event(
                    session,
                    "limit.decided",
                    subject,
                    {
                        "application_id": application_id,
                        "policy_id": 1,
                        "buyer_id": 1,
                        "outcome": "approved",
                        "approved_amount": "1000.00",
                        "currency": "USD",
                    },
                    org_id,
                )
            )
    return ids


def drain(
    db: Database,
    *,
    development: bool = True,
    resolve: Resolver = resolve_host,
    disable_after: timedelta = timedelta(days=5),
) -> None:
    """Run a worker until nothing more is due."""
    worker = WebhookWorker(
        db.factory,
        WorkerOptions(
            development=development, disable_after=disable_after, rng=random.Random(7), timeout_s=5
        ),
        resolve=resolve,
    )

    async def go() -> None:
        try:
            await worker.drain()
        finally:
            await worker.close()

    asyncio.run(go())


def make_due_now(db: Database) -> None:
    """Pretend the retry waits have passed: every pending delivery is due."""
    from tradecover.kit.dates import utc_now

    with transaction(db.factory) as session:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.status == "pending")
            .values(next_attempt_at=utc_now() - timedelta(seconds=1))
        )


def owner(session: Session, org_slug: str) -> Principal:
    """An administrator principal of ``org_slug``."""
    org = access.org_by_slug(session, org_slug)
    kind = OrganisationKind(org.kind)
    return Principal(
        actor="test",
        org_id=org.id,
        org_slug=org.slug,
        org_kind=kind,
        role=Role.EXPORTER if kind is OrganisationKind.EXPORTER else Role.ADMIN,
    )


def replay_as_owner(db: Database, org_slug: str, endpoint_id: int, from_event_id: str) -> int:
    """Replay an endpoint from an event as its organisation's administrator."""
    with transaction(db.factory) as session:
        return replay(
            session,
            principal=owner(session, org_slug),
            endpoint_id=endpoint_id,
            from_event_id=from_event_id,
        )
