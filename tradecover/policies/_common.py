"""Shared helpers of policy administration: constants, checks, snapshots and loading."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tradecover import audit, consents
from tradecover.access import (
    OrganisationFacts,
    OrganisationKind,
    Permission,
    Principal,
    organisation_of,
)
from tradecover.events import record_event
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tradecover.kit.money import Money, round_money
from tradecover.policies import lifecycle
from tradecover.policies.attachment_terms import (
    TermsFrom,
    current_terms,
    history_from_list,
    history_to_list,
    terms_from_dict,
    terms_to_dict,
)
from tradecover.policies.lifecycle import PolicyEvent, PolicyState
from tradecover.policies.model import (
    ExporterProfile,
    Policy,
    PolicyApplication,
    RenewalOffer,
)
from tradecover.policies.review import ReviewMetrics
from tradecover.policies.schedule import (
    ClaimTermsSchedule,
    DeclarationFrequency,
    DisputeResolution,
    InsurableScope,
    PolicySchedule,
    Product,
    rate_floating_from_dict,
    rate_floating_to_dict,
)
from tradecover.reference.countries import check_country
from tradecover.reference.payment_terms import PaymentTerms

Reprice = Callable[[ReviewMetrics, Policy], tuple[Decimal, dict[str, Any]]]
"""A re-pricing function for renewals: the new base rate (percent) and its explanation."""

Progress = Callable[[int, int], None]
"""Called by the jobs after each unit of work with (done, total)."""

RENEWAL_WINDOW_DAYS = lifecycle.RENEWAL_WINDOW_DAYS
"""A renewal is offered within this many days before expiry
([domain P-8]).
"""

MAX_AMOUNT = Decimal("1e15")
"""Largest amount accepted anywhere in policy administration (in major units)."""

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
SIZE_CLASSES = ("micro", "small", "medium", "large")
SUPPORTED_PRODUCTS = (Product.SHORT_TERM_COMPREHENSIVE, Product.DOMESTIC_TRADE_CREDIT)
NUMBER_PREFIX = {
    Product.SHORT_TERM_COMPREHENSIVE: "ST",
    Product.DOMESTIC_TRADE_CREDIT: "DT",
    Product.INVESTMENT_DEBT: "ID",
}

APPLICATION_SUBMITTED = "submitted"
APPLICATION_UNDERWRITTEN = "underwritten"
APPLICATION_DECLINED = "declined"

OFFER_OPEN = "offered"
OFFER_ACCEPTED = "accepted"
OFFER_DECLINED = "declined"
OFFER_LAPSED = "lapsed"


# --- small checks ------------------------------------------------------------------------


def _text(value: str | None, *, field: str, max_len: int, required: bool = True) -> str | None:
    if value is None or not value.strip():
        if required:
            raise ValidationFailed(f"{field} must not be empty", code="missing_value", field=field)
        return None
    if len(value) > max_len:
        raise ValidationFailed(
            f"{field} is longer than {max_len} characters", code="value_too_long", field=field
        )
    if "\x00" in value:
        raise ValidationFailed(
            f"{field} contains a NUL character", code="invalid_text", field=field
        )
    return value.strip()


def _required_text(value: str, *, field: str, max_len: int) -> str:
    checked = _text(value, field=field, max_len=max_len)
    assert checked is not None
    return checked


def _check_money(money: Money, *, currency: str, field: str, positive: bool = True) -> Money:
    """The amount in ``currency``, finite, within bounds and at most the minor unit."""
    if money.currency != currency:
        raise ValidationFailed(
            f"{field} must be in {currency}, not {money.currency}",
            code="currency_mismatch",
            field=field,
        )
    amount = money.amount
    if abs(amount) >= MAX_AMOUNT:
        raise ValidationFailed(
            f"{field} is implausibly large", code="amount_too_large", field=field
        )
    if round_money(amount, currency) != amount:
        raise ValidationFailed(
            f"{field} has more decimals than {currency} allows",
            code="amount_precision",
            field=field,
        )
    if positive and amount <= 0:
        raise ValidationFailed(
            f"{field} must be greater than zero", code="amount_not_positive", field=field
        )
    if amount < 0:
        raise ValidationFailed(f"{field} must not be negative", code="amount_negative", field=field)
    return money


def _check_date(day: date, *, field: str) -> date:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationFailed(
            f"{field} must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}",
            code="date_out_of_range",
            field=field,
        )
    return day


def _check_countries(codes: Sequence[str], *, field: str) -> list[str]:
    for i, code in enumerate(codes):
        check_country(code, field=f"{field}[{i}]")
    if len(set(codes)) != len(codes):
        raise ValidationFailed(
            f"{field} lists a country twice", code="duplicate_country", field=field
        )
    return list(codes)


def _check_schedule(schedule: PolicySchedule) -> None:
    schedule.validate()
    for name in ("expected_turnover", "maximum_liability"):
        _check_money(getattr(schedule, name), currency=schedule.currency, field=name)


# --- snapshots and conversions ----------------------------------------------------------


def schedule_to_dict(schedule: PolicySchedule) -> dict[str, Any]:
    """The schedule as JSON-ready values (amounts as decimal strings)."""
    return {
        "currency": schedule.currency,
        "expected_turnover": str(schedule.expected_turnover.amount),
        "maximum_liability": str(schedule.maximum_liability.amount),
        "indemnity_commercial_pct": str(schedule.indemnity_commercial_pct),
        "indemnity_political_pct": str(schedule.indemnity_political_pct),
        "declaration_frequency": schedule.declaration_frequency.value,
        "rate_table": schedule.rate_table,
        "base_rate_pct": str(schedule.base_rate_pct),
        "whole_turnover": schedule.whole_turnover,
        "min_declared_share": (
            None if schedule.min_declared_share is None else str(schedule.min_declared_share)
        ),
        "scope": _scope_to_dict(schedule.scope),
        "dispute_resolution": schedule.dispute_resolution.value,
        "dispute_venue": schedule.dispute_venue,
        "possible_loss_notice_days": schedule.possible_loss_notice_days,
        "claim_terms": claim_terms_to_dict(schedule.claim_terms),
        "flat_rate_option": schedule.flat_rate_option,
        "flat_rate_pct": (None if schedule.flat_rate_pct is None else str(schedule.flat_rate_pct)),
        "rate_floating": rate_floating_to_dict(schedule.rate_floating),
        "attachment": terms_to_dict(schedule.attachment),
    }


def schedule_from_dict(data: dict[str, Any]) -> PolicySchedule:
    """Rebuild a schedule from :func:`schedule_to_dict` output."""
    currency = str(data["currency"])
    return PolicySchedule(
        currency=currency,
        expected_turnover=Money.of(str(data["expected_turnover"]), currency),
        maximum_liability=Money.of(str(data["maximum_liability"]), currency),
        indemnity_commercial_pct=Decimal(str(data["indemnity_commercial_pct"])),
        indemnity_political_pct=Decimal(str(data["indemnity_political_pct"])),
        declaration_frequency=DeclarationFrequency(data["declaration_frequency"]),
        rate_table=str(data["rate_table"]),
        base_rate_pct=Decimal(str(data["base_rate_pct"])),
        whole_turnover=bool(data["whole_turnover"]),
        min_declared_share=(
            None
            if data.get("min_declared_share") is None
            else Decimal(str(data["min_declared_share"]))
        ),
        scope=_scope_from_dict(data.get("scope") or {}),
        dispute_resolution=DisputeResolution(data["dispute_resolution"]),
        dispute_venue=str(data["dispute_venue"]),
        possible_loss_notice_days=int(data["possible_loss_notice_days"]),
        claim_terms=claim_terms_from_dict(data.get("claim_terms")),
        flat_rate_option=bool(data.get("flat_rate_option", False)),
        flat_rate_pct=(
            None if data.get("flat_rate_pct") is None else Decimal(str(data["flat_rate_pct"]))
        ),
        rate_floating=rate_floating_from_dict(data.get("rate_floating")),
        attachment=terms_from_dict(data.get("attachment")),
    )


def claim_terms_to_dict(terms: ClaimTermsSchedule) -> dict[str, Any]:
    """The policy's own claim terms as JSON-ready values (only those it sets)."""
    data: dict[str, Any] = {
        "claim_filing_days": terms.claim_filing_days,
        "waiting_period_days": terms.waiting_period_days,
        "waiting_on_insolvency": terms.waiting_on_insolvency,
        "second_approval_above": (
            None if terms.second_approval_above is None else str(terms.second_approval_above)
        ),
        "late_notice_denies_claim": terms.late_notice_denies_claim,
    }
    return {k: v for k, v in data.items() if v is not None}


def policy_record(session: Session, policy_id: int) -> Policy | None:
    """One policy by id, for a use case of another context that already checked access."""
    return session.get(Policy, policy_id)


def required_text(value: str, *, field: str, max_len: int) -> str:
    """A required free text (a reason, a note), stripped, at most ``max_len`` characters."""
    return _required_text(value, field=field, max_len=max_len)


def check_money(money: Money, *, currency: str, field: str, positive: bool = True) -> Money:
    """An amount of a policy's business: in ``currency``, finite, within bounds, at most
    the minor unit (and above zero when ``positive``).
    """
    return _check_money(money, currency=currency, field=field, positive=positive)


def claim_terms_from_dict(data: dict[str, Any] | None) -> ClaimTermsSchedule:
    """Rebuild the claim terms from :func:`claim_terms_to_dict` output (``None``: none set)."""
    data = data or {}

    def _int(name: str) -> int | None:
        return None if data.get(name) is None else int(data[name])

    def _bool(name: str) -> bool | None:
        return None if data.get(name) is None else bool(data[name])

    above = data.get("second_approval_above")
    return ClaimTermsSchedule(
        claim_filing_days=_int("claim_filing_days"),
        waiting_period_days=_int("waiting_period_days"),
        waiting_on_insolvency=_bool("waiting_on_insolvency"),
        second_approval_above=None if above is None else Decimal(str(above)),
        late_notice_denies_claim=_bool("late_notice_denies_claim"),
    )


def _scope_to_dict(scope: InsurableScope) -> dict[str, Any]:
    return {
        "destination_countries": list(scope.destination_countries),
        "excluded_countries": list(scope.excluded_countries),
        "payment_terms": [t.value for t in scope.payment_terms],
        "max_credit_days": scope.max_credit_days,
        "hs_chapters": list(scope.hs_chapters),
    }


def _scope_from_dict(data: dict[str, Any]) -> InsurableScope:
    return InsurableScope(
        destination_countries=tuple(data.get("destination_countries") or ()),
        excluded_countries=tuple(data.get("excluded_countries") or ()),
        payment_terms=tuple(PaymentTerms(t) for t in data.get("payment_terms") or ()),
        max_credit_days=int(data.get("max_credit_days", 180)),
        hs_chapters=tuple(data.get("hs_chapters") or ()),
    )


def schedule_of(policy: Policy) -> PolicySchedule:
    """Rebuild the pure schedule value from a policy row."""
    currency = policy.currency
    return PolicySchedule(
        currency=currency,
        expected_turnover=Money.from_minor(policy.expected_turnover_minor, currency),
        maximum_liability=Money.from_minor(policy.maximum_liability_minor, currency),
        indemnity_commercial_pct=policy.indemnity_commercial_pct,
        indemnity_political_pct=policy.indemnity_political_pct,
        declaration_frequency=DeclarationFrequency(policy.declaration_frequency),
        rate_table=policy.rate_table,
        base_rate_pct=policy.base_rate_pct,
        whole_turnover=policy.whole_turnover,
        min_declared_share=policy.min_declared_share,
        scope=_scope_from_dict(policy.scope or {}),
        dispute_resolution=DisputeResolution(policy.dispute_resolution),
        dispute_venue=policy.dispute_venue,
        possible_loss_notice_days=policy.possible_loss_notice_days,
        claim_terms=claim_terms_from_dict(policy.claim_terms),
        flat_rate_option=bool(policy.flat_rate_option),
        flat_rate_pct=policy.flat_rate_pct,
        rate_floating=rate_floating_from_dict(policy.rate_floating),
        attachment=current_terms(history_from_list(policy.attachment_terms)),
    )


def _apply_schedule(policy: Policy, schedule: PolicySchedule) -> None:
    policy.currency = schedule.currency
    policy.whole_turnover = schedule.whole_turnover
    policy.min_declared_share = schedule.min_declared_share
    policy.expected_turnover_minor = schedule.expected_turnover.minor_units()
    policy.maximum_liability_minor = schedule.maximum_liability.minor_units()
    policy.indemnity_commercial_pct = schedule.indemnity_commercial_pct
    policy.indemnity_political_pct = schedule.indemnity_political_pct
    policy.declaration_frequency = schedule.declaration_frequency.value
    policy.rate_table = schedule.rate_table
    policy.base_rate_pct = schedule.base_rate_pct
    policy.scope = _scope_to_dict(schedule.scope)
    policy.dispute_resolution = schedule.dispute_resolution.value
    policy.dispute_venue = schedule.dispute_venue
    policy.possible_loss_notice_days = schedule.possible_loss_notice_days
    policy.claim_terms = claim_terms_to_dict(schedule.claim_terms) or None
    policy.flat_rate_option = schedule.flat_rate_option
    policy.flat_rate_pct = schedule.flat_rate_pct
    policy.rate_floating = rate_floating_to_dict(schedule.rate_floating)
    policy.attachment_terms = history_to_list([TermsFrom(policy.inception, schedule.attachment)])


def snapshot(policy: Policy) -> dict[str, Any]:
    """The audited view of a policy: identity, state, term and schedule."""
    return {
        "id": policy.id,
        "number": policy.number,
        "state": policy.state,
        "product": policy.product,
        "exporter_org_id": policy.exporter_org_id,
        "inception": policy.inception.isoformat(),
        "expiry": policy.expiry.isoformat(),
        "auto_renew": policy.auto_renew,
        "renewal_of_id": policy.renewal_of_id,
        "state_reason": policy.state_reason,
        "termination": policy.termination,
        "suspensions": policy.suspensions,
        "schedule": schedule_to_dict(schedule_of(policy)),
    }


def _application_snapshot(app: PolicyApplication) -> dict[str, Any]:
    return {
        "id": app.id,
        "status": app.status,
        "product": app.product,
        "exporter_org_id": app.exporter_org_id,
        "currency": app.currency,
        "expected_turnover": str(
            Money.from_minor(app.expected_turnover_minor, app.currency).amount
        ),
        "requested_inception": app.requested_inception.isoformat(),
        "destination_countries": app.destination_countries,
        "payment_terms": app.payment_terms,
        "max_credit_days": app.max_credit_days,
        "hs_chapters": app.hs_chapters,
        "notes": app.notes,
        "decline_reason": app.decline_reason,
    }


def _profile_snapshot(profile: ExporterProfile) -> dict[str, Any]:
    return {
        "org_id": profile.org_id,
        "legal_name": profile.legal_name,
        "region": profile.region,
        "size_class": profile.size_class,
        "cross_border_ecommerce": profile.cross_border_ecommerce,
        "currency": profile.currency,
        "previous_year_exports": str(
            Money.from_minor(profile.previous_year_exports_minor, profile.currency).amount
        ),
        "export_history": profile.export_history,
        "products": profile.products,
        "destination_countries": profile.destination_countries,
        "main_buyers": profile.main_buyers,
    }


# --- loading with ownership --------------------------------------------------------------


def visible_policies(principal: Principal, session: Session | None = None) -> Select[Policy]:
    """The policies the caller may see: every one for insurer staff, else its own, and for
    a co-insurer or a subsidy programme also those of the exporters that consented to the
    read under way, within the consent's data window by inception [domain CS-14].

    Every list and get of policies starts from this statement (tenant scoping, once).
    """
    query = select(Policy)
    if principal.is_insurer:
        return query
    if session is None or principal.org_kind is OrganisationKind.EXPORTER:
        return query.where(Policy.exporter_org_id == principal.org_id)
    return query.where(
        consents.visible(session, principal, Policy.exporter_org_id, Policy.inception)
    )


def visible_applications(principal: Principal) -> Select[PolicyApplication]:
    """The policy applications the caller may see: every one for insurer staff, else its
    own (tenant scoping, once).
    """
    query = select(PolicyApplication)
    if not principal.is_insurer:
        query = query.where(PolicyApplication.exporter_org_id == principal.org_id)
    return query


def _exporter_org(session: Session, principal: Principal, org_id: int) -> OrganisationFacts:
    org = organisation_of(session, org_id)
    if org is None or not principal.can_see_org(org.id):
        raise NotFound(f"no organisation {org_id}", code="organisation_not_found", field="org_id")
    if org.kind is not OrganisationKind.EXPORTER:
        raise ValidationFailed(
            f"organisation {org.slug} is not an exporter", code="not_an_exporter", field="org_id"
        )
    return org


def _policy(
    session: Session, principal: Principal, policy_id: int, *, lock: bool = False
) -> Policy:
    query = visible_policies(principal, None if lock else session).where(Policy.id == policy_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    policy = session.execute(query).scalar_one_or_none()
    if policy is None:
        raise NotFound(f"no policy {policy_id}", code="policy_not_found")
    return policy


def _application(
    session: Session, principal: Principal, application_id: int, *, lock: bool = False
) -> PolicyApplication:
    query = visible_applications(principal).where(PolicyApplication.id == application_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    app = session.execute(query).scalar_one_or_none()
    if app is None:
        raise NotFound(f"no application {application_id}", code="application_not_found")
    return app


def _offer(session: Session, principal: Principal, offer_id: int) -> tuple[RenewalOffer, Policy]:
    offer = session.get(RenewalOffer, offer_id)
    if offer is None:
        raise NotFound(f"no renewal offer {offer_id}", code="renewal_offer_not_found")
    try:
        policy = _policy(session, principal, offer.policy_id, lock=True)
    except NotFound:
        raise NotFound(f"no renewal offer {offer_id}", code="renewal_offer_not_found") from None
    offer = session.execute(
        select(RenewalOffer)
        .where(RenewalOffer.id == offer_id)
        .execution_options(populate_existing=True)
    ).scalar_one()
    return offer, policy


def _flush(session: Session) -> None:
    """Flush, turning a lost optimistic-lock race into a 409."""
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            "the policy was changed by someone else at the same time; reload and try again",
            code="concurrent_update",
        ) from None


def _move(
    session: Session,
    *,
    principal: Principal,
    policy: Policy,
    event: PolicyEvent,
    action: str,
    reason: str | None,
    extra: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
) -> Policy:
    """Apply one state-machine event, bump the row and audit before/after."""
    before = before if before is not None else snapshot(policy)
    policy.state = lifecycle.next_state(PolicyState(policy.state), event).value
    policy.state_reason = reason
    policy.updated_at = utc_now()
    _flush(session)
    after = snapshot(policy)
    if extra:
        after.update(extra)
    audit.record(
        session,
        org_id=policy.exporter_org_id,
        actor=principal.actor,
        action=action,
        entity_type="policy",
        entity_id=policy.id,
        reason=reason,
        before=before,
        after=after,
    )
    told = _EVENT_OF_ACTION.get(action)
    if told is not None:
        record_policy_event(session, policy, told, reason)
    return policy


_EVENT_OF_ACTION = {
    "policy.issued": "policy.issued",
    "policy.suspended": "policy.suspended",
    "policy.renewed": "policy.renewed",
    "policy.cancelled": "policy.terminated",
    "policy.rescinded": "policy.terminated",
}
"""The state changes the exporter hears of as events (a cancellation or a rescission
ends the policy: ``policy.terminated``, told when it takes effect).
"""


def record_policy_event(session: Session, policy: Policy, name: str, reason: str | None) -> None:
    """Record the ``policy.*`` event ``name`` for the exporter; ``effective_on``: the
    inception of an issued policy, the start of a suspension, the first day of the
    renewal's term, the day a termination takes effect.
    """
    effective_on = utc_now().date()
    if name == "policy.issued":
        effective_on = policy.inception
    elif name == "policy.renewed":
        effective_on = policy.expiry + timedelta(days=1)
    elif name == "policy.suspended" and policy.suspensions:
        effective_on = date.fromisoformat(policy.suspensions[-1]["start"])
    elif name == "policy.terminated" and isinstance(policy.termination, dict):
        effective_on = date.fromisoformat(policy.termination["effective_date"])
    record_event(
        session,
        name,
        f"policy:{policy.id}",
        {
            "policy_id": policy.id,
            "policy_number": policy.number,
            "effective_on": effective_on,
            "reason": reason,
        },
        policy.exporter_org_id,
    )


def _require_insurer(principal: Principal, permission: Permission) -> None:
    principal.require(permission)
    if not principal.is_insurer:
        raise PermissionDenied(f"only the insurer may {permission.value}", code="forbidden")


def _policy_number(policy: Policy) -> str:
    prefix = NUMBER_PREFIX.get(Product(policy.product), "PL")
    return f"{prefix}-{policy.inception.year}-{policy.id:06d}"
