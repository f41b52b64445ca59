"""Notices bill by membership: late, cancelled and tampered declarations after a month was billed.

A notice names (policy, month, the run's cutoff); its declarations are those active at
the cutoff.  What changes afterwards (a late declaration of a billed month, a
cancellation) is billed exactly once, as adjustment lines on the next run's notice, and
``ledger check`` proves every notice against the declarations by recomputing membership.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from tests.conftest import Cast, Database
from tests.integration.billing.helpers import (
    add_programme,
    book,
    counts,
    declaration_row,
    declare,
    end_declaration,
    profile,
)
from tradecover.access.service import system_principal
from tradecover.billing import jobs
from tradecover.billing import service as billing
from tradecover.billing.model import NoticeSplit, PremiumNotice
from tradecover.billing.notice import DEFAULT_TERMS
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration
from tradecover.kit.dates import utc_now
from tradecover.ledger import service as ledger
from tradecover.ledger.journal import Account
from tradecover.ledger.model import LedgerEntry, LedgerLine
from tradecover.reporting import books_check
from tradecover.subsidies.model import SubsidyProgramme
from tradecover.subsidies.programme import Programme


def _run(db: Database, month: str, issue: date) -> jobs.RunState:
    with transaction(db.factory) as s:
        principal = system_principal(s)
    return jobs.run_month(
        db.factory, principal=principal, month=month, issue_date=issue, terms=DEFAULT_TERMS
    )


def _ids(db: Database) -> dict[str, int]:
    with db.factory() as s:
        return {
            str(inv): int(i)
            for i, inv in s.execute(select(Declaration.id, Declaration.invoice_number))
        }


def _lines(db: Database, notice_id: int) -> list[tuple[str, str, int]]:
    with db.factory() as s:
        view = billing.get_notice(s, principal=system_principal(s), notice_id=notice_id)
        return [
            (f"{line.period:%Y-%m}", line.invoice_number, line.premium.minor_units())
            for line in view.lines
        ]


def test_late_and_cancelled_declarations_of_a_billed_month_come_on_the_next_notice_once(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
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
                    premium_minor=10000,
                    day=date(2026, 10, 3),
                    n=1,
                ),
                declaration_row(
                    policy_id=pid,
                    org_id=org,
                    buyer_id=buyer,
                    premium_minor=2000,
                    day=date(2026, 10, 9),
                    n=2,
                ),
            ],
        )
    _run(db, "2026-10", date(2026, 11, 2))
    ids = _ids(db)
    with transaction(db.factory) as s:
        end_declaration(s, ids[f"INV-{pid}-2"])  # cancelled after October was billed
        declare(
            s,
            [  # an October shipment recorded late, and a November one
                declaration_row(
                    policy_id=pid,
                    org_id=org,
                    buyer_id=buyer,
                    premium_minor=3000,
                    day=date(2026, 10, 20),
                    n=3,
                    declared_at=utc_now(),
                ),
                declaration_row(
                    policy_id=pid,
                    org_id=org,
                    buyer_id=buyer,
                    premium_minor=500,
                    day=date(2026, 11, 5),
                    n=4,
                    declared_at=utc_now(),
                ),
            ],
        )
    again = _run(db, "2026-10", date(2026, 11, 2))  # the October run changes nothing
    assert (again.status, again.pending) == ("completed", 0)
    state = _run(db, "2026-11", date(2026, 12, 1))
    assert (state.status, state.items) == ("completed", 1)
    with db.factory() as s:
        october, november = (
            s.execute(select(PremiumNotice).order_by(PremiumNotice.month)).scalars().all()
        )
        assert (october.total_minor, october.line_count) == (12000, 2)
        assert (november.total_minor, november.line_count) == (500 + 3000 - 2000, 3)
        # billed over both notices: exactly the premium of what is active now
        active = s.execute(
            select(func.sum(Declaration.premium_minor)).where(Declaration.status == "active")
        ).scalar_one()
        assert october.total_minor + november.total_minor == active == 13500
        assert books_check.check(s) == []
    # October's notice still shows what it billed at its cutoff: history is kept
    assert _lines(db, october.id) == [
        ("2026-10", f"INV-{pid}-1", 10000),
        ("2026-10", f"INV-{pid}-2", 2000),
    ]
    assert _lines(db, november.id) == [
        ("2026-11", f"INV-{pid}-4", 500),
        ("2026-10", f"INV-{pid}-2", -2000),
        ("2026-10", f"INV-{pid}-3", 3000),
    ]
    before = counts(db)
    _run(db, "2026-11", date(2026, 12, 1))
    assert counts(db) == before


def test_a_cancellation_alone_gives_a_credit_note_and_the_programme_its_share_back(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    b = book(db, app_client, cast)
    profile(app_client, cast.exporter, exports="3000000", region="CN-ZJ")
    pid, org, buyer = b.policy_ids[0], b.exporter_org_id, b.buyer_id
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
        declare(
            s,
            [
                declaration_row(
                    policy_id=pid,
                    org_id=org,
                    buyer_id=buyer,
                    premium_minor=10000,
                    day=date(2026, 10, 3),
                    n=1,
                )
            ],
        )
    _run(db, "2026-10", date(2026, 11, 2))
    with transaction(db.factory) as s:
        end_declaration(s, _ids(db)[f"INV-{pid}-1"])
    _run(db, "2026-11", date(2026, 12, 1))
    with db.factory() as s:
        credit = s.execute(
            select(PremiumNotice).where(PremiumNotice.month == date(2026, 11, 1))
        ).scalar_one()
        assert (credit.total_minor, credit.exporter_owed_minor) == (-10000, -2000)
        split = s.execute(
            select(NoticeSplit).where(NoticeSplit.notice_id == credit.id)
        ).scalar_one()
        assert (split.requested_minor, split.granted_minor) == (-8000, -8000)
        assert s.execute(select(SubsidyProgramme.used_minor)).scalar_one() == 0
        entry = s.execute(
            select(LedgerEntry).where(LedgerEntry.key == f"notice:{credit.id}")
        ).scalar_one()
        booked = sorted(
            (line.account, line.side, line.party or "", line.amount_minor)
            for line in s.execute(
                select(LedgerLine).where(LedgerLine.entry_id == entry.id)
            ).scalars()
        )
        assert booked == [
            ("premium_income", "debit", "", 10000),
            ("premium_receivable", "credit", f"exporter:{org}", 2000),
            ("subsidy_receivable", "credit", "programme:ZJ", 8000),
        ]
        tb = ledger.trial_balance(s)
        assert tb.is_balanced()
        # neither the exporter nor the programme owes anything any more
        assert tb.balance(Account.PREMIUM_RECEIVABLE, "USD", f"exporter:{org}") == 0
        assert tb.balance(Account.SUBSIDY_RECEIVABLE, "USD", "programme:ZJ") == 0
        assert tb.balance(Account.PREMIUM_INCOME, "USD") == 0
        assert books_check.check(s) == []


def test_ledger_check_names_a_notice_whose_declarations_were_altered(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
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
                    premium_minor=10000,
                    day=date(2026, 10, 3),
                    n=1,
                ),
                declaration_row(
                    policy_id=pid,
                    org_id=org,
                    buyer_id=buyer,
                    premium_minor=20000,
                    day=date(2026, 10, 4),
                    n=2,
                ),
            ],
        )
    _run(db, "2026-10", date(2026, 11, 2))
    with transaction(db.factory) as s:
        assert books_check.check(s) == []
        notice_id = s.execute(select(PremiumNotice.id)).scalar_one()
        # a premium edited in place (never done by the application) and a row back-dated
        s.execute(
            text(
                "UPDATE declarations SET premium_minor = premium_minor + 1 "
                "WHERE invoice_number = :inv"
            ),
            {"inv": f"INV-{pid}-1"},
        )
    with db.factory() as s:
        problems = books_check.check(s)
    assert any(
        p.startswith(f"notice {notice_id} part ") and "30001" not in p and "300.01 USD" in p
        for p in problems
    ), problems
    assert any(p.startswith(f"policy {pid}, 2026-10:") for p in problems), problems


def test_a_declaration_stamped_after_the_cutoff_waits_for_the_next_run(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
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
                    premium_minor=100,
                    day=date(2026, 10, 3),
                    n=1,
                ),
                # committed already, stamped later than any cutoff this run can take
                declaration_row(
                    policy_id=pid,
                    org_id=org,
                    buyer_id=buyer,
                    premium_minor=40,
                    day=date(2026, 10, 4),
                    n=2,
                    declared_at=utc_now() + timedelta(hours=1),
                ),
            ],
        )
    _run(db, "2026-10", date(2026, 11, 2))
    with db.factory() as s:
        assert s.execute(select(PremiumNotice.total_minor)).scalar_one() == 100
        assert books_check.check(s) == []


def test_notice_api_pages_through_declarations_read_by_membership(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    b = book(db, app_client, cast)
    with transaction(db.factory) as s:
        declare(
            s,
            [
                declaration_row(
                    policy_id=b.policy_ids[0],
                    org_id=b.exporter_org_id,
                    buyer_id=b.buyer_id,
                    premium_minor=100 + i,
                    day=date(2026, 10, 1 + i),
                    n=i,
                )
                for i in range(5)
            ],
        )
    _run(db, "2026-10", date(2026, 11, 2))
    with db.factory() as s:
        notice_id = s.execute(select(PremiumNotice.id)).scalar_one()
    url = f"/api/v1/billing/notices/{notice_id}"
    whole = app_client.get(url, headers=cast.exporter.headers)
    assert whole.status_code == 200, whole.text
    assert whole.json()["lines"] == 5
    assert [d["premium"] for d in whole.json()["declarations"]] == [
        "1.00",
        "1.01",
        "1.02",
        "1.03",
        "1.04",
    ]
    page = app_client.get(
        url, params={"lines_offset": 3, "lines_limit": 1}, headers=cast.exporter.headers
    )
    assert page.status_code == 200
    assert [(d["period"], d["premium"]) for d in page.json()["declarations"]] == [
        ("2026-10", "1.03")
    ]
    assert page.json()["declarations_offset"] == 3
    assert (
        app_client.get(url, params={"lines_limit": 0}, headers=cast.exporter.headers).status_code
        == 422
    )
    assert app_client.get(url, headers=cast.other_exporter.headers).status_code == 404
