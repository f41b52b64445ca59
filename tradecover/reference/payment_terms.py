"""Payment terms of an export sale and the short-term credit period bands.

Payment terms are ordered by the risk the seller keeps: a letter of credit puts a
bank's undertaking behind payment, documents against payment keep title until the
buyer pays, documents against acceptance release title against a bill of exchange,
and open account relies on the buyer alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tradecover.kit.errors import ValidationFailed

MAX_SHORT_TERM_CREDIT_DAYS = 360
"""Longest credit period, in days, that short-term cover accepts."""


class CreditPeriodOutOfRange(ValidationFailed):
    """The credit period is negative or longer than short-term cover allows."""

    default_code = "credit_period_out_of_range"


class PaymentTerms(StrEnum):
    """How the buyer pays: the four payment terms of an export sale."""

    LC = "LC"
    DP = "DP"
    DA = "DA"
    OA = "OA"

    @property
    def label(self) -> str:
        """English label, e.g. ``"letter of credit"``."""
        return _LABELS[self]

    @property
    def risk_rank(self) -> int:
        """Position in the riskiness order LC < DP < DA < OA (0 is the safest)."""
        return _ORDER.index(self)

    def riskier_than(self, other: PaymentTerms) -> bool:
        """Tell whether these terms leave the seller more exposed than ``other``."""
        return self.risk_rank > other.risk_rank


_LABELS: dict[PaymentTerms, str] = {
    PaymentTerms.LC: "letter of credit",
    PaymentTerms.DP: "documents against payment",
    PaymentTerms.DA: "documents against acceptance",
    PaymentTerms.OA: "open account",
}
_ORDER: tuple[PaymentTerms, ...] = (
    PaymentTerms.LC,
    PaymentTerms.DP,
    PaymentTerms.DA,
    PaymentTerms.OA,
)


def payment_terms_by_risk() -> tuple[PaymentTerms, ...]:
    """List all payment terms, safest first."""
    return _ORDER


@dataclass(frozen=True, slots=True)
class CreditPeriodBand:
    """A band of credit periods in days, both ends inclusive (``0-30``, ``31-60``...)."""

    code: str
    min_days: int
    max_days: int

    def contains(self, days: int) -> bool:
        """Tell whether ``days`` falls in this band."""
        return self.min_days <= days <= self.max_days

    @property
    def label(self) -> str:
        """Human label, e.g. ``"31-60 days"``."""
        return f"{self.min_days}-{self.max_days} days"


CREDIT_PERIOD_BANDS: tuple[CreditPeriodBand, ...] = (
    CreditPeriodBand("D030", 0, 30),
    CreditPeriodBand("D060", 31, 60),
    CreditPeriodBand("D090", 61, 90),
    CreditPeriodBand("D120", 91, 120),
    CreditPeriodBand("D180", 121, 180),
    CreditPeriodBand("D360", 181, MAX_SHORT_TERM_CREDIT_DAYS),
)
"""The credit period bands, shortest first, covering 0..360 days without gaps."""


def check_credit_period(days: object, *, field: str = "credit_period_days") -> int:
    """Return ``days`` if it is an int in 0..360, else raise :class:`CreditPeriodOutOfRange`."""
    if isinstance(days, bool) or not isinstance(days, int):
        raise CreditPeriodOutOfRange(f"{field} must be a whole number of days", field=field)
    if not 0 <= days <= MAX_SHORT_TERM_CREDIT_DAYS:
        raise CreditPeriodOutOfRange(
            f"credit period of {days} days is outside 0-{MAX_SHORT_TERM_CREDIT_DAYS} days",
            field=field,
            details={"days": days, "max_days": MAX_SHORT_TERM_CREDIT_DAYS},
        )
    return days


def band_for(days: int, *, field: str = "credit_period_days") -> CreditPeriodBand:
    """Return the band of a ``days`` credit period; raises :class:`CreditPeriodOutOfRange`."""
    checked = check_credit_period(days, field=field)
    for band in CREDIT_PERIOD_BANDS:
        if band.contains(checked):
            return band
    raise AssertionError("credit period bands leave a gap")  # pragma: no cover
