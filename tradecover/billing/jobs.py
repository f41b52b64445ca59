"""The monthly billing run and the arrears job ([002], 8.2.3 items 5 and 7).

**Billing run.** :func:`start_run` creates the month's run once, fixing its issue date and
its *cutoff* (see :func:`tradecover.billing.run_queue.run_cutoff`), and queues every policy
with something to bill; :func:`bill_batch` bills a batch of queued policies in ONE
transaction.  A notice never copies its declarations: it bills them by membership (policy,
period, cutoff; see :mod:`tradecover.billing.model`), one *part* for the month billed and
one *adjustment part* for each earlier billed month whose declarations changed since it was
last billed (declared late: + premium; corrected or cancelled: - premium), so that every
declaration is billed exactly once and every change is a visible line on the next notice.
At enqueue (:mod:`tradecover.billing.run_queue`): one aggregate per period over every policy
(counts, signed totals and every programme's request in one pass), stored on the items.  Per
batch: the items' sums, the subsidy split of every notice with the eligibility decision and
rule recorded (:mod:`tradecover.billing.notice_split`), the programmes' usage (conditional
updates), then multi-row inserts of the notices, parts, splits and one balanced ledger entry
per notice, credit notes applied to older unpaid notices
(:func:`tradecover.billing.credit_notes.apply_credits`), an audit entry, and the items
marked done.  A crash loses at most the open batch; a rerun picks up what is pending with
the same cutoff.  ``(month, policy)`` is unique on the notices, so nothing is ever billed
twice, and items are picked with ``FOR UPDATE SKIP LOCKED`` so that several workers share a
run.  :func:`run_month` drives it all with a progress callback.

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

from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tradecover import audit, coinsurance, events, ledger, market, policies, subsidies
from tradecover.access import Permission, Principal
from tradecover.billing import credit_notes, repository
from tradecover.billing.model import (
    RUN_COMPLETED,
    RUN_RUNNING,
    BillingRun,
    NoticeSplit,
    PremiumNotice,
    PremiumNoticePart,
)
from tradecover.billing.notice import BillingTerms, month_end, month_start
from tradecover.billing.notice_split import (
    NoticeDraft,
    RunContext,
    programme_decisions,
    run_context,
    split_notices,
)
from tradecover.billing.run_queue import enqueue, run_cutoff, stored_sums
from tradecover.db.engine import transaction
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, ValidationFailed
from tradecover.kit.money import Money
from tradecover.ledger import premium_billed

DEFAULT_BATCH = 1000
"""Policies billed per transaction (memory per batch: one small record per policy)."""


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
    return RunState(
        run.id,
        run.month,
        run.issue_date,
        run.issue_date + timedelta(days=terms.payment_days),
        run.status,
        repository.item_count(session, run_id=run.id),
        repository.pending_count(session, run_id=run.id),
    )


def start_run(
    factory: sessionmaker[Session],
    *,
    principal: Principal,
    month: str,
    issue_date: date,
    terms: BillingTerms,
) -> RunState:
    """Create the run of ``month`` (or resume it) and queue what is left to bill."""
    principal.require(Permission.BILLING_MANAGE)
    first = month_start(month)
    last = month_end(first)
    for attempt in range(3):
        try:
            with transaction(factory) as session:
                run = session.execute(
                    select(BillingRun).where(BillingRun.month == first)
                ).scalar_one_or_none()
                if run is None:
                    if issue_date <= last:
                        raise ValidationFailed(
                            f"{month} can be billed from {last + timedelta(days=1)}",
                            code="notice_before_month_end",
                            field="month",
                        )
                    run = BillingRun(
                        month=first,
                        issue_date=issue_date,
                        status=RUN_RUNNING,
                        cutoff=run_cutoff(session),
                        started_at=utc_now(),
                        started_by=principal.actor,
                    )
                    session.add(run)
                    session.flush()
                queued = enqueue(session, run)
                if queued and run.status == RUN_COMPLETED:
                    run.status, run.completed_at = RUN_RUNNING, None
                return _state(session, run, terms)
        except IntegrityError:  # a concurrent start created the run or queued an item
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def bill_batch(
    session: Session,
    *,
    principal: Principal,
    run: BillingRun,
    terms: BillingTerms,
    size: int = DEFAULT_BATCH,
    ctx: RunContext | None = None,
) -> int:
    """Bill up to ``size`` queued policies of ``run`` in the caller's transaction.

    A handful of statements per batch, whatever its size: the sums stored at enqueue (or
    one aggregate per period when they are missing), one bulk insert each for notices,
    parts, splits, ledger entries and their lines, one audit entry, one update of the
    items.  Returns the number of items
    taken (0 when nothing is left for this worker).
    """
    items = repository.pick(session, run_id=run.id, size=size)
    if not items:
        return 0
    ctx = ctx or run_context(session, run)
    first = run.month
    due = run.issue_date + timedelta(days=terms.payment_days)
    done = repository.billed_policies(session, month=first, policy_ids=[p for _, p, _ in items])
    facts = repository.policy_facts(session, policy_ids=[p for _, p, _ in items if p not in done])
    decisions, asks = programme_decisions(session, ctx, facts, first)
    ask_cols = [repository.Ask(share, rules) for _, share, rules in asks]
    drafts: dict[int, NoticeDraft] = {}
    stored = stored_sums(items, set(facts), asks)
    for period in ctx.periods:
        sums = (
            stored.get(period.start, {})
            if stored is not None
            else repository.part_sums(
                session, policy_ids=sorted(facts), period=period, cutoff=run.cutoff, asks=ask_cols
            )
        )
        for policy_id, part in sums.items():
            org_id, currency = facts[policy_id]
            drafts.setdefault(
                policy_id, NoticeDraft(policy_id, org_id, currency, [], {}, [])
            ).parts.append((period, part))
    notices = [drafts[p] for p in sorted(drafts)]
    if notices:
        usages = split_notices(session, ctx, notices, decisions, asks, first)
        now = utc_now()
        by_policy = {
            int(p): int(i)
            for i, p in ledger.insert_rows(
                session,
                PremiumNotice,
                [
                    {
                        "run_id": run.id,
                        "policy_id": d.policy_id,
                        "exporter_org_id": d.exporter_org_id,
                        "month": first,
                        "issue_date": run.issue_date,
                        "due_date": due,
                        "currency": d.currency,
                        "line_count": d.line_count,
                        "total_minor": d.total_minor,
                        "exporter_owed_minor": d.total_minor
                        - sum(m.minor_units() for m in d.owes.values()),
                        "exporter_paid_minor": 0,
                        "created_at": now,
                    }
                    for d in notices
                ],
                returning=("id", "policy_id"),
            )
        }
        ids = [by_policy[d.policy_id] for d in notices]
        ledger.insert_rows(
            session,
            PremiumNoticePart,
            [
                {
                    "notice_id": nid,
                    "policy_id": d.policy_id,
                    "period_start": period.start,
                    "period_end": period.end,
                    "cutoff": run.cutoff,
                    "since": period.since,
                    "line_count": part.line_count,
                    "amount_minor": part.amount_minor,
                }
                for nid, d in zip(ids, notices, strict=True)
                for period, part in d.parts
            ],
        )
        ledger.insert_rows(
            session,
            NoticeSplit,
            [
                {"notice_id": nid, **row}
                for nid, d in zip(ids, notices, strict=True)
                for row in d.split_rows
            ],
        )
        ledger.post(
            session,
            entries=[
                premium_billed(
                    key=f"notice:{nid}",
                    posted_on=run.issue_date,
                    notice_ref=f"notice {nid} ({first:%Y-%m}, policy {d.policy_id})",
                    exporter_id=d.exporter_org_id,
                    exporter_owes=Money.from_minor(
                        d.total_minor - sum(m.minor_units() for m in d.owes.values()), d.currency
                    ),
                    programme_owes=d.owes,
                )
                for nid, d in zip(ids, notices, strict=True)
                if d.total_minor or d.owes
            ],
        )
        coinsurance.allocate(  # each insurer's share of a coinsured notice [domain CO-7]
            session,
            [
                coinsurance.Split(
                    coinsurance.SOURCE_NOTICE,
                    nid,
                    d.policy_id,
                    d.currency,
                    first,
                    run.issue_date,
                    {
                        "exporter": d.total_minor - sum(m.minor_units() for m in d.owes.values()),
                        **{f"programme:{c}": m.minor_units() for c, m in d.owes.items()},
                    },
                )
                for nid, d in zip(ids, notices, strict=True)
                if d.total_minor or d.owes
            ],
        )
        market.allocate_to_carriers(  # each carrier's premium, double insurance [domain MK-13]
            session,
            [
                market.CarrierSplit(
                    "notice",
                    nid,
                    d.policy_id,
                    d.currency,
                    run.issue_date,
                    {
                        "exporter": d.total_minor - sum(m.minor_units() for m in d.owes.values()),
                        **{f"programme:{c}": m.minor_units() for c, m in d.owes.items()},
                    },
                )
                for nid, d in zip(ids, notices, strict=True)
                if d.total_minor or d.owes
            ],
        )
        audit.record(
            session,
            org_id=principal.org_id,
            actor=principal.actor,
            action="billing.notices_issued",
            entity_type="billing_run",
            entity_id=run.id,
            after={
                "month": f"{first:%Y-%m}",
                "cutoff": run.cutoff.isoformat(),
                "notices": ids,
                "policies": [d.policy_id for d in notices],
                "total_minor": sum(d.total_minor for d in notices),
            },
        )
        events.record_events(
            session,
            [
                events.PendingEvent(
                    "notice.issued",
                    f"premium_notice:{nid}",
                    {
                        "notice_id": nid,
                        "policy_id": d.policy_id,
                        "month": f"{first:%Y-%m}",
                        "total_amount": str(Money.from_minor(d.total_minor, d.currency).amount),
                        "currency": d.currency,
                        "due_date": due,
                    },
                    d.exporter_org_id,
                )
                for nid, d in zip(ids, notices, strict=True)
            ],
        )
        # credit notes settle older unpaid notices; older credit settles the new notices
        credit_notes.apply_credits(
            session,
            actor=principal.actor,
            on=run.issue_date,
            policy_ids=[d.policy_id for d in notices],
        )
        # last: the programmes' usage rows stay locked only until the commit
        for usage in usages:
            subsidies.apply_usage(session, usage)
    repository.mark_done(session, item_ids=[i for i, _, _ in items])
    return len(items)


ProgressCallback = Callable[[int, int], None]
"""Called with (items done so far in this call, items pending at start)."""


def _finish(factory: sessionmaker[Session], run_id: int) -> None:
    with transaction(factory) as session:
        if repository.pending_count(session, run_id=run_id) == 0:
            session.execute(
                update(BillingRun)
                .where(BillingRun.id == run_id, BillingRun.status == RUN_RUNNING)
                .values(status=RUN_COMPLETED, completed_at=utc_now())
            )


def _worker(
    factory: sessionmaker[Session],
    principal: Principal,
    run_id: int,
    terms: BillingTerms,
    size: int,
    progress: Callable[[int], None],
) -> None:
    ctx: RunContext | None = None
    while True:
        for attempt in range(5):
            try:
                with transaction(factory) as session:
                    run = session.get(BillingRun, run_id)
                    assert run is not None
                    ctx = ctx or run_context(session, run)
                    taken = bill_batch(
                        session, principal=principal, run=run, terms=terms, size=size, ctx=ctx
                    )
                break
            except (OperationalError, IntegrityError):
                # deadlock, serialization failure, or a row created by a concurrent worker
                if attempt == 4:
                    raise
            except Conflict as error:  # a concurrent batch took a programme's room first
                if error.code != "subsidy_cap_race" or attempt == 4:
                    raise
        if not taken:
            return
        progress(taken)


def run_month(
    factory: sessionmaker[Session],
    *,
    principal: Principal,
    month: str,
    issue_date: date,
    terms: BillingTerms,
    batch_size: int = DEFAULT_BATCH,
    workers: int = 1,
    on_progress: ProgressCallback | None = None,
) -> RunState:
    """Bill ``month`` completely (start or resume), with ``workers`` parallel workers."""
    if not 1 <= batch_size <= 10_000:
        raise ValidationFailed(
            "batch size must be 1 to 10000", code="batch_out_of_range", field="batch_size"
        )
    state = start_run(factory, principal=principal, month=month, issue_date=issue_date, terms=terms)
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


def get_run(session: Session, *, principal: Principal, month: str, terms: BillingTerms) -> RunState:
    """The state of ``month``'s run."""
    principal.require(Permission.BILLING_MANAGE)
    run = session.execute(
        select(BillingRun).where(BillingRun.month == month_start(month))
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


def tell_overdue(session: Session, *, today: date) -> int:
    """Record ``notice.overdue`` once for every notice whose exporter share is unpaid
    after its due date (a notice already told is not told again); returns how many.
    """
    rows = session.execute(
        select(
            PremiumNotice.id,
            PremiumNotice.policy_id,
            PremiumNotice.exporter_org_id,
            PremiumNotice.currency,
            PremiumNotice.exporter_owed_minor - PremiumNotice.exporter_paid_minor,
            PremiumNotice.due_date,
        )
        .where(
            PremiumNotice.exporter_paid_minor < PremiumNotice.exporter_owed_minor,
            PremiumNotice.due_date < today,
        )
        .order_by(PremiumNotice.id)
    ).all()
    told = events.recorded_subjects(
        session, "notice.overdue", [f"premium_notice:{row[0]}" for row in rows]
    )
    pending = [
        events.PendingEvent(
            "notice.overdue",
            f"premium_notice:{notice_id}",
            {
                "notice_id": notice_id,
                "policy_id": policy_id,
                "outstanding_amount": str(Money.from_minor(owed, currency).amount),
                "currency": currency,
                "due_date": due_date,
            },
            org_id,
        )
        for notice_id, policy_id, org_id, currency, owed, due_date in rows
        if f"premium_notice:{notice_id}" not in told
    ]
    events.record_events(session, pending)
    return len(pending)


def arrears_job(
    session: Session, *, principal: Principal, today: date, terms: BillingTerms
) -> list[Suspension]:
    """Suspend every active policy whose exporter premium is over-long unpaid."""
    principal.require(Permission.BILLING_MANAGE)
    # credit notes first: a policy whose premium was credited is not in arrears
    credit_notes.apply_credits(session, actor=principal.actor, on=today)
    tell_overdue(session, today=today)
    cutoff = today - timedelta(days=terms.suspend_after_days)
    rows = session.execute(
        text(
            "SELECT n.policy_id, MIN(n.due_date), MIN(n.id) FROM premium_notices n "
            "JOIN policies p ON p.id = n.policy_id WHERE p.state = 'active' "
            "AND n.exporter_paid_minor < n.exporter_owed_minor AND n.due_date < :cutoff "
            "GROUP BY n.policy_id ORDER BY n.policy_id"
        ),
        {"cutoff": cutoff},
    ).all()
    done: list[Suspension] = []
    for policy_id, due, notice_id in rows:
        due_date = due if isinstance(due, date) else date.fromisoformat(str(due))
        days = (today - due_date).days
        reason = (
            f"premium notice {notice_id} is {days} days past due (more than "
            f"{terms.suspend_after_days}): declarations are refused until it is paid"
        )
        policies.suspend(
            session, principal=principal, policy_id=int(policy_id), reason=reason, today=today
        )
        done.append(Suspension(int(policy_id), int(notice_id), days, reason))
    return done
