"""The role homes' read models on a real database: what the exporter may ship, owes and
waits for, and the underwriter's queue and utilisation, to the cent and scoped.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from tests.builders.buyers import add_buyer
from tests.builders.limits import add_limit
from tests.builders.policies import make_policy
from tests.conftest import Cast, Database
from tests.integration.billing.helpers import add_programme
from tradecover.billing.model import BillingRun, NoticeSplit, Payment, PremiumNotice
from tradecover.buyers.model import Buyer
from tradecover.db.engine import transaction
from tradecover.kit.money import Money
from tradecover.limits.model import LimitApplication
from tradecover.reporting import homes
from tradecover.subsidies import Programme

TODAY = date(2026, 6, 15)


def _limits(s: Session, cast: Cast) -> tuple[int, int]:
    own = make_policy(s, exporter_org_id=cast.exporter.org_id)
    other = make_policy(s, exporter_org_id=cast.other_exporter.org_id)
    berlin = add_buyer(s, org_id=cast.exporter.org_id, name="Berlin Machines GmbH")
    seoul = add_buyer(s, org_id=cast.exporter.org_id, name="Seoul Parts Co", country="KR")
    row = s.get(Buyer, seoul)
    assert row is not None
    row.registration_number = "110111-2345678"
    add_limit(
        s,
        org_id=cast.exporter.org_id,
        policy_id=own.id,
        buyer_id=berlin,
        amount=50_000,
        effective_from=date(2026, 1, 1),
    )
    add_limit(
        s,
        org_id=cast.exporter.org_id,
        policy_id=own.id,
        buyer_id=seoul,
        amount=120_000,
        effective_from=date(2026, 1, 1),
        country="KR",
    )
    add_limit(
        s,
        org_id=cast.other_exporter.org_id,
        policy_id=other.id,
        buyer_id=berlin,
        amount=999_000,
        effective_from=date(2026, 1, 1),
    )
    return berlin, seoul


def test_buyer_cover_lists_only_the_exporters_limits_found_by_name_or_registration(
    db: Database, cast: Cast
) -> None:
    with transaction(db.factory) as s:
        berlin, seoul = _limits(s, cast)
    with transaction(db.factory) as s:
        every = homes.buyer_cover(s, org_id=cast.exporter.org_id)
        by_name = homes.buyer_cover(s, org_id=cast.exporter.org_id, search="  berlin ")
        by_number = homes.buyer_cover(s, org_id=cast.exporter.org_id, search="2345678")
        nothing = homes.buyer_cover(s, org_id=cast.exporter.org_id, search="zz%_")
    assert [(c.buyer_id, c.approved_minor, c.available_minor) for c in every] == [
        (seoul, 12_000_000, 12_000_000),
        (berlin, 5_000_000, 5_000_000),
    ]
    assert [c.buyer_name for c in by_name] == ["Berlin Machines GmbH"]
    assert [(c.buyer_id, c.country) for c in by_number] == [(seoul, "KR")]
    assert nothing == []


def _notice(s: Session, run: int, cast: Cast, policy: int, **over: object) -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    values: dict[str, object] = {
        "run_id": run,
        "policy_id": policy,
        "exporter_org_id": cast.exporter.org_id,
        "month": date(2026, 5, 1),
        "issue_date": date(2026, 6, 1),
        "due_date": date(2026, 7, 1),
        "currency": "USD",
        "line_count": 1,
        "total_minor": 0,
        "exporter_owed_minor": 0,
        "exporter_paid_minor": 0,
        "created_at": now,
    }
    values.update(over)
    s.add(PremiumNotice(**values))


def test_premium_owed_is_after_the_subsidy_per_currency_with_what_is_overdue(
    db: Database, cast: Cast
) -> None:
    with transaction(db.factory) as s:
        policy = make_policy(s, exporter_org_id=cast.exporter.org_id).id
        at = datetime(2026, 6, 1, tzinfo=UTC)
        run = BillingRun(
            month=date(2026, 5, 1),
            issue_date=date(2026, 6, 1),
            cutoff=at,
            status="completed",
            started_at=at,
            started_by="test",
        )
        s.add(run)
        s.flush()
        # total 1,000.00 of which the programme pays 400.00; 100.01 already paid, overdue
        _notice(
            s,
            run.id,
            cast,
            policy,
            total_minor=100_000,
            exporter_owed_minor=60_000,
            exporter_paid_minor=10_001,
            due_date=date(2026, 6, 1),
        )
        _notice(
            s,
            run.id,
            cast,
            policy,
            month=date(2026, 4, 1),
            total_minor=30_000,
            exporter_owed_minor=30_000,
        )
        _notice(
            s,
            run.id,
            cast,
            policy,
            month=date(2026, 3, 1),
            exporter_owed_minor=5_000,
            exporter_paid_minor=5_000,
        )
        _notice(
            s,
            run.id,
            cast,
            policy,
            month=date(2026, 2, 1),
            currency="EUR",
            exporter_owed_minor=1_234,
        )
        _notice(
            s,
            run.id,
            cast,
            policy,
            month=date(2026, 1, 1),
            exporter_owed_minor=77_700,
            exporter_org_id=cast.other_exporter.org_id,
        )
    with transaction(db.factory) as s:
        owed = homes.premium_owed(s, org_id=cast.exporter.org_id, today=TODAY)
    assert [(o.currency, o.owed_minor, o.overdue_minor, o.notices, o.next_due) for o in owed] == [
        ("EUR", 1_234, 0, 1, date(2026, 7, 1)),
        ("USD", 79_999, 49_999, 2, date(2026, 6, 1)),
    ]


def test_the_limit_queue_by_age_and_the_use_bands(db: Database, cast: Cast) -> None:
    now = datetime(2026, 6, 15, 12, tzinfo=UTC)
    with transaction(db.factory) as s:
        berlin, _ = _limits(s, cast)
        policy = make_policy(s, exporter_org_id=cast.exporter.org_id).id
        for days, amount, currency, status in (
            (1, 10_000, "USD", "pending"),
            (5, 20_000, "USD", "pending"),
            (6, 30_000, "EUR", "pending_second_approval"),
            (40, 40_000, "USD", "pending"),
            (3, 99_000, "USD", "decided"),
        ):
            s.add(
                LimitApplication(
                    org_id=cast.exporter.org_id,
                    policy_id=policy,
                    buyer_id=berlin,
                    request_type="new_limit",
                    currency=currency,
                    amount_minor=amount * 100,
                    payment_terms="OA",
                    credit_period_days=90,
                    status=status,
                    route="manual",
                    proposal={},
                    submitted_by="test",
                    submitted_at=now - timedelta(days=days),
                )
            )
    with transaction(db.factory) as s:
        queue = homes.limit_queue_by_age(s, now=now)
        use = homes.limit_use_bands(s)
    assert [(b.from_days, b.count, b.amounts) for b in queue] == [
        (0, 1, {"USD": 1_000_000}),
        (3, 2, {"USD": 2_000_000, "EUR": 3_000_000}),
        (8, 0, {}),
        (15, 0, {}),
        (31, 1, {"USD": 4_000_000}),
    ]
    assert [(u.from_pct, u.count) for u in use] == [(0, 3), (25, 0), (50, 0), (75, 0), (100, 0)]


def test_exposure_summary_by_country_sector_and_concentration(db: Database, cast: Cast) -> None:
    with transaction(db.factory) as s:
        _limits(s, cast)
    with transaction(db.factory) as s:
        summary = homes.exposure_summary(s)
    # limits 50,000 and 999,000 on the German buyer, 120,000 on the Korean one, each at the
    # policy's insured share
    by_country = dict(summary.by_country)
    assert set(by_country) == {"DE", "KR"}
    assert by_country["DE"] / by_country["KR"] == (50_000 + 999_000) / 120_000
    assert [name for name, _ in summary.by_sector] == ["unknown"]
    assert summary.top_share == 1.0  # two buyer groups: both among the ten largest
    assert summary.total == sum(by_country.values())


def test_cash_received_and_subsidies_receivable(db: Database, cast: Cast) -> None:
    at = datetime(2026, 6, 1, tzinfo=UTC)
    with transaction(db.factory) as s:
        policy = make_policy(s, exporter_org_id=cast.exporter.org_id).id
        run = BillingRun(
            month=date(2026, 5, 1),
            issue_date=date(2026, 6, 1),
            cutoff=at,
            status="completed",
            started_at=at,
            started_by="test",
        )
        s.add(run)
        s.flush()
        _notice(s, run.id, cast, policy, total_minor=100_000, exporter_owed_minor=60_000)
        _notice(s, run.id, cast, policy, month=date(2026, 4, 1), currency="EUR")
        s.flush()
        notices = {n.currency: n.id for n in s.query(PremiumNotice)}
        for i, (currency, granted, paid) in enumerate(
            (("USD", 30_000, 10_001), ("USD", 10_000, 10_000), ("EUR", 7_000, 0))
        ):
            programme = add_programme(
                s,
                Programme(
                    code=f"P{i}",
                    name=f"Programme {i}",
                    sponsor=f"P{i}",
                    currency="USD",
                    share=Decimal("0.4"),
                    budget=Money.of("9000.00", "USD"),
                ),
                slug=f"programme-{i}",
            )
            s.add(
                NoticeSplit(
                    notice_id=notices[currency],
                    programme_id=programme,
                    eligible=True,
                    share=Decimal("0.4"),
                    rule_applied="test",
                    explanation="test",
                    eligible_lines=1,
                    requested_minor=granted,
                    granted_minor=granted,
                    paid_minor=paid,
                )
            )
        for received_on, amount in ((date(2026, 6, 10), 12_345), (date(2026, 5, 1), 99_999)):
            s.add(
                Payment(
                    payer_kind="exporter",
                    payer_id=cast.exporter.org_id,
                    payer_org_id=cast.exporter.org_id,
                    currency="USD",
                    amount_minor=amount,
                    applied_minor=0,
                    unapplied_minor=amount,
                    received_on=received_on,
                    reference=f"ref-{amount}",
                    recorded_at=at,
                    recorded_by="test",
                )
            )
    with transaction(db.factory) as s:
        assert homes.cash_received(s, since=date(2026, 6, 1)) == {"USD": (12_345, 1)}
        assert homes.subsidies_receivable(s) == {"EUR": 7_000, "USD": 19_999}
