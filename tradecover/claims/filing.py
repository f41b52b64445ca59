"""Claims: filing a claim on shipments that carry an open notice of possible loss.

The claim's lines, its indemnity (capped by what is left of the policy's maximum
liability) and every claim check are computed and stored at filing; the claim starts
``filed``.  A shipment already in a claim that holds it (not rejected, not closed
unpaid) cannot be claimed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover import audit, collections, declarations, policies
from tradecover import limits as credit_limits
from tradecover.access import Permission, Principal
from tradecover.billing import DEFAULT_TERMS as BILLING_TERMS
from tradecover.claims.checks import ClaimFacts, ShipmentClaimFacts, WholeTurnoverFacts, run_checks
from tradecover.claims.indemnity import (
    ClaimDefaults,
    ClaimLine,
    ClaimState,
    IndemnityTerms,
    LossCause,
    RiskType,
    compute_indemnity,
)
from tradecover.claims.model import ClaimLineRow, ClaimRow
from tradecover.claims.service import DEFAULT_DEFAULTS, claim_snapshot, terms_of_policy
from tradecover.claims.standing_repository import liability_rulings, premium_rulings
from tradecover.declarations import CoverReason
from tradecover.events import record_event
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import LimitVersion, RequestType
from tradecover.policies import Policy

if TYPE_CHECKING:
    from tradecover.collections import OpenNotice

NO_LIMIT_ID = 0
"""The limit id of a claimed shipment that had no limit (it covers nothing)."""


def _counted() -> Any:
    """Claims whose indemnity is owed or paid: approved, paid, or closed after payment."""
    return ClaimRow.state.in_((ClaimState.APPROVED.value, ClaimState.PAID.value)) | (
        (ClaimRow.state == ClaimState.CLOSED.value) & ClaimRow.paid_on.is_not(None)
    )


def _live() -> Any:
    """Claims that hold their shipments: neither rejected nor closed unpaid."""
    return (ClaimRow.state != ClaimState.REJECTED.value) & (
        (ClaimRow.state != ClaimState.CLOSED.value) | ClaimRow.paid_on.is_not(None)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class LineIn:
    """One shipment claimed: its declaration and, optionally, a loss below what is owed."""

    declaration_id: int
    loss: Money | None = None


def _versions(session: Session, limit_id: int | None, currency: str) -> list[LimitVersion]:
    if limit_id is None:
        return [
            LimitVersion(
                number=1,
                kind=RequestType.NEW_LIMIT,
                amount=Money.zero(currency),
                effective_from=date.min,
            )
        ]
    return credit_limits.limit_versions(session, limit_id)


def _whole_turnover_facts(
    session: Session, policy: Policy, rows: Sequence[Any]
) -> WholeTurnoverFacts | None:
    """The returns and declarations of the claimed shipments' months (whole turnover)."""
    if not policy.whole_turnover:
        return None
    review = declarations.months_of_shipments(session, policy, [row.shipment_date for row in rows])
    return WholeTurnoverFacts(months={m.month: m for m in review.months})


def _liability_left(session: Session, policy: Policy) -> Money:
    used = session.execute(
        select(func.coalesce(func.sum(ClaimRow.indemnity_minor), 0)).where(
            ClaimRow.policy_id == policy.id, _counted()
        )
    ).scalar_one()
    return Money.from_minor(max(0, policy.maximum_liability_minor - int(used)), policy.currency)


def file_claim(
    session: Session,
    *,
    principal: Principal,
    lines: Sequence[LineIn],
    cause: LossCause,
    today: date,
    defaults: ClaimDefaults = DEFAULT_DEFAULTS,
) -> ClaimRow:
    """File a claim on shipments that each carry an open notice of possible loss.

    Refused, writing nothing: a shipment of another exporter (404), one without a notice
    (``claim_without_notice``), a loss above what is outstanding
    (``loss_exceeds_outstanding``), shipments of several policies or buyers
    (``mixed_claim``), a shipment already in a claim that was not rejected
    (``shipment_already_claimed``), a political cause on a domestic policy
    (``domestic_political_cause``, [domain DT-3]).
    """
    principal.require(Permission.CLAIM_FILE)
    if not lines:
        raise ValidationFailed(
            "a claim names at least one shipment", code="no_claim_lines", field="lines"
        )
    rows = [
        declarations.active_declaration(session, principal, line.declaration_id) for line in lines
    ]
    for row in rows:
        if row.exporter_org_id != principal.org_id:
            raise NotFound(f"declaration {row.id} not found", field="declaration_id")
    if len({(r.policy_id, r.buyer_id) for r in rows}) != 1:
        raise ValidationFailed(
            "one claim covers shipments of one policy and one buyer",
            code="mixed_claim",
            field="lines",
        )
    notices: list[OpenNotice] = []
    for i, row in enumerate(rows):
        notice = collections.open_notice_of(session, row.id)
        if notice is None:
            raise ValidationFailed(
                f"declaration {row.id} has no notice of possible loss: file one first",
                code="claim_without_notice",
                field=f"lines[{i}].declaration_id",
            )
        taken = session.execute(
            select(ClaimLineRow.id)
            .join(ClaimRow, ClaimRow.id == ClaimLineRow.claim_id)
            .where(ClaimLineRow.declaration_id == row.id, _live())
        ).first()
        if taken is not None:
            raise Conflict(
                f"declaration {row.id} is already claimed",
                code="shipment_already_claimed",
                field=f"lines[{i}].declaration_id",
            )
        notices.append(notice)
    policy = policies.policy_record(session, rows[0].policy_id)
    assert policy is not None
    policies.check_domestic_cause(  # commercial risk only [domain DT-3]
        policy.product,
        cause=cause.value,
        political=cause.risk_type is RiskType.POLITICAL,
        field="cause",
    )
    terms = terms_of_policy(policy, defaults)
    currency = policy.currency
    claim_lines = [
        ClaimLine(
            shipment_id=row.id,
            limit_id=row.limit_id or NO_LIMIT_ID,
            shipment_date=row.shipment_date,
            insured_amount=Money.from_minor(row.insured_minor, row.currency),
            collected_before_loss=Money.from_minor(row.collected_minor, row.currency),
            loss=line.loss,
        )
        for row, line in zip(rows, lines, strict=True)
    ]
    limits = {
        row.limit_id or NO_LIMIT_ID: _versions(session, row.limit_id, currency) for row in rows
    }
    calc = compute_indemnity(
        lines=claim_lines,
        limits=limits,
        cause=cause,
        terms=IndemnityTerms(
            commercial_pct=policy.indemnity_commercial_pct,
            political_pct=policy.indemnity_political_pct,
        ),
        maximum_liability_left=_liability_left(session, policy),
    )
    first_notice = min(notices, key=lambda n: n.deadline)
    liability = liability_rulings(policy, rows)
    premium = premium_rulings(
        session,
        rows,
        {r.id: n.filed_on for r, n in zip(rows, notices, strict=True)},
        today=today,
        terms=BILLING_TERMS,
    )
    checks = run_checks(
        ClaimFacts(
            shipments=[
                ShipmentClaimFacts(
                    shipment_id=row.id,
                    shipment_date=row.shipment_date,
                    declared_on=row.declaration_date,
                    declaration_due=row.declaration_due,
                    cover_reason=CoverReason(row.reason_code),
                    limit_versions=limits[row.limit_id or NO_LIMIT_ID],
                    premium_paid=premium[row.id].keeps_cover,
                    liability=liability[row.id],
                    premium=premium[row.id],
                )
                for row in rows
            ],
            notice_filed_on=max(n.filed_on for n in notices),
            notice_deadline=first_notice.deadline,
            deny_claim_when_notice_late=terms.late_notice_denies_claim,
            claim_filed_on=today,
            claim_filing_deadline=min(n.filed_on for n in notices)
            + timedelta(days=terms.claim_filing_days),
            whole_turnover=_whole_turnover_facts(session, policy, rows),
        )
    )
    claim = ClaimRow(
        exporter_org_id=principal.org_id,
        policy_id=policy.id,
        buyer_id=rows[0].buyer_id,
        cause=cause.value,
        currency=currency,
        loss_minor=calc.loss.minor_units(),
        indemnity_minor=calc.indemnity.minor_units(),
        state=ClaimState.FILED.value,
        checks=[
            {
                "name": c.name.value,
                "outcome": c.outcome.value,
                "blocking": c.blocking,
                "explanation": c.explanation,
            }
            for c in checks
        ],
        calculation={
            "before_cap": str(calc.before_cap),
            "maximum_liability_left": str(calc.maximum_liability_left),
            "capped_by_maximum_liability": calc.capped_by_maximum_liability,
            "covered_loss": str(calc.covered_loss),
        },
        notice_filed_on=min(n.filed_on for n in notices),
        due_date=min(r.due_date for r in rows),
        filed_on=today,
        filed_at=utc_now(),
        filed_by=principal.actor,
    )
    session.add(claim)
    session.flush()
    for result, notice in zip(calc.lines, notices, strict=True):
        session.add(
            ClaimLineRow(
                claim_id=claim.id,
                declaration_id=result.shipment_id,
                notice_id=notice.id,
                loss_minor=result.loss.minor_units(),
                covered_minor=result.covered_loss.minor_units(),
                indemnity_pct=result.indemnity_pct,
                indemnity_minor=result.indemnity.minor_units(),
            )
        )
    session.flush()
    audit.record(
        session,
        org_id=claim.exporter_org_id,
        actor=principal.actor,
        action="claim.filed",
        entity_type="claim",
        entity_id=claim.id,
        after=claim_snapshot(claim),
    )
    record_event(
        session,
        "claim.filed",
        f"claim:{claim.id}",
        {
            "claim_id": claim.id,
            "policy_id": claim.policy_id,
            "buyer_id": claim.buyer_id,
            "claimed_amount": str(Money.from_minor(claim.loss_minor, claim.currency).amount),
            "currency": claim.currency,
        },
        claim.exporter_org_id,
    )
    return claim
