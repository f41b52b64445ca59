"""HTTP routes of webhooks (``/api/v1/webhooks``) and the OpenAPI ``webhooks`` section.

:data:`router` manages an organisation's endpoints, shows deliveries with each attempt,
rotates secrets and replays.  :data:`definitions` describes, for the OpenAPI document, the
request tradecover sends for each event type (``app.webhooks`` includes it).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import create_model

from tradecover import events, webhooks
from tradecover.api.deps import PrincipalDep, SessionDep, get_settings
from tradecover.api.pagination import IdPath, Page, PageDep
from tradecover.config import Settings
from tradecover.webhooks.schemas import (
    DeliveryOut,
    EndpointChangeIn,
    EndpointIn,
    EndpointOut,
    EventTypeOut,
    ReplayIn,
    ReplayOut,
)

router = APIRouter(tags=["webhooks"])
SettingsDep = Annotated[Settings, Depends(get_settings)]
BASE = "/api/v1/webhooks/endpoints"


@router.get(
    "/api/v1/webhooks/event-types",
    response_model=list[EventTypeOut],
    summary="The event types a webhook may subscribe to",
)
def event_types(principal: PrincipalDep) -> list[EventTypeOut]:
    """Every published event type with its version and where its JSON schema is."""
    return [
        EventTypeOut(
            name=t.name,
            version=t.version,
            summary=t.summary,
            schema_url=f"/docs/events/{t.key}.json",
        )
        for t in events.CATALOG.values()
    ]


@router.post(
    BASE, status_code=201, response_model=EndpointOut, summary="Register a webhook endpoint"
)
def create(
    body: EndpointIn, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> EndpointOut:
    """An https URL that receives the chosen event types, signed with the endpoint's
    secret (shown in this answer only).
    """
    row = webhooks.create_endpoint(
        session,
        principal=principal,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        secret=body.secret,
        development=settings.webhooks_development,
    )
    return EndpointOut.of(row, with_secret=True)


@router.get(BASE, response_model=list[EndpointOut], summary="The organisation's endpoints")
def list_all(session: SessionDep, principal: PrincipalDep) -> list[EndpointOut]:
    """Every endpoint of the caller's organisation."""
    return [EndpointOut.of(r) for r in webhooks.list_endpoints(session, principal=principal)]


@router.get(BASE + "/{endpoint_id}", response_model=EndpointOut, summary="One endpoint")
def get(endpoint_id: IdPath, session: SessionDep, principal: PrincipalDep) -> EndpointOut:
    """One endpoint of the caller's organisation."""
    return EndpointOut.of(
        webhooks.get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    )


@router.patch(BASE + "/{endpoint_id}", response_model=EndpointOut, summary="Change an endpoint")
def change(
    endpoint_id: IdPath,
    body: EndpointChangeIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> EndpointOut:
    """Change the URL, the event types or the description; enable or disable it."""
    row = webhooks.update_endpoint(
        session,
        principal=principal,
        endpoint_id=endpoint_id,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        enabled=body.enabled,
        development=settings.webhooks_development,
    )
    return EndpointOut.of(row)


@router.delete(
    BASE + "/{endpoint_id}", status_code=204, response_class=Response, summary="Remove an endpoint"
)
def remove(endpoint_id: IdPath, session: SessionDep, principal: PrincipalDep) -> Response:
    """Remove the endpoint with its deliveries."""
    webhooks.delete_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    return Response(status_code=204)


@router.post(
    BASE + "/{endpoint_id}/rotate-secret",
    response_model=EndpointOut,
    summary="Rotate an endpoint's secret",
)
def rotate(endpoint_id: IdPath, session: SessionDep, principal: PrincipalDep) -> EndpointOut:
    """A new secret (in this answer); the previous one signs too for 24 hours."""
    row = webhooks.rotate_secret(session, principal=principal, endpoint_id=endpoint_id)
    return EndpointOut.of(row, with_secret=True)


@router.get(
    BASE + "/{endpoint_id}/deliveries",
    response_model=Page[DeliveryOut],
    summary="An endpoint's deliveries",
)
def deliveries(
    endpoint_id: IdPath,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|failed)$")] = None,
) -> Page[DeliveryOut]:
    """Newest first; ``status=failed`` lists what gave up."""
    rows, total = webhooks.list_deliveries(
        session,
        principal=principal,
        endpoint_id=endpoint_id,
        status=status,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[DeliveryOut.of(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get(
    BASE + "/{endpoint_id}/deliveries/{delivery_id}",
    response_model=DeliveryOut,
    summary="One delivery with each attempt",
)
def delivery(
    endpoint_id: IdPath, delivery_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> DeliveryOut:
    """The delivery and every attempt's status code, answer and error."""
    row, attempts = webhooks.attempts_of(
        session, principal=principal, endpoint_id=endpoint_id, delivery_id=delivery_id
    )
    return DeliveryOut.of(row, attempts)


@router.post(
    BASE + "/{endpoint_id}/replay", response_model=ReplayOut, summary="Replay events to an endpoint"
)
def replay(
    endpoint_id: IdPath, body: ReplayIn, session: SessionDep, principal: PrincipalDep
) -> ReplayOut:
    """Deliver again every event from ``from_event_id`` on (and enable the endpoint)."""
    return ReplayOut(
        queued=webhooks.replay(
            session, principal=principal, endpoint_id=endpoint_id, from_event_id=body.from_event_id
        )
    )


definitions = APIRouter()
"""One OpenAPI webhook per event type: the POST tradecover sends to an endpoint."""

_SIGNATURE_HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "The event id; the same for every attempt (deduplicate on it)",
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "Unix seconds of the attempt",
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "v1,<base64 HMAC-SHA256 of id.timestamp.body>; several, space "
        "separated, while a secret is rotated",
    },
]


def _define(kind: events.EventType) -> None:
    envelope: Any = create_model(
        "Event_" + kind.key.replace(".", "_"),
        id=(str, ...),
        type=(str, kind.name),
        version=(int, kind.version),
        subject=(str, ...),
        timestamp=(str, ...),
        data=(kind.payload, ...),
    )

    def receive(body: Any) -> None:
        """What an endpoint receives."""

    receive.__annotations__ = {"body": envelope, "return": None}
    definitions.add_api_route(
        kind.key,
        receive,
        methods=["POST"],
        summary=kind.summary,
        description=f"`{kind.name}` version {kind.version}: answer 2xx within 10 seconds; "
        "anything else is retried with backoff for 24 hours.",
        openapi_extra={"parameters": _SIGNATURE_HEADERS},
        status_code=204,
        response_class=Response,
    )


for _kind in events.CATALOG.values():
    _define(_kind)
