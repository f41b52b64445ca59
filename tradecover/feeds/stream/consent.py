"""The one place that decides whether a connected source may hand a document over.

Today every active connection may; the consent model to come (which of an exporter's
documents a source may send, and for what) decides here, and nowhere else.
"""

from __future__ import annotations

from typing import Protocol

from tradecover.feeds.record import TradeDocument

CONSENT_MISSING = "consent_missing"
"""The reason code of a document the consent rules refuse."""


class ConnectionFacts(Protocol):
    """What the consent rules know of a connection."""

    @property
    def exporter_org_id(self) -> int:
        """The exporter the source is connected to."""

    @property
    def source(self) -> str:
        """The kind of source."""

    @property
    def status(self) -> str:
        """``active`` or ``paused``."""


def may_receive(connection: ConnectionFacts, document: TradeDocument) -> bool:
    """Whether ``connection`` may deliver ``document`` for attachment."""
    return connection.status == "active"
