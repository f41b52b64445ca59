"""Applying for a limit: the proposal the rules make, the application and the queue.

Deciding an application is :mod:`tradecover.limits.applications.deciding`; what both
record is :mod:`tradecover.limits.applications.recording`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover import audit, buyers, policies
from tradecover.access import Permission, Principal
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import repository as repo
from tradecover.limits.applications.recording import (
    app_snapshot,
    conclude,
    proposal_record,
    shipments_of,
    shipments_record,
)
from tradecover.limits.checks import requires_second_approval
from tradecover.limits.common.service import (
    CountryView,
    _active_limit,
    _in_currency,
    _rooms,
    country_view,
)
from tradecover.limits.decision import decide_limit
from tradecover.limits.fx import CAP_CURRENCY, from_usd, to_usd
from tradecover.limits.model import (
    CreditLimit,
    LimitApplication,
)
from tradecover.limits.request import (
    AutoRule,
    DecisionOutcome,
    ExpectedShipments,
    LimitDecision,
    LimitRequest,
    PolicyTerms,
    RequestType,
    Route,
)
from tradecover.limits.rules import PENDING, LimitRules
from tradecover.policies import PolicyState
from tradecover.reference.payment_terms import PaymentTerms


def _proposal(
    session: Session,
    *,
    request: LimitRequest,
    buyer: buyers.Buyer,
    policy_terms: PolicyTerms,
    rules: LimitRules,
) -> tuple[LimitDecision, int]:
    view = country_view(session, buyer.country)
    rating_row = buyers.latest_rating(session, buyer.id)
    if rating_row is None:
        raise Conflict("the buyer has not been rated", code="buyer_not_rated")
    buyer_room, country_room = _rooms(session, buyer_id=buyer.id, country=buyer.country, view=view)
    return proposal_with(
        request=request,
        rating_row=rating_row,
        view=view,
        buyer_room=buyer_room,
        country_room=country_room,
        policy_terms=policy_terms,
        rules=rules,
    ), rating_row.id


def proposal_with(
    *,
    request: LimitRequest,
    rating_row: Any,
    view: CountryView,
    buyer_room: Money,
    country_room: Money | None,
    policy_terms: PolicyTerms,
    rules: LimitRules,
) -> LimitDecision:
    """What the rules propose for ``request``, within the rooms on the buyer and the country."""
    currency = request.amount.currency
    if currency not in policy_terms.currencies:  # before converting anything
        allowed = ", ".join(sorted(policy_terms.currencies))
        raise ValidationFailed(
            f"the policy allows limits in {allowed}, not {currency}",
            code="currency_not_allowed",
            field="currency",
        )
    auto = AutoRule(max_amount=from_usd(Money(rules.auto_approve_up_to, CAP_CURRENCY), currency))
    return decide_limit(
        request=request,
        rating=buyers.rating_from_row(rating_row),
        room_on_buyer_aggregate=_in_currency(buyer_room, currency) or Money.zero(currency),
        room_on_country_cap=_in_currency(country_room, currency),
        country_status=view.status,
        policy=policy_terms,
        auto_rule=auto,
    )


def request_of(
    app: LimitApplication, *, buyer: buyers.Buyer, current: CreditLimit | None
) -> LimitRequest:
    """The request a stored application makes, against the limit in force now."""
    return LimitRequest(
        request_type=RequestType(app.request_type),
        amount=Money.from_minor(app.amount_minor, app.currency),
        payment_terms=PaymentTerms(app.payment_terms),
        credit_period_days=app.credit_period_days,
        buyer_country=buyer.country,
        applicant_org_id=app.org_id,
        current_limit=Money.from_minor(current.amount_minor, current.currency)
        if current is not None
        else None,
        shipments=shipments_of(app.shipments),
    )


def apply(
    session: Session,
    *,
    principal: Principal,
    policy_id: int,
    buyer_id: int,
    request_type: RequestType,
    amount: Money,
    payment_terms: PaymentTerms,
    credit_period_days: int,
    today: date,
    rules: LimitRules,
    shipments: ExpectedShipments | None = None,
) -> LimitApplication:
    """An exporter applies for a limit on a buyer under its active policy.

    Bad input is refused before anything is written (a buyer abroad under a domestic
    policy: ``domestic_buyer_foreign``, [domain DT-1]).  Small clean cases (and the
    exporter's own reductions and cancellations) are decided at once; the others wait in
    the underwriters' queue with the rating, the ceiling and a recommendation.
    """
    principal.require(Permission.LIMIT_APPLY)
    policy = policies.get_policy(session, principal=principal, policy_id=policy_id)
    if policy.exporter_org_id != principal.org_id:
        raise NotFound(f"no policy {policy_id}", code="policy_not_found")
    if policy.state != PolicyState.ACTIVE.value:
        raise Conflict(
            f"policy {policy_id} is {policy.state}: limits need an active policy",
            code="policy_not_active",
            field="policy_id",
        )
    buyer = buyers.get_buyer(session, principal=principal, buyer_id=buyer_id)
    if buyer.merged_into_id is not None:
        raise Conflict(
            f"buyer {buyer_id} was merged into {buyer.merged_into_id}",
            code="buyer_merged",
            field="buyer_id",
        )
    schedule = policies.schedule_of(policy)
    # a domestic policy: buyers in the insured's own country only [domain DT-1]
    policies.check_domestic_buyer(policy.product, schedule.scope, buyer.country, field="buyer_id")
    current = _active_limit(
        session, org_id=principal.org_id, policy_id=policy_id, buyer_id=buyer_id
    )
    request = LimitRequest(
        request_type=request_type,
        amount=amount,
        payment_terms=payment_terms,
        credit_period_days=credit_period_days,
        buyer_country=buyer.country,
        applicant_org_id=principal.org_id,
        current_limit=Money.from_minor(current.amount_minor, current.currency)
        if current is not None
        else None,
        shipments=shipments,
    )
    terms = PolicyTerms.from_schedule(schedule)
    decision, rating_id = _proposal(
        session, request=request, buyer=buyer, policy_terms=terms, rules=rules
    )
    automatic = decision.route is Route.AUTOMATIC and not (
        decision.outcome in (DecisionOutcome.APPROVED, DecisionOutcome.PARTLY_APPROVED)
        and request_type in (RequestType.NEW_LIMIT, RequestType.INCREASE)
        and requires_second_approval(
            to_usd(decision.approved), Money(rules.four_eyes_above, CAP_CURRENCY)
        )
    )
    app = LimitApplication(
        org_id=principal.org_id,
        policy_id=policy_id,
        buyer_id=buyer_id,
        limit_id=current.id if current is not None else None,
        request_type=request_type.value,
        currency=amount.currency,
        amount_minor=amount.minor_units(),
        current_minor=current.amount_minor if current is not None else None,
        payment_terms=payment_terms.value,
        credit_period_days=credit_period_days,
        shipments=shipments_record(shipments),
        status=PENDING,
        route=(Route.AUTOMATIC if automatic else Route.UNDERWRITER).value,
        proposal=proposal_record(decision),
        rating_id=rating_id,
        model_version=decision.model_version,
        grade=decision.grade,
        submitted_by=principal.actor,
        submitted_at=utc_now(),
    )
    session.add(app)
    session.flush()
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action="limit.applied",
        entity_type="limit_application",
        entity_id=app.id,
        after=app_snapshot(app),
    )
    if automatic:
        conclude(
            session,
            principal=principal,
            app=app,
            buyer=buyer,
            decision=decision,
            today=today,
            expected_status=PENDING,
            maker=f"auto:{principal.actor}",
        )
    return app


def get_application(
    session: Session, *, principal: Principal, application_id: int
) -> LimitApplication:
    """One application the caller may see (an exporter: only its own)."""
    principal.require(Permission.LIMIT_READ)
    row = session.execute(
        repo.visible_applications(principal)
        .where(LimitApplication.id == application_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no limit application {application_id}", code="limit_application_not_found")
    return row


def list_applications(
    session: Session,
    *,
    principal: Principal,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[LimitApplication], int]:
    """Applications, oldest first (the underwriters' queue with ``status='pending'``)."""
    principal.require(Permission.LIMIT_READ)
    query = repo.visible_applications(principal)
    if status:
        query = query.where(LimitApplication.status == status)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(LimitApplication.id).limit(limit).offset(offset))
    return list(rows.scalars()), total
