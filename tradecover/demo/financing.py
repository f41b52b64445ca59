"""The demo bank's financing: one active assignment of a demo exporter's policy proceeds,
under the exporter's consent [domain BA-2] [domain BA-9] (seeded with the claims, last).

The exporter consents to the bank's financing reads, the bank asks (priority 1, a quarter
of the policy's maximum liability as its cap, 80 % advance rate), the exporter approves,
the insurer acknowledges: the bank's home shows the policy and its financing base.  Seeded after the
claims, so no claim of the history is paid to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from tradecover import access, consents, financing, policies
from tradecover.access import OrganisationKind, Principal, Role
from tradecover.demo.refs import OrgRef
from tradecover.kit.dates import utc_now
from tradecover.kit.money import Money

ADVANCE_RATE = Decimal("0.8")
"""The demo bank lends 80 % of the covered outstanding."""

CONSENT_DAYS = 365
"""How long the demo exporter's financing consent runs."""


BANK_SLUG = "demo-harbour-bank"
"""The demo bank (one of the demo book's partner organisations)."""


def seed_bank(
    session: Session,
    *,
    insurer: Principal,
    exporters: Sequence[tuple[object, OrgRef, Principal]],
    as_of: date,
) -> int | None:
    """The demo bank's assignment on the first demo exporter's policy (``exporters``: the
    book's exporters with their principals, the first one first).  None when the book has
    no such bank or exporter.
    """
    bank = access.organisations_by_slug(session, [BANK_SLUG]).get(BANK_SLUG)
    if bank is None or not exporters:
        return None
    return assign_to_bank(
        session,
        insurer=insurer,
        bank_org_id=bank.id,
        bank_slug=BANK_SLUG,
        exporter=exporters[0][2],
        as_of=as_of,
    )


def assign_to_bank(
    session: Session,
    *,
    insurer: Principal,
    bank_org_id: int,
    bank_slug: str,
    exporter: Principal,
    as_of: date,
) -> int | None:
    """Give the demo bank one active assignment of ``exporter``'s first active policy;
    returns the assignment's id (None when the exporter has no active policy).
    """
    policy = next(
        (
            p
            for p in policies.policies_in_force(session)
            if p.exporter_org_id == exporter.org_id and p.state == "active"
        ),
        None,
    )
    if policy is None:
        return None
    bank = Principal(
        actor=insurer.actor,
        org_id=bank_org_id,
        org_slug=bank_slug,
        org_kind=OrganisationKind.BANK,
        role=Role.BANK,
    )
    asked = consents.request_consent(
        session,
        principal=bank,
        grantor_org_id=exporter.org_id,
        scopes=[
            consents.Scope.SHIPMENT_CORE.value,
            consents.Scope.BUYER_IDENTITY.value,
            consents.Scope.PAYMENT_EXPERIENCE.value,
        ],
        purposes=[consents.Purpose.FINANCING.value],
        expires_at=utc_now() + timedelta(days=CONSENT_DAYS),
    )
    consents.authorise(
        session, principal=exporter, consent_id=asked.id, reason="the bank finances our sales"
    )
    cap = Money.from_minor(policy.maximum_liability_minor // 4, policy.currency)
    row = financing.request_assignment(
        session,
        principal=bank,
        request=financing.AssignmentRequest(
            policy_id=policy.id,
            priority=1,
            cap=cap.amount,
            currency=policy.currency,
            effective_from=min(as_of, max(policy.inception, as_of - timedelta(days=30))),
            effective_to=None,
            advance_rate=ADVANCE_RATE,
        ),
        reason="receivables finance line secured on the policy's proceeds",
    )
    financing.act(
        session,
        principal=exporter,
        assignment_id=row.id,
        action=financing.AssignmentAction.APPROVE,
        reason="the bank finances our receivables",
    )
    financing.act(
        session,
        principal=insurer,
        assignment_id=row.id,
        action=financing.AssignmentAction.ACKNOWLEDGE,
        reason="assignment of proceeds noted on the policy",
    )
    return row.id
