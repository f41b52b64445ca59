"""Claims: the ground the claims use cases share, and the handler's reads.

The claim the caller may see (:func:`claim_for`; a claim of another organisation answers
exactly like a missing one, ``NotFound``), its lines, its audit snapshot, its state moves
(:func:`move_claim`: one conditional update on the current state), its standing checks
read again for a day, and the queue and timelines the handler and the speed report read.
The use cases live beside it: :mod:`~tradecover.claims.filing`,
:mod:`~tradecover.claims.decision`, :mod:`~tradecover.claims.payment`,
:mod:`~tradecover.claims.closing` and :mod:`~tradecover.claims.recoveries`.

Services never commit: the caller's transaction does.  Every change writes its audit
entry in the same transaction.

**Claim terms are the policy's.**  The policy's schedule carries the indemnity
percentages, the maximum liability, the notice days and its own claim terms (claim filing
days, waiting period, waiting on insolvency, second-approval threshold, whether late
notices lose the claim); a term the policy leaves unset takes the installation default
(:class:`ClaimDefaults`, from the settings: :func:`defaults_of`).  :func:`terms_of_policy`
resolves them; the checks, the indemnity, the approval and the payment read them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tradecover import audit, buyers, coinsurance, collections, declarations, documents, policies
from tradecover.access import Permission, Principal, organisation_of
from tradecover.billing import DEFAULT_TERMS as BILLING_TERMS
from tradecover.claims.checks import CheckName, CheckOutcome, ClaimCheck
from tradecover.claims.decision_pdf import (
    DecisionLetter,
    DecisionLine,
    decision_filename,
    decision_pdf,
)
from tradecover.claims.indemnity import (
    ClaimDefaults,
    ClaimEvent,
    ClaimState,
    ClaimTerms,
    claim_terms_for,
    next_claim_state,
)
from tradecover.claims.model import ClaimLineRow, ClaimRow, RecoveryRow
from tradecover.claims.recovery_pdf import (
    RecoveryLine,
    RecoveryStatement,
    recovery_filename,
    recovery_pdf,
)
from tradecover.claims.scoping_repository import visible_claims
from tradecover.claims.speed import ClaimTimeline
from tradecover.claims.standing_repository import refresh_standing_checks
from tradecover.config import Settings
from tradecover.events import record_event
from tradecover.kit.errors import Conflict, NotFound
from tradecover.kit.money import Money
from tradecover.policies import Policy, claim_terms_from_dict, claim_terms_of_product

CLOSURE_SETTLED = "settled"
CLOSURE_REJECTED = "rejected"
CLOSURE_WITHDRAWN = "withdrawn"
DEFAULT_DEFAULTS = ClaimDefaults()
"""The installation defaults when the caller has no settings (tests, the demo)."""


def defaults_of(settings: Settings) -> ClaimDefaults:
    """The claim terms configured for this installation (a policy may set its own)."""
    return ClaimDefaults(
        claim_filing_days=settings.claim_filing_days,
        waiting_period_days=settings.claim_waiting_period_days,
        second_approval_above=Decimal(settings.claim_second_approval_above),
    )


def terms_of_policy(policy: Policy, defaults: ClaimDefaults = DEFAULT_DEFAULTS) -> ClaimTerms:
    """The policy's claim terms: its own, then its product's (the domestic product has
    its own, [domain DT-6]), the installation's where neither sets one.
    """
    own = claim_terms_of_product(policy.product, claim_terms_from_dict(policy.claim_terms))
    return claim_terms_for(own, currency=policy.currency, defaults=defaults)


def claim_for(session: Session, principal: Principal, claim_id: int) -> ClaimRow:
    """A claim the caller may see, else ``NotFound`` (a foreign claim = a missing one)."""
    principal.require(Permission.CLAIM_READ)
    row = session.execute(
        visible_claims(principal).where(ClaimRow.id == claim_id)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"claim {claim_id} not found", field="claim_id")
    return row


def lines_of(session: Session, claim_id: int) -> list[ClaimLineRow]:
    """The lines of a claim, in id order."""
    return list(
        session.execute(
            select(ClaimLineRow).where(ClaimLineRow.claim_id == claim_id).order_by(ClaimLineRow.id)
        ).scalars()
    )


def claim_limit_id(session: Session, claim_id: int) -> int | None:
    """The single credit limit a claim's shipments were under (None: none or several),
    whose own coinsurance shares come first [domain CO-13].
    """
    ids = [line.declaration_id for line in lines_of(session, claim_id)]
    rows = declarations.declarations_by_id(session, ids).values()
    return coinsurance.single_limit(row.limit_id for row in rows)


def refresh_standing(session: Session, claim: ClaimRow, today: date) -> None:
    """Recompute the claim's ``policy_liability`` and ``premium_paid`` checks for ``today``
    (the policy may have been rescinded, or a premium gone late, since filing).
    """
    policy = policies.policy_record(session, claim.policy_id)
    assert policy is not None
    lines = session.execute(
        select(ClaimLineRow.declaration_id, ClaimLineRow.notice_id)
        .where(ClaimLineRow.claim_id == claim.id)
        .order_by(ClaimLineRow.id)
    ).all()
    rows = declarations.declarations_by_id(session, [d for d, _n in lines])
    filed = collections.notices_filed_on(session, [n for _d, n in lines])
    checks = refresh_standing_checks(
        session,
        checks=list(claim.checks),
        policy=policy,
        rows=[rows[d] for d, _n in lines],
        notices_filed_on={d: filed[n] for d, n in lines},
        today=today,
        terms=BILLING_TERMS,
    )
    if checks != claim.checks:
        claim.checks = checks
        session.flush()


def claim_snapshot(row: ClaimRow) -> dict[str, Any]:
    """What the audit log keeps of a claim."""
    return {
        "state": row.state,
        "cause": row.cause,
        "loss": str(Money.from_minor(row.loss_minor, row.currency)),
        "indemnity": str(Money.from_minor(row.indemnity_minor, row.currency)),
        "approved_by": row.approved_by,
        "second_approved_by": row.second_approved_by,
        "paid_on": row.paid_on.isoformat() if row.paid_on else None,
        "closure": row.closure,
        "closed_on": row.closed_on.isoformat() if row.closed_on else None,
    }


def move_claim(
    session: Session, principal: Principal, claim: ClaimRow, event: ClaimEvent, **values: Any
) -> None:
    """Move ``claim`` by ``event`` with one conditional update on its current state."""
    before = claim_snapshot(claim)
    target = next_claim_state(ClaimState(claim.state), event)
    done = session.execute(
        update(ClaimRow)
        .where(ClaimRow.id == claim.id, ClaimRow.state == claim.state)
        .values(state=target.value, version=ClaimRow.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) != 1:
        session.refresh(claim)
        next_claim_state(ClaimState(claim.state), event)  # raises the precise refusal
        raise Conflict("the claim changed meanwhile: retry", code="concurrent_update")
    session.refresh(claim)
    audit.record(
        session,
        org_id=claim.exporter_org_id,
        actor=principal.actor,
        action=f"claim.{event.value}",
        entity_type="claim",
        entity_id=claim.id,
        before=before,
        after=claim_snapshot(claim),
    )
    record_claim_event(session, claim, event)


def record_claim_event(session: Session, claim: ClaimRow, event: ClaimEvent) -> None:
    """The event the exporter hears of a claim's move: ``claim.decided`` (approved, with
    the indemnity, or rejected), ``claim.paid``; taking the claim up or closing it tells
    nothing.
    """
    subject = f"claim:{claim.id}"

    def amount(minor: int) -> str:
        return str(Money.from_minor(minor, claim.currency).amount)

    if event in (ClaimEvent.APPROVE, ClaimEvent.REJECT):
        approved = event is ClaimEvent.APPROVE
        record_event(
            session,
            "claim.decided",
            subject,
            {
                "claim_id": claim.id,
                "policy_id": claim.policy_id,
                "outcome": "approved" if approved else "rejected",
                "indemnity_amount": amount(claim.indemnity_minor if approved else 0),
                "currency": claim.currency,
            },
            claim.exporter_org_id,
        )
    elif event is ClaimEvent.PAY:
        assert claim.paid_on is not None
        record_event(
            session,
            "claim.paid",
            subject,
            {
                "claim_id": claim.id,
                "policy_id": claim.policy_id,
                "paid_amount": amount(claim.paid_minor or 0),
                "currency": claim.currency,
                "paid_on": claim.paid_on,
            },
            claim.exporter_org_id,
        )


def stored_checks(claim: ClaimRow) -> list[ClaimCheck]:
    """The checks recorded on the claim, as values."""
    return [
        ClaimCheck(
            name=CheckName(c["name"]),
            outcome=CheckOutcome(c["outcome"]),
            blocking=bool(c["blocking"]),
            explanation=c["explanation"],
        )
        for c in claim.checks
    ]


def claim_terms_of(session: Session, claim: ClaimRow, defaults: ClaimDefaults) -> ClaimTerms:
    """The claim terms of the claim's policy."""
    policy = policies.policy_record(session, claim.policy_id)
    assert policy is not None
    return terms_of_policy(policy, defaults)


def timelines(session: Session, *, principal: Principal) -> list[ClaimTimeline]:
    """The dates of every claim the caller may see, for the speed report.

    A withdrawn claim is left out (the insurer never had to decide it); a claim closed as
    rejected still counts as rejected (no payment is awaited).
    """
    principal.require(Permission.CLAIM_READ)
    query = (
        visible_claims(principal)
        .where((ClaimRow.closure.is_(None)) | (ClaimRow.closure != CLOSURE_WITHDRAWN))
        .order_by(ClaimRow.id)
    )
    return [
        ClaimTimeline(
            claim_id=c.id,
            notice_filed_on=c.notice_filed_on,
            claim_filed_on=c.filed_on,
            decided_on=c.decided_on
            if c.state not in (ClaimState.FILED.value, ClaimState.CHECKING.value)
            else None,
            paid_on=c.paid_on,
            rejected=c.state == ClaimState.REJECTED.value or c.closure == CLOSURE_REJECTED,
            payable_from=c.payable_from,
        )
        for c in session.execute(query).scalars()
    ]


def list_claims(
    session: Session, *, principal: Principal, state: ClaimState | None, limit: int, offset: int
) -> tuple[list[ClaimRow], int]:
    """The claims the caller may see (the handler's queue: oldest first), and their count."""
    principal.require(Permission.CLAIM_READ)
    query = visible_claims(principal)
    if state is not None:
        query = query.where(ClaimRow.state == state.value)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(ClaimRow.filed_on, ClaimRow.id).limit(limit).offset(offset)
    ).scalars()
    return list(rows), int(total)


def decision_letter(session: Session, principal: Principal, claim_id: int) -> DecisionLetter:
    """The decision letter of a claim the caller may see; ``NotFound`` while undecided."""
    claim = claim_for(session, principal, claim_id)
    if claim.decided_on is None:
        raise NotFound(f"claim {claim_id} is not decided yet", field="claim_id")
    approved = claim.rejection_reason is None
    org = organisation_of(session, claim.exporter_org_id)

    def money(minor: int) -> Money:
        return Money.from_minor(minor, claim.currency)

    return DecisionLetter(
        claim_id=claim.id,
        policy_id=claim.policy_id,
        policy_number=policies.policy_numbers_of(session, [claim.policy_id]).get(claim.policy_id),
        exporter_name=org.name if org else "",
        buyer_name=buyers.buyer_record(session, claim.buyer_id).legal_name,
        cause=claim.cause,
        approved=approved,
        decided_on=claim.decided_on,
        loss=money(claim.loss_minor),
        indemnity=money(claim.indemnity_minor if approved else 0),
        payable_from=claim.payable_from,
        reason=claim.rejection_reason,
        lines=[
            DecisionLine(
                declaration_id=line.declaration_id,
                loss=money(line.loss_minor),
                covered=money(line.covered_minor),
                indemnity_pct=line.indemnity_pct,
                indemnity=money(line.indemnity_minor),
            )
            for line in lines_of(session, claim.id)
        ],
    )


def decision_pdf_of(
    session: Session,
    *,
    principal: Principal,
    claim_id: int,
    locale: str,
    translate: Callable[[str], str],
) -> tuple[str, bytes]:
    """The file name and PDF of the decision letter of a claim the caller may see."""
    letter = decision_letter(session, principal, claim_id)
    claim = claim_for(session, principal, claim_id)
    issued = documents.issue(
        session,
        kind=documents.DocumentKind.CLAIM_DECISION,
        subject_id=claim.id,
        org_id=claim.exporter_org_id,
        locale=locale,
        actor=principal.actor,
        render=lambda number: decision_pdf(
            letter,
            locale=locale,
            translate=translate,
            stamp=documents.stamp_lines(number, "", translate),
        ),
    )
    return decision_filename(letter), issued.content


def recovery_statement(session: Session, principal: Principal, claim_id: int) -> RecoveryStatement:
    """The recoveries booked on a claim the caller may see, by the day they came in."""
    claim = claim_for(session, principal, claim_id)
    org = organisation_of(session, claim.exporter_org_id)
    rows = session.execute(
        select(RecoveryRow)
        .where(RecoveryRow.claim_id == claim.id)
        .order_by(RecoveryRow.received_on, RecoveryRow.id)
    ).scalars()
    return RecoveryStatement(
        claim_id=claim.id,
        policy_number=policies.policy_numbers_of(session, [claim.policy_id]).get(claim.policy_id),
        policy_id=claim.policy_id,
        exporter_name=org.name if org else "",
        buyer_name=buyers.buyer_record(session, claim.buyer_id).legal_name,
        indemnity=Money.from_minor(claim.indemnity_minor, claim.currency),
        lines=tuple(
            RecoveryLine(
                received_on=r.received_on,
                source=r.source,
                gross=Money.from_minor(r.gross_minor, r.currency),
                costs=Money.from_minor(r.costs_minor, r.currency),
                insurer=Money.from_minor(r.insurer_minor, r.currency),
                insured=Money.from_minor(r.insured_minor, r.currency),
            )
            for r in rows
        ),
    )


def recovery_statement_pdf_of(
    session: Session,
    *,
    principal: Principal,
    claim_id: int,
    locale: str,
    translate: Callable[[str], str],
) -> tuple[str, bytes]:
    """The file name and registered PDF of the recovery statement of a claim the caller
    may see [domain DOC-1].
    """
    statement = recovery_statement(session, principal, claim_id)
    claim = claim_for(session, principal, claim_id)
    issued = documents.issue(
        session,
        kind=documents.DocumentKind.RECOVERY_STATEMENT,
        subject_id=claim.id,
        org_id=claim.exporter_org_id,
        locale=locale,
        actor=principal.actor,
        render=lambda number: recovery_pdf(
            statement,
            locale=locale,
            translate=translate,
            stamp=documents.stamp_lines(number, "", translate),
        ),
    )
    return recovery_filename(statement), issued.content
