"""The billing run: worked notices to the cent, subsidy splits, idempotence, reconciliation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Cast, Database
from tests.integration.billing.helpers import (
    OCT,
    add_programme,
    book,
    counts,
    declaration_row,
    declare,
    profile,
)
from tradecover.access.service import system_principal
from tradecover.billing import jobs
from tradecover.billing import service as billing
from tradecover.billing.model import NoticeSplit, PremiumNotice
from tradecover.billing.notice import DEFAULT_TERMS
from tradecover.db.engine import transaction
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.ledger.model import LedgerEntry, LedgerLine
from tradecover.reporting import books_check
from tradecover.subsidies.model import SubsidyProgramme
from tradecover.subsidies.programme import Programme

ISSUE = date(2026, 11, 2)


def _run(db: Database, month: str = "2026-10", **kw: object) -> jobs.RunState:
    with transaction(db.factory) as s:
        principal = system_principal(s)
    return jobs.run_month(
        db.factory,
        principal=principal,
        month=month,
        issue_date=ISSUE,
        terms=DEFAULT_TERMS,
        **kw,  # type: ignore[arg-type]
    )


def _worked(db: Database, app_client: TestClient, cast: Cast) -> int:
    b = book(db, app_client, cast)
    pid, org, buyer = b.policy_ids[0], b.exporter_org_id, b.buyer_id
    with transaction(db.factory) as s:
        declare(
            s,
            [
                declaration_row(
                    policy_id=pid,
                    org_id=org,
                    buyer_id=buyer,
                    premium_minor=12345,
                    day=date(2026, 10, 3),
                    n=1,
                ),
                declaration_row(
                    policy_id=pid,
                    org_id=org,
                    buyer_id=buyer,
                    premium_minor=1001,
                    day=date(2026, 10, 31),
                    n=2,
                    hs="6109.10",
                ),
                declaration_row(
                    policy_id=pid,
                    org_id=org,
                    buyer_id=buyer,
                    premium_minor=55,
                    day=date(2026, 10, 15),
                    n=3,
                    country="US",
                ),
                # not billed: next month, cancelled, no premium
                declaration_row(
                    policy_id=pid,
                    org_id=org,
                    buyer_id=buyer,
                    premium_minor=999,
                    day=date(2026, 11, 1),
                    n=4,
                ),
                declaration_row(
                    policy_id=pid,
                    org_id=org,
                    buyer_id=buyer,
                    premium_minor=777,
                    day=date(2026, 10, 5),
                    n=5,
                    status="cancelled",
                ),
                declaration_row(
                    policy_id=pid,
                    org_id=org,
                    buyer_id=buyer,
                    premium_minor=0,
                    day=date(2026, 10, 6),
                    n=6,
                ),
            ],
        )
    return pid


def test_notice_without_subsidy_bills_the_months_declarations_to_the_cent(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    pid = _worked(db, app_client, cast)
    state = _run(db)
    assert (state.status, state.items, state.pending) == ("completed", 1, 0)
    assert state.due_date == date(2026, 12, 2)
    with db.factory() as s:
        notice = s.execute(select(PremiumNotice)).scalar_one()
        assert (notice.policy_id, notice.month, notice.issue_date, notice.due_date) == (
            pid,
            OCT,
            ISSUE,
            date(2026, 12, 2),
        )
        assert (notice.total_minor, notice.exporter_owed_minor, notice.line_count) == (
            13401,
            13401,
            3,
        )
        view = billing.get_notice(s, principal=system_principal(s), notice_id=notice.id)
        assert sorted(line.premium.minor_units() for line in view.lines) == [55, 1001, 12345]
        entry = s.execute(select(LedgerEntry)).scalar_one()
        assert entry.key == f"notice:{notice.id}"
        booked = {
            (line.account, line.side, line.party, line.amount_minor)
            for line in s.execute(select(LedgerLine)).scalars()
        }
        assert booked == {
            ("premium_receivable", "debit", f"exporter:{cast.exporter.org_id}", 13401),
            ("premium_income", "credit", None, 13401),
        }
        assert books_check.check(s) == []


def test_programme_split_records_the_rule_and_respects_the_exporter_cap(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    _worked(db, app_client, cast)
    profile(app_client, cast.exporter, exports="3000000", region="CN-ZJ")
    with transaction(db.factory) as s:
        add_programme(
            s,
            Programme(
                code="ZJ",
                name="Zhejiang export subsidy",
                sponsor="Zhejiang",
                currency="USD",
                share=Decimal("0.8"),
                regions=("CN-ZJ",),
            ),
            slug="zj-fund",
        )
        add_programme(
            s,
            Programme(
                code="MACH",
                name="Machinery fund",
                sponsor="Fund",
                currency="USD",
                share=Decimal("0.5"),
                hs_chapters=("84",),
                cap_per_exporter_year=Money.of("5.00", "USD"),
            ),
            slug="mach",
        )
        add_programme(
            s,
            Programme(
                code="GD",
                name="Guangdong",
                sponsor="GD",
                currency="USD",
                share=Decimal("1"),
                regions=("CN-GD",),
            ),
            slug="gd-fund",
        )
    _run(db)
    with db.factory() as s:
        notice = s.execute(select(PremiumNotice)).scalar_one()
        splits = {
            code: (
                sp.eligible,
                sp.rule_applied,
                sp.requested_minor,
                sp.granted_minor,
                sp.limited_by,
                sp.eligible_lines,
            )
            for sp, code in s.execute(
                select(NoticeSplit, SubsidyProgramme.code).join(
                    SubsidyProgramme, SubsidyProgramme.id == NoticeSplit.programme_id
                )
            )
        }
        # ZJ: round(12345 x .8) + round(1001 x .8) + round(55 x .8) = 9876 + 801 + 44
        # MACH: HS 84 only (12345 and 55): 6173 + 28 = 6201, cut to what is left (2680)
        #       then to its 5.00 cap per exporter-year
        assert splits == {
            "ZJ": (True, "standard_share", 10721, 10721, None, 3),
            "MACH": (True, "standard_share", 6201, 500, "cap_per_exporter_year", 2),
            "GD": (False, "region_not_eligible", 0, 0, None, 0),
        }
        assert (notice.total_minor, notice.exporter_owed_minor) == (13401, 13401 - 10721 - 500)
        booked = sorted(
            (line.account, line.side, line.party or "", line.amount_minor)
            for line in s.execute(select(LedgerLine)).scalars()
        )
        assert booked == [
            ("premium_income", "credit", "", 13401),
            ("premium_receivable", "debit", f"exporter:{cast.exporter.org_id}", 2180),
            ("subsidy_receivable", "debit", "programme:MACH", 500),
            ("subsidy_receivable", "debit", "programme:ZJ", 10721),
        ]
        used = dict(s.execute(select(SubsidyProgramme.code, SubsidyProgramme.used_minor)).all())
        assert used == {"ZJ": 10721, "MACH": 500, "GD": 0}
        assert books_check.check(s) == []


def test_running_twice_bills_nothing_twice(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    _worked(db, app_client, cast)
    _run(db)
    before = counts(db)
    again = _run(db)
    assert (again.status, again.items, again.pending) == ("completed", 1, 0)
    assert counts(db) == before
    assert before["premium_notices"] == 1 and before["premium_notice_parts"] == 1


def test_a_month_not_ended_is_refused_and_nothing_written(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    _worked(db, app_client, cast)
    before = counts(db)
    with pytest.raises(ValidationFailed) as refused:
        _run(db, month="2026-11")
    assert refused.value.code == "notice_before_month_end"
    with pytest.raises(ValidationFailed) as bad:
        _run(db, month="2026-13")
    assert bad.value.code == "invalid_month"
    assert counts(db) == before


def test_many_policies_in_small_batches(db: Database, app_client: TestClient, cast: Cast) -> None:
    b = book(db, app_client, cast, policies=7)
    with transaction(db.factory) as s:
        declare(
            s,
            [
                declaration_row(
                    policy_id=p,
                    org_id=b.exporter_org_id,
                    buyer_id=b.buyer_id,
                    premium_minor=100 + i,
                    day=date(2026, 10, 1 + i % 28),
                    n=i,
                )
                for i, p in enumerate(b.policy_ids * 5)
            ],
        )
    state = _run(db, batch_size=3)
    assert (state.items, state.pending, state.status) == (7, 0, "completed")
    with db.factory() as s:
        totals = dict(s.execute(select(PremiumNotice.policy_id, PremiumNotice.total_minor)).all())
        expected: dict[int, int] = {}
        for i, p in enumerate(b.policy_ids * 5):
            expected[p] = expected.get(p, 0) + 100 + i
        assert totals == expected
        assert books_check.check(s) == []
