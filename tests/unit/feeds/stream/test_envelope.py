from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tradecover.feeds.model import SOURCES
from tradecover.feeds.record import DocumentFormat, DocumentKind, TradeDocument
from tradecover.feeds.stream import (
    CONSENT_MISSING,
    Envelope,
    EnvelopeInvalid,
    FeedSource,
    may_receive,
    stream_subjects,
    subject_for,
)
from tradecover.feeds.stream.envelope import EXPORTER, MESSAGE_ID, NATS_MSG_ID, RECEIVED_AT


def test_an_envelope_survives_the_trip_through_headers_and_payload() -> None:
    sent = Envelope.new(
        source="ubl", exporter_org_id=42, content=b"<Invoice/>", filename="inv.xml", resubmits=7
    )
    got = Envelope.of_message(sent.headers(), sent.content)
    assert got == sent
    assert sent.headers()[NATS_MSG_ID] == sent.message_id  # JetStream's duplicate window


def test_each_new_envelope_has_its_own_message_id() -> None:
    first = Envelope.new(source="erp", exporter_org_id=1, content=b"{}")
    second = Envelope.new(source="erp", exporter_org_id=1, content=b"{}")
    assert first.message_id != second.message_id
    assert len(first.message_id) == 32


@pytest.mark.parametrize(
    "broken",
    [
        {},
        {
            MESSAGE_ID: "m",
            "Tradecover-Source": "fax",
            EXPORTER: "1",
            RECEIVED_AT: "2026-12-07T10:00:00+00:00",
        },
        {
            MESSAGE_ID: "m",
            "Tradecover-Source": "erp",
            EXPORTER: "one",
            RECEIVED_AT: "2026-12-07T10:00:00+00:00",
        },
        {
            MESSAGE_ID: "m",
            "Tradecover-Source": "erp",
            EXPORTER: "1",
            RECEIVED_AT: "2026-12-07T10:00:00",
        },
        {
            MESSAGE_ID: "x" * 65,
            "Tradecover-Source": "erp",
            EXPORTER: "1",
            RECEIVED_AT: "2026-12-07T10:00:00+00:00",
        },
    ],
)
def test_a_message_that_is_not_an_envelope_is_refused(broken: dict[str, str]) -> None:
    with pytest.raises(EnvelopeInvalid):
        Envelope.of_message(broken, b"")


def test_subjects_name_the_source_and_the_exporter() -> None:
    assert subject_for("tradecover.feeds", FeedSource.CUSTOMS, 12) == "tradecover.feeds.customs.12"
    assert stream_subjects("tradecover.feeds") == ["tradecover.feeds.*.*"]
    with pytest.raises(ValueError, match="fax"):
        subject_for("tradecover.feeds", "fax", 1)


def test_the_sources_of_the_tables_are_the_sources_of_the_stream() -> None:
    assert tuple(s.value for s in FeedSource) == SOURCES


class _Connection:
    def __init__(self, status: str) -> None:
        self.exporter_org_id, self.source, self.status = 1, "erp", status


def test_consent_is_given_by_an_active_connection_only() -> None:
    document = TradeDocument(
        kind=DocumentKind.INVOICE, format=DocumentFormat.UBL, source="ubl", document_id="INV-1"
    )
    assert may_receive(_Connection("active"), document)
    assert not may_receive(_Connection("paused"), document)
    assert CONSENT_MISSING == "consent_missing"


def test_the_received_time_is_kept_to_the_microsecond() -> None:
    sent = replace(
        Envelope.new(source="cii", exporter_org_id=3, content=b"x"),
        received_at=datetime(2026, 12, 7, 10, 0, 0, 123456, tzinfo=UTC),
    )
    assert Envelope.of_message(sent.headers(), b"x").received_at == sent.received_at
