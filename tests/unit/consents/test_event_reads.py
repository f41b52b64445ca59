"""Every business event type is declared as carrying exporter data (with its scope and
purpose) or as carrying none, with why [domain CS-17]."""

from __future__ import annotations

from tradecover.consents import Purpose, Scope, contract_covers
from tradecover.consents.reads import EVENT_READS, OTHER_EVENTS
from tradecover.events import CATALOG


def test_every_event_type_is_declared_once() -> None:
    types = set(CATALOG)
    assert not set(EVENT_READS) & set(OTHER_EVENTS)
    assert set(EVENT_READS) | set(OTHER_EVENTS) == types


def test_the_contract_covers_the_insurer_for_all_but_the_feeds_documents() -> None:
    uncovered = sorted(
        t
        for t, read in EVENT_READS.items()
        if not contract_covers("insurer", read.scope, read.purpose)
    )
    assert uncovered == ["document.quarantined"]
    read = EVENT_READS["document.quarantined"]
    assert (read.scope, read.purpose) == (Scope.INVOICE_DOCUMENTS, Purpose.COVER_ATTACHMENT)
