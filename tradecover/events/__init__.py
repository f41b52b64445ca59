"""Events out: the catalogue of business events and the transactional outbox.

Pure names (the catalogue, the envelope) are imported eagerly; the outbox use cases,
which need the database, are resolved lazily (:mod:`tradecover.kit.public_face`).
"""

from typing import TYPE_CHECKING

from tradecover.events.catalog import CATALOG, EventType, Payload, checked_payload, event_type
from tradecover.events.envelope import (
    OutboxEntry,
    envelope_schema,
    message_body,
    schema_documents,
)
from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.events.service import claim_unrelayed as claim_unrelayed
    from tradecover.events.service import events_after as events_after
    from tradecover.events.service import events_of as events_of
    from tradecover.events.service import mark_relayed as mark_relayed
    from tradecover.events.service import record_event as record_event

_LAZY = {
    "claim_unrelayed": "service",
    "events_after": "service",
    "events_of": "service",
    "mark_relayed": "service",
    "record_event": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)
__all__ = [
    "CATALOG",
    "EventType",
    "OutboxEntry",
    "Payload",
    "checked_payload",
    "claim_unrelayed",
    "envelope_schema",
    "event_type",
    "events_after",
    "events_of",
    "mark_relayed",
    "message_body",
    "record_event",
    "schema_documents",
]
