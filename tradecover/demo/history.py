"""Twelve months of trading in the demo book: declarations, collections,
turnover returns, monthly premium notices, payments, subsidies and arrears.

Every step is the real service with a historical business date, so every change has its
audit entry and its journal entries:

* :func:`trade` (in the seeding transaction): for every policy term in force during the
  :data:`HISTORY_MONTHS` calendar months before ``as_of``'s month, two more of the
  exporter's main buyers are registered and get a limit applied for at the start of the
  window; shipments to them are declared through the attachment service on the day the
  exporter declares them (a few exporters are careless and declare some late), the
  buyers' payments are confirmed through collections a few days after they pay (slow
  buyers pay weeks late; what is not confirmed by ``as_of`` stays overdue), and
  monthly-frequency exporters return their turnover;
* :func:`bill` (one billing run per month, each its own transactions, as the job runs);
* :func:`settle` (one transaction): the exporters pay their share of each notice by
  their habit (:class:`PayerHabit`), the programmes pay their statements a few weeks
  after each quarter, and the arrears job suspends the policies of the exporters who
  stopped paying.

The same seed and ``as_of`` give the same history.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Protocol

from sqlalchemy.orm import Session, sessionmaker

from tradecover import (
    billing,
    buyers,
    collections,
    declarations,
    limits,
    policies,
    reporting,
    subsidies,
)
from tradecover.access import Principal
from tradecover.billing import PAYER_EXPORTER, PAYER_PROGRAMME, BillingTerms, NoticeDue
from tradecover.collections import CollectionOutcome
from tradecover.declarations import Shipment, TransportMode, declaration_due_date
from tradecover.demo.book import ExporterPlan
from tradecover.demo.refs import OrgRef
from tradecover.kit.errors import DomainError
from tradecover.kit.money import Money
from tradecover.limits import DecisionOutcome, ReasonCode, RequestType
from tradecover.policies import PolicyTerm
from tradecover.reference.payment_terms import PaymentTerms
from tradecover.subsidies import Programme, SizeTier
from tradecover.wiring import store_for

if TYPE_CHECKING:
    from tradecover.declarations import PolicyFacts

HISTORY_MONTHS: Final = 12
"""Calendar months of history before ``as_of``'s month (each billed once)."""

TRADING_BUYERS: Final = slice(3, 5)
"""The main buyers the history trades with (0-1 carry the limits queue, 2 the claims)."""


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


def window(as_of: date) -> tuple[date, date]:
    """The first and last day of the history: :data:`HISTORY_MONTHS` calendar months
    before ``as_of``'s month, up to the day before ``as_of``.
    """
    first = as_of.replace(day=1)
    for _ in range(HISTORY_MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, as_of - timedelta(days=1)


def billed_months(as_of: date) -> list[date]:
    """The first days of the months the history bills, oldest first."""
    first, _ = window(as_of)
    months = [first]
    while len(months) < HISTORY_MONTHS:
        months.append((months[-1] + timedelta(days=32)).replace(day=1))
    return months


def _rng(seed: int, slug: str, what: str) -> random.Random:
    return random.Random(f"{seed}:{slug}:{what}")


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
    rng = _rng(seed, plan.slug, "habit")
    return rng.choices(list(HABIT_WEIGHTS), weights=list(HABIT_WEIGHTS.values()), k=1)[0]


@dataclass(slots=True)
class HistoryCounts:
    """What the history added to the book."""

    terms: int = 0
    declarations: int = 0
    late_declarations: int = 0
    collections: int = 0
    turnover_returns: int = 0
    notices: int = 0
    payments: int = 0
    programme_payments: int = 0
    suspended_for_arrears: int = 0
    skipped_terms: list[str] = field(default_factory=list)

    def add(self, other: HistoryCounts) -> None:
        """Add ``other``'s counts to these."""
        for name in ("terms", "declarations", "late_declarations", "collections",
                     "turnover_returns", "notices", "payments", "programme_payments",
                     "suspended_for_arrears"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped_terms += other.skipped_terms


# --- subsidy programmes ---------------------------------------------------------------


PROGRAMMES: Final = (("ZJ-SME-CNY", "CNY", Decimal("7.10")), ("ZJ-SME-USD", "USD", Decimal(1)))
"""The Zhejiang SME programme pays in CNY and in USD (code, currency, CNY-free USD rate)."""


def create_programmes(session: Session, *, insurer: Principal, sponsor_org_id: int,
                      as_of: date) -> None:
    """The Zhejiang SME export premium programme ([001]): 80 % of the premium of
    exporters registered in Zhejiang, 100 % under USD 8 million of exports last year,
    within a cap per exporter and year and a yearly budget.
    """
    start, _ = window(as_of)
    for code, currency, rate in PROGRAMMES:
        def usd(amount: int, rate: Decimal = rate, currency: str = currency) -> Money:
            return Money.of(Decimal(amount) * rate, currency)

        subsidies.create_programme(session, principal=insurer, sponsor_org_id=sponsor_org_id,
                                   programme=Programme(
            code=code, name=f"Zhejiang SME Export Premium Support ({currency})",
            sponsor="Zhejiang Department of Commerce", currency=currency,
            share=Decimal("0.8"), size_tiers=(SizeTier(usd(8_000_000), Decimal(1)),),
            regions=("CN-ZJ",), valid_from=start.replace(month=1),
            cap_per_exporter_year=usd(20_000), cap_per_year=usd(400_000),
            budget=usd(1_000_000)))


# --- trading --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    """A buyer the exporter ships to under one term."""

    buyer_id: int
    terms: PaymentTerms
    credit_days: int


@dataclass(frozen=True, slots=True)
class _Planned:
    shipped: date
    declared: date
    line: _Line
    amount: Decimal
    paid_on: date | None  # when the buyer pays (None: it has not by as_of)
    confirmed: date | None  # when the exporter confirms it


class _Application(Protocol):
    """What the demo's underwriter reads of a limit application waiting in the queue."""

    @property
    def id(self) -> int:
        """The application id."""
        ...

    @property
    def amount_minor(self) -> int:
        """The amount applied for, in minor units."""
        ...

    @property
    def currency(self) -> str:
        """The currency applied in."""
        ...

    @property
    def proposal(self) -> Any:
        """The queue's recommendation."""
        ...


def _underwrite(session: Session, *, insurer: Principal, application: _Application,
                today: date) -> None:
    """An underwriter takes the queue's recommendation on an application that waits (a
    refusal stays in the queue: shipments to that buyer are not covered).
    """
    proposal = application.proposal if isinstance(application.proposal, dict) else {}
    requested = Money.from_minor(application.amount_minor, application.currency)
    recommended = Money.of(proposal.get("recommended", "0"), application.currency)
    if recommended.amount <= 0:
        return
    approves_all = recommended.amount >= requested.amount
    savepoint = session.begin_nested()
    try:
        limits.decide(session, principal=insurer, application_id=application.id,
                      outcome=DecisionOutcome.APPROVED if approves_all
                      else DecisionOutcome.PARTLY_APPROVED,
                      amount=requested if approves_all else recommended,
                      reasons=[ReasonCode(r) for r in proposal.get("reasons", [])],
                      today=today, rules=limits.LimitRules(),
                      read_context=reporting.limit_decision_context)
        savepoint.commit()
    except DomainError:
        savepoint.rollback()


def _lines(session: Session, *, plan: ExporterPlan, policy: PolicyTerm, exporter: Principal,
           insurer: Principal, start: date, registered: dict[str, int]) -> list[_Line]:
    s = plan.schedule
    unit = Decimal(10_000_000 if s.currency == "KRW" else 10_000)
    usable: list[PaymentTerms] = ([t for t in s.payment_terms if t is not PaymentTerms.LC]
                                  or list(s.payment_terms))
    found: list[_Line] = []
    for main in plan.main_buyers[TRADING_BUYERS]:
        if main.buyer.ref not in registered:
            registered[main.buyer.ref] = buyers.register_buyer(
                session, principal=exporter, name=main.buyer.name, country=main.buyer.country,
                own_reference=main.buyer.ref,
                trading_since=start - timedelta(days=365 * main.years_trading)).buyer.id
        if any(line.buyer_id == registered[main.buyer.ref] for line in found):
            continue  # two names of one company: the registry matched them
        terms = main.payment_terms if main.payment_terms in usable else usable[0]
        credit = min(s.max_credit_days, 60 if terms is PaymentTerms.OA else 45)
        application = limits.apply(
            session, principal=exporter, policy_id=policy.id,
            buyer_id=registered[main.buyer.ref], request_type=RequestType.NEW_LIMIT,
            amount=Money.of(4 * unit, s.currency), payment_terms=terms,
            credit_period_days=credit, today=start, rules=limits.LimitRules())
        if application.status == "pending":
            _underwrite(session, insurer=insurer, application=application, today=start)
        found.append(_Line(registered[main.buyer.ref], terms, credit))
    return found


def _plan_term(rng: random.Random, *, plan: ExporterPlan, facts: PolicyFacts,
               lines: list[_Line], start: date, end: date, as_of: date, careless: bool
               ) -> list[_Planned]:
    """The term's shipments: each declared with the others of its declaration period on
    one day before the period's deadline (a careless exporter now and then after it),
    paid by the buyer around its due date (a slow one weeks later) and confirmed a few
    days after; what falls on or after ``as_of`` has not happened yet.
    """
    s = plan.schedule
    unit = 10_000_000 if s.currency == "KRW" else 10_000
    step = unit // 100
    shipments: list[tuple[date, _Line, Decimal]] = []
    for line in lines:
        shipped = start + timedelta(days=rng.randint(1, 12))
        while shipped <= end:
            shipments.append((shipped, line,
                              Decimal(round(unit * rng.uniform(0.25, 1.1) / step) * step)))
            shipped += timedelta(days=rng.randint(20, 45))
    shipments.sort(key=lambda x: (x[0], x[1].buyer_id))
    periods: dict[date, list[int]] = {}
    for i, (shipped, _line, _amount) in enumerate(shipments):
        due = declaration_due_date(facts.frequency, shipped, rules=facts.deadline_rules)
        periods.setdefault(due, []).append(i)
    declared_on: dict[int, date] = {}
    for due, members in sorted(periods.items()):
        last = max(shipments[i][0] for i in members)
        day = last + timedelta(days=rng.randint(0, max(0, (due - last).days)))
        if careless and rng.random() < 0.15:
            day = due + timedelta(days=rng.randint(2, 12))
        for i in members:
            declared_on[i] = min(day, as_of)
    planned: list[_Planned] = []
    for i, (shipped, line, amount) in enumerate(shipments):
        invoice_due = shipped + timedelta(days=line.credit_days)
        slow = rng.random() < 0.12
        pays = max(shipped + timedelta(days=1), invoice_due + timedelta(
            days=rng.randint(15, 40) if slow else rng.randint(-6, 8)))
        confirmed = max(pays, declared_on[i]) + timedelta(days=rng.randint(2, 9))
        paid_on = pays if pays < as_of else None
        planned.append(_Planned(shipped, declared_on[i], line, amount, paid_on,
                                confirmed if confirmed < as_of and paid_on else None))
    return planned


def _trade_term(session: Session, *, plan: ExporterPlan, policy: PolicyTerm, exporter: Principal,
                insurer: Principal, as_of: date, seed: int, registered: dict[str, int]
                ) -> HistoryCounts:
    counts = HistoryCounts(terms=1)
    first, last = window(as_of)
    start, end = max(first, policy.inception), min(last, policy.expiry)
    if (end - start).days < 14:
        return HistoryCounts()
    rng = _rng(seed, plan.slug, f"trade:{policy.inception.isoformat()}")
    careless = rng.random() < 0.15
    lines = _lines(session, plan=plan, policy=policy, exporter=exporter, insurer=insurer,
                   start=start, registered=registered)
    facts = declarations.policy_facts(policies.get_policy(session, principal=insurer,
                                                          policy_id=policy.id))
    planned = _plan_term(rng, plan=plan, facts=facts, lines=lines, start=start, end=end,
                         as_of=as_of, careless=careless)
    # One timeline: each day's batch of declarations (the exporter's ERP), then that day's
    # confirmations, so that a paid invoice frees the limit before later shipments use it.
    batches: dict[date, list[int]] = {}
    confirmations: dict[date, list[int]] = {}
    for i, p in enumerate(planned):
        batches.setdefault(p.declared, []).append(i)
        if p.confirmed is not None:
            confirmations.setdefault(p.confirmed, []).append(i)
    ids: dict[int, int] = {}
    declared_by_month: dict[date, int] = {}
    chapter = plan.hs_chapters[0]
    s = plan.schedule
    attachment = store_for(session.get_bind().engine)
    for day in sorted(batches.keys() | confirmations.keys()):
        batch = batches.get(day, [])
        outcomes = declarations.attach_many(session, principal=exporter, channel="erp",
                                            today=day, store=attachment, shipments=[Shipment(
            insured_org_id=exporter.org_id, policy_id=policy.id,
            buyer_id=planned[i].line.buyer_id, payment_terms=planned[i].line.terms,
            transport_mode=TransportMode.SEA if i % 3 else TransportMode.AIR,
            shipment_date=planned[i].shipped,
            due_date=planned[i].shipped + timedelta(days=planned[i].line.credit_days),
            goods_description=f"{plan.name.split()[0]} goods, HS chapter {chapter}",
            hs_code=f"{chapter}01.00",
            invoice_number=f"{planned[i].shipped:%y%m%d}-{i + 1:03d}",
            currency=s.currency, invoice_amount=planned[i].amount) for i in batch]
        ) if batch else []
        for i, outcome in zip(batch, outcomes, strict=True):
            if outcome.error is not None:
                raise outcome.error
            assert outcome.declaration is not None
            row = outcome.declaration
            ids[i] = row.id
            counts.declarations += 1
            counts.late_declarations += int(row.late)
            month = planned[i].shipped.replace(day=1)
            declared_by_month[month] = declared_by_month.get(month, 0) + row.invoice_minor
        for i in confirmations.get(day, []):
            paid_on = planned[i].paid_on
            assert paid_on is not None
            collections.confirm_collection(
                session, principal=exporter, declaration_id=ids[i],
                outcome=CollectionOutcome.PAID_IN_FULL, amount=None, paid_on=paid_on,
                today=day)
            counts.collections += 1
    if s.declaration_frequency == "monthly":
        for month, minor in sorted(declared_by_month.items()):
            if month.replace(day=28) + timedelta(days=4) > as_of or month < start.replace(day=1):
                continue  # the month is not over yet
            turnover = Money.from_minor(minor, s.currency).amount / Decimal(
                str(round(rng.uniform(0.86, 1.0), 2)))
            declarations.submit_turnover_return(
                session, principal=exporter, policy_id=policy.id, month=month,
                amount=Money.of(turnover, s.currency).rounded())
            counts.turnover_returns += 1
    return counts


def trade(session: Session, *, exporters: Sequence[tuple[ExporterPlan, OrgRef, Principal]],
          insurer: Principal, as_of: date, seed: int, done: set[int]) -> HistoryCounts:
    """Trade every policy term in force in the history window that is not in ``done``
    (and add it there); a term a service refuses is rolled back and listed as skipped.
    """
    counts = HistoryCounts()
    first, _ = window(as_of)
    for plan, org, exporter in exporters:
        if len(plan.main_buyers) < TRADING_BUYERS.stop:
            continue
        registered: dict[str, int] = {}
        terms = [t for t in policies.active_terms_of(session, org.id)
                 if t.expiry >= first and t.inception < as_of]
        for policy in terms:
            if policy.id in done:
                continue
            done.add(policy.id)
            savepoint = session.begin_nested()
            try:
                counts.add(_trade_term(session, plan=plan, policy=policy, exporter=exporter,
                                       insurer=insurer, as_of=as_of, seed=seed,
                                       registered=registered))
                savepoint.commit()
            except DomainError as exc:
                savepoint.rollback()
                registered.clear()
                counts.skipped_terms.append(f"{org.slug}: {exc.code}")
    return counts


# --- billing ---------------------------------------------------------------------------


def bill(factory: sessionmaker[Session], *, insurer: Principal, as_of: date,
         terms: BillingTerms, progress: Callable[[str], None] | None = None) -> int:
    """Run the billing job for every month of the history (each notice issued on the first
    day of the next month); returns the notices issued.
    """
    before = _notice_count(factory)
    for month in billed_months(as_of):
        issue = (month + timedelta(days=32)).replace(day=1)
        billing.run_month(factory, principal=insurer, month=f"{month:%Y-%m}",
                               issue_date=issue, terms=terms)
        if progress is not None:
            progress(f"{month:%Y-%m}")
    return _notice_count(factory) - before


def _notice_count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return billing.notice_count(session)


# --- payments and arrears ----------------------------------------------------------------


def _exporter_payments(rng: random.Random, habit: PayerHabit, notices: list[NoticeDue],
                       as_of: date) -> list[tuple[date, int, NoticeDue]]:
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
            day = max(n.issue_date + timedelta(days=2),
                      n.due_date - timedelta(days=rng.randint(0, 20)))
        paid.append((day, owed, n))
    return [p for p in paid if p[0] < as_of]


def settle(session: Session, *, insurer: Principal,
           exporters: Sequence[tuple[ExporterPlan, OrgRef]], as_of: date, seed: int,
           terms: BillingTerms) -> HistoryCounts:
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
        rng = _rng(seed, plan.slug, "premium")
        for day, minor, notice in _exporter_payments(rng, habit_of(plan, seed=seed),
                                                     notices, as_of):
            payments.append((day, PAYER_EXPORTER, org.id, minor, notice.currency,
                             f"bank transfer for premium notice {notice.id}"))
    for programme in sorted(subsidies.all_programmes(session), key=lambda p: p.id):
        for quarter_end, day in _programme_days(as_of):
            owed = billing.programme_unpaid_grants(session, programme_id=programme.id,
                                                   issued_by=quarter_end)
            owed -= sum(p[3] for p in payments if p[1] == PAYER_PROGRAMME
                        and p[2] == programme.id)
            if owed > 0:
                payments.append((day, PAYER_PROGRAMME, programme.id, owed, programme.currency,
                                 f"{programme.code} statement to {quarter_end:%Y-%m}"))
    payments.sort(key=lambda p: (p[0], p[1], p[2]))
    for day, kind, payer_id, minor, currency, reference in payments:
        billing.record_payment(session, principal=insurer, payer_kind=kind, payer_id=payer_id,
                               amount=Money.from_minor(minor, currency), received_on=day,
                               reference=reference)
        if kind == PAYER_PROGRAMME:
            counts.programme_payments += 1
        else:
            counts.payments += 1
    counts.suspended_for_arrears = len(billing.arrears_job(
        session, principal=insurer, today=as_of, terms=terms))
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
