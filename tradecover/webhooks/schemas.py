"""API shapes of webhooks: endpoints, deliveries with their attempts, replays, event types."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from tradecover.kit.inputs import InputModel
from tradecover.webhooks.model import WebhookAttempt, WebhookDelivery, WebhookEndpoint

EventTypes = list[str]


class EndpointIn(InputModel):
    """A new endpoint: where to, which event types (``*`` for all), optionally a secret."""

    url: str = Field(max_length=2048, examples=["https://erp.example.com/hooks/tradecover"])
    event_types: EventTypes = Field(
        min_length=1, max_length=64, examples=[["limit.decided", "notice.issued"]]
    )
    description: str | None = Field(default=None, max_length=200)
    secret: str | None = Field(
        default=None,
        max_length=100,
        description="whsec_ and base64 of 24 to 64 bytes; made for you when left out",
    )


class EndpointChangeIn(InputModel):
    """Changes to an endpoint (fields left out stay as they are)."""

    url: str | None = Field(default=None, max_length=2048)
    event_types: EventTypes | None = Field(default=None, min_length=1, max_length=64)
    description: str | None = Field(default=None, max_length=200)
    enabled: bool | None = None


class ReplayIn(InputModel):
    """Deliver again every event from this one on."""

    from_event_id: str = Field(min_length=4, max_length=40, examples=["evt_0f1e2d3c"])


class ReplayOut(BaseModel):
    """How many deliveries the replay queued."""

    queued: int


class EndpointOut(BaseModel):
    """An endpoint; its secret only in the answers that create or rotate it."""

    id: int
    url: str
    event_types: EventTypes
    description: str | None
    created_at: datetime
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    failing_since: datetime | None
    secret: str | None = Field(default=None, description="Shown once, when made")
    previous_secret_until: datetime | None = None

    @classmethod
    def of(cls, row: WebhookEndpoint, *, with_secret: bool = False) -> EndpointOut:
        """Build from the ORM row."""
        return cls(
            id=row.id,
            url=row.url,
            event_types=list(row.event_types),
            description=row.description,
            created_at=row.created_at,
            enabled=row.disabled_at is None,
            disabled_at=row.disabled_at,
            disabled_reason=row.disabled_reason,
            failing_since=row.failing_since,
            secret=row.secret if with_secret else None,
            previous_secret_until=row.previous_secret_until,
        )


class AttemptOut(BaseModel):
    """One attempt of a delivery."""

    attempted_at: datetime
    status_code: int | None
    response: str | None
    error: str | None
    duration_ms: int

    @classmethod
    def of(cls, row: WebhookAttempt) -> AttemptOut:
        """Build from the ORM row."""
        return cls(
            attempted_at=row.attempted_at,
            status_code=row.status_code,
            response=row.response,
            error=row.error,
            duration_ms=row.duration_ms,
        )


class DeliveryOut(BaseModel):
    """One event's delivery to the endpoint."""

    id: int
    event_id: str
    event_type: str
    subject: str
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    finished_at: datetime | None
    last_status_code: int | None
    attempt_log: list[AttemptOut] | None = None

    @classmethod
    def of(cls, row: WebhookDelivery, attempts: list[WebhookAttempt] | None = None) -> DeliveryOut:
        """Build from the ORM row (and its attempts, when given)."""
        return cls(
            id=row.id,
            event_id=row.event_id,
            event_type=row.event_type,
            subject=row.subject,
            status=row.status,
            attempts=row.attempts,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
            finished_at=row.finished_at,
            last_status_code=row.last_status_code,
            attempt_log=None if attempts is None else [AttemptOut.of(a) for a in attempts],
        )


class EventTypeOut(BaseModel):
    """A published event type."""

    name: str
    version: int
    summary: str
    schema_url: str
