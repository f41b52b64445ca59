"""The event every received document becomes on the stream: subject, headers, payload.

A document travels as one NATS message on ``<prefix>.<source>.<exporter org id>`` whose
payload is the document's bytes as received and whose headers carry the envelope:
``Tradecover-Message-Id`` (also ``Nats-Msg-Id``, so that JetStream drops a publish
repeated within its duplicate window), the source, the exporter, when it was received,
the file name, and the received document a resubmission replaces.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tradecover.kit.dates import utc_now

MESSAGE_ID = "Tradecover-Message-Id"
SOURCE = "Tradecover-Source"
EXPORTER = "Tradecover-Exporter"
RECEIVED_AT = "Tradecover-Received-At"
FILENAME = "Tradecover-Filename"
RESUBMITS = "Tradecover-Resubmits"
NATS_MSG_ID = "Nats-Msg-Id"


class FeedSource(StrEnum):
    """The kinds of source an exporter connects."""

    CUSTOMS = "customs"
    UBL = "ubl"
    CII = "cii"
    ERP = "erp"


class EnvelopeInvalid(ValueError):
    """A message on the stream that is not a feed envelope."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """One received document on its way to the attachment workers."""

    message_id: str
    source: FeedSource
    exporter_org_id: int
    content: bytes
    received_at: datetime
    filename: str | None = None
    resubmits: int | None = None

    @classmethod
    def new(
        cls,
        *,
        source: FeedSource | str,
        exporter_org_id: int,
        content: bytes,
        filename: str | None = None,
        resubmits: int | None = None,
    ) -> Envelope:
        """A fresh envelope with a new message id, received now."""
        return cls(
            uuid.uuid4().hex,
            FeedSource(source),
            exporter_org_id,
            content,
            utc_now(),
            filename,
            resubmits,
        )

    def headers(self) -> dict[str, str]:
        """The NATS headers of this envelope."""
        out = {
            NATS_MSG_ID: self.message_id,
            MESSAGE_ID: self.message_id,
            SOURCE: self.source.value,
            EXPORTER: str(self.exporter_org_id),
            RECEIVED_AT: self.received_at.isoformat(),
        }
        if self.filename:
            out[FILENAME] = self.filename[:200]
        if self.resubmits is not None:
            out[RESUBMITS] = str(self.resubmits)
        return out

    @classmethod
    def of_message(cls, headers: Mapping[str, str] | None, payload: bytes) -> Envelope:
        """The envelope of a message taken from the stream."""
        given = dict(headers or {})
        try:
            message_id = given[MESSAGE_ID]
            source = FeedSource(given[SOURCE])
            exporter = int(given[EXPORTER])
            received_at = datetime.fromisoformat(given[RECEIVED_AT])
            resubmits = int(given[RESUBMITS]) if given.get(RESUBMITS) else None
        except (KeyError, ValueError) as error:
            raise EnvelopeInvalid(f"not a feed envelope: {error}") from None
        if not message_id or len(message_id) > 64 or received_at.tzinfo is None:
            raise EnvelopeInvalid("not a feed envelope: bad message id or timestamp")
        return cls(
            message_id,
            source,
            exporter,
            payload,
            received_at,
            given.get(FILENAME) or None,
            resubmits,
        )


def subject_for(prefix: str, source: FeedSource | str, exporter_org_id: int) -> str:
    """The subject a document of ``source`` for an exporter is published on."""
    return f"{prefix}.{FeedSource(source).value}.{int(exporter_org_id)}"


def stream_subjects(prefix: str) -> list[str]:
    """The subjects the feed stream holds: every source of every exporter."""
    return [f"{prefix}.*.*"]
