"""The feed stream: every received document an event on NATS JetStream, attached once.

Subjects ``<prefix>.<source>.<exporter org id>``; the envelope (:mod:`.envelope`); the
consent hook (:mod:`.consent`); the stream, publisher and durable consumer
(:mod:`.nats_stream`); the attachment worker (:mod:`.worker`); the embedded nats-server
(:mod:`.embedded`).  See ``docs/feeds-stream.md``.
"""

from tradecover.feeds.stream.consent import CONSENT_MISSING, may_receive
from tradecover.feeds.stream.envelope import (
    Envelope,
    EnvelopeInvalid,
    FeedSource,
    stream_subjects,
    subject_for,
)

__all__ = [
    "CONSENT_MISSING",
    "Envelope",
    "EnvelopeInvalid",
    "FeedSource",
    "may_receive",
    "stream_subjects",
    "subject_for",
]
