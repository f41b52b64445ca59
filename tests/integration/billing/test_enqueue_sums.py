"""The run sums each policy once at enqueue; a batch bills right when those sums fall short."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Cast, Database
from tests.integration.billing.helpers import (
    add_programme,
    book,
    declaration_row,
    declare,
    profile,
)
from tradecover.access.service import system_principal
from tradecover.billing import jobs
from tradecover.billing.model import BillingRunItem, NoticeSplit, PremiumNotice
from tradecover.billing.notice import DEFAULT_TERMS
from tradecover.db.engine import transaction
from tradecover.reporting import books_check
from tradecover.subsidies.programme import Programme


def test_a_programme_created_after_the_enqueue_is_still_split_on_the_notices(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    b = book(db, app_client, cast, policies=2)
    profile(app_client, cast.exporter, exports="3000000", region="CN-ZJ")
    with transaction(db.factory) as s:
        declare(
            s,
            [
                declaration_row(
                    policy_id=pid,
                    org_id=b.exporter_org_id,
                    buyer_id=b.buyer_id,
                    premium_minor=10000,
                    day=date(2026, 10, 3),
                    n=1,
                )
                for pid in b.policy_ids
            ],
        )
        principal = system_principal(s)
    state = jobs.start_run(
        db.factory,
        principal=principal,
        month="2026-10",
        issue_date=date(2026, 11, 2),
        terms=DEFAULT_TERMS,
    )
    assert state.pending == 2
    with db.factory() as s:
        assert all(raw for raw in s.execute(select(BillingRunItem.sums)).scalars())
    with transaction(db.factory) as s:
        add_programme(
            s,
            Programme(
                code="ZJ",
                name="Zhejiang",
                sponsor="ZJ",
                currency="USD",
                share=Decimal("0.8"),
                regions=("CN-ZJ",),
            ),
            slug="zj-fund",
        )
    jobs.run_month(
        db.factory,
        principal=principal,
        month="2026-10",
        issue_date=date(2026, 11, 2),
        terms=DEFAULT_TERMS,
    )
    with db.factory() as s:
        notices = list(s.execute(select(PremiumNotice).order_by(PremiumNotice.id)).scalars())
        assert [(n.total_minor, n.exporter_owed_minor) for n in notices] == [(10000, 2000)] * 2
        assert sorted(g for g in s.execute(select(NoticeSplit.granted_minor)).scalars()) == [
            8000,
            8000,
        ]
        assert books_check.check(s) == []
