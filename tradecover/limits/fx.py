"""A small fixed table of exchange rates to US dollars, for reserving on shared caps.

Buyer aggregate limits and country exposure caps are kept in US dollars (the capacity
tables of :mod:`tradecover.limits.aggregate` are in USD); a limit is written in its
policy's currency.  Reserving a limit on the caps converts its amount with the rate
below, fixed on purpose: a reservation must be released by exactly what it took, so the
USD amount reserved is stored on the limit (``committed_usd_minor``) and never
recomputed.  Rates are indicative mid rates of November 2026, to be replaced by a rate
feed in a later issue.  Conversions round half-up to the cent (to USD) and down to the
minor unit (from USD: the room left is never overstated).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Final

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, minor_unit

CAP_CURRENCY: Final = "USD"
"""Currency of every buyer aggregate limit and country exposure cap."""

USD_PER_UNIT: Final[dict[str, Decimal]] = {
    "USD": Decimal(1),
    "EUR": Decimal("1.08"),
    "GBP": Decimal("1.27"),
    "CHF": Decimal("1.13"),
    "JPY": Decimal("0.0066"),
    "CNY": Decimal("0.138"),
    "HKD": Decimal("0.128"),
    "TWD": Decimal("0.031"),
    "KRW": Decimal("0.00072"),
    "SGD": Decimal("0.74"),
    "AUD": Decimal("0.65"),
    "CAD": Decimal("0.73"),
}
"""US dollars per one unit of each currency a limit may be written in."""


def _rate(currency: str) -> Decimal:
    try:
        return USD_PER_UNIT[currency]
    except KeyError:
        raise ValidationFailed(
            f"limits in {currency} cannot be reserved on the USD caps (no rate)",
            code="currency_not_supported",
            field="currency",
        ) from None


def to_usd(amount: Money) -> Money:
    """``amount`` in US dollars, rounded half-up to the cent."""
    return Money(amount.amount * _rate(amount.currency), CAP_CURRENCY).rounded()


def from_usd(amount: Money, currency: str) -> Money:
    """A US dollar ``amount`` in ``currency``, rounded down to its minor unit."""
    if amount.currency != CAP_CURRENCY:
        raise ValidationFailed(
            "from_usd takes US dollars", code="currency_mismatch", field="amount"
        )
    quantum = Decimal(1).scaleb(-minor_unit(currency))
    return Money((amount.amount / _rate(currency)).quantize(quantum, rounding=ROUND_DOWN), currency)
