"""The monthly billing run and the arrears job ([002], 8.2.3 items 5 and 7).

**Billing run.** :func:`start_run` creates the month's run once, fixing its issue date and
its *cutoff* (see :func:`_cutoff`), and queues every policy with something to bill;
:func:`bill_batch` bills a batch of queued policies in ONE transaction.  A notice never
copies its declarations: it bills them by membership (policy, period, cutoff; see
:mod:`tradecover.billing.model`), one *part* for the month billed and one *adjustment part*
for each earlier billed month whose declarations changed since it was last billed
(declared late: + premium; corrected or cancelled: - premium), so that every declaration
is billed exactly once and every change is a visible line on the next notice.  At
enqueue: one aggregate per period over every policy (counts, signed totals and every
programme's request in one pass), stored on the items.  Per batch: the items' sums,
the subsidy split of every notice with the eligibility decision and rule recorded,
the programmes' usage (conditional updates), then multi-row inserts of the notices, parts,
splits and one balanced ledger entry per notice, credit notes applied to older unpaid
notices (:func:`tradecover.billing.service.apply_credits`), an audit entry, and the items
marked done.  A crash loses at most the open batch; a rerun picks up what is pending
with the same cutoff.  ``(month, policy)`` is unique on the notices, so nothing is ever billed
twice, and items are picked with ``FOR UPDATE SKIP LOCKED`` so that several workers share
a run.  :func:`run_month` drives it all with a progress callback.

**Arrears job.** :func:`arrears_job` suspends every active policy whose exporter share of
premium is more than ``suspend_after_days`` past due, through
:func:`tradecover.policies.service.suspend`; the attachment service then refuses new
declarations on it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tradecover import audit, ledger, policies, subsidies
from tradecover.access import Permission, Principal
from tradecover.billing import repository
from tradecover.billing import service as billing_service
from tradecover.billing.model import (
    ITEM_PENDING,
    RUN_COMPLETED,
    RUN_RUNNING,
    BillingRun,
    BillingRunItem,
    NoticeSplit,
    PremiumNotice,
    PremiumNoticePart,
)
from tradecover.billing.notice import BillingTerms, month_end, month_start
from tradecover.db.engine import transaction
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, ValidationFailed
from tradecover.kit.money import Money
from tradecover.ledger import premium_billed
from tradecover.subsidies import EligibilityDecision, ExporterFacts, Programme

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
    return RunState(run.id, run.month, run.issue_date,
                    run.issue_date + timedelta(days=terms.payment_days), run.status,
                    repository.item_count(session, run_id=run.id),
                    repository.pending_count(session, run_id=run.id))


def _cutoff(session: Session) -> datetime:
    """The instant the run bills up to: now, or just before the oldest open transaction.

    A declaration's ``declared_at`` (or ``ended_at``) is stamped inside its transaction,
    after it began.  On PostgreSQL a transaction that began before now may still commit a
    row stamped before now; taking the cutoff just before the oldest transaction still
    open guarantees that every row stamped at or before the cutoff is committed, so what
    the run counts is exactly what membership recomputes later.  (SQLite: ``BEGIN
    IMMEDIATE`` serialises writers, so every earlier writer has committed.)  A transaction
    left open for long only pulls the cutoff back: what it leaves out is billed by the next
    run's adjustment, never lost.  Assumes the application's and the database's clocks
    agree and that the database role sees its other sessions in ``pg_stat_activity``.
    """
    now = utc_now()
    if session.get_bind().dialect.name != "postgresql":
        return now
    oldest = session.execute(text(
        "SELECT MIN(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
        "AND backend_type = 'client backend' AND pid <> pg_backend_pid() "
        "AND xact_start IS NOT NULL")).scalar_one()
    if not isinstance(oldest, datetime):
        return now
    return min(now, oldest.astimezone(UTC) - timedelta(microseconds=1))


def periods(session: Session, run: BillingRun) -> list[repository.Period]:
    """The run's own month, then every earlier billed month to adjust since it was last billed.

    A month m was last billed at the latest cutoff, before this run's, of a run of m or of
    a later month (every run adjusts all earlier billed months).
    """
    runs = [(m if isinstance(m, date) else date.fromisoformat(str(m)), c) for m, c in
            session.execute(select(BillingRun.month, BillingRun.cutoff)
                            .where(BillingRun.cutoff < run.cutoff))]
    out = [repository.Period(run.month, month_end(run.month), None)]
    for month in sorted({m for m, _ in runs if m < run.month}):
        since = max(c for m, c in runs if m >= month)
        out.append(repository.Period(month, month_end(month), since))
    return out


def _ask_key(programme_id: int, share: Decimal) -> str:
    return f"{programme_id}:{share}"


def _all_asks(programmes: list[tuple[int, Programme]]) -> list[tuple[str, repository.Ask]]:
    """Every (programme, share) a decision can give: the share and each size tier's."""
    out: dict[str, repository.Ask] = {}
    for programme_id, programme in programmes:
        rules = repository.ShipmentRules(programme.hs_chapters, programme.destination_countries,
                                         programme.valid_from, programme.valid_to)
        for share in (programme.share, *(t.share for t in programme.size_tiers)):
            out.setdefault(_ask_key(programme_id, share), repository.Ask(share, rules))
    return list(out.items())


def _enqueue(session: Session, run: BillingRun) -> int:
    """Queue every policy with members in a period, not queued yet, with its part sums.

    One aggregate per period over ALL policies (a pass like the bare aggregation), with
    every (programme, share) a decision can give as a column, stored on the item as JSON
    (``{"asks": [keys], "parts": [[period start, count, signed sum, [[n, asked]...]]]}``):
    a batch then reads its sums instead of summing the declarations again.  The sums are a
    pure function of the run's cutoff and periods (membership), so a resumed run reads
    what it would recompute.
    """
    programmes = [(row.id, subsidies.to_programme(row))
                  for row in subsidies.all_programmes(session)]
    asks = _all_asks(programmes)
    keys = [k for k, _ in asks]
    queued = repository.queued_policies(session, run_id=run.id)
    parts: dict[int, list[list[object]]] = {}
    for period in periods(session, run):
        for policy_id, part in repository.part_sums(
                session, policy_ids=None, period=period, cutoff=run.cutoff,
                asks=[a for _, a in asks]).items():
            if policy_id not in queued:
                parts.setdefault(policy_id, []).append(
                    [period.start.isoformat(), part.line_count, part.amount_minor,
                     [list(a) for a in part.asks]])
    ledger.insert_rows(session, BillingRunItem, [
        {"run_id": run.id, "policy_id": policy_id, "status": ITEM_PENDING,
         "sums": json.dumps({"asks": keys, "parts": mine}, separators=(",", ":"))}
        for policy_id, mine in sorted(parts.items())])
    return len(parts)


def _stored_sums(items: list[tuple[int, int, str | None]], policy_ids: set[int],
                 asks: list[tuple[int, Decimal, repository.ShipmentRules]]
                 ) -> dict[date, dict[int, repository.PartSums]] | None:
    """The batch's part sums as stored at enqueue, in the batch's ask order.

    None when an item has none (queued before they were stored) or lacks an ask (a
    programme created after the enqueue): the batch then sums the declarations itself.
    """
    out: dict[date, dict[int, repository.PartSums]] = {}
    for _, policy_id, raw in items:
        if policy_id not in policy_ids:
            continue
        if raw is None:
            return None
        stored = json.loads(raw)
        where = {k: i for i, k in enumerate(stored["asks"])}
        try:
            order = [where[_ask_key(pid, share)] for pid, share, _ in asks]
        except KeyError:
            return None
        for start, count, amount, asked in stored["parts"]:
            out.setdefault(date.fromisoformat(start), {})[policy_id] = repository.PartSums(
                policy_id, int(count), int(amount),
                tuple((int(asked[i][0]), int(asked[i][1])) for i in order))
    return out


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
                                     cutoff=_cutoff(session), started_at=utc_now(),
                                     started_by=principal.actor)
                    session.add(run)
                    session.flush()
                queued = _enqueue(session, run)
                if queued and run.status == RUN_COMPLETED:
                    run.status, run.completed_at = RUN_RUNNING, None
                return _state(session, run, terms)
        except IntegrityError:  # a concurrent start created the run or queued an item
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class _Context:
    """What a run reads once: programmes, exporter facts and periods (cached across batches)."""

    programmes: list[tuple[int, Programme]]
    facts: dict[tuple[int, str], ExporterFacts | None]
    periods: list[repository.Period]
    decided: dict[tuple[int, int, str], EligibilityDecision] = field(default_factory=dict)


def _context(session: Session, run: BillingRun) -> _Context:
    return _Context([(row.id, subsidies.to_programme(row))
                     for row in subsidies.all_programmes(session)], {}, periods(session, run))


@dataclass
class _Draft:
    """A notice being built for one policy: its parts' sums, then its split."""

    policy_id: int
    exporter_org_id: int
    currency: str
    parts: list[tuple[repository.Period, repository.PartSums]]
    owes: dict[str, Money]
    split_rows: list[dict[str, object]]

    @property
    def total_minor(self) -> int:
        """Signed sum of the parts."""
        return sum(p.amount_minor for _, p in self.parts)

    @property
    def line_count(self) -> int:
        """Members of all parts."""
        return sum(p.line_count for _, p in self.parts)


def _decisions(session: Session, ctx: _Context, facts: dict[int, tuple[int, str]],
               month: date) -> tuple[dict[tuple[int, int], EligibilityDecision], list[
                   tuple[int, Decimal, repository.ShipmentRules]]]:
    """Each programme's exporter-level decision per policy, and the asks they need."""
    decisions: dict[tuple[int, int], EligibilityDecision] = {}
    asks: dict[tuple[int, Decimal], repository.ShipmentRules] = {}
    for currency in {c for _, c in facts.values()}:
        unknown = sorted({o for o, c in facts.values() if c == currency
                          and (o, c) not in ctx.facts})
        ctx.facts.update(((o, currency), f) for o, f in subsidies.exporters_facts(
            session, exporter_org_ids=unknown, currency=currency).items())
    for programme_id, programme in ctx.programmes:
        rules = repository.ShipmentRules(programme.hs_chapters, programme.destination_countries,
                                         programme.valid_from, programme.valid_to)
        for policy_id, (org_id, currency) in facts.items():
            if currency != programme.currency:
                continue
            known = (programme_id, org_id, currency)
            decision = ctx.decided.get(known)
            if decision is None:  # exporter-level: the same for all its policies this run
                decision = ctx.decided[known] = subsidies.exporter_decision(
                    programme, ctx.facts[(org_id, currency)], month=month)
            decisions[(programme_id, policy_id)] = decision
            if decision.eligible:
                asks[(programme_id, decision.share)] = rules
    return decisions, [(pid, share, rules) for (pid, share), rules in asks.items()]


def _split(session: Session, ctx: _Context, drafts: list[_Draft],
           decisions: dict[tuple[int, int], EligibilityDecision],
           asks: list[tuple[int, Decimal, repository.ShipmentRules]], month: date
           ) -> list[subsidies.Usage]:
    """Split every draft between its exporter and the programmes, recording each decision.

    Returns what the grants move on the programmes' usage, for :func:`bill_batch` to apply
    last (see :func:`tradecover.subsidies.service.apply_usage`).
    """
    usages: list[subsidies.Usage] = []
    left = {d.policy_id: d.total_minor for d in drafts}
    index = {(pid, share): i for i, (pid, share, _) in enumerate(asks)}
    for programme_id, programme in ctx.programmes:
        relevant = [d for d in drafts if (programme_id, d.policy_id) in decisions]
        if not relevant:
            continue
        asked: dict[int, tuple[int, int]] = {}
        for d in relevant:
            decision = decisions[(programme_id, d.policy_id)]
            if not decision.eligible:
                continue
            i = index[(programme_id, decision.share)]
            asked[d.policy_id] = (sum(p.asks[i][0] for _, p in d.parts),
                                  sum(p.asks[i][1] for _, p in d.parts))
        requests = [subsidies.Request(d.exporter_org_id, asked.get(d.policy_id, (0, 0))[1],
                                      left[d.policy_id]) for d in relevant]
        grants, usage = subsidies.plan_grants(session, programme_id=programme_id,
                                              year=month.year, requests=requests)
        usages.append(usage)
        for d, request, granted in zip(relevant, requests, grants, strict=True):
            decision = decisions[(programme_id, d.policy_id)]
            lines = asked.get(d.policy_id, (0, 0))[0]
            explanation = decision.explanation
            if decision.eligible and lines == 0:
                explanation = "no line of the notice meets the programme's shipment rules"
            elif decision.eligible:
                explanation = f"{explanation} ({lines} eligible line(s))"
            d.split_rows.append({
                "programme_id": programme_id, "eligible": decision.eligible,
                "share": decision.share, "rule_applied": decision.rule_applied.value,
                "explanation": explanation, "eligible_lines": lines,
                "requested_minor": request.requested_minor,
                "granted_minor": granted.granted_minor,
                "limited_by": granted.limited_by.value if granted.limited_by else None,
                "paid_minor": 0})
            if granted.granted_minor:
                left[d.policy_id] -= granted.granted_minor
                d.owes[programme.code] = Money.from_minor(granted.granted_minor, d.currency)
    return usages


def bill_batch(
    session: Session, *, principal: Principal, run: BillingRun, terms: BillingTerms,
    size: int = DEFAULT_BATCH, ctx: _Context | None = None,
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
    ctx = ctx or _context(session, run)
    first = run.month
    due = run.issue_date + timedelta(days=terms.payment_days)
    done = repository.billed_policies(session, month=first, policy_ids=[p for _, p, _ in items])
    facts = repository.policy_facts(session,
                                    policy_ids=[p for _, p, _ in items if p not in done])
    decisions, asks = _decisions(session, ctx, facts, first)
    ask_cols = [repository.Ask(share, rules) for _, share, rules in asks]
    drafts: dict[int, _Draft] = {}
    stored = _stored_sums(items, set(facts), asks)
    for period in ctx.periods:
        sums = (stored.get(period.start, {}) if stored is not None else repository.part_sums(
            session, policy_ids=sorted(facts), period=period, cutoff=run.cutoff,
            asks=ask_cols))
        for policy_id, part in sums.items():
            org_id, currency = facts[policy_id]
            drafts.setdefault(policy_id, _Draft(policy_id, org_id, currency, [], {}, [])
                              ).parts.append((period, part))
    notices = [drafts[p] for p in sorted(drafts)]
    if notices:
        usages = _split(session, ctx, notices, decisions, asks, first)
        now = utc_now()
        by_policy = {int(p): int(i) for i, p in ledger.insert_rows(session, PremiumNotice, [
            {"run_id": run.id, "policy_id": d.policy_id, "exporter_org_id": d.exporter_org_id,
             "month": first, "issue_date": run.issue_date, "due_date": due,
             "currency": d.currency, "line_count": d.line_count, "total_minor": d.total_minor,
             "exporter_owed_minor": d.total_minor - sum(m.minor_units() for m in d.owes.values()),
             "exporter_paid_minor": 0, "created_at": now} for d in notices],
            returning=("id", "policy_id"))}
        ids = [by_policy[d.policy_id] for d in notices]
        ledger.insert_rows(session, PremiumNoticePart, [
            {"notice_id": nid, "policy_id": d.policy_id, "period_start": period.start,
             "period_end": period.end, "cutoff": run.cutoff, "since": period.since,
             "line_count": part.line_count, "amount_minor": part.amount_minor}
            for nid, d in zip(ids, notices, strict=True) for period, part in d.parts])
        ledger.insert_rows(session, NoticeSplit, [
            {"notice_id": nid, **row} for nid, d in zip(ids, notices, strict=True)
            for row in d.split_rows])
        ledger.post(session, entries=[premium_billed(
            key=f"notice:{nid}", posted_on=run.issue_date,
            notice_ref=f"notice {nid} ({first:%Y-%m}, policy {d.policy_id})",
            exporter_id=d.exporter_org_id,
            exporter_owes=Money.from_minor(d.total_minor - sum(
                m.minor_units() for m in d.owes.values()), d.currency),
            programme_owes=d.owes) for nid, d in zip(ids, notices, strict=True)
            if d.total_minor or d.owes])
        audit.record(session, org_id=principal.org_id, actor=principal.actor,
                     action="billing.notices_issued", entity_type="billing_run",
                     entity_id=run.id, after={
                         "month": f"{first:%Y-%m}", "cutoff": run.cutoff.isoformat(),
                         "notices": ids, "policies": [d.policy_id for d in notices],
                         "total_minor": sum(d.total_minor for d in notices)})
        # credit notes settle older unpaid notices; older credit settles the new notices
        billing_service.apply_credits(session, actor=principal.actor, on=run.issue_date,
                      policy_ids=[d.policy_id for d in notices])
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
                    ctx = ctx or _context(session, run)
                    taken = bill_batch(session, principal=principal, run=run, terms=terms,
                                       size=size, ctx=ctx)
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
    # credit notes first: a policy whose premium was credited is not in arrears
    billing_service.apply_credits(session, actor=principal.actor, on=today)
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
        policies.suspend(session, principal=principal, policy_id=int(policy_id), reason=reason,
                         today=today)
        done.append(Suspension(int(policy_id), int(notice_id), days, reason))
    return done
