"""Use cases of country risk: the current view of every country and edits with history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Permission, Principal
from tradecover.country_risk.cover import CoverStatus
from tradecover.country_risk.model import CountryRiskVersion
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import NotFound, ValidationFailed
from tradecover.kit.money import Money
from tradecover.reference.countries import check_country, country_name
from tradecover.reference.country_risk import check_risk_class


@dataclass(frozen=True, slots=True)
class CountryRisk:
    """The view in force for one country."""

    country: str
    name: str
    risk_class: int | None
    cover_status: CoverStatus
    exposure_cap: Money | None
    source: str
    effective_from: date
    reason: str | None
    version_id: int


def _view(row: CountryRiskVersion) -> CountryRisk:
    cap = (
        Money.from_minor(row.exposure_cap_minor, row.cap_currency)
        if row.exposure_cap_minor is not None and row.cap_currency
        else None
    )
    return CountryRisk(
        country=row.country,
        name=country_name(row.country),
        risk_class=row.risk_class,
        cover_status=CoverStatus(row.cover_status),
        exposure_cap=cap,
        source=row.source,
        effective_from=row.effective_from,
        reason=row.reason,
        version_id=row.id,
    )


def current_all(
    session: Session, *, risk_class: int | None = None, cover_status: CoverStatus | None = None
) -> list[CountryRisk]:
    """The view in force for every country, by country code."""
    query = select(CountryRiskVersion).where(
        CountryRiskVersion.id.in_(
            select(func.max(CountryRiskVersion.id))
            .group_by(CountryRiskVersion.country)
            .scalar_subquery()
        )
    )
    if risk_class is not None:
        query = query.where(CountryRiskVersion.risk_class == risk_class)
    if cover_status is not None:
        query = query.where(CountryRiskVersion.cover_status == cover_status.value)
    rows = session.execute(query.order_by(CountryRiskVersion.country)).scalars()
    return [_view(r) for r in rows]


def current(session: Session, country: str) -> CountryRisk:
    """The view in force for ``country``."""
    check_country(country, field="country")
    row = session.execute(
        select(CountryRiskVersion)
        .where(CountryRiskVersion.country == country)
        .order_by(CountryRiskVersion.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no country risk recorded for {country}", code="country_risk_not_found")
    return _view(row)


def history(session: Session, country: str) -> list[CountryRisk]:
    """Every version for ``country``, oldest first."""
    check_country(country, field="country")
    rows = session.execute(
        select(CountryRiskVersion)
        .where(CountryRiskVersion.country == country)
        .order_by(CountryRiskVersion.id)
    ).scalars()
    return [_view(r) for r in rows]


_UNSET: object = object()


def change(
    session: Session,
    *,
    principal: Principal,
    country: str,
    reason: str,
    effective_from: date,
    risk_class: int | object | None = _UNSET,
    cover_status: CoverStatus | None = None,
    exposure_cap: Money | object | None = _UNSET,
) -> CountryRisk:
    """Record a new version of a country's risk view (risk managers); the old one stays."""
    principal.require(Permission.REFERENCE_EDIT)
    if not reason.strip():
        raise ValidationFailed("a reason is required", code="reason_required", field="reason")
    before = current(session, country)
    new_class = before.risk_class if risk_class is _UNSET else risk_class
    if new_class is not None:
        new_class = check_risk_class(new_class)
    new_cap = before.exposure_cap if exposure_cap is _UNSET else exposure_cap
    if isinstance(new_cap, Money) and new_cap.amount <= 0:
        raise ValidationFailed(
            "an exposure cap must be greater than zero",
            code="cap_not_positive",
            field="exposure_cap",
        )
    cap = new_cap if isinstance(new_cap, Money) else None
    row = CountryRiskVersion(
        country=country,
        risk_class=new_class,
        cover_status=(cover_status or before.cover_status).value,
        exposure_cap_minor=cap.minor_units() if cap else None,
        cap_currency=cap.currency if cap else None,
        source=f"insurer view ({principal.actor})",
        effective_from=effective_from,
        reason=reason,
        recorded_at=utc_now(),
        recorded_by=principal.actor,
        recorded_by_org_id=principal.org_id,
    )
    session.add(row)
    session.flush()
    after = _view(row)
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action="country_risk.changed",
        entity_type="country",
        entity_id=country,
        reason=reason,
        before=_snapshot(before),
        after=_snapshot(after),
    )
    return after


def _snapshot(view: CountryRisk) -> dict[str, object]:
    return {
        "risk_class": view.risk_class,
        "cover_status": view.cover_status.value,
        "exposure_cap": str(view.exposure_cap) if view.exposure_cap else None,
        "effective_from": view.effective_from.isoformat(),
    }
