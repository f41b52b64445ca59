"""HTTP routes of country risk: the view in force, its history, and risk managers' edits."""

from __future__ import annotations

from fastapi import APIRouter

from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.country_risk import service
from tradecover.country_risk.cover import CoverStatus
from tradecover.country_risk.schemas import CountryRiskChangeIn, CountryRiskOut
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, check_currency

router = APIRouter(prefix="/api/v1/countries", tags=["country risk"])


@router.get("", response_model=list[CountryRiskOut], summary="Every country's risk view")
def list_countries(
    session: SessionDep,
    principal: PrincipalDep,
    risk_class: int | None = None,
    cover_status: CoverStatus | None = None,
) -> list[CountryRiskOut]:
    """OECD class, cover status and exposure cap of every country (any signed-in caller)."""
    return [
        CountryRiskOut.of(v)
        for v in service.current_all(session, risk_class=risk_class, cover_status=cover_status)
    ]


@router.get("/{country}", response_model=CountryRiskOut, summary="One country's risk view")
def get_country(country: str, session: SessionDep, principal: PrincipalDep) -> CountryRiskOut:
    """The view in force for an ISO 3166-1 alpha-2 code."""
    return CountryRiskOut.of(service.current(session, country))


@router.get(
    "/{country}/history",
    response_model=list[CountryRiskOut],
    summary="Every version of a country's risk view",
)
def get_history(country: str, session: SessionDep, principal: PrincipalDep) -> list[CountryRiskOut]:
    """Oldest first: the shipped baseline, then each edit with its reason."""
    return [CountryRiskOut.of(v) for v in service.history(session, country)]


@router.put("/{country}", response_model=CountryRiskOut, summary="Change a country's view")
def change_country(
    country: str, body: CountryRiskChangeIn, session: SessionDep, principal: PrincipalDep
) -> CountryRiskOut:
    """Record a new version (risk managers); the previous versions are kept."""
    kwargs: dict[str, object] = {}
    if body.unclassified and body.risk_class is not None:
        raise ValidationFailed(
            "give risk_class or unclassified, not both",
            code="conflicting_fields",
            field="unclassified",
        )
    if body.unclassified:
        kwargs["risk_class"] = None
    elif body.risk_class is not None:
        kwargs["risk_class"] = body.risk_class
    if body.remove_exposure_cap:
        kwargs["exposure_cap"] = None
    elif body.exposure_cap_amount is not None:
        if body.exposure_cap_currency is None:
            raise ValidationFailed(
                "exposure_cap_currency is required with an amount",
                code="currency_required",
                field="exposure_cap_currency",
            )
        currency = check_currency(body.exposure_cap_currency, field="exposure_cap_currency")
        kwargs["exposure_cap"] = Money.of(body.exposure_cap_amount, currency)
    view = service.change(
        session,
        principal=principal,
        country=country,
        reason=body.reason,
        effective_from=body.effective_from,
        cover_status=body.cover_status,
        **kwargs,
    )
    return CountryRiskOut.of(view)
