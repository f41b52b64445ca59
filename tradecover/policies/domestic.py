"""Domestic trade credit insurance: the product's own rules, pure ([domain DT-1] to DT-7).

A domestic policy insures sales on credit to buyers in the insured's own country ([001]),
in that country's currency, against commercial risks only, priced on a rate table without
country classes, with its own schedule wording and claim terms.  Everything else (limits,
attachment, billing, claims) runs on the engines of the export product: they consult the
functions here where the product makes a difference, and nothing here reads a database.

The insured's country is the exporter organisation's country when the application is
filed; from then on it is the one country of the policy's insurable scope
(:func:`home_country`), so that every engine reading the schedule knows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from tradecover.kit.errors import ValidationFailed
from tradecover.policies.schedule import ClaimTermsSchedule, InsurableScope, PolicySchedule, Product
from tradecover.reference.countries import check_country, local_currencies

DOMESTIC = Product.DOMESTIC_TRADE_CREDIT
"""The domestic trade credit product."""

DOMESTIC_RATE_TABLE = "DT-2026"
"""The shipped rate table of the domestic product (no country classes) [domain DT-4]."""

DOMESTIC_TABLE_PREFIX = "DT-"
"""Every rate table of the domestic product has a code starting so (as its policy numbers)."""

DOMESTIC_CLAIM_TERMS = ClaimTermsSchedule(
    waiting_period_days=90,
    claim_filing_days=120,
    waiting_on_insolvency=False,
)
"""The domestic product's claim terms where the policy sets none [domain DT-6] (*practice*):
a protracted default is paid 90 days after the due date (the export default is 120: the
debt is chased at home, in the insured's own courts and language), a claim is filed within
120 days of the notice of possible loss, a proven insolvency pays at once."""


class DomesticBuyerForeign(ValidationFailed):
    """A domestic policy names, or is asked to cover, a buyer outside the insured's country."""

    default_code = "domestic_buyer_foreign"


class DomesticCurrencyNotLocal(ValidationFailed):
    """A domestic policy in a currency that is not the insured country's own."""

    default_code = "domestic_currency_not_local"


class DomesticCountryUnknown(ValidationFailed):
    """The insured's country is not known, so a domestic policy cannot be written."""

    default_code = "domestic_country_unknown"


class DomesticRateTableRequired(ValidationFailed):
    """A domestic schedule names a rate table that is not one of the domestic product."""

    default_code = "domestic_rate_table_required"


class DomesticPoliticalCause(ValidationFailed):
    """A claim or notice on a domestic policy names a political cause of loss."""

    default_code = "domestic_political_cause"


def is_domestic(product: str | Product) -> bool:
    """True for the domestic trade credit product."""
    return str(product) == DOMESTIC.value


def home_country(scope: InsurableScope) -> str | None:
    """The insured's country of a domestic policy: the one country of its scope."""
    countries = scope.destination_countries
    return countries[0] if len(countries) == 1 else None


def domestic_foreign_buyer(
    product: str | Product, scope: InsurableScope, buyer_country: str | None, *, field: str
) -> DomesticBuyerForeign | None:
    """The refusal of a buyer in ``buyer_country`` under a policy of ``product`` with
    ``scope``, or ``None`` when the buyer may be covered [domain DT-1].

    Only a domestic policy refuses: its buyers are in the insured's own country.  A buyer
    whose country is not known is refused too (it cannot be shown to be domestic).
    """
    if not is_domestic(product):
        return None
    home = home_country(scope)
    if buyer_country is not None and buyer_country == home:
        return None
    return DomesticBuyerForeign(
        f"a domestic trade credit policy covers buyers in {home or 'the insured country'} "
        f"only; this buyer is in {buyer_country or 'an unknown country'}",
        field=field,
        details={"home_country": home, "buyer_country": buyer_country},
    )


def check_domestic_buyer(
    product: str | Product, scope: InsurableScope, buyer_country: str | None, *, field: str
) -> None:
    """Raise :class:`DomesticBuyerForeign` where :func:`domestic_foreign_buyer` refuses."""
    refusal = domestic_foreign_buyer(product, scope, buyer_country, field=field)
    if refusal is not None:
        raise refusal


def check_local_currency(country: str, currency: str, *, field: str = "currency") -> str:
    """``currency`` if it is a legal tender of ``country``, else
    :class:`DomesticCurrencyNotLocal` [domain DT-2].
    """
    local = local_currencies(country)
    if currency not in local:
        raise DomesticCurrencyNotLocal(
            f"a domestic trade credit policy in {country} is written in its own currency "
            f"({', '.join(local) or 'none known'}), not {currency}",
            field=field,
            details={"country": country, "local_currencies": list(local)},
        )
    return currency


def domestic_application_countries(
    insured_country: str | None, currency: str, destination_countries: Sequence[str]
) -> list[str]:
    """The destination countries of a domestic application: the insured's country only
    (an empty list means it), in its local currency [domain DT-1], [domain DT-2].
    """
    if insured_country is None:
        raise DomesticCountryUnknown(
            "the insured's country is not recorded: domestic trade credit insurance covers "
            "buyers in the insured's own country, so its country must be known",
            field="exporter_org_id",
        )
    home = check_country(insured_country, field="exporter_org_id")
    for i, country in enumerate(destination_countries):
        if country != home:
            raise DomesticBuyerForeign(
                f"a domestic trade credit policy covers buyers in {home} only, not {country}",
                field=f"destination_countries[{i}]",
                details={"home_country": home, "buyer_country": country},
            )
    check_local_currency(home, currency)
    return [home]


def domestic_schedule(schedule: PolicySchedule, home: str) -> PolicySchedule:
    """The schedule of a domestic policy of an insured in ``home``, checked: its currency
    local, its scope the home country only (an empty scope becomes it), its rate table one
    of the domestic product's [domain DT-1], [domain DT-2], [domain DT-4].
    """
    check_local_currency(home, schedule.currency)
    scope = schedule.scope
    for i, country in enumerate(scope.destination_countries):
        if country != home:
            raise DomesticBuyerForeign(
                f"a domestic trade credit policy covers buyers in {home} only, not {country}",
                field=f"scope.destination_countries[{i}]",
                details={"home_country": home, "buyer_country": country},
            )
    if home in scope.excluded_countries:
        raise DomesticBuyerForeign(
            f"a domestic trade credit policy cannot exclude its own country {home}",
            field="scope.excluded_countries",
        )
    if not schedule.rate_table.startswith(DOMESTIC_TABLE_PREFIX):
        raise DomesticRateTableRequired(
            f"a domestic trade credit policy is priced on a domestic rate table "
            f"({DOMESTIC_TABLE_PREFIX}..., e.g. {DOMESTIC_RATE_TABLE}), not {schedule.rate_table}",
            field="rate_table",
        )
    return replace(schedule, scope=replace(scope, destination_countries=(home,)))


def check_domestic_cause(
    product: str | Product, *, cause: str, political: bool, field: str
) -> None:
    """Refuse a political cause of loss on a domestic policy (commercial risk only)
    [domain DT-3]: :class:`DomesticPoliticalCause`.
    """
    if political and is_domestic(product):
        raise DomesticPoliticalCause(
            f"a domestic trade credit policy covers commercial risks only: {cause} is a "
            "political cause of loss",
            field=field,
            details={"cause": cause},
        )


def claim_terms_of_product(product: str | Product, own: ClaimTermsSchedule) -> ClaimTermsSchedule:
    """The policy's own claim terms, with the domestic product's where it sets none
    [domain DT-6]; an export policy's terms are returned as they are.
    """
    if not is_domestic(product):
        return own
    d = DOMESTIC_CLAIM_TERMS
    return replace(
        own,
        waiting_period_days=(
            own.waiting_period_days
            if own.waiting_period_days is not None
            else d.waiting_period_days
        ),
        claim_filing_days=(
            own.claim_filing_days if own.claim_filing_days is not None else d.claim_filing_days
        ),
        waiting_on_insolvency=(
            own.waiting_on_insolvency
            if own.waiting_on_insolvency is not None
            else d.waiting_on_insolvency
        ),
    )


@dataclass(frozen=True, slots=True)
class ScheduleWording:
    """The product's words on the policy schedule [domain DT-5]."""

    title: str
    insured_sales: str
    risks: str


EXPORT_WORDING = ScheduleWording(
    title="Short-term comprehensive export credit insurance",
    insured_sales="Exports on credit terms to buyers in the countries of the insurable scope.",
    risks="Commercial and political risks.",
)
DOMESTIC_WORDING = ScheduleWording(
    title="Domestic trade credit insurance",
    insured_sales="Sales on credit terms to buyers in the insured's own country, in its "
    "own currency.",
    risks="Commercial risks only; political risks are not covered.",
)
"""The words are those of the policy page (translated there) and of ``policies show``."""


def schedule_wording(product: str | Product) -> ScheduleWording:
    """The schedule wording of ``product``: the domestic product's own, else the export
    product's [domain DT-5].
    """
    return DOMESTIC_WORDING if is_domestic(product) else EXPORT_WORDING
