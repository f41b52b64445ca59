"""The demo book's month of automatic attachment: connected sources, feed
documents that attached through the workers' batch path, shipments waiting for the
exporter's confirmation, quarantined documents with their reasons and omissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import Database
from tests.integration.demo.conftest import AS_OF
from tradecover import feeds, reporting
from tradecover.access import OrganisationKind, Principal, Role
from tradecover.access.model import Organisation, User
from tradecover.declarations.model import Declaration
from tradecover.demo.seed import SeedSummary
from tradecover.feeds.model import FeedConnection, ReceivedDocument


def _as_user(database: Database, email: str) -> Principal:
    with database.factory() as s:
        user = s.execute(select(User).where(User.email == email)).scalar_one()
        org = s.get(Organisation, user.org_id)
        assert org is not None
        return Principal(
            actor=f"user:{user.id}",
            org_id=org.id,
            org_slug=org.slug,
            org_kind=OrganisationKind.EXPORTER,
            role=Role.EXPORTER,
            user_id=user.id,
        )


@pytest.mark.xdist_group("demo-small-book")
def test_the_demo_book_has_a_month_of_feeds(database: Database, small_book: SeedSummary) -> None:
    assert small_book.feeds.exporters >= 3
    exporter = _as_user(database, "exporter@tradecover.demo")
    korea = _as_user(database, "korea@tradecover.demo")
    with database.factory() as s:
        sources: dict[int, set[str]] = {}
        for row in s.execute(select(FeedConnection)).scalars():
            sources.setdefault(row.exporter_org_id, set()).add(row.source)
        assert len(sources) == small_book.feeds.exporters
        assert sources[exporter.org_id] == sources[korea.org_id] == {"customs", "ubl", "erp"}
        rows = list(s.execute(select(ReceivedDocument)).scalars())
        statuses = {row.status for row in rows}
        assert {"attached", "awaiting_confirmation", "quarantined", "received"} <= statuses
        # what attached is declared once, as the one attachment service declares it
        declared = {r.declaration_id for r in rows if r.status == "attached"}
        found = s.execute(
            select(Declaration.id, Declaration.channel, Declaration.late).where(
                Declaration.id.in_(declared)
            )
        ).all()
        assert {row.id for row in found} == declared
        assert {row.channel for row in found} == {"einvoice", "erp"}
        assert not any(row.late for row in found)  # received as of the book's date
        reasons = {
            reason["code"] for r in rows if r.status == "quarantined" for reason in r.reasons or []
        }
        assert {
            "currency_not_allowed",
            "buyer_unknown",
            "en16931_BR-CO-15",
            "xml_malformed",
        } <= reasons
        # the demo exporter's portfolio policy attaches on receipt; korea's hybrid attaches
        # what its ERP sends and leaves its UBL invoices waiting for confirmation
        own, _ = feeds.list_documents(s, principal=exporter, limit=100)
        assert {"attached", "quarantined", "received"} <= {d.status for d in own}
        assert "awaiting_confirmation" not in {d.status for d in own}
        theirs, _ = feeds.list_documents(s, principal=korea, limit=100)
        waiting = {d.source for d in theirs if d.status == "awaiting_confirmation"}
        attached = {d.source for d in theirs if d.status == "attached"}
        assert waiting == {"ubl"} and "erp" in attached
        omitted = reporting.omissions(
            s, exporter_org_id=exporter.org_id, start=AS_OF - timedelta(days=31), end=AS_OF
        )
        assert len(omitted) == 2 and all(o.declaration_id is None for o in omitted)
        assert reporting.omissions_by_month(omitted)[0].amount > 0
