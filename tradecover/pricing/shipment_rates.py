"""The rate of a shipment under a risk-based policy ([000], [002] 4; [domain R-5]).

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
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

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


MEMO_SIZE = 50_000
"""Most quotes a book remembers (then it forgets them all and starts again)."""


@dataclass(frozen=True, slots=True)
class RateBook:
    """The rate tables in force (by code) and the country classes, as of ``stamp``.

    ``quotes`` remembers the quotes priced on this book: a rate is a pure function of the
    table, the country class, the terms, the credit band and the factors' inputs, and the
    shipments of a book repeat them (the same buyers under the same policies), so each is
    priced once per process and stamp.
    """

    stamp: Stamp
    pricers: Mapping[str, ShortTermPricer]
    country_classes: Mapping[str, int]
    quotes: dict[tuple[object, ...], RateQuote] = field(default_factory=dict, compare=False)
    explanations: dict[int, dict[str, Any]] = field(default_factory=dict, compare=False)
    """The JSON form of each remembered quote's explanation, by the quote's id (a quote in
    ``quotes`` is alive, so no other object has its id)."""

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
    """The :class:`~tradecover.pricing.short_term.RatePricer` of one risk-based policy.

    With ``quotes`` and ``explanations`` (its book's) it remembers what it priced: the same
    inputs give the same quote object, its explanation's JSON form made once.
    """

    pricer: ShortTermPricer
    country_classes: Mapping[str, int]
    experience: ExporterExperience | None = None
    concentration_hhi: Decimal | None = None
    quotes: dict[tuple[object, ...], RateQuote] | None = None
    explanations: dict[int, dict[str, Any]] | None = None

    def price(self, request: ShortTermRateRequest) -> RateQuote:
        """The table rate of ``request`` with the policy's floating adjustments."""
        table = self.pricer.table
        country_class = request.country_class
        if not table.country_classes:
            country_class = 0  # one row for every buyer's country [domain DT-4]
        elif country_class is None:
            country_class = self.country_classes.get(
                request.country or "", UNCLASSIFIED_COUNTRY_CLASS
            )
        bounds = table.indemnity
        share = min(max(request.indemnity_percentage, bounds.minimum), bounds.maximum)
        memo, explanations = self.quotes, self.explanations
        if memo is None or explanations is None:
            return self._priced(request, country_class, share)
        days = request.credit_days
        band = table.band_index(days) if 0 <= days <= table.bands[-1].last_day else days
        key = (
            id(self.pricer), country_class, request.payment_terms, band, share,
            request.buyer_pd, request.buyer_grade, self.experience, self.concentration_hhi,
            request.experience, request.concentration_hhi,
        )  # fmt: skip
        known = memo.get(key)
        if known is not None:
            return known
        quote = self._priced(request, country_class, share)
        if len(memo) >= MEMO_SIZE:
            memo.clear()
            explanations.clear()
        memo[key] = quote
        explanations[id(quote)] = quote.explanation.to_dict()
        return quote

    def explanation_json(self, quote: RateQuote) -> dict[str, Any]:
        """The JSON form of ``quote``'s explanation (made once for a remembered quote; the
        dict is shared by the declarations that store it: read-only).
        """
        known = self.explanations.get(id(quote)) if self.explanations is not None else None
        return known if known is not None else quote.explanation.to_dict()

    def _priced(
        self, request: ShortTermRateRequest, country_class: int, share: Decimal
    ) -> RateQuote:
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
    """The rate source of a risk-based policy on ``book`` (remembering on the book)."""
    return PolicyRatePricer(
        pricer=book.pricer(table_code),
        country_classes=book.country_classes,
        experience=experience,
        concentration_hhi=concentration_hhi,
        quotes=book.quotes,
        explanations=book.explanations,
    )
