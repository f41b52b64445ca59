"""Claims: filing, checking, deciding, paying and recoveries: the use cases.

Services never commit: the caller's transaction does.  Every change writes its audit
entry in the same transaction; approval, payment and recoveries post their journal
entries (:mod:`tradecover.ledger.service`) in it too.  A claim or a shipment of another
organisation answers exactly like a missing one (``NotFound``).

**Never paid twice.**  :func:`pay` moves the claim from ``approved`` to ``paid`` with ONE
conditional update (``... WHERE id = :id AND state = 'approved'``): of any number of
concurrent or retried payments exactly one updates the row; the others see the new
state and get ``claim_already_paid`` (409), and a rejected claim ``claim_rejected``.  The
payment's journal entry has the unique key ``claim:<id>:paid`` as a second wall.

**Claim terms are the policy's.**  The policy's schedule carries the indemnity
percentages, the maximum liability, the notice days and its own claim terms (claim filing
days, waiting period, waiting on insolvency, second-approval threshold, whether late
notices lose the claim); a term the policy leaves unset takes the installation default
(:class:`ClaimDefaults`, from the settings: :func:`defaults_of`).  :func:`terms_of_policy`
resolves them; the checks, the indemnity, the approval and the payment read them.

**Closing.**  :func:`close` ends a claim: a paid one is settled (``paid`` to ``closed``),
a rejected one is closed as rejected, a filed or checking one is withdrawn (the exporter
or a handler, with a reason); ``closure`` says which.  An approved, unpaid claim cannot
be closed (its indemnity is booked as payable: pay it).  Only a settled claim counts
against the maximum liability or takes recoveries; a withdrawn or rejected one frees
its shipments for a new claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tradecover import audit, collections, declarations, ledger, policies
from tradecover import limits as credit_limits
from tradecover.access import Permission, Principal
from tradecover.billing import DEFAULT_TERMS as BILLING_TERMS
from tradecover.claims.checks import (
    CheckName,
    CheckOutcome,
    ClaimCheck,
    ClaimFacts,
    ShipmentClaimFacts,
    WholeTurnoverFacts,
    ensure_approvable,
    run_checks,
)
from tradecover.claims.documents.service import ensure_documents_complete
from tradecover.claims.indemnity import (
    ClaimDefaults,
    ClaimEvent,
    ClaimLine,
    ClaimState,
    ClaimTerms,
    IndemnityTerms,
    LossCause,
    check_four_eyes,
    check_waiting_period,
    claim_terms_for,
    compute_indemnity,
    earliest_payment_date,
    next_claim_state,
    requires_second_approval,
)
from tradecover.claims.model import ClaimLineRow, ClaimRow, RecoveryRow
from tradecover.claims.recovery import (
    RecoverySource,
    book_approval,
    book_payment,
    book_recovery,
    check_rights_transferred,
    share_recovery,
)
from tradecover.claims.scoping_repository import visible_claims
from tradecover.claims.speed import ClaimTimeline
from tradecover.claims.standing_repository import (
    liability_rulings,
    premium_rulings,
    refresh_standing_checks,
)
from tradecover.config import Settings
from tradecover.declarations import CoverReason
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import LimitVersion, RequestType
from tradecover.policies import Policy, claim_terms_from_dict

if TYPE_CHECKING:
    from tradecover.collections import OpenNotice

NO_LIMIT_ID = 0
"""The limit id of a claimed shipment that had no limit (it covers nothing)."""
CLOSURE_SETTLED = "settled"
CLOSURE_REJECTED = "rejected"
CLOSURE_WITHDRAWN = "withdrawn"
DEFAULT_DEFAULTS = ClaimDefaults()
"""The installation defaults when the caller has no settings (tests, the demo)."""


def defaults_of(settings: Settings) -> ClaimDefaults:
    """The claim terms configured for this installation (a policy may set its own)."""
    return ClaimDefaults(claim_filing_days=settings.claim_filing_days,
                         waiting_period_days=settings.claim_waiting_period_days,
                         second_approval_above=Decimal(settings.claim_second_approval_above))


def terms_of_policy(policy: Policy, defaults: ClaimDefaults = DEFAULT_DEFAULTS) -> ClaimTerms:
    """The policy's claim terms: its own, the installation's where it sets none."""
    return claim_terms_for(claim_terms_from_dict(policy.claim_terms),
                           currency=policy.currency, defaults=defaults)


def _counted() -> Any:
    """Claims whose indemnity is owed or paid: approved, paid, or closed after payment."""
    return (ClaimRow.state.in_((ClaimState.APPROVED.value, ClaimState.PAID.value))
            | ((ClaimRow.state == ClaimState.CLOSED.value) & ClaimRow.paid_on.is_not(None)))


def _live() -> Any:
    """Claims that hold their shipments: neither rejected nor closed unpaid."""
    return ((ClaimRow.state != ClaimState.REJECTED.value)
            & ((ClaimRow.state != ClaimState.CLOSED.value) | ClaimRow.paid_on.is_not(None)))


@dataclass(frozen=True, slots=True, kw_only=True)
class LineIn:
    """One shipment claimed: its declaration and, optionally, a loss below what is owed."""

    declaration_id: int
    loss: Money | None = None


def claim_for(session: Session, principal: Principal, claim_id: int) -> ClaimRow:
    """A claim the caller may see, else ``NotFound`` (a foreign claim = a missing one)."""
    principal.require(Permission.CLAIM_READ)
    row = session.execute(visible_claims(principal).where(ClaimRow.id == claim_id)
                          ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"claim {claim_id} not found", field="claim_id")
    return row


def lines_of(session: Session, claim_id: int) -> list[ClaimLineRow]:
    """The lines of a claim, in id order."""
    return list(session.execute(select(ClaimLineRow).where(ClaimLineRow.claim_id == claim_id)
                                .order_by(ClaimLineRow.id)).scalars())


def _versions(session: Session, limit_id: int | None, currency: str) -> list[LimitVersion]:
    if limit_id is None:
        return [LimitVersion(number=1, kind=RequestType.NEW_LIMIT, amount=Money.zero(currency),
                             effective_from=date.min)]
    return credit_limits.limit_versions(session, limit_id)


def _refresh_standing(session: Session, claim: ClaimRow, today: date) -> None:
    """Recompute the claim's ``policy_liability`` and ``premium_paid`` checks for ``today``
    (the policy may have been rescinded, or a premium gone late, since filing).
    """
    policy = policies.policy_record(session, claim.policy_id)
    assert policy is not None
    lines = session.execute(select(ClaimLineRow.declaration_id, ClaimLineRow.notice_id).where(
        ClaimLineRow.claim_id == claim.id).order_by(ClaimLineRow.id)).all()
    rows = declarations.declarations_by_id(session, [d for d, _n in lines])
    filed = collections.notices_filed_on(session, [n for _d, n in lines])
    checks = refresh_standing_checks(
        session, checks=list(claim.checks), policy=policy, rows=[rows[d] for d, _n in lines],
        notices_filed_on={d: filed[n] for d, n in lines}, today=today, terms=BILLING_TERMS)
    if checks != claim.checks:
        claim.checks = checks
        session.flush()


def _whole_turnover_facts(session: Session, policy: Policy, rows: Sequence[Any]
                          ) -> WholeTurnoverFacts | None:
    """The returns and declarations of the claimed shipments' months (whole turnover)."""
    if not policy.whole_turnover:
        return None
    review = declarations.months_of_shipments(session, policy, [row.shipment_date for row in rows])
    return WholeTurnoverFacts(months={m.month: m for m in review.months})


def _liability_left(session: Session, policy: Policy) -> Money:
    used = session.execute(select(func.coalesce(func.sum(ClaimRow.indemnity_minor), 0)).where(
        ClaimRow.policy_id == policy.id, _counted())).scalar_one()
    return Money.from_minor(max(0, policy.maximum_liability_minor - int(used)), policy.currency)


def claim_snapshot(row: ClaimRow) -> dict[str, Any]:
    """What the audit log keeps of a claim."""
    return {"state": row.state, "cause": row.cause,
            "loss": str(Money.from_minor(row.loss_minor, row.currency)),
            "indemnity": str(Money.from_minor(row.indemnity_minor, row.currency)),
            "approved_by": row.approved_by, "second_approved_by": row.second_approved_by,
            "paid_on": row.paid_on.isoformat() if row.paid_on else None,
            "closure": row.closure, "closed_on": row.closed_on.isoformat()
            if row.closed_on else None}


def file_claim(session: Session, *, principal: Principal, lines: Sequence[LineIn],
               cause: LossCause, today: date,
               defaults: ClaimDefaults = DEFAULT_DEFAULTS) -> ClaimRow:
    """File a claim on shipments that each carry an open notice of possible loss.

    Refused, writing nothing: a shipment of another exporter (404), one without a notice
    (``claim_without_notice``), a loss above what is outstanding
    (``loss_exceeds_outstanding``), shipments of several policies or buyers
    (``mixed_claim``), a shipment already in a claim that was not rejected
    (``shipment_already_claimed``).
    """
    principal.require(Permission.CLAIM_FILE)
    if not lines:
        raise ValidationFailed("a claim names at least one shipment", code="no_claim_lines",
                               field="lines")
    rows = [declarations.active_declaration(session, principal, line.declaration_id)
            for line in lines]
    for row in rows:
        if row.exporter_org_id != principal.org_id:
            raise NotFound(f"declaration {row.id} not found", field="declaration_id")
    if len({(r.policy_id, r.buyer_id) for r in rows}) != 1:
        raise ValidationFailed("one claim covers shipments of one policy and one buyer",
                               code="mixed_claim", field="lines")
    notices: list[OpenNotice] = []
    for i, row in enumerate(rows):
        notice = collections.open_notice_of(session, row.id)
        if notice is None:
            raise ValidationFailed(f"declaration {row.id} has no notice of possible loss: "
                                   "file one first", code="claim_without_notice",
                                   field=f"lines[{i}].declaration_id")
        taken = session.execute(select(ClaimLineRow.id).join(
            ClaimRow, ClaimRow.id == ClaimLineRow.claim_id).where(
            ClaimLineRow.declaration_id == row.id, _live())).first()
        if taken is not None:
            raise Conflict(f"declaration {row.id} is already claimed",
                           code="shipment_already_claimed", field=f"lines[{i}].declaration_id")
        notices.append(notice)
    policy = policies.policy_record(session, rows[0].policy_id)
    assert policy is not None
    terms = terms_of_policy(policy, defaults)
    currency = policy.currency
    claim_lines = [ClaimLine(shipment_id=row.id, limit_id=row.limit_id or NO_LIMIT_ID,
                             shipment_date=row.shipment_date,
                             insured_amount=Money.from_minor(row.insured_minor, row.currency),
                             collected_before_loss=Money.from_minor(row.collected_minor,
                                                                    row.currency),
                             loss=line.loss) for row, line in zip(rows, lines, strict=True)]
    limits = {row.limit_id or NO_LIMIT_ID: _versions(session, row.limit_id, currency)
              for row in rows}
    calc = compute_indemnity(
        lines=claim_lines, limits=limits, cause=cause,
        terms=IndemnityTerms(commercial_pct=policy.indemnity_commercial_pct,
                             political_pct=policy.indemnity_political_pct),
        maximum_liability_left=_liability_left(session, policy))
    first_notice = min(notices, key=lambda n: n.deadline)
    liability = liability_rulings(policy, rows)
    premium = premium_rulings(session, rows, {r.id: n.filed_on for r, n in
                                              zip(rows, notices, strict=True)},
                              today=today, terms=BILLING_TERMS)
    checks = run_checks(ClaimFacts(
        shipments=[ShipmentClaimFacts(
            shipment_id=row.id, shipment_date=row.shipment_date, declared_on=row.declaration_date,
            declaration_due=row.declaration_due, cover_reason=CoverReason(row.reason_code),
            limit_versions=limits[row.limit_id or NO_LIMIT_ID],
            premium_paid=premium[row.id].keeps_cover, liability=liability[row.id],
            premium=premium[row.id]) for row in rows],
        notice_filed_on=max(n.filed_on for n in notices),
        notice_deadline=first_notice.deadline,
        deny_claim_when_notice_late=terms.late_notice_denies_claim,
        claim_filed_on=today,
        claim_filing_deadline=min(n.filed_on for n in notices)
        + timedelta(days=terms.claim_filing_days),
        whole_turnover=_whole_turnover_facts(session, policy, rows)))
    claim = ClaimRow(
        exporter_org_id=principal.org_id, policy_id=policy.id, buyer_id=rows[0].buyer_id,
        cause=cause.value, currency=currency, loss_minor=calc.loss.minor_units(),
        indemnity_minor=calc.indemnity.minor_units(), state=ClaimState.FILED.value,
        checks=[{"name": c.name.value, "outcome": c.outcome.value, "blocking": c.blocking,
                 "explanation": c.explanation} for c in checks],
        calculation={"before_cap": str(calc.before_cap),
                     "maximum_liability_left": str(calc.maximum_liability_left),
                     "capped_by_maximum_liability": calc.capped_by_maximum_liability,
                     "covered_loss": str(calc.covered_loss)},
        notice_filed_on=min(n.filed_on for n in notices),
        due_date=min(r.due_date for r in rows), filed_on=today, filed_at=utc_now(),
        filed_by=principal.actor)
    session.add(claim)
    session.flush()
    for result, notice in zip(calc.lines, notices, strict=True):
        session.add(ClaimLineRow(claim_id=claim.id, declaration_id=result.shipment_id,
                                 notice_id=notice.id, loss_minor=result.loss.minor_units(),
                                 covered_minor=result.covered_loss.minor_units(),
                                 indemnity_pct=result.indemnity_pct,
                                 indemnity_minor=result.indemnity.minor_units()))
    session.flush()
    audit.record(session, org_id=claim.exporter_org_id, actor=principal.actor,
                 action="claim.filed", entity_type="claim", entity_id=claim.id,
                 after=claim_snapshot(claim))
    return claim


def _move(session: Session, principal: Principal, claim: ClaimRow, event: ClaimEvent,
          **values: Any) -> None:
    """Move ``claim`` by ``event`` with one conditional update on its current state."""
    before = claim_snapshot(claim)
    target = next_claim_state(ClaimState(claim.state), event)
    done = session.execute(
        update(ClaimRow).where(ClaimRow.id == claim.id, ClaimRow.state == claim.state)
        .values(state=target.value, version=ClaimRow.version + 1, **values)
        .execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        session.refresh(claim)
        next_claim_state(ClaimState(claim.state), event)  # raises the precise refusal
        raise Conflict("the claim changed meanwhile: retry", code="concurrent_update")
    session.refresh(claim)
    audit.record(session, org_id=claim.exporter_org_id, actor=principal.actor,
                 action=f"claim.{event.value}", entity_type="claim", entity_id=claim.id,
                 before=before, after=claim_snapshot(claim))


def _stored_checks(claim: ClaimRow) -> list[ClaimCheck]:
    return [ClaimCheck(name=CheckName(c["name"]), outcome=CheckOutcome(c["outcome"]),
                       blocking=bool(c["blocking"]), explanation=c["explanation"])
            for c in claim.checks]


def start_checks(session: Session, *, principal: Principal, claim_id: int,
                 today: date | None = None) -> ClaimRow:
    """A claims handler takes the claim up (``filed`` to ``checking``); the policy's
    liability and the premium checks are read again for ``today``.
    """
    principal.require(Permission.CLAIM_DECIDE)
    claim = claim_for(session, principal, claim_id)
    if claim.state == ClaimState.FILED.value:
        _refresh_standing(session, claim, today or utc_now().date())
    _move(session, principal, claim, ClaimEvent.START_CHECKS)
    return claim


def approve(session: Session, *, principal: Principal, claim_id: int, today: date,
            defaults: ClaimDefaults = DEFAULT_DEFAULTS,
            terms: ClaimTerms | None = None) -> ClaimRow:
    """Approve a claim whose blocking checks all pass and whose required documents are
    all accepted (``required_documents_missing``); above the threshold a second,
    different handler must approve too (the first approval only records the maker).

    The policy's claim terms apply; ``terms`` replaces them for a caller that fixes its
    own (the demo book).
    """
    principal.require(Permission.CLAIM_DECIDE)
    claim = claim_for(session, principal, claim_id)
    if claim.state != ClaimState.CHECKING.value:
        next_claim_state(ClaimState(claim.state), ClaimEvent.APPROVE)
    _refresh_standing(session, claim, today)
    ensure_approvable(_stored_checks(claim))
    ensure_documents_complete(session, claim)
    terms = terms or _claim_terms(session, claim, defaults)
    indemnity = Money.from_minor(claim.indemnity_minor, claim.currency)
    if requires_second_approval(indemnity, terms.second_approval_above):
        if claim.approved_by is None:
            claim.approved_by = principal.actor
            session.flush()
            audit.record(session, org_id=claim.exporter_org_id, actor=principal.actor,
                         action="claim.first_approval", entity_type="claim",
                         entity_id=claim.id, after=claim_snapshot(claim))
            return claim
        check_four_eyes(maker=claim.approved_by, checker=principal.actor)
        second: dict[str, Any] = {"second_approved_by": principal.actor}
    else:
        second = {"approved_by": principal.actor}
    payable = earliest_payment_date(cause=LossCause(claim.cause), due_date=claim.due_date,
                                    decided_on=today, terms=terms)
    _move(session, principal, claim, ClaimEvent.APPROVE, decided_on=today,
          payable_from=payable, **second)
    ledger.post(session, entries=[book_approval(claim_ref=str(claim.id), indemnity=indemnity,
                                                posted_on=today)])
    return claim


def reject(session: Session, *, principal: Principal, claim_id: int, reason: str,
           today: date) -> ClaimRow:
    """Reject a claim, with the reason the exporter will read."""
    principal.require(Permission.CLAIM_DECIDE)
    if not reason or not reason.strip():
        raise ValidationFailed("a rejection needs a reason", code="reason_required",
                               field="reason")
    claim = claim_for(session, principal, claim_id)
    _move(session, principal, claim, ClaimEvent.REJECT, decided_on=today,
          rejection_reason=reason.strip())
    return claim


def _claim_terms(session: Session, claim: ClaimRow, defaults: ClaimDefaults) -> ClaimTerms:
    policy = policies.policy_record(session, claim.policy_id)
    assert policy is not None
    return terms_of_policy(policy, defaults)


def pay(session: Session, *, principal: Principal, claim_id: int, today: date,
        defaults: ClaimDefaults = DEFAULT_DEFAULTS, terms: ClaimTerms | None = None
        ) -> ClaimRow:
    """Pay an approved claim once: see the module docstring for why never twice.

    The policy's waiting period applies; ``terms`` replaces the policy's claim terms for
    a caller that fixes its own (the demo book).
    """
    principal.require(Permission.CLAIM_PAY)
    claim = claim_for(session, principal, claim_id)
    if claim.state == ClaimState.CLOSED.value and claim.paid_on is None:
        raise Conflict(f"the claim was closed ({claim.closure}): it cannot be paid",
                       code="claim_closed", details={"closure": claim.closure})
    if claim.state == ClaimState.APPROVED.value:
        _refresh_standing(session, claim, today)
        ensure_approvable(_stored_checks(claim))
        terms = terms or _claim_terms(session, claim, defaults)
        assert claim.decided_on is not None
        check_waiting_period(cause=LossCause(claim.cause), due_date=claim.due_date,
                             decided_on=claim.decided_on, terms=terms, today=today)
    _move(session, principal, claim, ClaimEvent.PAY, paid_on=today,
          paid_minor=claim.indemnity_minor, paid_by=principal.actor)
    ledger.post(session, entries=[book_payment(
        claim_ref=str(claim.id), amount=Money.from_minor(claim.indemnity_minor, claim.currency),
        posted_on=today)])
    return claim


def close(session: Session, *, principal: Principal, claim_id: int, reason: str | None,
          today: date) -> ClaimRow:
    """Close a claim: settle a paid one, close a rejected one, withdraw an undecided one.

    The exporter may only withdraw its own filed or checking claim; a claims handler may
    close any claim the state machine allows.  A withdrawal needs a reason.  An approved
    claim (its indemnity booked as payable) and a closed one are refused.
    """
    principal.require(Permission.CLAIM_READ)
    claim = claim_for(session, principal, claim_id)
    state = ClaimState(claim.state)
    if state in (ClaimState.FILED, ClaimState.CHECKING):
        closure = CLOSURE_WITHDRAWN
        if principal.is_insurer:
            principal.require(Permission.CLAIM_DECIDE)
        else:
            principal.require(Permission.CLAIM_FILE)
        if not reason or not reason.strip():
            raise ValidationFailed("a withdrawal needs a reason", code="reason_required",
                                   field="reason")
    else:
        principal.require(Permission.CLAIM_DECIDE)
        closure = CLOSURE_REJECTED if state is ClaimState.REJECTED else CLOSURE_SETTLED
    if state is ClaimState.CLOSED:
        raise Conflict(f"the claim is already closed ({claim.closure})",
                       code="claim_already_closed", details={"closure": claim.closure})
    _move(session, principal, claim, ClaimEvent.CLOSE, closure=closure, closed_on=today,
          closed_by=principal.actor,
          close_reason=reason.strip() if reason and reason.strip() else None)
    return claim


def record_recovery(session: Session, *, principal: Principal, claim_id: int,
                    source: RecoverySource, gross: Money, costs: Money,
                    received_on: date) -> RecoveryRow:
    """Book a recovery on a paid claim, shared insurer / insured by shares of the loss."""
    principal.require(Permission.CLAIM_DECIDE)
    claim = claim_for(session, principal, claim_id)
    # lock the claim row so that concurrent recoveries never share more than the loss
    session.execute(select(ClaimRow.id).where(ClaimRow.id == claim.id).with_for_update())
    session.refresh(claim)
    check_rights_transferred(ClaimState(claim.state), paid=claim.paid_on is not None)
    before = session.execute(select(func.coalesce(
        func.sum(RecoveryRow.gross_minor - RecoveryRow.costs_minor), 0)).where(
        RecoveryRow.claim_id == claim.id)).scalar_one()
    shares = share_recovery(gross=gross, costs=costs,
                            indemnity=Money.from_minor(claim.indemnity_minor, claim.currency),
                            loss=Money.from_minor(claim.loss_minor, claim.currency),
                            net_recovered_before=Money.from_minor(int(before), claim.currency))
    row = RecoveryRow(claim_id=claim.id, source=source.value, currency=claim.currency,
                      gross_minor=shares.gross.minor_units(),
                      costs_minor=shares.costs.minor_units(),
                      insurer_minor=shares.insurer.minor_units(),
                      insured_minor=shares.insured.minor_units(), received_on=received_on,
                      recorded_at=utc_now(), recorded_by=principal.actor)
    session.add(row)
    session.flush()
    entry = book_recovery(claim_ref=str(claim.id), recovery_ref=str(row.id), shares=shares,
                          posted_on=received_on)
    if entry is not None:
        ledger.post(session, entries=[entry])
    audit.record(session, org_id=claim.exporter_org_id, actor=principal.actor,
                 action="claim.recovery", entity_type="claim", entity_id=claim.id,
                 after={"recovery_id": row.id, "source": source.value,
                        "net": str(shares.net), "insurer": str(shares.insurer),
                        "insured": str(shares.insured)})
    return row


def timelines(session: Session, *, principal: Principal) -> list[ClaimTimeline]:
    """The dates of every claim the caller may see, for the speed report.

    A withdrawn claim is left out (the insurer never had to decide it); a claim closed as
    rejected still counts as rejected (no payment is awaited).
    """
    principal.require(Permission.CLAIM_READ)
    query = visible_claims(principal).where(
        (ClaimRow.closure.is_(None)) | (ClaimRow.closure != CLOSURE_WITHDRAWN)
    ).order_by(ClaimRow.id)
    return [ClaimTimeline(claim_id=c.id, notice_filed_on=c.notice_filed_on,
                          claim_filed_on=c.filed_on,
                          decided_on=c.decided_on if c.state not in (
                              ClaimState.FILED.value, ClaimState.CHECKING.value) else None,
                          paid_on=c.paid_on,
                          rejected=c.state == ClaimState.REJECTED.value
                          or c.closure == CLOSURE_REJECTED,
                          payable_from=c.payable_from)
            for c in session.execute(query).scalars()]


def list_claims(session: Session, *, principal: Principal, state: ClaimState | None,
                limit: int, offset: int) -> tuple[list[ClaimRow], int]:
    """The claims the caller may see (the handler's queue: oldest first), and their count."""
    principal.require(Permission.CLAIM_READ)
    query = visible_claims(principal)
    if state is not None:
        query = query.where(ClaimRow.state == state.value)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(ClaimRow.filed_on, ClaimRow.id).limit(limit)
                           .offset(offset)).scalars()
    return list(rows), int(total)
