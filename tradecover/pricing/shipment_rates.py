"""The rate of a shipment under a risk-based policy ([000], [002] 4; domain.md 6).

A :class:`RateBook` is what every declaration of a process is priced on: the current
version of each rate table (a :class:`ShortTermPricer` each) and the country classes in
force, as of one :data:`Stamp` of the database (the newest rate table version and country
risk version).  A :class:`PolicyRatePricer` is the rate source of one policy's shipments:
the table's base cell (country class x payment terms x credit period), the buyer's
rating, the indemnity percentage and the policy's floating adjustments (experience and
concentration), held within the table's floor and cap.

A buyer whose country has no class in force is priced as the riskiest class (7): an
unassessed country never costs less than an assessed one.  The indemnity percentage (a
share, 0.90 for 90 %) is held within the table's range before it is priced: a schedule or
limit outside the product's usual range is priced at its nearest end, never refused here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from tradecover.kit.errors import NotFound
from tradecover.pricing.rate_table import COUNTRY_CLASSES
from tradecover.pricing.short_term import (
    ExporterExperience,
    RateQuote,
    ShortTermPricer,
    ShortTermRateRequest,
)

Stamp = tuple[str, str]
"""The newest rate table version and the newest country risk version (id and time
written): both tables are append-only, so any publication or reclassification changes it."""

DEFAULT_TABLE_CODE = "ST-2026"
"""The table priced on when a policy names a code with no active version."""

UNCLASSIFIED_COUNTRY_CLASS = COUNTRY_CLASSES - 1
"""The class a country without one in force is priced as (the riskiest)."""

_SIX = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class RateBook:
    """The rate tables in force (by code) and the country classes, as of ``stamp``."""

    stamp: Stamp
    pricers: Mapping[str, ShortTermPricer]
    country_classes: Mapping[str, int]

    def pricer(self, code: str) -> ShortTermPricer:
        """The pricer of table ``code``'s current version, else of the default table."""
        found = self.pricers.get(code) or self.pricers.get(DEFAULT_TABLE_CODE)
        if found is None:
            raise NotFound(
                f"no active rate table {code!r}", code="rate_table_not_found", field="rate_table"
            )
        return found


@dataclass(frozen=True, slots=True)
class PolicyRatePricer:
    """The :class:`~tradecover.pricing.short_term.RatePricer` of one risk-based policy."""

    pricer: ShortTermPricer
    country_classes: Mapping[str, int]
    experience: ExporterExperience | None = None
    concentration_hhi: Decimal | None = None

    def price(self, request: ShortTermRateRequest) -> RateQuote:
        """The table rate of ``request`` with the policy's floating adjustments."""
        country_class = request.country_class
        if country_class is None:
            country_class = self.country_classes.get(
                request.country or "", UNCLASSIFIED_COUNTRY_CLASS
            )
        bounds = self.pricer.table.indemnity
        share = min(max(request.indemnity_percentage, bounds.minimum), bounds.maximum)
        return self.pricer.price(
            replace(
                request,
                country_class=country_class,
                indemnity_percentage=share.quantize(_SIX, rounding=ROUND_HALF_UP),
                experience=self.experience if self.experience is not None else request.experience,
                concentration_hhi=(
                    self.concentration_hhi
                    if self.concentration_hhi is not None
                    else request.concentration_hhi
                ),
            )
        )


def policy_rate_pricer(
    book: RateBook,
    *,
    table_code: str,
    experience: ExporterExperience | None = None,
    concentration_hhi: Decimal | None = None,
) -> PolicyRatePricer:
    """The rate source of a risk-based policy on ``book``."""
    return PolicyRatePricer(
        pricer=book.pricer(table_code),
        country_classes=book.country_classes,
        experience=experience,
        concentration_hhi=concentration_hhi,
    )
