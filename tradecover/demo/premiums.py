"""The demo history's premiums: the subsidy programmes, the monthly billing runs, and
the payments of the notices by each exporter's habit and by the programmes, then the
arrears job.

The calendar is :mod:`tradecover.demo.history`'s: one billing run per month of the
history (each notice issued on the first day of the next month); the programmes pay
their statements a few weeks after each quarter.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final

from sqlalchemy.orm import Session, sessionmaker

from tradecover import billing, subsidies
from tradecover.access import Principal
from tradecover.billing import PAYER_EXPORTER, PAYER_PROGRAMME, BillingTerms, NoticeDue
from tradecover.demo.book import ExporterPlan
from tradecover.demo.history import HistoryCounts, billed_months, history_rng, window
from tradecover.demo.refs import OrgRef
from tradecover.kit.money import Money
from tradecover.subsidies import Programme, SizeTier


class PayerHabit(StrEnum):
    """How an exporter pays its premium notices."""

    ON_TIME = "on_time"  # before the due date
    LATE = "late"  # weeks after the due date, sometimes in two parts
    ARREARS = "arrears"  # on time, but the notices due in the last eight weeks are unpaid
    DEFAULTER = "defaulter"  # stopped paying three months ago: the arrears job suspends it


HABIT_WEIGHTS: Final[dict[PayerHabit, int]] = {PayerHabit.ON_TIME: 70, PayerHabit.LATE: 30}
"""Share of the exporters not singled out for arrears (percent)."""


ARREARS_EVERY: Final = 10
"""Every tenth exporter (from the fifth) leaves its latest notices unpaid."""


DEFAULTER_EVERY: Final = 40
"""Every fortieth exporter (from the sixth) stopped paying months ago."""


def habit_of(plan: ExporterPlan, *, seed: int) -> PayerHabit:
    """The exporter's payment habit: the two exporters with demo sign-ins pay on time; a
    fixed share is in arrears (so that even a small book shows some), the rest drawn.
    """
    if plan.index < 2:
        return PayerHabit.ON_TIME
    if plan.index % DEFAULTER_EVERY == 5:
        return PayerHabit.DEFAULTER
    if plan.index % ARREARS_EVERY == 4:
        return PayerHabit.ARREARS
    rng = history_rng(seed, plan.slug, "habit")
    return rng.choices(list(HABIT_WEIGHTS), weights=list(HABIT_WEIGHTS.values()), k=1)[0]


PROGRAMMES: Final = (("ZJ-SME-CNY", "CNY", Decimal("7.10")), ("ZJ-SME-USD", "USD", Decimal(1)))
"""The Zhejiang SME programme pays in CNY and in USD (code, currency, CNY-free USD rate)."""


def create_programmes(
    session: Session, *, insurer: Principal, sponsor_org_id: int, as_of: date
) -> None:
    """The Zhejiang SME export premium programme ([001]): 80 % of the premium of
    exporters registered in Zhejiang, 100 % under USD 8 million of exports last year,
    within a cap per exporter and year and a yearly budget.
    """
    start, _ = window(as_of)
    for code, currency, rate in PROGRAMMES:

        def usd(amount: int, rate: Decimal = rate, currency: str = currency) -> Money:
            return Money.of(Decimal(amount) * rate, currency)

        subsidies.create_programme(
            session,
            principal=insurer,
            sponsor_org_id=sponsor_org_id,
            programme=Programme(
                code=code,
                name=f"Zhejiang SME Export Premium Support ({currency})",
                sponsor="Zhejiang Department of Commerce",
                currency=currency,
                share=Decimal("0.8"),
                size_tiers=(SizeTier(usd(8_000_000), Decimal(1)),),
                regions=("CN-ZJ",),
                valid_from=start.replace(month=1),
                cap_per_exporter_year=usd(20_000),
                cap_per_year=usd(400_000),
                budget=usd(1_000_000),
            ),
        )


def bill(
    factory: sessionmaker[Session],
    *,
    insurer: Principal,
    as_of: date,
    terms: BillingTerms,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Run the billing job for every month of the history (each notice issued on the first
    day of the next month); returns the notices issued.
    """
    before = _notice_count(factory)
    for month in billed_months(as_of):
        issue = (month + timedelta(days=32)).replace(day=1)
        billing.run_month(
            factory, principal=insurer, month=f"{month:%Y-%m}", issue_date=issue, terms=terms
        )
        if progress is not None:
            progress(f"{month:%Y-%m}")
    return _notice_count(factory) - before


def _notice_count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return billing.notice_count(session)


def _exporter_payments(
    rng: random.Random, habit: PayerHabit, notices: list[NoticeDue], as_of: date
) -> list[tuple[date, int, NoticeDue]]:
    """(received on, amount in minor units, notice) of an exporter's payments."""
    paid: list[tuple[date, int, NoticeDue]] = []
    for n in notices:
        owed = n.exporter_owed_minor
        if owed <= 0:
            continue
        if habit is PayerHabit.ARREARS and n.due_date >= as_of - timedelta(days=56):
            continue
        if habit is PayerHabit.DEFAULTER and n.due_date >= as_of - timedelta(days=100):
            continue
        if habit is PayerHabit.LATE:
            day = n.due_date + timedelta(days=rng.randint(4, 40))
            if rng.random() < 0.3 and owed > 1:
                first = owed * rng.choice((40, 50, 60)) // 100
                paid.append((day, first, n))
                paid.append((day + timedelta(days=rng.randint(10, 25)), owed - first, n))
                continue
        else:
            day = max(
                n.issue_date + timedelta(days=2), n.due_date - timedelta(days=rng.randint(0, 20))
            )
        paid.append((day, owed, n))
    return [p for p in paid if p[0] < as_of]


def settle(
    session: Session,
    *,
    insurer: Principal,
    exporters: Sequence[tuple[ExporterPlan, OrgRef]],
    as_of: date,
    seed: int,
    terms: BillingTerms,
) -> HistoryCounts:
    """Record the premium payments of the history by each exporter's habit and the
    programmes' quarterly payments, then run the arrears job as of ``as_of``.
    """
    counts = HistoryCounts()
    by_org: dict[int, list[NoticeDue]] = {}
    for n in billing.notices_due(session):
        by_org.setdefault(n.exporter_org_id, []).append(n)
    payments: list[tuple[date, str, int, int, str, str]] = []
    for plan, org in exporters:
        notices = by_org.get(org.id, [])
        if not notices:
            continue
        rng = history_rng(seed, plan.slug, "premium")
        for day, minor, notice in _exporter_payments(
            rng, habit_of(plan, seed=seed), notices, as_of
        ):
            payments.append(
                (
                    day,
                    PAYER_EXPORTER,
                    org.id,
                    minor,
                    notice.currency,
                    f"bank transfer for premium notice {notice.id}",
                )
            )
    for programme in sorted(subsidies.all_programmes(session), key=lambda p: p.id):
        for quarter_end, day in _programme_days(as_of):
            owed = billing.programme_unpaid_grants(
                session, programme_id=programme.id, issued_by=quarter_end
            )
            owed -= sum(p[3] for p in payments if p[1] == PAYER_PROGRAMME and p[2] == programme.id)
            if owed > 0:
                payments.append(
                    (
                        day,
                        PAYER_PROGRAMME,
                        programme.id,
                        owed,
                        programme.currency,
                        f"{programme.code} statement to {quarter_end:%Y-%m}",
                    )
                )
    payments.sort(key=lambda p: (p[0], p[1], p[2]))
    for day, kind, payer_id, minor, currency, reference in payments:
        billing.record_payment(
            session,
            principal=insurer,
            payer_kind=kind,
            payer_id=payer_id,
            amount=Money.from_minor(minor, currency),
            received_on=day,
            reference=reference,
        )
        if kind == PAYER_PROGRAMME:
            counts.programme_payments += 1
        else:
            counts.payments += 1
    counts.suspended_for_arrears = len(
        billing.arrears_job(session, principal=insurer, today=as_of, terms=terms)
    )
    return counts


def _programme_days(as_of: date) -> list[tuple[date, date]]:
    """(quarter end, payment day) of the programme statements paid before ``as_of``."""
    first, _ = window(as_of)
    found = []
    for month in billed_months(as_of):
        if month.month in (3, 6, 9, 12):
            end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            paid = end + timedelta(days=55)
            if first <= end and paid < as_of:
                found.append((end, paid))
    return found
