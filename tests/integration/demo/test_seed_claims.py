"""The claims part of the demo book: overdue invoices, notices, claims in every state the
services reach, a part payment and a recovery, all through the services."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import Database
from tradecover.access import service as access
from tradecover.claims.model import ClaimRow, RecoveryRow
from tradecover.collections import service as collections
from tradecover.collections.model import CollectionConfirmation, PossibleLossNotice
from tradecover.declarations.model import Declaration
from tradecover.demo.claims import CLAIM_STORIES
from tradecover.demo.seed import SEED_ACTOR, SeedSummary

AS_OF = date(2026, 6, 15)


@pytest.mark.xdist_group("demo-small-book")
def test_the_demo_book_holds_claims_in_every_state(
    database: Database, small_book: SeedSummary
) -> None:
    with database.factory() as s:
        states = dict(
            s.execute(select(ClaimRow.state, func.count()).group_by(ClaimRow.state)).all()
        )
        assert states == {
            "filed": 1,
            "checking": 1,
            "approved": 1,
            "rejected": 1,
            "paid": 2,
            "closed": 1,
        }
        assert sum(states.values()) == len(CLAIM_STORIES)
        assert s.execute(select(func.count()).select_from(RecoveryRow)).scalar_one() == 1
        assert s.execute(select(func.count()).select_from(PossibleLossNotice)).scalar_one() == len(
            CLAIM_STORIES
        )
        part = (
            s.execute(
                select(CollectionConfirmation.outcome).where(
                    CollectionConfirmation.outcome != "paid_in_full"
                )
            )
            .scalars()
            .all()
        )
        assert part == ["paid_in_part"] * len(CLAIM_STORIES)
        overdue = collections.overdue_list(
            s, principal=access.system_principal(s, actor=SEED_ACTOR), today=AS_OF
        )
        invoices = {d.id: d.invoice_number for d in s.execute(select(Declaration)).scalars()}
        stories = [o for o in overdue if invoices[o.invoice.invoice_id].startswith("DEMO-")]
        # per story: the claimed invoice, the one left without notice, the part-paid one
        assert len(stories) == 3 * len(CLAIM_STORIES)
        # and the history's invoices whose buyers have not paid (or not been confirmed) yet
        assert len(overdue) > len(stories)
        assert all(o.due_date < AS_OF for o in overdue)
