"""Use cases of policy administration (domain.md 3): profile, application, underwriting,
issue, endorsements, suspension, renewal, expiry and termination.

Conventions of this module:

* Services never commit; the edge (request, CLI command, job, test) owns the transaction.
* Every state change writes one audit entry in the exporter's organisation chain, with
  ``before``/``after`` snapshots (a ``state`` key) and the reason.  Renewal offers and
  endorsements are recorded on the policy (``entity_type="policy"``) so one history tells
  the whole story of a policy.
* A policy is always changed after ``SELECT ... FOR UPDATE`` on its row (PostgreSQL; on
  SQLite every transaction begins ``IMMEDIATE``) and the ``version`` column makes any
  update that lost a race fail (:class:`~tradecover.kit.errors.Conflict`), so two
  concurrent transitions can never both succeed.
* Renewal: accepting an offer creates the renewal policy at once (ACTIVE, starting the day
  after expiry); the expiring policy stays ACTIVE until its expiry date, because cover
  runs to the end of the term, and :func:`expire_due` moves it to RENEWED (or EXPIRED when
  no renewal was accepted) from the day after expiry.
* A cancellation dated in the future is *scheduled*: the policy stays in force until the
  effective date and :func:`expire_due` cancels it on that date.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tradecover.access.model import Organisation
from tradecover.access.principal import Principal
from tradecover.access.roles import OrganisationKind, Permission
from tradecover.audit import service as audit
from tradecover.audit.model import AuditEntry
from tradecover.kit.dates import one_year_term, utc_now
from tradecover.kit.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tradecover.kit.money import Money, check_currency, round_money
from tradecover.policies import lifecycle
from tradecover.policies.lifecycle import PolicyEvent, PolicyState, TerminationKind
from tradecover.policies.model import (
    Endorsement,
    ExporterProfile,
    Policy,
    PolicyApplication,
    RenewalOffer,
)
from tradecover.policies.review import ReviewMetrics, ReviewMetricsSource
from tradecover.policies.schedule import (
    ClaimTermsSchedule,
    DeclarationFrequency,
    DisputeResolution,
    InsurableScope,
    PolicySchedule,
    Product,
)
from tradecover.reference.countries import check_country
from tradecover.reference.payment_terms import PaymentTerms
from tradecover.reference.regions import check_region

Reprice = Callable[[ReviewMetrics, Policy], tuple[Decimal, dict[str, Any]]]
"""A re-pricing function for renewals: the new base rate (percent) and its explanation."""

Progress = Callable[[int, int], None]
"""Called by the jobs after each unit of work with (done, total)."""

RENEWAL_WINDOW_DAYS = 30
"""A renewal is offered within this many days before expiry (domain.md 3.4)."""

MAX_AMOUNT = Decimal("1e15")
"""Largest amount accepted anywhere in policy administration (in major units)."""

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
SIZE_CLASSES = ("micro", "small", "medium", "large")
SUPPORTED_PRODUCTS = (Product.SHORT_TERM_COMPREHENSIVE, Product.DOMESTIC_TRADE_CREDIT)
NUMBER_PREFIX = {Product.SHORT_TERM_COMPREHENSIVE: "ST", Product.DOMESTIC_TRADE_CREDIT: "DT",
                 Product.INVESTMENT_DEBT: "ID"}

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
            raise ValidationFailed(f"{field} must not be empty", code="missing_value",
                                   field=field)
        return None
    if len(value) > max_len:
        raise ValidationFailed(f"{field} is longer than {max_len} characters",
                               code="value_too_long", field=field)
    if "\x00" in value:
        raise ValidationFailed(f"{field} contains a NUL character", code="invalid_text",
                               field=field)
    return value.strip()


def _required_text(value: str, *, field: str, max_len: int) -> str:
    checked = _text(value, field=field, max_len=max_len)
    assert checked is not None
    return checked


def _check_money(money: Money, *, currency: str, field: str, positive: bool = True) -> Money:
    """The amount in ``currency``, finite, within bounds and at most the minor unit."""
    if money.currency != currency:
        raise ValidationFailed(f"{field} must be in {currency}, not {money.currency}",
                               code="currency_mismatch", field=field)
    amount = money.amount
    if abs(amount) >= MAX_AMOUNT:
        raise ValidationFailed(f"{field} is implausibly large", code="amount_too_large",
                               field=field)
    if round_money(amount, currency) != amount:
        raise ValidationFailed(f"{field} has more decimals than {currency} allows",
                               code="amount_precision", field=field)
    if positive and amount <= 0:
        raise ValidationFailed(f"{field} must be greater than zero", code="amount_not_positive",
                               field=field)
    if amount < 0:
        raise ValidationFailed(f"{field} must not be negative", code="amount_negative",
                               field=field)
    return money


def _check_date(day: date, *, field: str) -> date:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationFailed(
            f"{field} must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}",
            code="date_out_of_range", field=field)
    return day


def _check_countries(codes: Sequence[str], *, field: str) -> list[str]:
    for i, code in enumerate(codes):
        check_country(code, field=f"{field}[{i}]")
    if len(set(codes)) != len(codes):
        raise ValidationFailed(f"{field} lists a country twice", code="duplicate_country",
                               field=field)
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
        "min_declared_share": (None if schedule.min_declared_share is None
                               else str(schedule.min_declared_share)),
        "scope": _scope_to_dict(schedule.scope),
        "dispute_resolution": schedule.dispute_resolution.value,
        "dispute_venue": schedule.dispute_venue,
        "possible_loss_notice_days": schedule.possible_loss_notice_days,
        "claim_terms": claim_terms_to_dict(schedule.claim_terms),
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
        min_declared_share=(None if data.get("min_declared_share") is None
                            else Decimal(str(data["min_declared_share"]))),
        scope=_scope_from_dict(data.get("scope") or {}),
        dispute_resolution=DisputeResolution(data["dispute_resolution"]),
        dispute_venue=str(data["dispute_venue"]),
        possible_loss_notice_days=int(data["possible_loss_notice_days"]),
        claim_terms=claim_terms_from_dict(data.get("claim_terms")),
    )


def claim_terms_to_dict(terms: ClaimTermsSchedule) -> dict[str, Any]:
    """The policy's own claim terms as JSON-ready values (only those it sets)."""
    data: dict[str, Any] = {
        "claim_filing_days": terms.claim_filing_days,
        "waiting_period_days": terms.waiting_period_days,
        "waiting_on_insolvency": terms.waiting_on_insolvency,
        "second_approval_above": (None if terms.second_approval_above is None
                                  else str(terms.second_approval_above)),
        "late_notice_denies_claim": terms.late_notice_denies_claim,
    }
    return {k: v for k, v in data.items() if v is not None}


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
        late_notice_denies_claim=_bool("late_notice_denies_claim"))


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


def snapshot(policy: Policy) -> dict[str, Any]:
    """The audited view of a policy: identity, state, term and schedule."""
    return {
        "id": policy.id, "number": policy.number, "state": policy.state,
        "product": policy.product, "exporter_org_id": policy.exporter_org_id,
        "inception": policy.inception.isoformat(), "expiry": policy.expiry.isoformat(),
        "auto_renew": policy.auto_renew, "renewal_of_id": policy.renewal_of_id,
        "state_reason": policy.state_reason, "termination": policy.termination,
        "suspensions": policy.suspensions,
        "schedule": schedule_to_dict(schedule_of(policy)),
    }


def _application_snapshot(app: PolicyApplication) -> dict[str, Any]:
    return {
        "id": app.id, "status": app.status, "product": app.product,
        "exporter_org_id": app.exporter_org_id, "currency": app.currency,
        "expected_turnover": str(Money.from_minor(app.expected_turnover_minor, app.currency)
                                 .amount),
        "requested_inception": app.requested_inception.isoformat(),
        "destination_countries": app.destination_countries, "payment_terms": app.payment_terms,
        "max_credit_days": app.max_credit_days, "hs_chapters": app.hs_chapters,
        "notes": app.notes, "decline_reason": app.decline_reason,
    }


def _profile_snapshot(profile: ExporterProfile) -> dict[str, Any]:
    return {
        "org_id": profile.org_id, "legal_name": profile.legal_name, "region": profile.region,
        "size_class": profile.size_class, "cross_border_ecommerce": profile.cross_border_ecommerce,
        "currency": profile.currency,
        "previous_year_exports": str(Money.from_minor(profile.previous_year_exports_minor,
                                                      profile.currency).amount),
        "export_history": profile.export_history, "products": profile.products,
        "destination_countries": profile.destination_countries,
        "main_buyers": profile.main_buyers,
    }


# --- loading with ownership --------------------------------------------------------------


def _exporter_org(session: Session, principal: Principal, org_id: int) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None or not principal.can_see_org(org.id):
        raise NotFound(f"no organisation {org_id}", code="organisation_not_found",
                       field="org_id")
    if org.kind != OrganisationKind.EXPORTER.value:
        raise ValidationFailed(f"organisation {org.slug} is not an exporter",
                               code="not_an_exporter", field="org_id")
    return org


def _policy(session: Session, principal: Principal, policy_id: int, *,
            lock: bool = False) -> Policy:
    query = select(Policy).where(Policy.id == policy_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    policy = session.execute(query).scalar_one_or_none()
    if policy is None or not principal.can_see_org(policy.exporter_org_id):
        raise NotFound(f"no policy {policy_id}", code="policy_not_found")
    return policy


def _application(session: Session, principal: Principal, application_id: int, *,
                 lock: bool = False) -> PolicyApplication:
    query = select(PolicyApplication).where(PolicyApplication.id == application_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    app = session.execute(query).scalar_one_or_none()
    if app is None or not principal.can_see_org(app.exporter_org_id):
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
        select(RenewalOffer).where(RenewalOffer.id == offer_id)
        .execution_options(populate_existing=True)).scalar_one()
    return offer, policy


def _flush(session: Session) -> None:
    """Flush, turning a lost optimistic-lock race into a 409."""
    try:
        session.flush()
    except StaleDataError:
        raise Conflict("the policy was changed by someone else at the same time; reload and "
                       "try again", code="concurrent_update") from None


def _move(session: Session, *, principal: Principal, policy: Policy, event: PolicyEvent,
          action: str, reason: str | None, extra: dict[str, Any] | None = None,
          before: dict[str, Any] | None = None) -> Policy:
    """Apply one state-machine event, bump the row and audit before/after."""
    before = before if before is not None else snapshot(policy)
    policy.state = lifecycle.next_state(PolicyState(policy.state), event).value
    policy.state_reason = reason
    policy.updated_at = utc_now()
    _flush(session)
    after = snapshot(policy)
    if extra:
        after.update(extra)
    audit.record(session, org_id=policy.exporter_org_id, actor=principal.actor, action=action,
                 entity_type="policy", entity_id=policy.id, reason=reason, before=before,
                 after=after)
    return policy


def _require_insurer(principal: Principal, permission: Permission) -> None:
    principal.require(permission)
    if not principal.is_insurer:
        raise PermissionDenied(f"only the insurer may {permission.value}", code="forbidden")


# --- exporter profile --------------------------------------------------------------------


def _check_history(rows: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    years: set[int] = set()
    for i, row in enumerate(rows):
        field = f"export_history[{i}]"
        if not isinstance(row, dict) or set(row) - {"year", "amount"} or "year" not in row \
                or "amount" not in row:
            raise ValidationFailed(f"{field} needs exactly a year and an amount",
                                   code="invalid_export_history", field=field)
        year = row["year"]
        if isinstance(year, bool) or not isinstance(year, int) or not 1950 <= year <= 2100:
            raise ValidationFailed(f"{field}.year must be a year", code="invalid_export_history",
                                   field=f"{field}.year")
        if year in years:
            raise ValidationFailed(f"year {year} is listed twice", code="invalid_export_history",
                                   field=f"{field}.year")
        years.add(year)
        if isinstance(row["amount"], float):
            raise ValidationFailed(f"{field}.amount must be a decimal string",
                                   code="invalid_export_history", field=f"{field}.amount")
        amount = Money.of(row["amount"], currency)
        _check_money(amount, currency=currency, field=f"{field}.amount", positive=False)
        out.append({"year": year, "amount": str(amount.amount)})
    return sorted(out, key=lambda r: r["year"])


def _check_buyers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    allowed = {"name", "country", "years_trading", "share_pct", "payment_terms"}
    out: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        field = f"main_buyers[{i}]"
        if not isinstance(row, dict) or set(row) - allowed:
            raise ValidationFailed(f"{field} may only have {', '.join(sorted(allowed))}",
                                   code="invalid_buyer", field=field)
        name = _required_text(str(row.get("name") or ""), field=f"{field}.name", max_len=200)
        buyer: dict[str, Any] = {"name": name,
                                 "country": check_country(row.get("country"),
                                                          field=f"{field}.country")}
        if "years_trading" in row:
            years = row["years_trading"]
            if isinstance(years, bool) or not isinstance(years, int) or not 0 <= years <= 200:
                raise ValidationFailed(f"{field}.years_trading must be 0-200",
                                       code="invalid_buyer", field=f"{field}.years_trading")
            buyer["years_trading"] = years
        if "share_pct" in row:
            share = row["share_pct"]
            if isinstance(share, float | bool):
                raise ValidationFailed(f"{field}.share_pct must be a decimal string",
                                       code="invalid_buyer", field=f"{field}.share_pct")
            try:
                pct = Decimal(str(share))
            except ArithmeticError:
                pct = Decimal("NaN")
            if not pct.is_finite() or not 0 <= pct <= 100:
                raise ValidationFailed(f"{field}.share_pct must be 0-100", code="invalid_buyer",
                                       field=f"{field}.share_pct")
            buyer["share_pct"] = str(pct)
        if "payment_terms" in row:
            terms = row["payment_terms"]
            if not isinstance(terms, str) or terms not in PaymentTerms.__members__:
                raise ValidationFailed(f"{field}.payment_terms must be LC, DP, DA or OA",
                                       code="invalid_buyer", field=f"{field}.payment_terms")
            buyer["payment_terms"] = terms
        out.append(buyer)
    return out


def upsert_exporter_profile(
    session: Session, *, principal: Principal, org_id: int, legal_name: str, region: str | None,
    size_class: str, cross_border_ecommerce: bool, currency: str, previous_year_exports: Money,
    export_history: list[dict[str, Any]], products: list[str], destination_countries: list[str],
    main_buyers: list[dict[str, Any]],
) -> ExporterProfile:
    """Create or replace what the insurer knows about an exporter (domain.md 3.1).

    The exporter maintains its own profile; insurer staff with the permission may too.
    """
    principal.require(Permission.EXPORTER_PROFILE_WRITE)
    org = _exporter_org(session, principal, org_id)
    name = _required_text(legal_name, field="legal_name", max_len=200)
    if region is not None:
        check_region(region, field="region")
    if size_class not in SIZE_CLASSES:
        raise ValidationFailed(f"size_class must be one of {', '.join(SIZE_CLASSES)}",
                               code="invalid_size_class", field="size_class")
    check_currency(currency)
    _check_money(previous_year_exports, currency=currency, field="previous_year_exports",
                 positive=False)
    history = _check_history(export_history, currency)
    goods = [_required_text(p, field=f"products[{i}]", max_len=200)
             for i, p in enumerate(products)]
    countries = _check_countries(destination_countries, field="destination_countries")
    buyers = _check_buyers(main_buyers)
    profile = session.get(ExporterProfile, org.id, with_for_update=True)
    before = _profile_snapshot(profile) if profile else None
    if profile is None:
        profile = ExporterProfile(org_id=org.id)
        session.add(profile)
    profile.legal_name = name
    profile.region = region
    profile.size_class = size_class
    profile.cross_border_ecommerce = cross_border_ecommerce
    profile.currency = currency
    profile.previous_year_exports_minor = previous_year_exports.minor_units()
    profile.export_history = history
    profile.products = goods
    profile.destination_countries = countries
    profile.main_buyers = buyers
    profile.updated_at = utc_now()
    session.flush()
    audit.record(session, org_id=org.id, actor=principal.actor,
                 action="exporter_profile.created" if before is None
                 else "exporter_profile.updated",
                 entity_type="exporter_profile", entity_id=org.id, before=before,
                 after=_profile_snapshot(profile))
    return profile


def get_exporter_profile(session: Session, *, principal: Principal, org_id: int
                         ) -> ExporterProfile:
    """An exporter's profile (its own, or any for insurer staff)."""
    principal.require(Permission.POLICY_READ)
    org = session.get(Organisation, org_id)
    if org is None or not principal.can_see_org(org.id):
        raise NotFound(f"no organisation {org_id}", code="organisation_not_found")
    profile = session.get(ExporterProfile, org.id)
    if profile is None:
        raise NotFound(f"organisation {org_id} has no exporter profile yet",
                       code="profile_not_found")
    return profile


# --- application -------------------------------------------------------------------------


def submit_application(
    session: Session, *, principal: Principal, exporter_org_id: int, product: Product,
    currency: str, expected_turnover: Money, requested_inception: date,
    destination_countries: list[str], payment_terms: list[PaymentTerms], max_credit_days: int,
    hs_chapters: list[str], notes: str | None,
) -> PolicyApplication:
    """File an application form: an exporter for itself, or insurer staff on its behalf."""
    if principal.is_insurer:
        principal.require(Permission.POLICY_UNDERWRITE)
    else:
        principal.require(Permission.POLICY_APPLY)
    org = _exporter_org(session, principal, exporter_org_id)
    product = Product(product)
    if product not in SUPPORTED_PRODUCTS:
        raise ValidationFailed(
            f"{product.value} is not administered through this application form"
            + (" (apply at /api/v1/investment-debt/applications with the loan's schedule)"
               if product is Product.INVESTMENT_DEBT else ""),
            code="product_not_supported", field="product")
    check_currency(currency)
    _check_money(expected_turnover, currency=currency, field="expected_turnover")
    _check_date(requested_inception, field="requested_inception")
    scope = InsurableScope(destination_countries=tuple(destination_countries),
                           payment_terms=tuple(PaymentTerms(t) for t in payment_terms),
                           max_credit_days=max_credit_days, hs_chapters=tuple(hs_chapters))
    try:
        scope.validate()
    except ValidationFailed as error:
        if error.field:
            error.field = error.field.removeprefix("scope.")
        raise
    _check_countries(destination_countries, field="destination_countries")
    app = PolicyApplication(
        exporter_org_id=org.id, product=product.value, status=APPLICATION_SUBMITTED,
        currency=currency, expected_turnover_minor=expected_turnover.minor_units(),
        requested_inception=requested_inception,
        destination_countries=list(destination_countries),
        payment_terms=[PaymentTerms(t).value for t in payment_terms],
        max_credit_days=max_credit_days, hs_chapters=list(hs_chapters),
        notes=_text(notes, field="notes", max_len=5000, required=False),
        submitted_at=utc_now(), submitted_by=principal.actor)
    session.add(app)
    session.flush()
    audit.record(session, org_id=org.id, actor=principal.actor, action="application.submitted",
                 entity_type="policy_application", entity_id=app.id,
                 after=_application_snapshot(app))
    return app


def decline_application(session: Session, *, principal: Principal, application_id: int,
                        reason: str) -> PolicyApplication:
    """The insurer declines an application that is still open."""
    _require_insurer(principal, Permission.POLICY_UNDERWRITE)
    app = _application(session, principal, application_id, lock=True)
    why = _required_text(reason, field="reason", max_len=1000)
    if app.status != APPLICATION_SUBMITTED:
        raise Conflict(f"application {app.id} is already {app.status}",
                       code="application_not_open")
    before = _application_snapshot(app)
    app.status = APPLICATION_DECLINED
    app.decline_reason = why
    session.flush()
    audit.record(session, org_id=app.exporter_org_id, actor=principal.actor,
                 action="application.declined", entity_type="policy_application",
                 entity_id=app.id, reason=why, before=before, after=_application_snapshot(app))
    return app


def get_application(session: Session, *, principal: Principal, application_id: int
                    ) -> PolicyApplication:
    """One application the caller may see."""
    principal.require(Permission.POLICY_READ)
    return _application(session, principal, application_id)


def list_applications(
    session: Session, *, principal: Principal, status: str | None = None,
    exporter_org_id: int | None = None, limit: int = 50, offset: int = 0,
) -> tuple[list[PolicyApplication], int]:
    """Applications, newest first, and how many match."""
    principal.require(Permission.POLICY_READ)
    query = select(PolicyApplication)
    if not principal.is_insurer:
        query = query.where(PolicyApplication.exporter_org_id == principal.org_id)
    if exporter_org_id is not None:
        query = query.where(PolicyApplication.exporter_org_id == exporter_org_id)
    if status is not None:
        query = query.where(PolicyApplication.status == status)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(PolicyApplication.id.desc()).limit(limit)
                           .offset(offset)).scalars()
    return list(rows), total


# --- underwriting, quote, issue ------------------------------------------------------------


def underwrite(session: Session, *, principal: Principal, application_id: int,
               schedule: PolicySchedule, inception: date) -> Policy:
    """Turn an open application into a DRAFT policy with ``schedule`` for one year."""
    _require_insurer(principal, Permission.POLICY_UNDERWRITE)
    app = _application(session, principal, application_id, lock=True)
    _check_schedule(schedule)
    _check_date(inception, field="inception")
    if app.status != APPLICATION_SUBMITTED:
        raise Conflict(f"application {app.id} is already {app.status}",
                       code="application_not_open")
    if schedule.currency != app.currency:
        raise ValidationFailed(f"the schedule must be in the application currency {app.currency}",
                               code="currency_mismatch", field="currency")
    now = utc_now()
    policy = Policy(
        exporter_org_id=app.exporter_org_id, application_id=app.id, product=app.product,
        state=PolicyState.DRAFT.value, inception=inception, expiry=one_year_term(inception),
        auto_renew=True, created_at=now, updated_at=now)
    _apply_schedule(policy, schedule)
    session.add(policy)
    app_before = _application_snapshot(app)
    app.status = APPLICATION_UNDERWRITTEN
    session.flush()
    audit.record(session, org_id=app.exporter_org_id, actor=principal.actor,
                 action="application.underwritten", entity_type="policy_application",
                 entity_id=app.id, before=app_before,
                 after={**_application_snapshot(app), "policy_id": policy.id})
    audit.record(session, org_id=policy.exporter_org_id, actor=principal.actor,
                 action="policy.drafted", entity_type="policy", entity_id=policy.id,
                 after=snapshot(policy))
    return policy


def revise_schedule(session: Session, *, principal: Principal, policy_id: int,
                    schedule: PolicySchedule, reason: str) -> Policy:
    """Change the terms of a draft (a quoted policy goes back to draft first)."""
    _require_insurer(principal, Permission.POLICY_UNDERWRITE)
    policy = _policy(session, principal, policy_id, lock=True)
    why = _required_text(reason, field="reason", max_len=1000)
    _check_schedule(schedule)
    state = PolicyState(policy.state)
    if state is PolicyState.QUOTED:
        lifecycle.next_state(state, PolicyEvent.REVISE)
    elif state is not PolicyState.DRAFT:
        raise IllegalTransition(f"a {state.value} policy's schedule cannot be revised "
                                "(endorse it instead)", code="illegal_transition",
                                details={"state": state.value, "event": "revise"})
    before = snapshot(policy)
    policy.state = PolicyState.DRAFT.value
    _apply_schedule(policy, schedule)
    policy.state_reason = why
    policy.updated_at = utc_now()
    _flush(session)
    audit.record(session, org_id=policy.exporter_org_id, actor=principal.actor,
                 action="policy.revised", entity_type="policy", entity_id=policy.id, reason=why,
                 before=before, after=snapshot(policy))
    return policy


def quote(session: Session, *, principal: Principal, policy_id: int) -> Policy:
    """Offer the draft's terms to the exporter."""
    _require_insurer(principal, Permission.POLICY_UNDERWRITE)
    policy = _policy(session, principal, policy_id, lock=True)
    _check_schedule(schedule_of(policy))
    return _move(session, principal=principal, policy=policy, event=PolicyEvent.QUOTE,
                 action="policy.quoted", reason=None)


def withdraw(session: Session, *, principal: Principal, policy_id: int, reason: str) -> Policy:
    """The insurer withdraws a draft or a quotation that was not accepted (CANCELLED)."""
    _require_insurer(principal, Permission.POLICY_UNDERWRITE)
    policy = _policy(session, principal, policy_id, lock=True)
    why = _required_text(reason, field="reason", max_len=1000)
    return _move(session, principal=principal, policy=policy, event=PolicyEvent.WITHDRAW,
                 action="policy.withdrawn", reason=why)


def _policy_number(policy: Policy) -> str:
    prefix = NUMBER_PREFIX.get(Product(policy.product), "PL")
    return f"{prefix}-{policy.inception.year}-{policy.id:06d}"


def issue(session: Session, *, principal: Principal, policy_id: int, today: date) -> Policy:
    """Issue a quoted policy: the exporter accepts the quote, or an underwriter issues it on
    the exporter's written acceptance.  Assigns the policy number (unique by construction:
    it contains the policy id).
    """
    if principal.is_insurer:
        principal.require(Permission.POLICY_UNDERWRITE)
    else:
        principal.require(Permission.POLICY_ACCEPT)
    _check_date(today, field="today")
    policy = _policy(session, principal, policy_id, lock=True)
    lifecycle.next_state(PolicyState(policy.state), PolicyEvent.ISSUE)
    if today > policy.expiry:
        raise Conflict(f"the quoted term ended on {policy.expiry.isoformat()}; revise the "
                       "schedule and quote again", code="term_already_ended")
    before = snapshot(policy)
    policy.number = _policy_number(policy)
    policy.issued_at = utc_now()
    return _move(session, principal=principal, policy=policy, event=PolicyEvent.ISSUE,
                 action="policy.issued", reason=None, before=before)


# --- endorsements, suspension --------------------------------------------------------------


ENDORSABLE = frozenset({PolicyState.DRAFT, PolicyState.QUOTED, PolicyState.ACTIVE,
                        PolicyState.SUSPENDED})


def add_endorsement(session: Session, *, principal: Principal, policy_id: int, text: str,
                    effective_date: date) -> Endorsement:
    """Add a numbered special provision to a policy that is still in force or being written."""
    _require_insurer(principal, Permission.POLICY_UNDERWRITE)
    policy = _policy(session, principal, policy_id, lock=True)
    body = _required_text(text, field="text", max_len=10_000)
    if PolicyState(policy.state) not in ENDORSABLE:
        raise IllegalTransition(f"a {policy.state} policy cannot be endorsed",
                                code="illegal_transition",
                                details={"state": policy.state, "event": "endorse"})
    if not policy.inception <= effective_date <= policy.expiry:
        raise ValidationFailed(
            f"effective_date must fall within the term {policy.inception.isoformat()} to "
            f"{policy.expiry.isoformat()}", code="endorsement_outside_term",
            field="effective_date")
    last = session.execute(select(func.max(Endorsement.number))
                           .where(Endorsement.policy_id == policy.id)).scalar_one()
    endorsement = Endorsement(policy_id=policy.id, number=(last or 0) + 1, text=body,
                              effective_date=effective_date, created_at=utc_now(),
                              created_by=principal.actor)
    session.add(endorsement)
    policy.updated_at = utc_now()  # bumps the version: concurrent endorsers serialise
    _flush(session)
    audit.record(session, org_id=policy.exporter_org_id, actor=principal.actor,
                 action="policy.endorsed", entity_type="policy", entity_id=policy.id,
                 before={"state": policy.state},
                 after={"state": policy.state, "endorsement_id": endorsement.id,
                        "number": endorsement.number, "text": body,
                        "effective_date": effective_date.isoformat()})
    return endorsement


def list_endorsements(session: Session, *, principal: Principal, policy_id: int
                      ) -> list[Endorsement]:
    """A policy's endorsements in number order."""
    principal.require(Permission.POLICY_READ)
    policy = _policy(session, principal, policy_id)
    return list(session.execute(select(Endorsement).where(Endorsement.policy_id == policy.id)
                                .order_by(Endorsement.number)).scalars())


def suspend(session: Session, *, principal: Principal, policy_id: int, reason: str,
            today: date | None = None) -> Policy:
    """Stop accepting declarations on an active policy (e.g. long premium arrears).

    The suspension is recorded from ``today`` (``policies.suspensions``): shipments made
    while suspended carry no cover, even when declared after reinstatement.
    """
    _require_insurer(principal, Permission.POLICY_TERMINATE_INSURER)
    policy = _policy(session, principal, policy_id, lock=True)
    why = _required_text(reason, field="reason", max_len=1000)
    on = _check_date(today or utc_now().date(), field="today")
    lifecycle.next_state(PolicyState(policy.state), PolicyEvent.SUSPEND)
    before = snapshot(policy)
    policy.suspensions = [*(policy.suspensions or []),
                          {"start": on.isoformat(), "end": None, "reason": why}]
    return _move(session, principal=principal, policy=policy, event=PolicyEvent.SUSPEND,
                 action="policy.suspended", reason=why, before=before)


def reinstate(session: Session, *, principal: Principal, policy_id: int, reason: str,
              today: date | None = None) -> Policy:
    """Put a suspended policy back in force: cover attaches again to shipments made from
    ``today`` on (the open suspension ends that day).
    """
    _require_insurer(principal, Permission.POLICY_TERMINATE_INSURER)
    policy = _policy(session, principal, policy_id, lock=True)
    why = _required_text(reason, field="reason", max_len=1000)
    on = _check_date(today or utc_now().date(), field="today")
    lifecycle.next_state(PolicyState(policy.state), PolicyEvent.REINSTATE)
    pauses = [dict(p) for p in policy.suspensions or []]
    if pauses and pauses[-1].get("end") is None:
        if on < date.fromisoformat(str(pauses[-1]["start"])):
            raise ValidationFailed("a reinstatement cannot precede its suspension "
                                   f"({pauses[-1]['start']})", code="reinstated_before_suspended",
                                   field="today")
        pauses[-1]["end"] = on.isoformat()
    before = snapshot(policy)
    policy.suspensions = pauses
    return _move(session, principal=principal, policy=policy, event=PolicyEvent.REINSTATE,
                 action="policy.reinstated", reason=why, before=before)


# --- renewal ------------------------------------------------------------------------------


def _offers(session: Session, policy_id: int, *statuses: str) -> list[RenewalOffer]:
    return list(session.execute(
        select(RenewalOffer).where(RenewalOffer.policy_id == policy_id,
                                   RenewalOffer.status.in_(statuses))
        .order_by(RenewalOffer.id)).scalars())


def renewal_window_opens(policy: Policy) -> date:
    """First day a renewal may be offered: a month (30 days) before expiry."""
    return policy.expiry - timedelta(days=RENEWAL_WINDOW_DAYS)


def offer_renewal(
    session: Session, *, principal: Principal, policy_id: int, today: date,
    metrics_source: ReviewMetricsSource, reprice: Reprice | None = None,
) -> RenewalOffer:
    """Review the term (domain.md 3.4) and offer the next year's terms.

    Only for an ACTIVE policy that renews, within 30 days before expiry, with no other
    offer open or accepted.  ``reprice`` (the later pricing issue's renewal model) turns
    the metrics into a new base rate and its explanation; without it the terms stay.
    """
    _require_insurer(principal, Permission.POLICY_UNDERWRITE)
    _check_date(today, field="today")
    policy = _policy(session, principal, policy_id, lock=True)
    if policy.state != PolicyState.ACTIVE.value:
        raise IllegalTransition(f"a {policy.state} policy cannot be offered a renewal",
                                code="illegal_transition",
                                details={"state": policy.state, "event": "offer_renewal"})
    if not policy.auto_renew:
        raise Conflict("notice of non-renewal was given; the policy ends at expiry",
                       code="non_renewal_notified")
    if not renewal_window_opens(policy) <= today <= policy.expiry:
        raise Conflict(
            f"a renewal is offered from {renewal_window_opens(policy).isoformat()} until "
            f"expiry {policy.expiry.isoformat()}", code="outside_renewal_window")
    if _offers(session, policy.id, OFFER_OPEN):
        raise Conflict("a renewal offer is already open", code="renewal_offer_open")
    if _offers(session, policy.id, OFFER_ACCEPTED):
        raise Conflict("the renewal was already accepted", code="already_renewed")
    metrics = metrics_source.metrics(policy_id=policy.id, start=policy.inception,
                                     end=min(today, policy.expiry))
    terms = schedule_to_dict(schedule_of(policy))
    explanation: dict[str, Any] = {"method": "unchanged",
                                   "note": "same schedule and rate as the expiring term"}
    if reprice is not None:
        rate, explanation = reprice(metrics, policy)
        terms["base_rate_pct"] = str(rate)
        schedule_from_dict(terms).validate()
    inception = policy.expiry + timedelta(days=1)
    terms["inception"] = inception.isoformat()
    terms["expiry"] = one_year_term(inception).isoformat()
    offer = RenewalOffer(policy_id=policy.id, status=OFFER_OPEN, review_metrics=metrics.as_dict(),
                         proposed_terms=terms, explanation=explanation, offered_at=utc_now(),
                         offered_by=principal.actor)
    session.add(offer)
    policy.updated_at = utc_now()
    _flush(session)
    audit.record(session, org_id=policy.exporter_org_id, actor=principal.actor,
                 action="renewal.offered", entity_type="policy", entity_id=policy.id,
                 before={"state": policy.state},
                 after={"state": policy.state, "offer_id": offer.id,
                        "review_metrics": offer.review_metrics, "proposed_terms": terms})
    return offer


def accept_renewal(session: Session, *, principal: Principal, offer_id: int, today: date
                   ) -> Policy:
    """Accept an open offer: the renewal policy is issued at once (ACTIVE from the day after
    expiry, for one year); the expiring policy runs to expiry and then becomes RENEWED.
    """
    if principal.is_insurer:
        principal.require(Permission.POLICY_UNDERWRITE)
    else:
        principal.require(Permission.POLICY_ACCEPT)
    _check_date(today, field="today")
    offer, old = _offer(session, principal, offer_id)
    if offer.status != OFFER_OPEN:
        raise Conflict(f"renewal offer {offer.id} is {offer.status}", code="offer_not_open")
    if old.state != PolicyState.ACTIVE.value:
        raise IllegalTransition(f"a {old.state} policy cannot renew", code="illegal_transition",
                                details={"state": old.state, "event": "renew"})
    if today > old.expiry:
        raise Conflict("the offer lapsed when the policy expired", code="offer_lapsed")
    terms = dict(offer.proposed_terms)
    schedule = schedule_from_dict(terms)
    inception = date.fromisoformat(terms["inception"])
    now = utc_now()
    new = Policy(exporter_org_id=old.exporter_org_id, application_id=old.application_id,
                 renewal_of_id=old.id, product=old.product, state=PolicyState.ACTIVE.value,
                 inception=inception, expiry=date.fromisoformat(terms["expiry"]),
                 auto_renew=True, issued_at=now, created_at=now, updated_at=now)
    _apply_schedule(new, schedule)
    session.add(new)
    session.flush()
    new.number = _policy_number(new)
    offer.status = OFFER_ACCEPTED
    offer.decided_at = now
    offer.renewal_policy_id = new.id
    old.updated_at = now
    _flush(session)
    audit.record(session, org_id=old.exporter_org_id, actor=principal.actor,
                 action="renewal.accepted", entity_type="policy", entity_id=old.id,
                 before={"state": old.state},
                 after={"state": old.state, "offer_id": offer.id, "renewal_policy_id": new.id})
    audit.record(session, org_id=new.exporter_org_id, actor=principal.actor,
                 action="policy.issued", entity_type="policy", entity_id=new.id,
                 reason=f"renewal of {old.number or old.id}", after=snapshot(new))
    return new


def decline_renewal(session: Session, *, principal: Principal, offer_id: int,
                    reason: str) -> RenewalOffer:
    """Decline an open offer (either side): the policy will expire and not renew."""
    if principal.is_insurer:
        principal.require(Permission.POLICY_UNDERWRITE)
    else:
        principal.require(Permission.POLICY_ACCEPT)
    offer, policy = _offer(session, principal, offer_id)
    why = _required_text(reason, field="reason", max_len=1000)
    if offer.status != OFFER_OPEN:
        raise Conflict(f"renewal offer {offer.id} is {offer.status}", code="offer_not_open")
    before = {"state": policy.state, "auto_renew": policy.auto_renew}
    offer.status = OFFER_DECLINED
    offer.decided_at = utc_now()
    policy.auto_renew = False
    policy.updated_at = utc_now()
    _flush(session)
    audit.record(session, org_id=policy.exporter_org_id, actor=principal.actor,
                 action="renewal.declined", entity_type="policy", entity_id=policy.id,
                 reason=why, before=before,
                 after={"state": policy.state, "auto_renew": False, "offer_id": offer.id})
    return offer


def list_renewal_offers(session: Session, *, principal: Principal, policy_id: int
                        ) -> list[RenewalOffer]:
    """A policy's renewal offers, oldest first."""
    principal.require(Permission.POLICY_READ)
    policy = _policy(session, principal, policy_id)
    return list(session.execute(select(RenewalOffer).where(RenewalOffer.policy_id == policy.id)
                                .order_by(RenewalOffer.id)).scalars())


def get_renewal_offer(session: Session, *, principal: Principal, offer_id: int) -> RenewalOffer:
    """One renewal offer the caller may see."""
    principal.require(Permission.POLICY_READ)
    offer = session.get(RenewalOffer, offer_id)
    if offer is None:
        raise NotFound(f"no renewal offer {offer_id}", code="renewal_offer_not_found")
    try:
        _policy(session, principal, offer.policy_id)
    except NotFound:
        raise NotFound(f"no renewal offer {offer_id}", code="renewal_offer_not_found") from None
    return offer


def due_for_renewal(session: Session, *, today: date) -> list[int]:
    """Ids of ACTIVE renewing policies inside the renewal window without an open or
    accepted offer.
    """
    taken = select(RenewalOffer.policy_id).where(
        RenewalOffer.status.in_((OFFER_OPEN, OFFER_ACCEPTED)))
    return list(session.execute(
        select(Policy.id).where(
            Policy.state == PolicyState.ACTIVE.value, Policy.auto_renew.is_(True),
            Policy.expiry >= today,
            Policy.expiry <= today + timedelta(days=RENEWAL_WINDOW_DAYS),
            Policy.id.not_in(taken))
        .order_by(Policy.id)).scalars())


def offer_due_renewals(
    session: Session, *, principal: Principal, today: date,
    metrics_source: ReviewMetricsSource, reprice: Reprice | None = None,
    progress: Progress | None = None,
) -> int:
    """Job: offer renewal to every policy that is due; idempotent (a rerun offers nothing)."""
    _require_insurer(principal, Permission.POLICY_JOBS)
    _check_date(today, field="today")
    ids = due_for_renewal(session, today=today)
    done = 0
    for i, policy_id in enumerate(ids, 1):
        offer_renewal(session, principal=principal, policy_id=policy_id, today=today,
                      metrics_source=metrics_source, reprice=reprice)
        done += 1
        if progress:
            progress(i, len(ids))
    return done


# --- expiry and termination ---------------------------------------------------------------


def due_to_expire(session: Session, *, today: date) -> list[int]:
    """Ids of policies whose term ended before ``today`` or whose scheduled cancellation
    takes effect by ``today``.
    """
    running = (PolicyState.ACTIVE.value, PolicyState.SUSPENDED.value)
    ended = select(Policy.id).where(Policy.state.in_(running), Policy.expiry < today)
    scheduled = [p.id for p in session.execute(
        select(Policy).where(Policy.state.in_(running), Policy.termination.is_not(None)))
        .scalars() if _scheduled_cancellation(p, today) is not None]
    return sorted(set(session.execute(ended).scalars()) | set(scheduled))


def _scheduled_cancellation(policy: Policy, today: date) -> dict[str, Any] | None:
    term = policy.termination
    if isinstance(term, dict) and term.get("status") == "scheduled" \
            and date.fromisoformat(term["effective_date"]) <= today:
        return term
    return None


def _expire_one(session: Session, *, principal: Principal, policy_id: int, today: date) -> bool:
    policy = _policy(session, principal, policy_id, lock=True)
    if policy.state not in (PolicyState.ACTIVE.value, PolicyState.SUSPENDED.value):
        return False
    scheduled = _scheduled_cancellation(policy, today)
    if scheduled is not None and date.fromisoformat(scheduled["effective_date"]) <= policy.expiry:
        before = snapshot(policy)
        policy.termination = {**scheduled, "status": "effective"}
        _move(session, principal=principal, policy=policy, event=PolicyEvent.CANCEL,
              action="policy.cancelled", reason=scheduled.get("reason"), before=before)
        _lapse_open_offers(session, policy.id)
        return True
    if policy.expiry >= today:
        return False
    accepted = _offers(session, policy.id, OFFER_ACCEPTED)
    _lapse_open_offers(session, policy.id)
    if accepted and policy.state == PolicyState.ACTIVE.value:
        _move(session, principal=principal, policy=policy, event=PolicyEvent.RENEW,
              action="policy.renewed", reason="term ended; renewal in force",
              extra={"renewal_policy_id": accepted[-1].renewal_policy_id})
    else:
        _move(session, principal=principal, policy=policy, event=PolicyEvent.EXPIRE,
              action="policy.expired", reason="term ended")
    return True


def _lapse_open_offers(session: Session, policy_id: int) -> None:
    for offer in _offers(session, policy_id, OFFER_OPEN):
        offer.status = OFFER_LAPSED
        offer.decided_at = utc_now()


def expire_due(session: Session, *, principal: Principal, today: date,
               progress: Progress | None = None) -> int:
    """Job: end every policy whose term is over (RENEWED when a renewal was accepted, else
    EXPIRED) and apply cancellations scheduled for today or earlier.  Idempotent.
    """
    _require_insurer(principal, Permission.POLICY_JOBS)
    _check_date(today, field="today")
    ids = due_to_expire(session, today=today)
    done = 0
    for i, policy_id in enumerate(ids, 1):
        if _expire_one(session, principal=principal, policy_id=policy_id, today=today):
            done += 1
        if progress:
            progress(i, len(ids))
    return done


def terminate(
    session: Session, *, principal: Principal, policy_id: int, kind: TerminationKind,
    reason: str, effective_date: date | None, today: date,
) -> Policy:
    """End a policy under domain.md 3.5; insured or insurer is decided by the caller.

    * insured/insurer cancellation: CANCELLED on the effective date (today, or scheduled for
      a later date within the term); liability already taken on stays, no refund;
    * non-renewal: the policy stays in force and ends at expiry (``auto_renew`` off);
    * rescission for fraud (insurer only): RESCINDED at once, all liability ends, no refund.
    """
    by_insurer = principal.is_insurer
    principal.require(Permission.POLICY_TERMINATE_INSURER if by_insurer
                      else Permission.POLICY_TERMINATE_INSURED)
    policy = _policy(session, principal, policy_id, lock=True)
    why = _required_text(reason, field="reason", max_len=1000)
    kind = TerminationKind(kind)
    _check_date(today, field="today")
    if effective_date is not None:
        _check_date(effective_date, field="effective_date")
    state = PolicyState(policy.state)
    outcome = lifecycle.terminate(kind=kind, by_insurer=by_insurer, today=today,
                                  requested_date=effective_date, inception=policy.inception,
                                  expiry=policy.expiry)
    if outcome.event is not None:
        lifecycle.next_state(state, outcome.event)
    elif state not in (PolicyState.ACTIVE, PolicyState.SUSPENDED):
        raise IllegalTransition(f"a {state.value} policy cannot be given notice of "
                                "non-renewal", code="illegal_transition",
                                details={"state": state.value, "event": "non_renewal"})
    pending = policy.termination if isinstance(policy.termination, dict) else None
    status = pending.get("status") if pending else None
    if pending and kind is not TerminationKind.RESCISSION_FOR_FRAUD and (
            status == "scheduled"
            or (status == "notified" and kind is TerminationKind.NON_RENEWAL)):
        raise Conflict(f"a {pending['kind']} is already on record", code="termination_pending")
    if kind is not TerminationKind.RESCISSION_FOR_FRAUD and _offers(session, policy.id,
                                                                   OFFER_ACCEPTED):
        raise Conflict("the renewal was already accepted; end the renewal policy instead",
                       code="renewal_accepted")
    record = {
        "kind": kind.value, "by": "insurer" if by_insurer else "insured",
        "effective_date": outcome.effective_date.isoformat(),
        "liability_retained": outcome.liability_retained,
        "premium_refund": str(outcome.premium_refund), "explanation": outcome.explanation,
        "reason": why, "requested_on": today.isoformat(), "requested_by": principal.actor,
    }
    if outcome.event is None:  # non-renewal
        before = snapshot(policy)
        policy.auto_renew = False
        policy.termination = {**record, "status": "notified"}
        policy.state_reason = why
        policy.updated_at = utc_now()
        _lapse_open_offers(session, policy.id)
        _flush(session)
        audit.record(session, org_id=policy.exporter_org_id, actor=principal.actor,
                     action="policy.non_renewal", entity_type="policy", entity_id=policy.id,
                     reason=why, before=before, after=snapshot(policy))
        return policy
    if outcome.event is PolicyEvent.CANCEL and outcome.effective_date > today:
        before = snapshot(policy)
        policy.termination = {**record, "status": "scheduled"}
        policy.auto_renew = False
        policy.state_reason = why
        policy.updated_at = utc_now()
        _lapse_open_offers(session, policy.id)
        _flush(session)
        audit.record(session, org_id=policy.exporter_org_id, actor=principal.actor,
                     action="policy.terminated", entity_type="policy", entity_id=policy.id,
                     reason=why, before=before, after=snapshot(policy))
        return policy
    before = snapshot(policy)
    policy.termination = {**record, "status": "effective"}
    policy.auto_renew = False
    _lapse_open_offers(session, policy.id)
    action = "policy.rescinded" if outcome.event is PolicyEvent.RESCIND else "policy.cancelled"
    return _move(session, principal=principal, policy=policy, event=outcome.event,
                 action=action, reason=why, before=before)


# --- reading -------------------------------------------------------------------------------


def get_policy(session: Session, *, principal: Principal, policy_id: int) -> Policy:
    """One policy the caller may see (another organisation's answers 404)."""
    principal.require(Permission.POLICY_READ)
    return _policy(session, principal, policy_id)


def list_policies(
    session: Session, *, principal: Principal, state: PolicyState | None = None,
    exporter_org_id: int | None = None, search: str | None = None, limit: int = 50,
    offset: int = 0,
) -> tuple[list[Policy], int]:
    """Policies, newest first, and how many match; ``search`` matches the number or the
    exporter's name or slug.
    """
    principal.require(Permission.POLICY_READ)
    query = select(Policy)
    if not principal.is_insurer:
        query = query.where(Policy.exporter_org_id == principal.org_id)
    if exporter_org_id is not None:
        query = query.where(Policy.exporter_org_id == exporter_org_id)
    if state is not None:
        query = query.where(Policy.state == PolicyState(state).value)
    if search and search.strip():
        pattern = f"%{search.strip().lower()}%"
        orgs = select(Organisation.id).where(or_(func.lower(Organisation.name).like(pattern),
                                                 func.lower(Organisation.slug).like(pattern)))
        query = query.where(or_(func.lower(Policy.number).like(pattern),
                                Policy.exporter_org_id.in_(orgs)))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(Policy.id.desc()).limit(limit).offset(offset)).scalars()
    return list(rows), total


def policy_history(session: Session, *, principal: Principal, policy_id: int
                   ) -> list[AuditEntry]:
    """Every audit entry about a policy, oldest first."""
    principal.require(Permission.POLICY_READ)
    policy = _policy(session, principal, policy_id)
    return audit.history(session, entity_type="policy", entity_id=policy.id,
                         org_id=policy.exporter_org_id)

