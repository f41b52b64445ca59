"""A policy factory for the dashboard tests: issued through the policies service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from tradecover.access import service as access
from tradecover.kit.dates import utc_now
from tradecover.kit.money import Money
from tradecover.policies import service as policies
from tradecover.policies.model import Policy, RenewalOffer
from tradecover.policies.schedule import (
    DeclarationFrequency,
    InsurableScope,
    PolicySchedule,
    Product,
)
from tradecover.reference.payment_terms import PaymentTerms


def make_policy(
    session: Session, *, exporter_org_id: int, currency: str = "USD",
    inception: date = date(2026, 1, 1), expected_turnover: str = "12000000",
    maximum_liability: str = "5000000", endorsement: str | None = None,
    suspend: bool = False, with_offer: bool = False,
) -> Policy:
    """Apply, underwrite, quote and issue a short-term comprehensive policy."""
    insurer = access.system_principal(session, actor="user:underwriter")
    terms = [PaymentTerms.LC, PaymentTerms.OA]
    application = policies.submit_application(
        session, principal=insurer, exporter_org_id=exporter_org_id,
        product=Product.SHORT_TERM_COMPREHENSIVE, currency=currency,
        expected_turnover=Money.of(expected_turnover, currency), requested_inception=inception,
        destination_countries=["DE", "US"], payment_terms=terms, max_credit_days=180,
        hs_chapters=[], notes=None)
    schedule = PolicySchedule(
        currency=currency, expected_turnover=Money.of(expected_turnover, currency),
        maximum_liability=Money.of(maximum_liability, currency),
        indemnity_commercial_pct=Decimal(90), indemnity_political_pct=Decimal(95),
        declaration_frequency=DeclarationFrequency.MONTHLY, rate_table="short-term-2026",
        base_rate_pct=Decimal("0.45"),
        scope=InsurableScope(destination_countries=("DE", "US"), payment_terms=tuple(terms),
                             max_credit_days=180))
    policy = policies.underwrite(session, principal=insurer, application_id=application.id,
                                 schedule=schedule, inception=inception)
    policies.quote(session, principal=insurer, policy_id=policy.id)
    policies.issue(session, principal=insurer, policy_id=policy.id, today=inception)
    if endorsement:
        policies.add_endorsement(session, principal=insurer, policy_id=policy.id,
                                 text=endorsement, effective_date=inception)
    if suspend:
        policies.suspend(session, principal=insurer, policy_id=policy.id,
                         reason="premium three months in arrears")
    if with_offer:
        # The review inputs (declarations, limits, claims) belong to other contexts: the
        # offer row is written as the renewal review leaves it.
        session.add(RenewalOffer(
            policy_id=policy.id, status="offered",
            review_metrics={"compliance_rate": "0.96", "loss_ratio": "0.125",
                            "outstanding_liability": "250000.00"},
            proposed_terms={"base_rate_pct": "0.42"}, explanation={}, offered_at=utc_now(),
            offered_by="user:underwriter"))
        session.flush()
    return policy
