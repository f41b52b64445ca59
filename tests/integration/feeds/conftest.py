"""Fixtures of the feed stream tests: a stream of each test's own on the local nats-server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.builders.declarations import World, world
from tests.conftest import Cast, Database
from tests.integration.feeds.helpers import connect_source, delete_stream, stream_settings
from tradecover.access import service as access
from tradecover.db.engine import transaction
from tradecover.feeds.stream.envelope import FeedSource
from tradecover.feeds.stream.nats_stream import StreamSettings
from tradecover.kit.dates import business_today
from tradecover.policies import AttachmentModel, AttachmentTerms, endorse_attachment_terms


@pytest.fixture
def stream() -> Iterator[StreamSettings]:
    """Settings of a stream no other test uses, deleted after the test."""
    settings = stream_settings()
    yield settings
    delete_stream(settings)


@pytest.fixture
def covered(app_client: TestClient, cast: Cast, db: Database) -> World:
    """An active USD policy of ``cast.exporter``, a related buyer in Germany with a limit,
    and the exporter's ERP source connected.
    """
    w = world(app_client, cast, db)
    connect_source(db, cast.exporter.org_slug, FeedSource.ERP)
    return w


@pytest.fixture
def covered_portfolio(covered: World, db: Database) -> World:
    """:func:`covered`, its policy endorsed to the portfolio model from today: everything
    received attaches on receipt.
    """
    with transaction(db.factory) as session:
        endorse_attachment_terms(
            session,
            principal=access.system_principal(session),
            policy_id=covered.policy_id,
            terms=AttachmentTerms(AttachmentModel.PORTFOLIO),
            effective_date=business_today(),
        )
    return covered
