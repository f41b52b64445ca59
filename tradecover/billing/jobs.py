"""The monthly billing run and the arrears job (source 002, 8.2.3; issue 4 items 5 and 7).

**Billing run.** :func:`start_run` creates the month's run once (its issue date fixed then)
and queues every policy with billable declarations; :func:`bill_batch` bills a batch of
queued policies in ONE transaction: the notices (premiums summed per policy in SQL), their
lines (one ``INSERT ... SELECT``), the subsidy split of every notice with the eligibility
decision and rule recorded, the programmes' usage (conditional updates), one balanced
ledger entry per notice built by :func:`tradecover.ledger.journal.premium_billed`, an
audit entry, and the items marked done.  A crash loses at most the open batch; a rerun
picks up what is pending.  ``(month, policy)`` is unique on the notices, so nothing is
ever billed twice, and items are picked with ``FOR UPDATE SKIP LOCKED`` so that several
workers share a run.  :func:`run_month` drives it all with a progress callback.

**Arrears job.** :func:`arrears_job` suspends every active policy whose exporter share of
premium is more than ``suspend_after_days`` past due, through
:func:`tradecover.policies.service.suspend`; the attachment service then refuses new
declarations on it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tradecover.access.principal import Principal
from tradecover.access.roles import Permission
from tradecover.audit import service as audit
from tradecover.billing import repository
from tradecover.billing.model import RUN_COMPLETED, RUN_RUNNING, BillingRun, NoticeSplit
from tradecover.billing.notice import BillingTerms, month_end, month_start
from tradecover.db.engine import transaction
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import NotFound, ValidationFailed
from tradecover.kit.money import Money
from tradecover.ledger import service as ledger
from tradecover.ledger.journal import JournalEntry, premium_billed
from tradecover.policies import service as policies
from tradecover.subsidies import service as subsidies
from tradecover.subsidies.programme import EligibilityDecision, ExporterFacts, Programme

DEFAULT_BATCH = 250
"""Policies billed per transaction."""


@dataclass(frozen=True, slots=True)
class RunState:
    """Where a month's run stands."""

    run_id: int
    month: date
    issue_date: date
    due_date: date
    status: str
    items: int
    pending: int


def _state(session: Session, run: BillingRun, terms: BillingTerms) -> RunState:
    return RunState(run.id, run.month, run.issue_date,
                    run.issue_date + timedelta(days=terms.payment_days), run.status,
                    repository.item_count(session, run_id=run.id),
                    repository.pending_count(session, run_id=run.id))


def start_run(
    factory: sessionmaker[Session], *, principal: Principal, month: str, issue_date: date,
    terms: BillingTerms,
) -> RunState:
    """Create the run of ``month`` (or resume it) and queue what is left to bill."""
    principal.require(Permission.BILLING_MANAGE)
    first = month_start(month)
    last = month_end(first)
    for attempt in range(3):
        try:
            with transaction(factory) as session:
                run = session.execute(select(BillingRun).where(BillingRun.month == first)
                                      ).scalar_one_or_none()
                if run is None:
                    if issue_date <= last:
                        raise ValidationFailed(
                            f"{month} can be billed from {last + timedelta(days=1)}",
                            code="notice_before_month_end", field="month")
                    run = BillingRun(month=first, issue_date=issue_date, status=RUN_RUNNING,
                                     started_at=utc_now(), started_by=principal.actor)
                    session.add(run)
                    session.flush()
                queued = repository.enqueue(session, run_id=run.id, start=first, end=last)
                if queued and run.status == RUN_COMPLETED:
                    run.status, run.completed_at = RUN_RUNNING, None
                return _state(session, run, terms)
        except IntegrityError:  # a concurrent start created the run or queued an item
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class _Context:
    """What a run reads once: programmes and exporter facts (cached across batches)."""

    programmes: list[tuple[int, Programme]]
    facts: dict[tuple[int, str], ExporterFacts | None]


def _context(session: Session) -> _Context:
    return _Context([(row.id, subsidies.to_programme(row))
                     for row in subsidies.all_programmes(session)], {})


def _splits(session: Session, ctx: _Context, notices: list[repository.NewNotice],
            month: date) -> dict[int, dict[str, Money]]:
    """Split every notice between its exporter and the programmes, recording each decision."""
    owes: dict[int, dict[str, Money]] = {n.id: {} for n in notices}
    left = {n.id: n.total_minor for n in notices}
    rows: list[dict[str, object]] = []
    for programme_id, programme in ctx.programmes:
        relevant = [n for n in notices if n.currency == programme.currency]
        if not relevant:
            continue
        decisions: dict[int, EligibilityDecision] = {}
        for n in relevant:
            key = (n.exporter_org_id, programme.currency)
            if key not in ctx.facts:
                ctx.facts[key] = subsidies.exporter_facts(
                    session, exporter_org_id=n.exporter_org_id, currency=programme.currency)
            decisions[n.id] = subsidies.exporter_decision(programme, ctx.facts[key],
                                                          month=month)
        asked: dict[int, tuple[int, int]] = {}
        rules = repository.ShipmentRules(programme.hs_chapters, programme.destination_countries,
                                         programme.valid_from, programme.valid_to)
        for share in sorted({d.share for d in decisions.values() if d.eligible}):
            asked.update(repository.requests(
                session, notice_ids=[n.id for n in relevant if decisions[n.id].eligible
                                     and decisions[n.id].share == share],
                share=share, rules=rules))
        requests = [subsidies.Request(n.exporter_org_id, asked.get(n.id, (0, 0))[1],
                                      left[n.id]) for n in relevant]
        grants = subsidies.grant(session, programme_id=programme_id, year=month.year,
                                 requests=requests)
        for n, request, granted in zip(relevant, requests, grants, strict=True):
            decision = decisions[n.id]
            lines = asked.get(n.id, (0, 0))[0]
            explanation = decision.explanation
            if decision.eligible and lines == 0:
                explanation = "no line of the notice meets the programme's shipment rules"
            elif decision.eligible:
                explanation = f"{explanation} ({lines} eligible line(s))"
            rows.append({
                "notice_id": n.id, "programme_id": programme_id, "eligible": decision.eligible,
                "share": decision.share, "rule_applied": decision.rule_applied.value,
                "explanation": explanation, "eligible_lines": lines,
                "requested_minor": request.requested_minor,
                "granted_minor": granted.granted_minor,
                "limited_by": granted.limited_by.value if granted.limited_by else None,
                "paid_minor": 0})
            if granted.granted_minor:
                left[n.id] -= granted.granted_minor
                owes[n.id][programme.code] = Money.from_minor(granted.granted_minor, n.currency)
    if rows:
        session.execute(insert(NoticeSplit), rows)
        repository.settle_exporter_shares(session, notice_ids=[n.id for n in notices])
    return owes


def bill_batch(
    session: Session, *, principal: Principal, run: BillingRun, terms: BillingTerms,
    size: int = DEFAULT_BATCH, ctx: _Context | None = None,
) -> int:
    """Bill up to ``size`` queued policies of ``run`` in the caller's transaction.

    Returns the number of items taken (0 when nothing is left for this worker).
    """
    items = repository.pick(session, run_id=run.id, size=size)
    if not items:
        return 0
    ctx = ctx or _context(session)
    first, last = run.month, month_end(run.month)
    due = run.issue_date + timedelta(days=terms.payment_days)
    notices = repository.insert_notices(
        session, run_id=run.id, policy_ids=[p for _, p in items], month=first, end=last,
        issue_date=run.issue_date, due_date=due, now=utc_now())
    if notices:
        repository.insert_lines(session, notice_ids=[n.id for n in notices], start=first,
                                end=last)
        owes = _splits(session, ctx, notices, first) if ctx.programmes else {}
        entries: list[JournalEntry] = []
        for n in notices:
            programme_owes = owes.get(n.id, {})
            granted = sum((m.minor_units() for m in programme_owes.values()), 0)
            entries.append(premium_billed(
                key=f"notice:{n.id}", posted_on=run.issue_date,
                notice_ref=f"notice {n.id} ({first:%Y-%m}, policy {n.policy_id})",
                exporter_id=n.exporter_org_id,
                exporter_owes=Money.from_minor(n.total_minor - granted, n.currency),
                programme_owes=programme_owes))
        ledger.post(session, entries=entries)
        audit.record(session, org_id=principal.org_id, actor=principal.actor,
                     action="billing.notices_issued", entity_type="billing_run",
                     entity_id=run.id, after={
                         "month": f"{first:%Y-%m}", "notices": [n.id for n in notices],
                         "policies": [n.policy_id for n in notices],
                         "total_minor": sum(n.total_minor for n in notices)})
    repository.mark_done(session, item_ids=[i for i, _ in items])
    return len(items)


ProgressCallback = Callable[[int, int], None]
"""Called with (items done so far in this call, items pending at start)."""


def _finish(factory: sessionmaker[Session], run_id: int) -> None:
    with transaction(factory) as session:
        if repository.pending_count(session, run_id=run_id) == 0:
            session.execute(update(BillingRun).where(BillingRun.id == run_id,
                                                     BillingRun.status == RUN_RUNNING)
                            .values(status=RUN_COMPLETED, completed_at=utc_now()))


def _worker(factory: sessionmaker[Session], principal: Principal, run_id: int,
            terms: BillingTerms, size: int, progress: Callable[[int], None]) -> None:
    ctx: _Context | None = None
    while True:
        for attempt in range(5):
            try:
                with transaction(factory) as session:
                    run = session.get(BillingRun, run_id)
                    assert run is not None
                    ctx = ctx or _context(session)
                    taken = bill_batch(session, principal=principal, run=run, terms=terms,
                                       size=size, ctx=ctx)
                break
            except OperationalError:  # deadlock or serialization failure: retry the batch
                if attempt == 4:
                    raise
        if not taken:
            return
        progress(taken)


def run_month(
    factory: sessionmaker[Session], *, principal: Principal, month: str, issue_date: date,
    terms: BillingTerms, batch_size: int = DEFAULT_BATCH, workers: int = 1,
    on_progress: ProgressCallback | None = None,
) -> RunState:
    """Bill ``month`` completely (start or resume), with ``workers`` parallel workers."""
    if not 1 <= batch_size <= 10_000:
        raise ValidationFailed("batch size must be 1 to 10000", code="batch_out_of_range",
                               field="batch_size")
    state = start_run(factory, principal=principal, month=month, issue_date=issue_date,
                      terms=terms)
    done = 0
    lock = threading.Lock()

    def progress(n: int) -> None:
        nonlocal done
        with lock:
            done += n
            if on_progress is not None:
                on_progress(done, state.pending)

    sqlite = factory.kw["bind"].dialect.name == "sqlite"
    count = 1 if sqlite else max(1, min(workers, 32))
    if count == 1:
        _worker(factory, principal, state.run_id, terms, batch_size, progress)
    else:
        errors: list[BaseException] = []

        def target() -> None:
            try:
                _worker(factory, principal, state.run_id, terms, batch_size, progress)
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=target) for _ in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
    _finish(factory, state.run_id)
    with factory() as session:
        run = session.get(BillingRun, state.run_id)
        assert run is not None
        return _state(session, run, terms)


def get_run(session: Session, *, principal: Principal, month: str, terms: BillingTerms
            ) -> RunState:
    """The state of ``month``'s run."""
    principal.require(Permission.BILLING_MANAGE)
    run = session.execute(select(BillingRun).where(BillingRun.month == month_start(month))
                          ).scalar_one_or_none()
    if run is None:
        raise NotFound(f"{month} has not been billed", code="billing_run_not_found")
    return _state(session, run, terms)


# --- arrears ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suspension:
    """A policy the arrears job suspended, and why."""

    policy_id: int
    notice_id: int
    days_past_due: int
    reason: str


def arrears_job(session: Session, *, principal: Principal, today: date, terms: BillingTerms
                ) -> list[Suspension]:
    """Suspend every active policy whose exporter premium is over-long unpaid."""
    principal.require(Permission.BILLING_MANAGE)
    cutoff = today - timedelta(days=terms.suspend_after_days)
    rows = session.execute(text(
        "SELECT n.policy_id, MIN(n.due_date), MIN(n.id) FROM premium_notices n "
        "JOIN policies p ON p.id = n.policy_id WHERE p.state = 'active' "
        "AND n.exporter_paid_minor < n.exporter_owed_minor AND n.due_date < :cutoff "
        "GROUP BY n.policy_id ORDER BY n.policy_id"), {"cutoff": cutoff}).all()
    done: list[Suspension] = []
    for policy_id, due, notice_id in rows:
        due_date = due if isinstance(due, date) else date.fromisoformat(str(due))
        days = (today - due_date).days
        reason = (f"premium notice {notice_id} is {days} days past due (more than "
                  f"{terms.suspend_after_days}): declarations are refused until it is paid")
        policies.suspend(session, principal=principal, policy_id=int(policy_id), reason=reason)
        done.append(Suspension(int(policy_id), int(notice_id), days, reason))
    return done
