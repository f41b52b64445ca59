"""Use cases of credit limits: apply, decide (four eyes), change, notify, track, utilise.

Every change that adds exposure reserves it first on the country row, then on the buyer
aggregate row, with conditional updates (:mod:`tradecover.limits.repository`), then
writes the limit row guarded by its version number: the same order everywhere, so two
underwriters never deadlock and never over-commit.  Amounts reserved are US dollars
(:mod:`tradecover.limits.fx`); thresholds of :class:`LimitRules` are US dollars too.
Services never commit: the edge owns the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tradecover.access.principal import Principal
from tradecover.access.roles import Permission
from tradecover.audit import service as audit
from tradecover.buyers import service as buyers
from tradecover.buyers.model import Buyer
from tradecover.collections.model import NOTICE_OPEN, PossibleLossNotice
from tradecover.config import Settings
from tradecover.country_risk import service as country_risk
from tradecover.country_risk.model import CountryRiskVersion
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import repository as repo
from tradecover.limits.decision import (
    AutoRule,
    CountryStatus,
    DecisionOutcome,
    ExpectedShipments,
    LimitConditions,
    LimitDecision,
    LimitRequest,
    PolicyTerms,
    ReasonCode,
    RequestType,
    Route,
    check_decider,
    check_four_eyes,
    decide_limit,
    requires_second_approval,
    underwriter_decision,
)
from tradecover.limits.fx import CAP_CURRENCY, from_usd, to_usd
from tradecover.limits.model import (
    BuyerAggregate,
    BuyerAggregateChange,
    CountryExposure,
    CreditLimit,
    CreditLimitVersion,
    LimitApplication,
    LimitNotification,
)
from tradecover.limits.utilisation import WatchReason, WatchThresholds, watch_list_reasons
from tradecover.limits.versions import LimitVersion, next_version
from tradecover.policies import service as policies
from tradecover.policies.lifecycle import PolicyState
from tradecover.reference.payment_terms import PaymentTerms

PENDING = "pending"
PENDING_SECOND = "pending_second_approval"
DECIDED = "decided"


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitRules:
    """Configurable thresholds, in US dollars: automatic decisions, four eyes, idle days."""

    auto_approve_up_to: Decimal = Decimal(50_000)
    four_eyes_above: Decimal = Decimal(1_000_000)
    idle_days: int = 180
    watch_single: Decimal = Decimal(5_000_000)
    watch_buyer_total: Decimal = Decimal(10_000_000)

    @classmethod
    def from_settings(cls, settings: Settings) -> LimitRules:
        """The rules configured by ``TRADECOVER_LIMIT_*`` settings."""
        return cls(auto_approve_up_to=Decimal(settings.limit_auto_approve_up_to),
                   four_eyes_above=Decimal(settings.limit_four_eyes_above),
                   idle_days=settings.limit_idle_days,
                   watch_single=Decimal(settings.limit_watch_single),
                   watch_buyer_total=Decimal(settings.limit_watch_buyer_total))


# --- shared caps ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountryView:
    """The country's cover status and exposure cap in US dollars (``None``: no cap)."""

    status: CountryStatus
    cap_usd: Money | None


def country_view(session: Session, country: str) -> CountryView:
    """The insurer's view of ``country`` in force (open without cap when none recorded)."""
    try:
        view = country_risk.current(session, country)
    except NotFound:
        return CountryView(CountryStatus.OPEN, None)
    cap = to_usd(view.exposure_cap) if view.exposure_cap is not None else None
    return CountryView(CountryStatus(view.cover_status.value), cap)


def _view_of(row: CountryRiskVersion | None) -> CountryView:
    """The view of a country from its version row in force (open without cap: none)."""
    if row is None:
        return CountryView(CountryStatus.OPEN, None)
    cap = (to_usd(Money.from_minor(row.exposure_cap_minor, row.cap_currency))
           if row.exposure_cap_minor is not None and row.cap_currency else None)
    return CountryView(CountryStatus(row.cover_status), cap)


def _rooms_of(aggregate: BuyerAggregate | None, view: CountryView,
              country_committed: int | None) -> tuple[Money, Money | None]:
    if aggregate is None:
        raise Conflict("the buyer has no aggregate limit yet: rate it first",
                       code="no_aggregate_limit")
    buyer_room = Money.from_minor(aggregate.aggregate_minor - aggregate.committed_minor,
                                  CAP_CURRENCY)
    if view.cap_usd is None:
        return buyer_room, None
    return buyer_room, view.cap_usd - Money.from_minor(country_committed or 0, CAP_CURRENCY)


def _aggregate_row(session: Session, buyer_id: int) -> BuyerAggregate:
    row = session.get(BuyerAggregate, buyer_id, populate_existing=True)
    if row is None:
        raise Conflict("the buyer has no aggregate limit yet: rate it first",
                       code="no_aggregate_limit")
    return row


def _rooms(session: Session, *, buyer_id: int, country: str,
           view: CountryView) -> tuple[Money, Money | None]:
    agg = _aggregate_row(session, buyer_id)
    buyer_room = Money.from_minor(agg.aggregate_minor - agg.committed_minor, CAP_CURRENCY)
    if view.cap_usd is None:
        return buyer_room, None
    committed = session.execute(select(CountryExposure.committed_minor).where(
        CountryExposure.country == country)).scalar_one_or_none() or 0
    return buyer_room, view.cap_usd - Money.from_minor(committed, CAP_CURRENCY)


def _in_currency(room_usd: Money | None, currency: str) -> Money | None:
    if room_usd is None:
        return None
    if room_usd.amount <= 0:
        return Money.zero(currency)
    return from_usd(room_usd, currency)


@dataclass(frozen=True, slots=True)
class AggregateView:
    """A buyer aggregate limit and what is committed on it, in US dollars."""

    buyer_id: int
    suggested: Money
    override: Money | None
    override_reason: str | None
    aggregate: Money
    committed: Money
    model_version: str

    @property
    def room(self) -> Money:
        """What is left (zero when the aggregate was lowered below the commitments)."""
        left = self.aggregate - self.committed
        return left if left.amount > 0 else Money.zero(CAP_CURRENCY)


def _aggregate_view(row: BuyerAggregate) -> AggregateView:
    def usd(minor: int) -> Money:
        return Money.from_minor(minor, CAP_CURRENCY)
    return AggregateView(row.buyer_id, usd(row.suggested_minor),
                         usd(row.override_minor) if row.override_minor is not None else None,
                         row.override_reason, usd(row.aggregate_minor),
                         usd(row.committed_minor), row.model_version)


def get_aggregate(session: Session, *, principal: Principal, buyer_id: int) -> AggregateView:
    """The buyer aggregate limit (insurer staff)."""
    principal.require(Permission.BUYER_ASSESS)
    buyers.get_buyer(session, principal=principal, buyer_id=buyer_id)
    return _aggregate_view(_aggregate_row(session, buyer_id))


def aggregate_history(session: Session, *, principal: Principal,
                      buyer_id: int) -> list[BuyerAggregateChange]:
    """Every change of a buyer aggregate limit, oldest first (insurer staff)."""
    principal.require(Permission.BUYER_ASSESS)
    buyers.get_buyer(session, principal=principal, buyer_id=buyer_id)
    return list(session.execute(select(BuyerAggregateChange).where(
        BuyerAggregateChange.buyer_id == buyer_id).order_by(BuyerAggregateChange.id)).scalars())


def override_aggregate(session: Session, *, principal: Principal, buyer_id: int,
                       amount: Money | None, reason: str) -> AggregateView:
    """Set (or, with ``None``, clear) a risk manager's override of the aggregate limit.

    Lowering it below what is committed is allowed (existing limits stay; no new
    exposure fits until limits are cut), and the answer says how much is over.
    """
    principal.require(Permission.BUYER_REVIEW)
    if not reason.strip():
        raise ValidationFailed("a reason is required", code="reason_required", field="reason")
    if amount is not None:
        if amount.currency != CAP_CURRENCY:
            raise ValidationFailed("aggregate limits are in USD", code="currency_not_allowed",
                                   field="currency")
        if amount.amount < 0:
            raise ValidationFailed("an aggregate limit cannot be negative",
                                   code="amount_not_positive", field="amount")
    buyers.get_buyer(session, principal=principal, buyer_id=buyer_id)
    row = session.execute(select(BuyerAggregate).where(BuyerAggregate.buyer_id == buyer_id)
                          .with_for_update().execution_options(populate_existing=True)
                          ).scalar_one_or_none()
    if row is None:
        raise Conflict("the buyer has no aggregate limit yet: rate it first",
                       code="no_aggregate_limit")
    before = _aggregate_view(row)
    row.override_minor = amount.minor_units() if amount is not None else None
    row.override_reason = reason if amount is not None else None
    row.override_by = principal.actor if amount is not None else None
    row.aggregate_minor = (amount.minor_units() if amount is not None
                           else row.suggested_minor)
    row.updated_at = utc_now()
    session.add(BuyerAggregateChange(
        buyer_id=buyer_id, suggested_minor=row.suggested_minor,
        override_minor=row.override_minor, aggregate_minor=row.aggregate_minor,
        model_version=row.model_version, reason=reason, changed_by=principal.actor,
        changed_at=utc_now()))
    session.flush()
    after = _aggregate_view(row)
    audit.record(session, org_id=principal.org_id, actor=principal.actor,
                 action="buyer_aggregate.overridden" if amount else "buyer_aggregate.cleared",
                 entity_type="buyer", entity_id=buyer_id, reason=reason,
                 before={"aggregate": str(before.aggregate)},
                 after={"aggregate": str(after.aggregate), "committed": str(after.committed)})
    return after


# --- reading limits ---------------------------------------------------------------------


def _limit(session: Session, principal: Principal, limit_id: int) -> CreditLimit:
    row = session.get(CreditLimit, limit_id, populate_existing=True)
    if row is None or not principal.can_see_org(row.org_id):
        raise NotFound(f"no credit limit {limit_id}", code="limit_not_found")
    return row


def get_limit(session: Session, *, principal: Principal, limit_id: int) -> CreditLimit:
    """One limit the caller may see (an exporter: only its own)."""
    principal.require(Permission.LIMIT_READ)
    return _limit(session, principal, limit_id)


def list_limits(session: Session, *, principal: Principal, buyer_id: int | None = None,
                status: str | None = "active", limit: int = 50,
                offset: int = 0) -> tuple[list[CreditLimit], int]:
    """Limits the caller may see, newest first, and how many match."""
    principal.require(Permission.LIMIT_READ)
    query = select(CreditLimit)
    if not principal.is_insurer:
        query = query.where(CreditLimit.org_id == principal.org_id)
    if buyer_id is not None:
        query = query.where(CreditLimit.buyer_id == buyer_id)
    if status:
        query = query.where(CreditLimit.status == status)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(CreditLimit.id.desc()).limit(limit).offset(offset))
    return list(rows.scalars()), total


def versions_of(session: Session, limit_id: int) -> list[CreditLimitVersion]:
    """The versions of a limit, oldest first."""
    return list(session.execute(select(CreditLimitVersion).where(
        CreditLimitVersion.limit_id == limit_id).order_by(CreditLimitVersion.number)).scalars())


def limit_history(session: Session, *, principal: Principal,
                  limit_id: int) -> list[CreditLimitVersion]:
    """Every version of a limit the caller may see, oldest first."""
    get_limit(session, principal=principal, limit_id=limit_id)
    return versions_of(session, limit_id)


def _pure_versions(rows: Iterable[CreditLimitVersion]) -> list[LimitVersion]:
    return [LimitVersion(number=v.number, kind=RequestType(v.kind),
                         amount=Money.from_minor(v.amount_minor, v.currency),
                         effective_from=v.effective_from, expires_on=v.expires_on,
                         indemnity_pct=v.indemnity_pct, reason=v.reason) for v in rows]


def _active_limit(session: Session, *, org_id: int, policy_id: int,
                  buyer_id: int) -> CreditLimit | None:
    return session.execute(select(CreditLimit).where(
        CreditLimit.org_id == org_id, CreditLimit.policy_id == policy_id,
        CreditLimit.buyer_id == buyer_id, CreditLimit.status == "active",
    ).execution_options(populate_existing=True)).scalar_one_or_none()


# --- applying and deciding --------------------------------------------------------------


def _shipments_dict(s: ExpectedShipments | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"contract_size": str(s.contract_size.amount), "currency": s.contract_size.currency,
            "shipments_per_year": s.shipments_per_year,
            "largest_shipment": str(s.largest_shipment.amount), "transit_days": s.transit_days}


def _shipments_of(data: dict[str, Any] | None) -> ExpectedShipments | None:
    if not data:
        return None
    return ExpectedShipments(contract_size=Money.of(data["contract_size"], data["currency"]),
                             shipments_per_year=int(data["shipments_per_year"]),
                             largest_shipment=Money.of(data["largest_shipment"],
                                                       data["currency"]),
                             transit_days=int(data["transit_days"]))


def _proposal(session: Session, *, request: LimitRequest, buyer: Buyer, policy_terms: PolicyTerms,
              rules: LimitRules) -> tuple[LimitDecision, int]:
    view = country_view(session, buyer.country)
    rating_row = buyers.latest_rating(session, buyer.id)
    if rating_row is None:
        raise Conflict("the buyer has not been rated", code="buyer_not_rated")
    buyer_room, country_room = _rooms(session, buyer_id=buyer.id, country=buyer.country,
                                      view=view)
    return _proposal_with(request=request, rating_row=rating_row, view=view,
                          buyer_room=buyer_room, country_room=country_room,
                          policy_terms=policy_terms, rules=rules), rating_row.id


def _proposal_with(*, request: LimitRequest, rating_row: Any, view: CountryView,
                   buyer_room: Money, country_room: Money | None, policy_terms: PolicyTerms,
                   rules: LimitRules) -> LimitDecision:
    currency = request.amount.currency
    if currency not in policy_terms.currencies:  # before converting anything
        allowed = ", ".join(sorted(policy_terms.currencies))
        raise ValidationFailed(f"the policy allows limits in {allowed}, not {currency}",
                               code="currency_not_allowed", field="currency")
    auto = AutoRule(max_amount=from_usd(Money(rules.auto_approve_up_to, CAP_CURRENCY), currency))
    return decide_limit(
        request=request, rating=buyers.rating_from_row(rating_row),
        room_on_buyer_aggregate=_in_currency(buyer_room, currency) or Money.zero(currency),
        room_on_country_cap=_in_currency(country_room, currency), country_status=view.status,
        policy=policy_terms, auto_rule=auto)


def _request_of(app: LimitApplication, *, buyer: Buyer,
                current: CreditLimit | None) -> LimitRequest:
    return LimitRequest(
        request_type=RequestType(app.request_type),
        amount=Money.from_minor(app.amount_minor, app.currency),
        payment_terms=PaymentTerms(app.payment_terms),
        credit_period_days=app.credit_period_days, buyer_country=buyer.country,
        applicant_org_id=app.org_id,
        current_limit=Money.from_minor(current.amount_minor, current.currency)
        if current is not None else None,
        shipments=_shipments_of(app.shipments))


def _proposal_dict(d: LimitDecision) -> dict[str, Any]:
    return {"outcome": d.outcome.value, "route": d.route.value, "ceiling": str(d.ceiling.amount),
            "recommended": str(d.recommended.amount), "reasons": [r.value for r in d.reasons],
            "grade": d.grade, "model_version": d.model_version}


def app_snapshot(app: LimitApplication) -> dict[str, Any]:
    """The audited fields of an application."""
    return {"request_type": app.request_type, "policy_id": app.policy_id,
            "buyer_id": app.buyer_id, "amount": str(Money.from_minor(app.amount_minor,
                                                                     app.currency)),
            "status": app.status, "outcome": app.outcome,
            "approved": (str(Money.from_minor(app.approved_minor, app.currency))
                         if app.approved_minor is not None else None),
            "reasons": app.reasons, "model_version": app.model_version,
            "maker": app.maker_actor, "checker": app.checker_actor}


def apply(
    session: Session, *, principal: Principal, policy_id: int, buyer_id: int,
    request_type: RequestType, amount: Money, payment_terms: PaymentTerms,
    credit_period_days: int, today: date, rules: LimitRules,
    shipments: ExpectedShipments | None = None,
) -> LimitApplication:
    """An exporter applies for a limit on a buyer under its active policy.

    Bad input is refused before anything is written.  Small clean cases (and the
    exporter's own reductions and cancellations) are decided at once; the others wait in
    the underwriters' queue with the rating, the ceiling and a recommendation.
    """
    principal.require(Permission.LIMIT_APPLY)
    policy = policies.get_policy(session, principal=principal, policy_id=policy_id)
    if policy.exporter_org_id != principal.org_id:
        raise NotFound(f"no policy {policy_id}", code="policy_not_found")
    if policy.state != PolicyState.ACTIVE.value:
        raise Conflict(f"policy {policy_id} is {policy.state}: limits need an active policy",
                       code="policy_not_active", field="policy_id")
    buyer = buyers.get_buyer(session, principal=principal, buyer_id=buyer_id)
    if buyer.merged_into_id is not None:
        raise Conflict(f"buyer {buyer_id} was merged into {buyer.merged_into_id}",
                       code="buyer_merged", field="buyer_id")
    current = _active_limit(session, org_id=principal.org_id, policy_id=policy_id,
                            buyer_id=buyer_id)
    request = LimitRequest(
        request_type=request_type, amount=amount, payment_terms=payment_terms,
        credit_period_days=credit_period_days, buyer_country=buyer.country,
        applicant_org_id=principal.org_id,
        current_limit=Money.from_minor(current.amount_minor, current.currency)
        if current is not None else None, shipments=shipments)
    terms = PolicyTerms.from_schedule(policies.schedule_of(policy))
    decision, rating_id = _proposal(session, request=request, buyer=buyer, policy_terms=terms,
                                    rules=rules)
    automatic = decision.route is Route.AUTOMATIC and not (
        decision.outcome in (DecisionOutcome.APPROVED, DecisionOutcome.PARTLY_APPROVED)
        and request_type in (RequestType.NEW_LIMIT, RequestType.INCREASE)
        and requires_second_approval(to_usd(decision.approved),
                                     Money(rules.four_eyes_above, CAP_CURRENCY)))
    app = LimitApplication(
        org_id=principal.org_id, policy_id=policy_id, buyer_id=buyer_id,
        limit_id=current.id if current is not None else None, request_type=request_type.value,
        currency=amount.currency, amount_minor=amount.minor_units(),
        current_minor=current.amount_minor if current is not None else None,
        payment_terms=payment_terms.value, credit_period_days=credit_period_days,
        shipments=_shipments_dict(shipments), status=PENDING,
        route=(Route.AUTOMATIC if automatic else Route.UNDERWRITER).value,
        proposal=_proposal_dict(decision), rating_id=rating_id,
        model_version=decision.model_version, grade=decision.grade,
        submitted_by=principal.actor, submitted_at=utc_now())
    session.add(app)
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="limit.applied",
                 entity_type="limit_application", entity_id=app.id, after=app_snapshot(app))
    if automatic:
        _conclude(session, principal=principal, app=app, buyer=buyer, decision=decision,
                  today=today, expected_status=PENDING, maker=f"auto:{principal.actor}")
    return app


def get_application(session: Session, *, principal: Principal,
                    application_id: int) -> LimitApplication:
    """One application the caller may see (an exporter: only its own)."""
    principal.require(Permission.LIMIT_READ)
    row = session.get(LimitApplication, application_id, populate_existing=True)
    if row is None or not principal.can_see_org(row.org_id):
        raise NotFound(f"no limit application {application_id}",
                       code="limit_application_not_found")
    return row


def list_applications(session: Session, *, principal: Principal, status: str | None = None,
                      limit: int = 50, offset: int = 0) -> tuple[list[LimitApplication], int]:
    """Applications, oldest first (the underwriters' queue with ``status='pending'``)."""
    principal.require(Permission.LIMIT_READ)
    query = select(LimitApplication)
    if not principal.is_insurer:
        query = query.where(LimitApplication.org_id == principal.org_id)
    if status:
        query = query.where(LimitApplication.status == status)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(LimitApplication.id).limit(limit).offset(offset))
    return list(rows.scalars()), total


def _transition(session: Session, app: LimitApplication, *, expected: str,
                values: dict[str, Any]) -> None:
    session.flush()  # Core on the session's connection: no ORM state follows this row
    result = session.connection().execute(update(LimitApplication).where(
        LimitApplication.id == app.id, LimitApplication.status == expected).values(**values))
    if result.rowcount != 1:
        raise Conflict(f"application {app.id} was decided meanwhile",
                       code="application_already_decided")
    for key, value in values.items():  # the row already holds them: no second UPDATE
        set_committed_value(app, key, value)


def _conditions_dict(c: LimitConditions | None) -> dict[str, Any] | None:
    if c is None or c.is_empty():
        return None
    return {"indemnity_pct": str(c.indemnity_pct) if c.indemnity_pct is not None else None,
            "expires_on": c.expires_on.isoformat() if c.expires_on else None, "text": c.text}


def _conditions_of(data: dict[str, Any] | None) -> LimitConditions | None:
    if not data:
        return None
    return LimitConditions(
        indemnity_pct=Decimal(data["indemnity_pct"]) if data.get("indemnity_pct") else None,
        expires_on=date.fromisoformat(data["expires_on"]) if data.get("expires_on") else None,
        text=data.get("text"))


@dataclass(frozen=True, slots=True)
class _Loaded:
    """What a decision already read: the current limit, the country view, whether the
    country has an exposure row (so :func:`_change` does not read them again).
    """

    current: CreditLimit | None
    view: CountryView
    country_row: bool


def _audit_decision(session: Session, *, principal: Principal, app: LimitApplication,
                    action: str, reason: str | None, before: dict[str, Any],
                    after: dict[str, Any]) -> None:
    """One audit entry for a decision, on the buyer's sharded chain of the decider's
    organisation: decisions on different buyers never wait on one chain head.
    """
    audit.append_many(session, [(audit.chain_for(app.buyer_id), audit.Pending(
        org_id=principal.org_id, actor=principal.actor, action=action,
        entity_type="limit_application", entity_id=str(app.id), reason=reason,
        before=before, after=after))])


def _conclude(session: Session, *, principal: Principal, app: LimitApplication, buyer: Buyer,
              decision: LimitDecision, today: date, expected_status: str, maker: str | None,
              checker: str | None = None, loaded: _Loaded | None = None) -> None:
    """Record the final decision: the limit version it puts in force (if it approves),
    the application's new state, and ONE audit entry telling both.
    """
    approves = decision.outcome in (DecisionOutcome.APPROVED, DecisionOutcome.PARTLY_APPROVED,
                                    DecisionOutcome.CONDITIONAL)
    before = app_snapshot(app)
    limit_id = app.limit_id
    reason = ", ".join(r.value for r in decision.reasons)
    put_in_force: dict[str, Any] = {}
    if approves:
        kind = RequestType(app.request_type)
        limit, version = _change(
            session, principal=principal, org_id=app.org_id, policy_id=app.policy_id,
            buyer=buyer, kind=kind, amount=decision.approved, today=today,
            payment_terms=app.payment_terms, credit_period_days=app.credit_period_days,
            conditions=decision.conditions, application_id=app.id, reason=reason,
            loaded=loaded, audited=False)
        limit_id = limit.id
        put_in_force = {"limit_id": limit.id, "limit_version": version.number,
                        "limit_amount": str(Money.from_minor(version.amount_minor,
                                                             version.currency)),
                        "effective_from": version.effective_from.isoformat()}
    values: dict[str, Any] = {
        "limit_id": limit_id,
        "status": DECIDED, "outcome": decision.outcome.value,
        "approved_minor": decision.approved.minor_units(),
        "reasons": [r.value for r in decision.reasons],
        "conditions": _conditions_dict(decision.conditions),
        "decided_at": utc_now()}
    if maker is not None:
        values["maker_actor"] = maker
    if checker is not None:
        values["checker_actor"] = checker
    _transition(session, app, expected=expected_status, values=values)
    _audit_decision(session, principal=principal, app=app, action="limit.decided",
                    reason=reason, before=before, after=app_snapshot(app) | put_in_force)


def _context(session: Session, principal: Principal,
             application_id: int) -> repo.DecisionContext:
    principal.require(Permission.LIMIT_READ)
    ctx = repo.decision_context(session, application_id)
    if ctx is None or not principal.can_see_org(ctx.application.org_id):
        raise NotFound(f"no limit application {application_id}",
                       code="limit_application_not_found")
    check_decider(applicant_org_id=ctx.application.org_id, decider_org_id=principal.org_id)
    principal.require(Permission.LIMIT_DECIDE)
    return ctx


def decide(
    session: Session, *, principal: Principal, application_id: int,
    outcome: DecisionOutcome, amount: Money | Decimal | str, reasons: Iterable[ReasonCode],
    today: date, rules: LimitRules, conditions: LimitConditions | None = None,
) -> LimitApplication:
    """An underwriter decides a pending application; above the four-eyes amount an
    approval waits for a second underwriter (:func:`second_approval`).

    ``amount`` is the new total approved; a bare number is in the application's currency.
    Everything the decision reads comes in one query (:func:`repository.decision_context`);
    the caps are then only touched by the conditional reservations.
    """
    ctx = _context(session, principal, application_id)
    app = ctx.application
    if app.status != PENDING:
        raise Conflict(f"application {app.id} is {app.status.replace('_', ' ')}",
                       code="application_not_pending")
    if not isinstance(amount, Money):
        amount = Money.of(amount, app.currency)
    if ctx.rating is None:
        raise Conflict("the buyer has not been rated", code="buyer_not_rated")
    view = _view_of(ctx.country_risk)
    buyer_room, country_room = _rooms_of(ctx.aggregate, view, ctx.country_committed)
    request = _request_of(app, buyer=ctx.buyer, current=ctx.current)
    terms = PolicyTerms.from_schedule(policies.schedule_of(ctx.policy))
    proposal = _proposal_with(request=request, rating_row=ctx.rating, view=view,
                              buyer_room=buyer_room, country_room=country_room,
                              policy_terms=terms, rules=rules)
    decision = underwriter_decision(request=request, proposal=proposal, outcome=outcome,
                                    amount=amount, reasons=reasons,
                                    decider_org_id=principal.org_id, conditions=conditions)
    approves = outcome in (DecisionOutcome.APPROVED, DecisionOutcome.PARTLY_APPROVED,
                           DecisionOutcome.CONDITIONAL)
    if approves and requires_second_approval(to_usd(amount),
                                             Money(rules.four_eyes_above, CAP_CURRENCY)):
        before = app_snapshot(app)
        _transition(session, app, expected=PENDING, values={
            "status": PENDING_SECOND, "outcome": outcome.value,
            "approved_minor": amount.minor_units(),
            "reasons": [r.value for r in decision.reasons],
            "conditions": _conditions_dict(conditions), "maker_actor": principal.actor})
        _audit_decision(session, principal=principal, app=app, action="limit.first_approval",
                        reason=", ".join(r.value for r in decision.reasons), before=before,
                        after=app_snapshot(app))
        return app
    if outcome is DecisionOutcome.STILL_INVESTIGATING:
        raise ValidationFailed("the application already waits: decide it, or leave it",
                               code="outcome_not_final", field="outcome")
    _conclude(session, principal=principal, app=app, buyer=ctx.buyer, decision=decision,
              today=today, expected_status=PENDING, maker=principal.actor,
              loaded=_Loaded(ctx.current, view, ctx.country_committed is not None))
    return app


def second_approval(session: Session, *, principal: Principal, application_id: int,
                    today: date) -> LimitApplication:
    """A second underwriter confirms an approval above the four-eyes amount."""
    ctx = _context(session, principal, application_id)
    app = ctx.application
    if app.status != PENDING_SECOND:
        raise Conflict(f"application {app.id} does not wait for a second approval",
                       code="no_second_approval_pending")
    check_four_eyes(maker=app.maker_actor or "", checker=principal.actor)
    outcome = DecisionOutcome(app.outcome or DecisionOutcome.APPROVED.value)
    decision = LimitDecision(
        request_type=RequestType(app.request_type), outcome=outcome, route=Route.UNDERWRITER,
        approved=Money.from_minor(app.approved_minor or 0, app.currency),
        ceiling=Money.from_minor(app.approved_minor or 0, app.currency),
        recommended=Money.from_minor(app.approved_minor or 0, app.currency),
        reasons=tuple(ReasonCode(r) for r in app.reasons or ()),
        model_version=app.model_version, grade=app.grade,
        conditions=_conditions_of(app.conditions))
    _conclude(session, principal=principal, app=app, buyer=ctx.buyer, decision=decision,
              today=today, expected_status=PENDING_SECOND, maker=None, checker=principal.actor,
              loaded=_Loaded(ctx.current, _view_of(ctx.country_risk),
                             ctx.country_committed is not None))
    return app


# --- changing a limit -------------------------------------------------------------------


def _no_room(what: str) -> Conflict:
    return Conflict(f"no room left on the {what} for this amount", code="exceeds_room",
                    field="amount", details={"cap": what})


def _change(
    session: Session, *, principal: Principal, org_id: int, policy_id: int, buyer: Buyer,
    kind: RequestType, amount: Money, today: date, reason: str | None,
    payment_terms: str | None = None, credit_period_days: int | None = None,
    conditions: LimitConditions | None = None, application_id: int | None = None,
    effective_from: date | None = None, loaded: _Loaded | None = None, audited: bool = True,
) -> tuple[CreditLimit, CreditLimitVersion]:
    """Put a new version of the limit in force, reserving or releasing on the caps.

    ``loaded``: what the caller already read (the current limit, the country view), not
    read again; ``audited=False``: the caller writes the one audit entry itself.
    """
    current = (loaded.current if loaded is not None
               else _active_limit(session, org_id=org_id, policy_id=policy_id,
                                  buyer_id=buyer.id))
    rows = versions_of(session, current.id) if current is not None else []
    version = next_version(
        _pure_versions(rows), kind=kind, amount=amount, effective_from=effective_from or today,
        today=today, expires_on=conditions.expires_on if conditions else None,
        indemnity_pct=conditions.indemnity_pct if conditions else None, reason=reason)
    new_usd = to_usd(amount).minor_units()
    old_usd = current.committed_usd_minor if current is not None else 0
    delta = new_usd - old_usd
    if delta > 0:  # lock order: country, then buyer aggregate, then the limit row
        view = loaded.view if loaded is not None else country_view(session, buyer.country)
        cap = view.cap_usd.minor_units() if view.cap_usd is not None else None
        if not repo.reserve_country(session, country=buyer.country, delta_minor=delta,
                                    cap_minor=cap,
                                    ensure=loaded is None or not loaded.country_row):
            raise _no_room("country cap")
        if not repo.reserve_buyer(session, buyer_id=buyer.id, delta_minor=delta):
            raise _no_room("buyer aggregate limit")
    elif delta < 0:
        repo.release_country(session, country=buyer.country, amount_minor=-delta)
        repo.release_buyer(session, buyer_id=buyer.id, amount_minor=-delta)
    now = utc_now()
    if current is None:
        if session.execute(select(exists().where(  # re-read under the aggregate's lock
                CreditLimit.org_id == org_id, CreditLimit.policy_id == policy_id,
                CreditLimit.buyer_id == buyer.id, CreditLimit.status == "active"))).scalar():
            raise Conflict("a limit on this buyer exists", code="limit_already_exists")
        current = CreditLimit(
            org_id=org_id, policy_id=policy_id, buyer_id=buyer.id, country=buyer.country,
            currency=amount.currency, amount_minor=amount.minor_units(),
            committed_usd_minor=new_usd, status="active",
            payment_terms=payment_terms or PaymentTerms.OA.value,
            credit_period_days=credit_period_days or 90, effective_from=version.effective_from,
            expires_on=version.expires_on, indemnity_pct=version.indemnity_pct,
            conditions_text=conditions.text if conditions else None, current_version=1,
            created_at=now, updated_at=now)
        session.add(current)
        session.flush()
    else:
        result = session.execute(update(CreditLimit).where(
            CreditLimit.id == current.id,
            CreditLimit.current_version == current.current_version,
        ).values(amount_minor=amount.minor_units(), committed_usd_minor=new_usd,
                 current_version=version.number,
                 status="cancelled" if kind is RequestType.CANCELLATION else "active",
                 expires_on=version.expires_on, indemnity_pct=version.indemnity_pct,
                 updated_at=now).execution_options(synchronize_session=False))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"limit {current.id} changed meanwhile", code="limit_changed")
        for key, value in (("amount_minor", amount.minor_units()),  # as written: no re-read
                           ("committed_usd_minor", new_usd),
                           ("current_version", version.number),
                           ("status", "cancelled" if kind is RequestType.CANCELLATION
                            else "active"),
                           ("expires_on", version.expires_on),
                           ("indemnity_pct", version.indemnity_pct), ("updated_at", now)):
            set_committed_value(current, key, value)
    row = CreditLimitVersion(
        limit_id=current.id, number=version.number, kind=kind.value, currency=amount.currency,
        amount_minor=version.amount.minor_units(), effective_from=version.effective_from,
        expires_on=version.expires_on, indemnity_pct=version.indemnity_pct,
        reason=version.reason, application_id=application_id, created_at=now,
        created_by=principal.actor)
    session.add(row)
    session.flush()
    if not audited:
        return current, row
    audit.record(session, org_id=principal.org_id, actor=principal.actor,
                 action=f"limit.{kind.value}", entity_type="credit_limit", entity_id=current.id,
                 reason=reason, before={"amount": str(Money.from_minor(old_usd, CAP_CURRENCY))
                                        + " reserved"},
                 after={"version": version.number, "amount": str(version.amount),
                        "effective_from": version.effective_from.isoformat()})
    return current, row


def change_by_insurer(
    session: Session, *, principal: Principal, limit_id: int, kind: RequestType,
    amount: Money | None, reason: str, today: date, effective_from: date | None = None,
    notice_kind: str | None = None,
) -> CreditLimit:
    """The insurer reduces or cancels a limit with a reason; the exporter is notified.

    The new version takes effect on ``effective_from`` (today by default): shipments
    made before keep the cover of the version in force when they were made.
    """
    principal.require(Permission.LIMIT_MANAGE)
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer reduces or cancels a limit this way",
                               code="forbidden")
    if kind not in (RequestType.REDUCTION, RequestType.CANCELLATION):
        raise ValidationFailed("the insurer reduces or cancels; increases are applied for",
                               code="invalid_request_type", field="kind")
    row = _limit(session, principal, limit_id)
    if row.status != "active":
        raise Conflict(f"limit {limit_id} is {row.status}", code="limit_not_active")
    target = Money.zero(row.currency) if kind is RequestType.CANCELLATION else amount
    if target is None:
        raise ValidationFailed("a reduction needs the new amount", code="amount_required",
                               field="amount")
    if target.currency != row.currency:
        raise ValidationFailed(f"the limit is in {row.currency}", code="currency_mismatch",
                               field="currency")
    buyer = session.get_one(Buyer, row.buyer_id)
    limit, version = _change(session, principal=principal, org_id=row.org_id,
                             policy_id=row.policy_id, buyer=buyer, kind=kind, amount=target,
                             today=today, reason=reason, effective_from=effective_from)
    notice = notice_kind or ("cancelled" if kind is RequestType.CANCELLATION else "reduced")
    new_amount = ("" if kind is RequestType.CANCELLATION
                  else f" to {Money.from_minor(version.amount_minor, row.currency)}")
    message = (f"Your credit limit {limit.id} on {buyer.legal_name} is {notice}{new_amount}"
               f" from {version.effective_from.isoformat()}: {reason}")
    session.add(LimitNotification(org_id=row.org_id, limit_id=row.id, version_id=version.id,
                                  kind=notice, message=message, created_at=utc_now()))
    session.flush()
    return limit


def list_notifications(session: Session, *, principal: Principal, unacknowledged: bool = False,
                       limit: int = 50, offset: int = 0) -> tuple[list[LimitNotification], int]:
    """Notices of reduced or cancelled limits: an exporter sees its own, the insurer all."""
    principal.require(Permission.LIMIT_READ)
    query = select(LimitNotification)
    if not principal.is_insurer:
        query = query.where(LimitNotification.org_id == principal.org_id)
    if unacknowledged:
        query = query.where(LimitNotification.acknowledged_at.is_(None))
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(LimitNotification.id.desc()).limit(limit)
                           .offset(offset))
    return list(rows.scalars()), total


def acknowledge(session: Session, *, principal: Principal,
                notification_id: int) -> LimitNotification:
    """The exporter acknowledges a notice about its own limit."""
    principal.require(Permission.LIMIT_APPLY)
    row = session.get(LimitNotification, notification_id)
    if row is None or row.org_id != principal.org_id:
        raise NotFound(f"no notification {notification_id}", code="notification_not_found")
    if row.acknowledged_at is not None:
        raise Conflict("already acknowledged", code="already_acknowledged")
    row.acknowledged_at = utc_now()
    row.acknowledged_by = principal.actor
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor,
                 action="limit.notice_acknowledged", entity_type="limit_notification",
                 entity_id=row.id, after={"limit_id": row.limit_id, "kind": row.kind})
    return row


# --- tracking ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class BulkScope:
    """Which limits a bulk action touches: one buyer, one sector or one country."""

    buyer_id: int | None = None
    sector: str | None = None
    country: str | None = None

    def check(self) -> None:
        """Exactly one of the three must be given."""
        given = [v for v in (self.buyer_id, self.sector, self.country) if v is not None]
        if len(given) != 1:
            raise ValidationFailed("give exactly one of buyer_id, sector, country",
                                   code="invalid_scope", field="scope")


@dataclass(frozen=True, slots=True)
class BulkResult:
    """Limits changed by a bulk action, and those left as they were (with why)."""

    changed: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)


def limits_in_scope(session: Session, scope: BulkScope) -> list[CreditLimit]:
    """Active limits of a bulk scope, in lock order (country, buyer, limit)."""
    scope.check()
    query = select(CreditLimit).where(CreditLimit.status == "active")
    if scope.buyer_id is not None:
        query = query.where(CreditLimit.buyer_id == scope.buyer_id)
    if scope.country is not None:
        query = query.where(CreditLimit.country == scope.country.upper())
    if scope.sector is not None:
        query = query.where(CreditLimit.buyer_id.in_(
            select(Buyer.id).where(Buyer.sector == scope.sector)))
    return list(session.execute(query.order_by(CreditLimit.country, CreditLimit.buyer_id,
                                               CreditLimit.id)).scalars())


def bulk_action(
    session: Session, *, principal: Principal, scope: BulkScope, reason: str, today: date,
    cut_pct: Decimal | None = None, cancel: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BulkResult:
    """Cut by a percentage, or cancel, every limit on a buyer, a sector or a country.

    One call, one transaction: each limit gets a new version, a notice and an audit
    entry, plus one audit entry for the action itself.
    """
    principal.require(Permission.LIMIT_MANAGE)
    if cancel == (cut_pct is not None):
        raise ValidationFailed("give a cut percentage or cancel, not both",
                               code="invalid_bulk_action", field="cut_pct")
    if cut_pct is not None and not Decimal(0) < cut_pct < Decimal(100):
        raise ValidationFailed("the cut is a percentage in (0, 100); 100 % is a cancellation",
                               code="cut_out_of_range", field="cut_pct")
    if not reason.strip():
        raise ValidationFailed("a reason is required", code="reason_required", field="reason")
    rows = limits_in_scope(session, scope)
    result = BulkResult()
    for done, row in enumerate(rows, start=1):
        if cancel:
            change_by_insurer(session, principal=principal, limit_id=row.id,
                              kind=RequestType.CANCELLATION, amount=None, reason=reason,
                              today=today)
            result.changed.append(row.id)
        else:
            assert cut_pct is not None
            current = Money.from_minor(row.amount_minor, row.currency)
            target = (current * ((Decimal(100) - cut_pct) / Decimal(100))).rounded()
            if target.amount <= 0 or target >= current:
                result.skipped[row.id] = "too small to cut"
            else:
                change_by_insurer(session, principal=principal, limit_id=row.id,
                                  kind=RequestType.REDUCTION, amount=target, reason=reason,
                                  today=today)
                result.changed.append(row.id)
        if progress is not None:
            progress(done, len(rows))
    audit.record(session, org_id=principal.org_id, actor=principal.actor,
                 action="limit.bulk_action", entity_type="limit_scope",
                 entity_id=str(scope.buyer_id or scope.sector or scope.country), reason=reason,
                 after={"cancel": cancel, "cut_pct": str(cut_pct) if cut_pct else None,
                        "changed": result.changed, "skipped": result.skipped})
    return result


@dataclass(frozen=True, slots=True)
class WatchEntry:
    """A buyer on the large-limit watch list: its largest limit and total, in USD."""

    buyer_id: int
    largest: Money
    total: Money
    limits: int
    reasons: tuple[WatchReason, ...]


def watch_list(session: Session, *, principal: Principal, rules: LimitRules) -> list[WatchEntry]:
    """Buyers with a single limit or a total of limits at or above the watch thresholds,
    and buyers in default (an open notice of possible loss freezes them: reason
    ``buyer_in_default``, listed even with no active limit left), largest total first.
    """
    principal.require(Permission.LIMIT_MANAGE)
    single = Money(rules.watch_single, CAP_CURRENCY).minor_units()
    total = Money(rules.watch_buyer_total, CAP_CURRENCY).minor_units()
    largest_col = func.max(CreditLimit.committed_usd_minor)
    total_col = func.sum(CreditLimit.committed_usd_minor)
    defaulted = (select(PossibleLossNotice.buyer_id)
                 .where(PossibleLossNotice.status == NOTICE_OPEN).distinct())
    in_default = {int(b) for b in session.execute(defaulted).scalars()}
    rows = session.execute(
        select(CreditLimit.buyer_id, largest_col, total_col, func.count())
        .where(CreditLimit.status == "active").group_by(CreditLimit.buyer_id)
        .having((largest_col >= single) | (total_col >= total)
                | CreditLimit.buyer_id.in_(defaulted))
        .order_by(total_col.desc(), CreditLimit.buyer_id))
    thresholds = WatchThresholds(single_limit=Money(rules.watch_single, CAP_CURRENCY),
                                 buyer_total=Money(rules.watch_buyer_total, CAP_CURRENCY))
    default_reason = (WatchReason.BUYER_IN_DEFAULT,)
    out = []
    for buyer_id, largest, summed, count in rows:
        big = Money.from_minor(int(largest), CAP_CURRENCY)
        all_ = Money.from_minor(int(summed), CAP_CURRENCY)
        reasons = watch_list_reasons([big, all_ - big] if count > 1 else [big],
                                     thresholds=thresholds)
        if int(buyer_id) in in_default:
            reasons += default_reason
        out.append(WatchEntry(int(buyer_id), big, all_, int(count), reasons))
    listed = {e.buyer_id for e in out}
    zero = Money.zero(CAP_CURRENCY)
    out += [WatchEntry(b, zero, zero, 0, default_reason)
            for b in sorted(in_default - listed)]
    return out


def idle_limits(session: Session, *, today: date, idle_days: int) -> list[CreditLimit]:
    """Active limits with nothing outstanding and no shipment for ``idle_days`` days."""
    if idle_days < 1:
        raise ValidationFailed("the idle period is at least one day",
                               code="invalid_idle_days", field="idle_days")
    cutoff = today - timedelta(days=idle_days)
    o = repo.LIMIT_OUTSTANDING
    used = (select(o.c.limit_id).where((o.c.outstanding_minor > 0) | (o.c.shipped_on > cutoff)))
    query = (select(CreditLimit).where(CreditLimit.status == "active",
                                       CreditLimit.effective_from <= cutoff,
                                       CreditLimit.id.not_in(used))
             .order_by(CreditLimit.country, CreditLimit.buyer_id, CreditLimit.id))
    return list(session.execute(query).scalars())


def revoke_idle(session: Session, *, principal: Principal, today: date, idle_days: int,
                progress: Callable[[int, int], None] | None = None) -> list[int]:
    """Cancel every limit unused for ``idle_days`` days (the job); each is audited."""
    principal.require(Permission.LIMIT_MANAGE)
    rows = idle_limits(session, today=today, idle_days=idle_days)
    revoked = []
    for done, row in enumerate(rows, start=1):
        change_by_insurer(session, principal=principal, limit_id=row.id,
                          kind=RequestType.CANCELLATION, amount=None,
                          reason=f"unused for {idle_days} days", today=today,
                          notice_kind="revoked")
        revoked.append(row.id)
        if progress is not None:
            progress(done, len(rows))
    return revoked


@dataclass(frozen=True, slots=True)
class LimitUtilisation:
    """Approved, outstanding and available amounts of one limit, and its rate."""

    limit_id: int
    approved: Money
    outstanding: Money
    available: Money
    rate: Decimal | None


def _utilisation(row: repo.UtilisationRow) -> LimitUtilisation:
    rate = None if row.rate_bp is None else Decimal(row.rate_bp) / Decimal(10000)
    return LimitUtilisation(row.limit_id, Money.from_minor(row.approved_minor, row.currency),
                            Money.from_minor(row.outstanding_minor, row.currency),
                            Money.from_minor(row.available_minor, row.currency), rate)


def utilisation(session: Session, *, principal: Principal,
                limit_id: int | None = None, buyer_id: int | None = None) -> list[LimitUtilisation]:
    """Utilisation of the caller's active limits (one limit, one buyer, or all)."""
    principal.require(Permission.LIMIT_READ)
    if limit_id is not None:
        _limit(session, principal, limit_id)
    rows = repo.utilisation_rows(
        session, limit_ids=[limit_id] if limit_id is not None else None,
        org_id=None if principal.is_insurer else principal.org_id, buyer_id=buyer_id)
    return [_utilisation(r) for r in rows]
