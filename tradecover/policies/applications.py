"""Exporter profiles and policy applications: submit, decline, read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Permission, Principal, organisation_of
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
)
from tradecover.kit.money import Money, check_currency
from tradecover.policies._common import (
    APPLICATION_DECLINED,
    APPLICATION_SUBMITTED,
    SIZE_CLASSES,
    SUPPORTED_PRODUCTS,
    _application,
    _application_snapshot,
    _check_countries,
    _check_date,
    _check_money,
    _exporter_org,
    _profile_snapshot,
    _require_insurer,
    _required_text,
    _text,
    visible_applications,
)
from tradecover.policies.domestic import domestic_application_countries, is_domestic
from tradecover.policies.model import (
    ExporterProfile,
    PolicyApplication,
)
from tradecover.policies.ports import SubmittedApplication, application_submitted
from tradecover.policies.schedule import (
    InsurableScope,
    Product,
)
from tradecover.reference.countries import check_country
from tradecover.reference.payment_terms import PaymentTerms
from tradecover.reference.regions import check_region

# --- exporter profile --------------------------------------------------------------------


def _check_history(rows: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    years: set[int] = set()
    for i, row in enumerate(rows):
        field = f"export_history[{i}]"
        if (
            not isinstance(row, dict)
            or set(row) - {"year", "amount"}
            or "year" not in row
            or "amount" not in row
        ):
            raise ValidationFailed(
                f"{field} needs exactly a year and an amount",
                code="invalid_export_history",
                field=field,
            )
        year = row["year"]
        if isinstance(year, bool) or not isinstance(year, int) or not 1950 <= year <= 2100:
            raise ValidationFailed(
                f"{field}.year must be a year", code="invalid_export_history", field=f"{field}.year"
            )
        if year in years:
            raise ValidationFailed(
                f"year {year} is listed twice", code="invalid_export_history", field=f"{field}.year"
            )
        years.add(year)
        if isinstance(row["amount"], float):
            raise ValidationFailed(
                f"{field}.amount must be a decimal string",
                code="invalid_export_history",
                field=f"{field}.amount",
            )
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
            raise ValidationFailed(
                f"{field} may only have {', '.join(sorted(allowed))}",
                code="invalid_buyer",
                field=field,
            )
        name = _required_text(str(row.get("name") or ""), field=f"{field}.name", max_len=200)
        buyer: dict[str, Any] = {
            "name": name,
            "country": check_country(row.get("country"), field=f"{field}.country"),
        }
        if "years_trading" in row:
            years = row["years_trading"]
            if isinstance(years, bool) or not isinstance(years, int) or not 0 <= years <= 200:
                raise ValidationFailed(
                    f"{field}.years_trading must be 0-200",
                    code="invalid_buyer",
                    field=f"{field}.years_trading",
                )
            buyer["years_trading"] = years
        if "share_pct" in row:
            share = row["share_pct"]
            if isinstance(share, float | bool):
                raise ValidationFailed(
                    f"{field}.share_pct must be a decimal string",
                    code="invalid_buyer",
                    field=f"{field}.share_pct",
                )
            try:
                pct = Decimal(str(share))
            except ArithmeticError:
                pct = Decimal("NaN")
            if not pct.is_finite() or not 0 <= pct <= 100:
                raise ValidationFailed(
                    f"{field}.share_pct must be 0-100",
                    code="invalid_buyer",
                    field=f"{field}.share_pct",
                )
            buyer["share_pct"] = str(pct)
        if "payment_terms" in row:
            terms = row["payment_terms"]
            if not isinstance(terms, str) or terms not in PaymentTerms.__members__:
                raise ValidationFailed(
                    f"{field}.payment_terms must be LC, DP, DA or OA",
                    code="invalid_buyer",
                    field=f"{field}.payment_terms",
                )
            buyer["payment_terms"] = terms
        out.append(buyer)
    return out


def upsert_exporter_profile(
    session: Session,
    *,
    principal: Principal,
    org_id: int,
    legal_name: str,
    region: str | None,
    size_class: str,
    cross_border_ecommerce: bool,
    currency: str,
    previous_year_exports: Money,
    export_history: list[dict[str, Any]],
    products: list[str],
    destination_countries: list[str],
    main_buyers: list[dict[str, Any]],
) -> ExporterProfile:
    """Create or replace what the insurer knows about an exporter
    ([domain P-4]).

    The exporter maintains its own profile; insurer staff with the permission may too.
    """
    principal.require(Permission.EXPORTER_PROFILE_WRITE)
    org = _exporter_org(session, principal, org_id)
    name = _required_text(legal_name, field="legal_name", max_len=200)
    if region is not None:
        check_region(region, field="region")
    if size_class not in SIZE_CLASSES:
        raise ValidationFailed(
            f"size_class must be one of {', '.join(SIZE_CLASSES)}",
            code="invalid_size_class",
            field="size_class",
        )
    check_currency(currency)
    _check_money(
        previous_year_exports, currency=currency, field="previous_year_exports", positive=False
    )
    history = _check_history(export_history, currency)
    goods = [_required_text(p, field=f"products[{i}]", max_len=200) for i, p in enumerate(products)]
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
    audit.record(
        session,
        org_id=org.id,
        actor=principal.actor,
        action="exporter_profile.created" if before is None else "exporter_profile.updated",
        entity_type="exporter_profile",
        entity_id=org.id,
        before=before,
        after=_profile_snapshot(profile),
    )
    return profile


def get_exporter_profile(session: Session, *, principal: Principal, org_id: int) -> ExporterProfile:
    """An exporter's profile (its own, or any for insurer staff)."""
    principal.require(Permission.POLICY_READ)
    org = organisation_of(session, org_id)
    if org is None or not principal.can_see_org(org.id):
        raise NotFound(f"no organisation {org_id}", code="organisation_not_found")
    profile = session.get(ExporterProfile, org.id)
    if profile is None:
        raise NotFound(
            f"organisation {org_id} has no exporter profile yet", code="profile_not_found"
        )
    return profile


# --- application -------------------------------------------------------------------------


def submit_application(
    session: Session,
    *,
    principal: Principal,
    exporter_org_id: int,
    product: Product,
    currency: str,
    expected_turnover: Money,
    requested_inception: date,
    destination_countries: list[str],
    payment_terms: list[PaymentTerms],
    max_credit_days: int,
    hs_chapters: list[str],
    notes: str | None,
) -> PolicyApplication:
    """File an application form: an exporter for itself, or insurer staff on its behalf.

    A domestic trade credit application covers buyers in the insured's own country only,
    in its own currency ([domain DT-1], [domain DT-2]): its destinations become that
    country, and a foreign one is refused (``domestic_buyer_foreign``).
    """
    if principal.is_insurer:
        principal.require(Permission.POLICY_UNDERWRITE)
    else:
        principal.require(Permission.POLICY_APPLY)
    org = _exporter_org(session, principal, exporter_org_id)
    product = Product(product)
    if product not in SUPPORTED_PRODUCTS:
        raise ValidationFailed(
            f"{product.value} is not administered through this application form"
            + (
                " (apply at /api/v1/investment-debt/applications with the loan's schedule)"
                if product is Product.INVESTMENT_DEBT
                else ""
            ),
            code="product_not_supported",
            field="product",
        )
    check_currency(currency)
    _check_money(expected_turnover, currency=currency, field="expected_turnover")
    _check_date(requested_inception, field="requested_inception")
    if is_domestic(product):  # the insured's own country and currency [domain DT-1]
        destination_countries = domestic_application_countries(
            org.country, currency, destination_countries
        )
    scope = InsurableScope(
        destination_countries=tuple(destination_countries),
        payment_terms=tuple(PaymentTerms(t) for t in payment_terms),
        max_credit_days=max_credit_days,
        hs_chapters=tuple(hs_chapters),
    )
    try:
        scope.validate()
    except ValidationFailed as error:
        if error.field:
            error.field = error.field.removeprefix("scope.")
        raise
    _check_countries(destination_countries, field="destination_countries")
    app = PolicyApplication(
        exporter_org_id=org.id,
        product=product.value,
        status=APPLICATION_SUBMITTED,
        currency=currency,
        expected_turnover_minor=expected_turnover.minor_units(),
        requested_inception=requested_inception,
        destination_countries=list(destination_countries),
        payment_terms=[PaymentTerms(t).value for t in payment_terms],
        max_credit_days=max_credit_days,
        hs_chapters=list(hs_chapters),
        notes=_text(notes, field="notes", max_len=5000, required=False),
        submitted_at=utc_now(),
        submitted_by=principal.actor,
    )
    session.add(app)
    session.flush()
    audit.record(
        session,
        org_id=org.id,
        actor=principal.actor,
        action="application.submitted",
        entity_type="policy_application",
        entity_id=app.id,
        after=_application_snapshot(app),
    )
    profile = session.get(ExporterProfile, org.id)
    application_submitted(
        session,
        SubmittedApplication(
            application_id=app.id,
            exporter_org_id=org.id,
            product=app.product,
            export_turnover=expected_turnover
            if profile is None
            else Money.from_minor(profile.previous_year_exports_minor, profile.currency),
            destination_countries=tuple(app.destination_countries),
            max_credit_days=max_credit_days,
            actor=principal.actor,
        ),
    )
    return app


def decline_application(
    session: Session, *, principal: Principal, application_id: int, reason: str
) -> PolicyApplication:
    """The insurer declines an application that is still open."""
    _require_insurer(principal, Permission.POLICY_UNDERWRITE)
    app = _application(session, principal, application_id, lock=True)
    why = _required_text(reason, field="reason", max_len=1000)
    if app.status != APPLICATION_SUBMITTED:
        raise Conflict(f"application {app.id} is already {app.status}", code="application_not_open")
    before = _application_snapshot(app)
    app.status = APPLICATION_DECLINED
    app.decline_reason = why
    session.flush()
    audit.record(
        session,
        org_id=app.exporter_org_id,
        actor=principal.actor,
        action="application.declined",
        entity_type="policy_application",
        entity_id=app.id,
        reason=why,
        before=before,
        after=_application_snapshot(app),
    )
    return app


def get_application(
    session: Session, *, principal: Principal, application_id: int
) -> PolicyApplication:
    """One application the caller may see."""
    principal.require(Permission.POLICY_READ)
    return _application(session, principal, application_id)


def list_applications(
    session: Session,
    *,
    principal: Principal,
    status: str | None = None,
    exporter_org_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[PolicyApplication], int]:
    """Applications, newest first, and how many match."""
    principal.require(Permission.POLICY_READ)
    query = visible_applications(principal)
    if exporter_org_id is not None:
        query = query.where(PolicyApplication.exporter_org_id == exporter_org_id)
    if status is not None:
        query = query.where(PolicyApplication.status == status)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(PolicyApplication.id.desc()).limit(limit).offset(offset)
    ).scalars()
    return list(rows), total
