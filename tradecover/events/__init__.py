"""Events out: the catalogue of business events and the transactional outbox.

Pure names (the catalogue, the envelope) are imported eagerly; the outbox use cases,
which need the database, are resolved lazily (:mod:`tradecover.kit.public_face`).
"""

from typing import TYPE_CHECKING

from tradecover.events.catalog import CATALOG, EventType, Payload, checked_payload, event_type
from tradecover.events.envelope import (
    OutboxEntry,
    PendingEvent,
    envelope_schema,
    message_body,
    outbox_rows,
    schema_documents,
)
from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.events.service import OUTBOX_INSERT_SQL as OUTBOX_INSERT_SQL
    from tradecover.events.service import claim_unrelayed as claim_unrelayed
    from tradecover.events.service import events_after as events_after
    from tradecover.events.service import events_of as events_of
    from tradecover.events.service import mark_relayed as mark_relayed
    from tradecover.events.service import outbox_recordset as outbox_recordset
    from tradecover.events.service import record_event as record_event
    from tradecover.events.service import record_events as record_events
    from tradecover.events.service import recorded_subjects as recorded_subjects

_LAZY = {
    "claim_unrelayed": "service",
    "events_after": "service",
    "events_of": "service",
    "mark_relayed": "service",
    "OUTBOX_INSERT_SQL": "service",
    "outbox_recordset": "service",
    "record_event": "service",
    "record_events": "service",
    "recorded_subjects": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)
__all__ = [
    "CATALOG",
    "OUTBOX_INSERT_SQL",
    "EventType",
    "OutboxEntry",
    "Payload",
    "PendingEvent",
    "checked_payload",
    "claim_unrelayed",
    "envelope_schema",
    "event_type",
    "events_after",
    "events_of",
    "mark_relayed",
    "message_body",
    "outbox_recordset",
    "outbox_rows",
    "record_event",
    "record_events",
    "recorded_subjects",
    "schema_documents",
]
