"""The demo history's trading: buyers, limits, declarations, collections and turnover
returns of every policy term in force in the history window.

For each term, two more of the exporter's main buyers are registered and get a limit
applied for at the start of the window (an underwriter takes the queue's recommendation
when the application waits); shipments to them are declared through the attachment
service in one batch per day on the day the exporter declares them (a few exporters are
careless and declare some late), the buyers' payments are confirmed through collections
a few days after they pay (each day's confirmations in one set-based batch), and
monthly-frequency exporters return their turnover.  The calendar is
:mod:`tradecover.demo.history`'s.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Protocol

from sqlalchemy.orm import Session

from tradecover import buyers, collections, declarations, limits, policies, reporting
from tradecover.access import Principal
from tradecover.collections import CollectionAnswer, CollectionOutcome
from tradecover.declarations import Shipment, TransportMode, declaration_due_date
from tradecover.demo.book import ExporterPlan
from tradecover.demo.history import HistoryCounts, history_rng, window
from tradecover.demo.refs import OrgRef
from tradecover.kit.errors import DomainError
from tradecover.kit.money import Money
from tradecover.limits import DecisionOutcome, ReasonCode, RequestType
from tradecover.policies import PolicyTerm
from tradecover.reference.payment_terms import PaymentTerms
from tradecover.wiring import store_for

if TYPE_CHECKING:
    from tradecover.declarations import PolicyFacts

TRADING_BUYERS: Final = slice(3, 5)
"""The main buyers the history trades with (0-1 carry the limits queue, 2 the claims)."""


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


def _underwrite(
    session: Session, *, insurer: Principal, application: _Application, today: date
) -> None:
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
        limits.decide(
            session,
            principal=insurer,
            application_id=application.id,
            outcome=DecisionOutcome.APPROVED if approves_all else DecisionOutcome.PARTLY_APPROVED,
            amount=requested if approves_all else recommended,
            reasons=[ReasonCode(r) for r in proposal.get("reasons", [])],
            today=today,
            rules=limits.LimitRules(),
            read_context=reporting.limit_decision_context,
        )
        savepoint.commit()
    except DomainError:
        savepoint.rollback()


def _lines(
    session: Session,
    *,
    plan: ExporterPlan,
    policy: PolicyTerm,
    exporter: Principal,
    insurer: Principal,
    start: date,
    registered: dict[str, int],
) -> list[_Line]:
    s = plan.schedule
    unit = Decimal(10_000_000 if s.currency == "KRW" else 10_000)
    usable: list[PaymentTerms] = [t for t in s.payment_terms if t is not PaymentTerms.LC] or list(
        s.payment_terms
    )
    found: list[_Line] = []
    for main in plan.main_buyers[TRADING_BUYERS]:
        if main.buyer.ref not in registered:
            registered[main.buyer.ref] = buyers.register_buyer(
                session,
                principal=exporter,
                name=main.buyer.name,
                country=main.buyer.country,
                own_reference=main.buyer.ref,
                trading_since=start - timedelta(days=365 * main.years_trading),
            ).buyer.id
        if any(line.buyer_id == registered[main.buyer.ref] for line in found):
            continue  # two names of one company: the registry matched them
        terms = main.payment_terms if main.payment_terms in usable else usable[0]
        credit = min(s.max_credit_days, 60 if terms is PaymentTerms.OA else 45)
        application = limits.apply(
            session,
            principal=exporter,
            policy_id=policy.id,
            buyer_id=registered[main.buyer.ref],
            request_type=RequestType.NEW_LIMIT,
            amount=Money.of(4 * unit, s.currency),
            payment_terms=terms,
            credit_period_days=credit,
            today=start,
            rules=limits.LimitRules(),
        )
        if application.status == "pending":
            _underwrite(session, insurer=insurer, application=application, today=start)
        found.append(_Line(registered[main.buyer.ref], terms, credit))
    return found


def _plan_term(
    rng: random.Random,
    *,
    plan: ExporterPlan,
    facts: PolicyFacts,
    lines: list[_Line],
    start: date,
    end: date,
    as_of: date,
    careless: bool,
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
            shipments.append(
                (shipped, line, Decimal(round(unit * rng.uniform(0.25, 1.1) / step) * step))
            )
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
        pays = max(
            shipped + timedelta(days=1),
            invoice_due + timedelta(days=rng.randint(15, 40) if slow else rng.randint(-6, 8)),
        )
        confirmed = max(pays, declared_on[i]) + timedelta(days=rng.randint(2, 9))
        paid_on = pays if pays < as_of else None
        planned.append(
            _Planned(
                shipped,
                declared_on[i],
                line,
                amount,
                paid_on,
                confirmed if confirmed < as_of and paid_on else None,
            )
        )
    return planned


def _trade_term(
    session: Session,
    *,
    plan: ExporterPlan,
    policy: PolicyTerm,
    exporter: Principal,
    insurer: Principal,
    as_of: date,
    seed: int,
    registered: dict[str, int],
) -> HistoryCounts:
    counts = HistoryCounts(terms=1)
    first, last = window(as_of)
    start, end = max(first, policy.inception), min(last, policy.expiry)
    if (end - start).days < 14:
        return HistoryCounts()
    rng = history_rng(seed, plan.slug, f"trade:{policy.inception.isoformat()}")
    careless = rng.random() < 0.15
    lines = _lines(
        session,
        plan=plan,
        policy=policy,
        exporter=exporter,
        insurer=insurer,
        start=start,
        registered=registered,
    )
    facts = declarations.policy_facts(
        policies.get_policy(session, principal=insurer, policy_id=policy.id)
    )
    planned = _plan_term(
        rng,
        plan=plan,
        facts=facts,
        lines=lines,
        start=start,
        end=end,
        as_of=as_of,
        careless=careless,
    )
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
        outcomes = (
            declarations.attach_many(
                session,
                principal=exporter,
                channel="erp",
                today=day,
                store=attachment,
                shipments=[
                    Shipment(
                        insured_org_id=exporter.org_id,
                        policy_id=policy.id,
                        buyer_id=planned[i].line.buyer_id,
                        payment_terms=planned[i].line.terms,
                        transport_mode=TransportMode.SEA if i % 3 else TransportMode.AIR,
                        shipment_date=planned[i].shipped,
                        due_date=planned[i].shipped + timedelta(days=planned[i].line.credit_days),
                        goods_description=f"{plan.name.split()[0]} goods, HS chapter {chapter}",
                        hs_code=f"{chapter}01.00",
                        invoice_number=f"{planned[i].shipped:%y%m%d}-{i + 1:03d}",
                        currency=s.currency,
                        invoice_amount=planned[i].amount,
                    )
                    for i in batch
                ],
            )
            if batch
            else []
        )
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
        paid = confirmations.get(day, [])
        collections.confirm_collections(
            session,
            principal=exporter,
            answers=[
                CollectionAnswer(
                    declaration_id=ids[i],
                    outcome=CollectionOutcome.PAID_IN_FULL,
                    paid_on=planned[i].paid_on,
                )
                for i in paid
            ],
            today=day,
        )
        counts.collections += len(paid)
    if s.declaration_frequency == "monthly":
        for month, minor in sorted(declared_by_month.items()):
            if month.replace(day=28) + timedelta(days=4) > as_of or month < start.replace(day=1):
                continue  # the month is not over yet
            turnover = Money.from_minor(minor, s.currency).amount / Decimal(
                str(round(rng.uniform(0.86, 1.0), 2))
            )
            declarations.submit_turnover_return(
                session,
                principal=exporter,
                policy_id=policy.id,
                month=month,
                amount=Money.of(turnover, s.currency).rounded(),
            )
            counts.turnover_returns += 1
    return counts


def trade(
    session: Session,
    *,
    exporters: Sequence[tuple[ExporterPlan, OrgRef, Principal]],
    insurer: Principal,
    as_of: date,
    seed: int,
    done: set[int],
) -> HistoryCounts:
    """Trade every policy term in force in the history window that is not in ``done``
    (and add it there); a term a service refuses is rolled back and listed as skipped.
    """
    counts = HistoryCounts()
    first, _ = window(as_of)
    for plan, org, exporter in exporters:
        if len(plan.main_buyers) < TRADING_BUYERS.stop:
            continue
        registered: dict[str, int] = {}
        terms = [
            t
            for t in policies.active_terms_of(session, org.id)
            if t.expiry >= first and t.inception < as_of
        ]
        for policy in terms:
            if policy.id in done:
                continue
            done.add(policy.id)
            savepoint = session.begin_nested()
            try:
                counts.add(
                    _trade_term(
                        session,
                        plan=plan,
                        policy=policy,
                        exporter=exporter,
                        insurer=insurer,
                        as_of=as_of,
                        seed=seed,
                        registered=registered,
                    )
                )
                savepoint.commit()
            except DomainError as exc:
                savepoint.rollback()
                registered.clear()
                counts.skipped_terms.append(f"{org.slug}: {exc.code}")
    return counts
