"""Premium of a declaration ([domain D-9]; [002], 8.2.2).

``premium = (invoice amount - prepayment) x rate``, rounded half-up to the currency's
minor unit *once, at the declaration* (:func:`tradecover.kit.money.round_money`); notices
then add rounded premiums, so a notice always reconciles to its declarations to the cent.

The rate comes through ONE interface, :data:`RateSource`: it *is* the pricing context's
:class:`tradecover.pricing.short_term.RatePricer` (``price(request) -> RateQuote``), so
the attachment service calls the same thing whether the rate is the policy's flat
schedule rate (:class:`FlatRatePricer`, today) or the risk-based
:class:`tradecover.pricing.short_term.ShortTermPricer`.

Declarations that are not covered bear no premium (the insurer carries no risk on them):
:func:`declaration_premium` returns zero for them.  Declarations covered in full or in part
bear premium on the whole insured amount, as [002] states it (invoice less
prepayment), not only on the covered part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol, TypeAlias

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, round_money
from tradecover.pricing import (
    Adjustment,
    RateExplanation,
    RatePricer,
    RateQuote,
    ShortTermRateRequest,
)
from tradecover.reference.payment_terms import band_for


class CoverOutcome(Protocol):
    """What premium needs of a cover decision (the declarations context's ``CoverDecision``).

    Structural, so that billing does not import the declarations context, which calls
    billing to price its declarations.
    """

    @property
    def insured_amount(self) -> Money:
        """The amount insured: invoice less prepayment."""
        ...

    @property
    def covered(self) -> bool:
        """True when cover attached to at least part of the shipment."""
        ...


RateSource: TypeAlias = RatePricer
"""The one pricing interface the attachment service calls (``price(request) -> RateQuote``)."""

NO_COUNTRY_CLASS = -1
"""``country_class`` reported by a flat rate, which does not depend on the country."""

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class FlatRatePricer:
    """The policy schedule's single rate (``base_rate_pct``, in percent) for every shipment."""

    base_rate_pct: Decimal
    rate_table: str = "schedule"
    effective_from: date | None = None

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.base_rate_pct <= Decimal(10):
            raise ValidationFailed(
                "base_rate_pct must be 0 to 10 percent",
                code="rate_out_of_range",
                field="base_rate_pct",
            )

    def price(self, request: ShortTermRateRequest) -> RateQuote:
        """The flat rate as a fraction (0.75 % -> 0.0075), explained as the schedule's rate."""
        rate = self.base_rate_pct / HUNDRED
        explanation = RateExplanation(
            table_code=self.rate_table,
            table_version=1,
            effective_from=self.effective_from.isoformat() if self.effective_from else "",
            country_class=(
                request.country_class if request.country_class is not None else NO_COUNTRY_CLASS
            ),
            payment_terms=request.payment_terms,
            credit_band=band_for(request.credit_days).label,
            base_rate=rate,
            adjustments=(
                Adjustment(
                    "flat_rate",
                    Decimal(1),
                    f"the policy schedule's flat rate of {self.base_rate_pct} %",
                ),
            ),
            rate_before_bounds=rate,
            floor=rate,
            cap=rate,
            bound_applied=None,
            final_rate=rate,
        )
        return RateQuote(rate=rate, explanation=explanation)


def premium_of(*, invoice_amount: Money, prepayment: Money, rate: Decimal) -> Money:
    """``(invoice - prepayment) x rate`` rounded half-up to the currency: never negative."""
    if rate < 0:
        raise ValidationFailed(
            "a premium rate cannot be negative", code="negative_rate", field="rate"
        )
    if prepayment.amount < 0:
        raise ValidationFailed(
            "the prepayment cannot be negative", code="negative_prepayment", field="prepayment"
        )
    insured = invoice_amount - prepayment
    if insured.amount < 0:
        raise ValidationFailed(
            "the prepayment exceeds the invoice amount",
            code="prepayment_exceeds_invoice",
            field="prepayment",
        )
    return Money(round_money(insured.amount * rate, insured.currency), insured.currency)


@dataclass(frozen=True, slots=True)
class DeclarationPremium:
    """The premium of one declaration, the rate used and why (stored with the declaration)."""

    premium: Money
    rate: Decimal
    quote: RateQuote | None  # None when nothing was priced (not covered)


def declaration_premium(
    *,
    decision: CoverOutcome,
    source: RateSource,
    request: ShortTermRateRequest,
) -> DeclarationPremium:
    """Price a declaration through ``source`` and compute its premium on the insured amount.

    A declaration that is not covered is not priced and bears a zero premium.
    """
    insured = decision.insured_amount
    if not decision.covered:
        return DeclarationPremium(Money.zero(insured.currency), Decimal(0), None)
    quote = source.price(request)
    amount = premium_of(
        invoice_amount=insured, prepayment=Money.zero(insured.currency), rate=quote.rate
    )
    return DeclarationPremium(amount, quote.rate, quote)
