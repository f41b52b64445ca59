"""The demo book's last twelve months, as a user of the demo looks at them: declarations
and premium notices in every month, payments on time and late, arrears in the ageing,
subsidised notices paid by the programme, renewal reviews that read the year, and books
that reconcile (``tradecover ledger check``, ``tradecover audit verify``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Database
from tradecover.access import service as access
from tradecover.access.model import Organisation, User
from tradecover.audit import service as audit
from tradecover.billing import arrears
from tradecover.billing import payments as billing_payments
from tradecover.billing import service as billing
from tradecover.billing.model import NoticeSplit, Payment, PaymentAllocation, PremiumNotice
from tradecover.billing.notice import DEFAULT_TERMS, AgeingBucket
from tradecover.declarations.model import Declaration
from tradecover.demo.history import billed_months
from tradecover.demo.seed import SeedSummary, seed_demo
from tradecover.policies.model import Policy, RenewalOffer
from tradecover.reporting import books_check
from tradecover.subsidies.model import SubsidyProgramme

AS_OF = date(2026, 6, 15)
SEED = 7
EXPORTERS = 20


def _seed(db: Database, *, seed: int = SEED) -> SeedSummary:
    return seed_demo(db.factory, exporters=EXPORTERS, seed=seed, as_of=AS_OF)


@pytest.fixture
def book(database: Database) -> SeedSummary:
    """The small demo book with its history, seeded once for the read-only tests that take
    it (their sessions never commit) while no other test resets the database.
    """
    return database.shared(f"history:{SEED}:{EXPORTERS}", lambda: _seed(database))


def _finance(s: Session) -> Any:
    return access.system_principal(s, actor="system:test-finance")


@pytest.mark.xdist_group("demo-history-book")
def test_every_month_of_the_last_twelve_is_declared_billed_and_paid(
    database: Database, book: SeedSummary
) -> None:
    months = [f"{m:%Y-%m}" for m in billed_months(AS_OF)]

    assert (months[0], months[-1], len(months)) == ("2025-06", "2026-05", 12)
    with database.factory() as s:
        finance = _finance(s)
        for month in months:
            notices, total = billing.list_notices(
                s, principal=finance, limit=500, offset=0, month=month
            )
            assert total > 0, month
            first = date.fromisoformat(f"{month}-01")
            assert all(n.issue_date == (first + timedelta(days=32)).replace(day=1) for n in notices)
            assert all(n.total_minor > 0 for n in notices)
            declared = s.execute(
                select(func.count())
                .select_from(Declaration)
                .where(
                    Declaration.declaration_date >= first,
                    Declaration.declaration_date < (first + timedelta(days=32)).replace(day=1),
                )
            ).scalar_one()
            assert declared > 0, month
        # the month of AS_OF is not over: declared, not billed yet
        assert (
            billing.list_notices(s, principal=finance, limit=1, offset=0, month=f"{AS_OF:%Y-%m}")[1]
            == 0
        )
        assert (
            s.execute(
                select(func.count())
                .select_from(Declaration)
                .where(Declaration.declaration_date >= AS_OF.replace(day=1))
            ).scalar_one()
            > 0
        )
        assert s.execute(select(func.max(Declaration.declaration_date))).scalar_one() <= AS_OF
        payments, count = billing_payments.list_payments(s, principal=finance, limit=1000, offset=0)
        assert count == book.history.payments + book.history.programme_payments
        assert all(p.received_on < AS_OF for p in payments)
        # payments come in every month from the first notice's due date on
        paid_months = {p.received_on.replace(day=1) for p in payments}
        assert set(billed_months(AS_OF)[2:]) <= paid_months
        notices = list(s.execute(select(PremiumNotice)).scalars().all())
        paid = [n for n in notices if n.exporter_paid_minor >= n.exporter_owed_minor]
        assert len(paid) > len(notices) // 2
    assert book.history.declarations > 100
    assert book.history.skipped_terms == []


@pytest.mark.xdist_group("demo-history-book")
def test_premium_is_paid_on_time_late_or_not_at_all(database: Database, book: SeedSummary) -> None:
    with database.factory() as s:
        finance = _finance(s)
        allocations = s.execute(
            select(Payment.received_on, PremiumNotice.due_date)
            .join(PaymentAllocation, PaymentAllocation.payment_id == Payment.id)
            .join(PremiumNotice, PremiumNotice.id == PaymentAllocation.notice_id)
        ).all()
        assert any(received <= due for received, due in allocations)  # on time
        assert any(received > due for received, due in allocations)  # late
        ageing = arrears.ageing(s, principal=finance, today=AS_OF)
        past_due = sum(
            (
                buckets[b].amount
                for buckets in ageing.values()
                for b in AgeingBucket
                if b is not AgeingBucket.NOT_DUE
            ),
            start=0,
        )
        assert past_due > 0  # arrears show on the ageing page
        assert arrears.shipments_at_risk(s, today=AS_OF, terms=DEFAULT_TERMS)
        # the two exporters with demo sign-ins pay on time
        for email in ("exporter@tradecover.demo", "korea@tradecover.demo"):
            org_id = s.execute(select(User.org_id).where(User.email == email)).scalar_one()
            mine = arrears.ageing(s, principal=finance, today=AS_OF, exporter_org_id=org_id)
            assert all(
                buckets[b].amount == 0
                for buckets in mine.values()
                for b in AgeingBucket
                if b is not AgeingBucket.NOT_DUE
            ), email


@pytest.mark.xdist_group("demo-history-book")
def test_subsidised_notices_are_split_and_the_programme_pays(
    database: Database, book: SeedSummary
) -> None:
    with database.factory() as s:
        programmes = s.execute(select(SubsidyProgramme)).scalars().all()
        assert {p.code for p in programmes} == {"ZJ-SME-CNY", "ZJ-SME-USD"}
        sponsor = s.get(Organisation, programmes[0].sponsor_org_id)
        assert sponsor is not None and sponsor.slug == "demo-sme-premium-programme"
        granted = (
            s.execute(select(NoticeSplit).where(NoticeSplit.granted_minor > 0)).scalars().all()
        )
        assert granted
        for split in granted:
            notice = s.get(PremiumNotice, split.notice_id)
            assert notice is not None
            assert notice.exporter_owed_minor < notice.total_minor
            exporter = s.get(Organisation, notice.exporter_org_id)
            assert exporter is not None and exporter.region == "CN-ZJ"
        assert any(split.paid_minor > 0 for split in granted)
        assert (
            s.execute(
                select(func.count()).select_from(Payment).where(Payment.payer_kind == "programme")
            ).scalar_one()
            == book.history.programme_payments
        )
    assert book.history.programme_payments > 0


@pytest.mark.xdist_group("demo-history-book")
def test_renewal_reviews_read_the_year(database: Database, book: SeedSummary) -> None:
    with database.factory() as s:
        offers = (
            s.execute(select(RenewalOffer).where(RenewalOffer.status == "accepted")).scalars().all()
        )
        assert offers
        for offer in offers:
            metrics = offer.review_metrics
            assert float(metrics["declared_amount"]) > 0, offer.policy_id
            assert float(metrics["premium_earned"]) > 0, offer.policy_id
            assert 0 < float(metrics["compliance_rate"]) <= 1
            assert float(metrics["declared_share_of_turnover"]) > 0


@pytest.mark.xdist_group("demo-history-book")
def test_the_books_reconcile_and_the_audit_log_verifies(
    database: Database, book: SeedSummary
) -> None:
    with database.factory() as s:
        assert books_check.check(s) == []
        assert audit.verify_all(s) == []
        assert (
            book.history.notices
            == s.execute(select(func.count()).select_from(PremiumNotice)).scalar_one()
        )


def _history_dump(s: Session) -> dict[str, Any]:
    numbers = dict(s.execute(select(Policy.id, Policy.number)).all())
    return {
        "declarations": s.execute(
            select(
                Declaration.invoice_number,
                Declaration.shipment_date,
                Declaration.declaration_date,
                Declaration.invoice_minor,
                Declaration.cover_status,
                Declaration.premium_minor,
                Declaration.collected_minor,
            ).order_by(Declaration.id)
        ).all(),
        "notices": [
            (
                numbers[n.policy_id],
                n.month,
                n.total_minor,
                n.exporter_owed_minor,
                n.exporter_paid_minor,
            )
            for n in s.execute(select(PremiumNotice).order_by(PremiumNotice.id)).scalars()
        ],
        "payments": s.execute(
            select(
                Payment.payer_kind, Payment.received_on, Payment.amount_minor, Payment.reference
            ).order_by(Payment.id)
        ).all(),
        "states": sorted(
            s.execute(select(Policy.number, Policy.state)).all(), key=lambda r: str(r[0])
        ),
    }


def test_the_same_seed_gives_the_same_year(db: Database) -> None:
    _seed(db)
    with db.factory() as s:
        first = _history_dump(s)
    db.reset()
    _seed(db)
    with db.factory() as s:
        second = _history_dump(s)

    assert len(first["declarations"]) > 100
    assert len(first["payments"]) > 20
    assert first == second


def test_an_exporter_that_stopped_paying_is_suspended_by_the_arrears_job(db: Database) -> None:
    summary = _seed(db, seed=2)  # a book with an exporter that stopped paying

    assert summary.history.suspended_for_arrears == 1
    with db.factory() as s:
        suspended = s.execute(
            select(Policy).where(
                Policy.state == "suspended", Policy.state_reason.like("premium notice % past due%")
            )
        ).scalar_one()
        unpaid = (
            s.execute(
                select(PremiumNotice).where(
                    PremiumNotice.policy_id == suspended.id,
                    PremiumNotice.exporter_paid_minor < PremiumNotice.exporter_owed_minor,
                )
            )
            .scalars()
            .all()
        )
        assert min(n.due_date for n in unpaid) < AS_OF - timedelta(days=60)
        assert (
            s.execute(
                select(func.count())
                .select_from(Declaration)
                .where(Declaration.policy_id == suspended.id)
            ).scalar_one()
            > 0
        )
