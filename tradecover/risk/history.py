"""The yearly portfolio table: insured amount, premium, claims paid and loss ratio.

The loss ratio is claims paid over premium written (domain guide, section 8).  Unlike the
risk engines these are booked figures, so they stay exact ``Decimal`` numbers.  The package
ships Sinosure's 2015-2020 table (source [000], Table 1) as reference data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import to_decimal


def loss_ratio(*, claims_paid: Decimal, premium: Decimal) -> Decimal:
    """Claims paid divided by premium written (a fraction, unrounded)."""
    if premium <= 0:
        raise ValidationFailed(
            "premium must be positive for a loss ratio", code="no_premium", field="premium"
        )
    return claims_paid / premium


def as_percent(ratio: Decimal, *, places: int = 0) -> Decimal:
    """A ratio as a percentage rounded half-up to ``places`` decimals (56 for 0.5577)."""
    return (ratio * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class PortfolioYear:
    """One year of a book: insured amount, premium written and claims paid (one unit)."""

    year: int
    insured_amount: Decimal
    premium: Decimal
    claims_paid: Decimal

    @property
    def loss_ratio(self) -> Decimal:
        """Claims paid over premium."""
        return loss_ratio(claims_paid=self.claims_paid, premium=self.premium)

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable row (decimals as strings, loss ratio in whole percent)."""
        return {
            "year": self.year,
            "insured_amount": str(self.insured_amount),
            "premium": str(self.premium),
            "claims_paid": str(self.claims_paid),
            "loss_ratio_pct": str(as_percent(self.loss_ratio)),
        }


def yearly_portfolio_table(years: Iterable[PortfolioYear]) -> list[dict[str, object]]:
    """The yearly table, sorted by year, with each year's loss ratio computed."""
    return [y.to_dict() for y in sorted(years, key=lambda y: y.year)]


@dataclass(frozen=True, slots=True)
class PublishedYear:
    """A published year with the loss ratio as printed, for reconciliation."""

    figures: PortfolioYear
    published_loss_ratio_pct: Decimal


def sinosure_2015_2020() -> tuple[PublishedYear, ...]:
    """Sinosure's 2015-2020 figures, USD 100 million (source [000], Table 1)."""
    text = (
        resources.files("tradecover.risk")
        .joinpath("data/sinosure_2015_2020.csv")
        .read_text("utf-8")
    )
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    out = []
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        out.append(
            PublishedYear(
                PortfolioYear(
                    year=int(row["year"]),
                    insured_amount=to_decimal(row["insured_amount"]),
                    premium=to_decimal(row["underwriting_premium"]),
                    claims_paid=to_decimal(row["settled_claims"]),
                ),
                to_decimal(row["published_loss_ratio_pct"]),
            )
        )
    return tuple(out)
