"""Use cases of webhook endpoints: register, change, rotate, remove, inspect, replay.

An organisation manages its own endpoints (its administrators: exporters with
``exporter_profile:write``, the insurer's with ``org:admin``) and any member who may read
the organisation sees them and their deliveries.  Another organisation's endpoint is
"not found".  Nothing here commits: the edge owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.access import Permission, Principal, Role
from tradecover.events import CATALOG, events_of, message_body
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import NotFound, ValidationFailed
from tradecover.webhooks.model import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tradecover.webhooks.signing import new_secret, secret_key
from tradecover.webhooks.targets import parse_url

EVERY_TYPE = "*"
ROTATION_OVERLAP = timedelta(hours=24)
"""How long the previous secret keeps signing after a rotation."""


def _require_manage(principal: Principal) -> None:
    if principal.role is not Role.ADMIN:
        principal.require(Permission.EXPORTER_PROFILE_WRITE)


def _checked_types(event_types: Sequence[str]) -> list[str]:
    chosen = sorted(set(event_types))
    if not chosen:
        raise ValidationFailed("choose at least one event type (or *)", field="event_types")
    unknown = [t for t in chosen if t != EVERY_TYPE and t not in CATALOG]
    if unknown:
        raise ValidationFailed(f"unknown event types: {', '.join(unknown)}", field="event_types")
    return [EVERY_TYPE] if EVERY_TYPE in chosen else chosen


def create_endpoint(
    session: Session,
    *,
    principal: Principal,
    url: str,
    event_types: Sequence[str],
    description: str | None,
    development: bool,
    secret: str | None = None,
) -> WebhookEndpoint:
    """Register an endpoint of the caller's organisation; a secret is made when not given."""
    _require_manage(principal)
    parse_url(url, development=development)
    if secret is not None:
        secret_key(secret)
    row = WebhookEndpoint(
        org_id=principal.org_id,
        url=url,
        description=description,
        event_types=_checked_types(event_types),
        secret=secret or new_secret(),
        all_organisations=principal.is_insurer,
        created_at=utc_now(),
    )
    session.add(row)
    session.flush()
    return row


def get_endpoint(session: Session, *, principal: Principal, endpoint_id: int) -> WebhookEndpoint:
    """One endpoint of the caller's organisation."""
    principal.require(Permission.ORG_READ)
    row = session.get(WebhookEndpoint, endpoint_id)
    if row is None or row.org_id != principal.org_id:
        raise NotFound(f"no webhook endpoint {endpoint_id}")
    return row


def list_endpoints(session: Session, *, principal: Principal) -> list[WebhookEndpoint]:
    """The endpoints of the caller's organisation, oldest first."""
    principal.require(Permission.ORG_READ)
    return list(
        session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.org_id == principal.org_id)
            .order_by(WebhookEndpoint.id)
        )
    )


def update_endpoint(
    session: Session,
    *,
    principal: Principal,
    endpoint_id: int,
    development: bool,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change an endpoint's URL, event types, description, or enable/disable it."""
    _require_manage(principal)
    row = get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    if url is not None:
        parse_url(url, development=development)
        row.url = url
    if event_types is not None:
        row.event_types = _checked_types(event_types)
    if description is not None:
        row.description = description
    if enabled is True:
        row.disabled_at, row.disabled_reason, row.failing_since = None, None, None
    elif enabled is False and row.disabled_at is None:
        row.disabled_at, row.disabled_reason = utc_now(), "disabled by the organisation"
    return row


def delete_endpoint(session: Session, *, principal: Principal, endpoint_id: int) -> None:
    """Remove an endpoint with its deliveries and their attempts."""
    _require_manage(principal)
    row = get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == row.id)
    session.query(WebhookAttempt).filter(WebhookAttempt.delivery_id.in_(deliveries)).delete(
        synchronize_session=False
    )
    session.query(WebhookDelivery).filter(WebhookDelivery.endpoint_id == row.id).delete(
        synchronize_session=False
    )
    session.delete(row)


def rotate_secret(
    session: Session, *, principal: Principal, endpoint_id: int, now: datetime | None = None
) -> WebhookEndpoint:
    """A new secret; the old one keeps signing alongside for :data:`ROTATION_OVERLAP`."""
    _require_manage(principal)
    row = get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    moment = now or utc_now()
    row.previous_secret, row.previous_secret_until = row.secret, moment + ROTATION_OVERLAP
    row.secret = new_secret()
    return row


def secrets_in_force(row: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign a message now: the current one, and the previous one while
    its overlap lasts.
    """
    found = [row.secret]
    if (
        row.previous_secret
        and row.previous_secret_until is not None
        and now < row.previous_secret_until
    ):
        found.append(row.previous_secret)
    return found


def list_deliveries(
    session: Session,
    *,
    principal: Principal,
    endpoint_id: int,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[WebhookDelivery], int]:
    """An endpoint's deliveries, newest first, with their total."""
    row = get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    where = [WebhookDelivery.endpoint_id == row.id]
    if status is not None:
        where.append(WebhookDelivery.status == status)
    total = session.scalar(select(func.count()).select_from(WebhookDelivery).where(*where))
    rows = session.scalars(
        select(WebhookDelivery)
        .where(*where)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total or 0


def attempts_of(
    session: Session, *, principal: Principal, endpoint_id: int, delivery_id: int
) -> tuple[WebhookDelivery, list[WebhookAttempt]]:
    """One delivery of an endpoint with each of its attempts, oldest first."""
    row = get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != row.id:
        raise NotFound(f"no delivery {delivery_id} of this endpoint")
    attempts = session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == delivery.id)
        .order_by(WebhookAttempt.id)
    )
    return delivery, list(attempts)


def replay(session: Session, *, principal: Principal, endpoint_id: int, from_event_id: str) -> int:
    """Deliver again every event of the organisation from ``from_event_id`` on that the
    endpoint subscribes to (re-enabling it); return how many deliveries were queued.
    """
    _require_manage(principal)
    row = get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    moment = utc_now()
    row.disabled_at, row.disabled_reason, row.failing_since = None, None, None
    queued = 0
    for entry in events_of(session, org_id=row.org_id, from_event_id=from_event_id):
        if EVERY_TYPE in row.event_types or entry.event_type in row.event_types:
            session.add(
                new_delivery(
                    row.id,
                    entry.sequence,
                    entry.event_id,
                    entry.event_type,
                    entry.subject,
                    message_body(entry),
                    moment,
                )
            )
            queued += 1
    return queued


def new_delivery(
    endpoint_id: int,
    sequence: int,
    event_id: str,
    event_type: str,
    subject: str,
    body: str,
    now: datetime,
) -> WebhookDelivery:
    """A pending delivery, due at once."""
    return WebhookDelivery(
        endpoint_id=endpoint_id,
        sequence=sequence,
        event_id=event_id,
        event_type=event_type,
        subject=subject,
        body=body,
        status="pending",
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
