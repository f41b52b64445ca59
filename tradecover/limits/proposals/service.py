"""Use cases of under-used limits: the job that proposes reductions, and the underwriter's
accept / dismiss (one or many).

The job (:func:`propose_reductions`) judges every active limit with
:mod:`tradecover.limits.under_use`: the peak outstanding over the window is rebuilt from
the limit's declarations and collection confirmations.  It writes a ``pending`` proposal
per under-used limit (none while one is pending, none for a full period after a
dismissal) and lapses pending proposals whose limit changed or ended.  Accepting a
proposal reduces the limit through :func:`tradecover.limits.service.change_by_insurer`
(new version from today, a notice to the exporter; shipments already made keep their
cover).  Every change is audited; services never commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Permission, Principal
from tradecover.config import Settings
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import service
from tradecover.limits.model import CreditLimit, CreditLimitVersion, LimitReductionProposal
from tradecover.limits.request import RequestType
from tradecover.limits.under_use import (
    Exposure,
    UnderUseRule,
    peak_outstanding,
    propose_reduction,
)

PENDING = "pending"
ACCEPTED = "accepted"
DISMISSED = "dismissed"
LAPSED = "lapsed"
STATUSES = (PENDING, ACCEPTED, DISMISSED, LAPSED)


class ExposureSource(Protocol):
    """Reads the declared shipments that may have been outstanding on limits: the read
    side's :func:`tradecover.reporting.limit_exposures`, handed in by the edge.
    """

    def __call__(
        self, session: Session, *, limits: Mapping[int, str], start: date, today: date
    ) -> Mapping[int, list[Exposure]]:
        """The exposures of each limit (id to currency) in the window, in its currency."""
        ...


def rule_from_settings(
    settings: Settings, *, max_share: Decimal | None = None, period_days: int | None = None
) -> UnderUseRule:
    """The configured under-use rule, with the share and period optionally overridden."""
    rule = UnderUseRule(
        max_share=max_share if max_share is not None else settings.limit_under_use_share,
        period_days=period_days if period_days is not None else settings.limit_under_use_days,
        target_share=settings.limit_under_use_target_share,
        round_to=settings.limit_under_use_round_to,
    )
    rule.check()
    return rule


def _require_underwriter(principal: Principal) -> None:
    principal.require(Permission.LIMIT_MANAGE)
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer handles reduction proposals", code="forbidden")


def _lapse_outdated(session: Session, *, principal: Principal, today: date) -> list[int]:
    rows = session.execute(
        select(LimitReductionProposal, CreditLimit.status, CreditLimit.current_version)
        .join(CreditLimit, CreditLimit.id == LimitReductionProposal.limit_id)
        .where(
            LimitReductionProposal.status == PENDING,
            (CreditLimit.status != "active")
            | (CreditLimit.current_version != LimitReductionProposal.limit_version),
        )
        .order_by(LimitReductionProposal.id)
    ).all()
    lapsed = []
    for proposal, status, version in rows:
        _decide(
            session,
            principal=principal,
            proposal=proposal,
            status=LAPSED,
            today=today,
            reason=f"limit is {status}, version {version}",
        )
        lapsed.append(proposal.id)
    return lapsed


@dataclass(frozen=True, slots=True)
class JobResult:
    """What one run of the under-use job did."""

    proposed: list[int] = field(default_factory=list)
    lapsed: list[int] = field(default_factory=list)


def propose_reductions(
    session: Session,
    *,
    principal: Principal,
    rule: UnderUseRule,
    today: date,
    read_exposures: ExposureSource,
    progress: Callable[[int, int], None] | None = None,
) -> JobResult:
    """Propose a reduction of every limit under-used over the rule's window (the job).

    Idempotent: a limit with a pending proposal gets no second one, and a dismissed
    one is judged again only on a window that starts after the dismissal.
    """
    _require_underwriter(principal)
    rule.check()
    lapsed = _lapse_outdated(session, principal=principal, today=today)
    start = rule.window_start(today)
    p = LimitReductionProposal
    pending = select(p.limit_id).where(p.status == PENDING)
    dismissed = select(p.limit_id).where(p.status == DISMISSED, p.decided_on >= start)
    candidates = list(
        session.execute(
            select(CreditLimit, CreditLimitVersion.effective_from)
            .join(
                CreditLimitVersion,
                and_(
                    CreditLimitVersion.limit_id == CreditLimit.id,
                    CreditLimitVersion.number == CreditLimit.current_version,
                ),
            )
            .where(
                CreditLimit.status == "active",
                CreditLimit.amount_minor > 0,
                CreditLimitVersion.effective_from <= start,
                CreditLimit.id.not_in(pending),
                CreditLimit.id.not_in(dismissed),
            )
            .order_by(CreditLimit.id)
        ).all()
    )
    exposures = read_exposures(
        session, limits={c.id: c.currency for c, _ in candidates}, start=start, today=today
    )
    result = JobResult(lapsed=lapsed)
    now = utc_now()
    for done, (limit, in_force_since) in enumerate(candidates, start=1):
        approved = Money.from_minor(limit.amount_minor, limit.currency)
        peak = peak_outstanding(
            exposures.get(limit.id, []), currency=limit.currency, start=start, end=today
        )
        proposal = propose_reduction(
            approved=approved, in_force_since=in_force_since, peak=peak, today=today, rule=rule
        )
        if proposal is not None:
            row = LimitReductionProposal(
                org_id=limit.org_id,
                limit_id=limit.id,
                buyer_id=limit.buyer_id,
                limit_version=limit.current_version,
                currency=limit.currency,
                approved_minor=limit.amount_minor,
                peak_minor=peak.minor_units(),
                peak_share=proposal.peak_share,
                proposed_minor=proposal.proposed.minor_units(),
                max_share=rule.max_share,
                period_days=rule.period_days,
                window_start=proposal.window_start,
                proposed_on=today,
                status=PENDING,
                created_at=now,
                created_by=principal.actor,
            )
            session.add(row)
            session.flush()
            audit.record(
                session,
                org_id=principal.org_id,
                actor=principal.actor,
                action="limit.reduction_proposed",
                entity_type="limit_reduction_proposal",
                entity_id=row.id,
                reason=f"peak {peak} is {proposal.peak_share} of {approved} over "
                f"{rule.period_days} days",
                after={
                    "limit_id": limit.id,
                    "version": limit.current_version,
                    "peak": str(peak),
                    "proposed": str(proposal.proposed),
                },
            )
            result.proposed.append(row.id)
        if progress is not None:
            progress(done, len(candidates))
    return result


def get_proposal(
    session: Session, *, principal: Principal, proposal_id: int
) -> LimitReductionProposal:
    """One proposal (the insurer only)."""
    _require_underwriter(principal)
    row = session.get(LimitReductionProposal, proposal_id)
    if row is None:
        raise NotFound(
            f"no reduction proposal {proposal_id}", code="proposal_not_found", field="proposal_id"
        )
    return row


def list_proposals(
    session: Session,
    *,
    principal: Principal,
    status: str | None = PENDING,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[LimitReductionProposal], int]:
    """Proposals, oldest first (``status=None``: every status)."""
    _require_underwriter(principal)
    query = select(LimitReductionProposal)
    if status is not None:
        if status not in STATUSES:
            raise ValidationFailed(
                f"status is one of {', '.join(STATUSES)}", code="invalid_status", field="status"
            )
        query = query.where(LimitReductionProposal.status == status)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(LimitReductionProposal.id).limit(limit).offset(offset))
    return list(rows.scalars()), total


def _decide(
    session: Session,
    *,
    principal: Principal,
    proposal: LimitReductionProposal,
    status: str,
    today: date,
    reason: str | None,
    version_id: int | None = None,
) -> None:
    before = proposal.status
    proposal.status = status
    proposal.decided_on = today
    proposal.decided_at = utc_now()
    proposal.decided_by = principal.actor
    proposal.decision_reason = reason
    proposal.version_id = version_id
    session.flush()
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action=f"limit.reduction_{status}",
        entity_type="limit_reduction_proposal",
        entity_id=proposal.id,
        reason=reason,
        before={"status": before},
        after={"status": status, "limit_id": proposal.limit_id, "version_id": version_id},
    )


def _pending(proposal: LimitReductionProposal) -> None:
    if proposal.status != PENDING:
        raise Conflict(
            f"reduction proposal {proposal.id} is {proposal.status}",
            code="proposal_not_pending",
            field="proposal_id",
        )


def accept(
    session: Session,
    *,
    principal: Principal,
    proposal_id: int,
    today: date,
    reason: str | None = None,
    amount: Money | None = None,
) -> LimitReductionProposal:
    """Reduce the limit as proposed (or to ``amount``, below the limit): new version from
    today, a notice to the exporter; shipments already made keep their cover.
    """
    proposal = get_proposal(session, principal=principal, proposal_id=proposal_id)
    _pending(proposal)
    limit = session.get_one(CreditLimit, proposal.limit_id)
    if limit.status != "active" or limit.current_version != proposal.limit_version:
        raise Conflict(
            f"limit {limit.id} changed since the proposal",
            code="proposal_outdated",
            field="proposal_id",
        )
    target = amount or Money.from_minor(proposal.proposed_minor, proposal.currency)
    if target.currency != limit.currency:
        raise ValidationFailed(
            f"the limit is in {limit.currency}", code="currency_mismatch", field="currency"
        )
    if not 0 < target.minor_units() < limit.amount_minor:
        raise ValidationFailed(
            "a reduction is above zero and below the limit",
            code="amount_out_of_range",
            field="amount",
        )
    why = reason or (
        f"under-used: peak outstanding "
        f"{Money.from_minor(proposal.peak_minor, proposal.currency)} over "
        f"{proposal.period_days} days"
    )
    service.change_by_insurer(
        session,
        principal=principal,
        limit_id=limit.id,
        kind=RequestType.REDUCTION,
        amount=target,
        reason=why,
        today=today,
    )
    version_id = session.execute(
        select(CreditLimitVersion.id).where(
            CreditLimitVersion.limit_id == limit.id,
            CreditLimitVersion.number == limit.current_version,
        )
    ).scalar_one()
    _decide(
        session,
        principal=principal,
        proposal=proposal,
        status=ACCEPTED,
        today=today,
        reason=why,
        version_id=int(version_id),
    )
    return proposal


def dismiss(
    session: Session, *, principal: Principal, proposal_id: int, today: date, reason: str
) -> LimitReductionProposal:
    """Keep the limit as it is; it is judged again only after a full new period."""
    if not reason.strip():
        raise ValidationFailed("a reason is required", code="reason_required", field="reason")
    proposal = get_proposal(session, principal=principal, proposal_id=proposal_id)
    _pending(proposal)
    _decide(
        session,
        principal=principal,
        proposal=proposal,
        status=DISMISSED,
        today=today,
        reason=reason,
    )
    return proposal


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    """Proposals decided by a bulk call, and those left as they were (with why)."""

    decided: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)


def decide_many(
    session: Session,
    *,
    principal: Principal,
    proposal_ids: Sequence[int],
    action: str,
    today: date,
    reason: str | None = None,
) -> BulkOutcome:
    """Accept or dismiss many proposals in one transaction.

    A proposal that is no longer pending, or whose limit changed, is skipped with its
    reason; an unknown id refuses the whole call (nothing written).
    """
    _require_underwriter(principal)
    if action not in ("accept", "dismiss"):
        raise ValidationFailed("action is accept or dismiss", code="invalid_action", field="action")
    if action == "dismiss" and not (reason or "").strip():
        raise ValidationFailed("a reason is required", code="reason_required", field="reason")
    ids = sorted(set(proposal_ids))
    if not ids:
        raise ValidationFailed(
            "give at least one proposal", code="proposals_required", field="proposal_ids"
        )
    rows = {
        r.id: r
        for r in session.execute(
            select(LimitReductionProposal).where(LimitReductionProposal.id.in_(ids))
        ).scalars()
    }
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFound(
            f"no reduction proposal {missing[0]}", code="proposal_not_found", field="proposal_ids"
        )
    outcome = BulkOutcome()
    for proposal_id in ids:
        row = rows[proposal_id]
        if row.status != PENDING:
            outcome.skipped[proposal_id] = row.status
            continue
        limit = session.get_one(CreditLimit, row.limit_id)
        if limit.status != "active" or limit.current_version != row.limit_version:
            outcome.skipped[proposal_id] = "limit changed"
            continue
        if action == "accept":
            accept(
                session, principal=principal, proposal_id=proposal_id, today=today, reason=reason
            )
        else:
            dismiss(
                session,
                principal=principal,
                proposal_id=proposal_id,
                today=today,
                reason=reason or "",
            )
        outcome.decided.append(proposal_id)
    return outcome
