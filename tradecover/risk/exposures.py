"""Where a risk run's exposures come from: one interface, several sources.

Anything with a ``portfolio()`` method returning a :class:`Portfolio` is an
:class:`ExposureSource`.  :class:`GeneratedExposures` builds synthetic books like the
benchmark's (pure, seeded); :class:`tradecover.risk.repository.BookExposures` reads the
insurer's own book from the database.  The risk run above never knows which one it got.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from tradecover.kit.errors import ValidationFailed
from tradecover.risk.portfolio import ExposureBasis, Portfolio

#: Countries and sectors of generated books (those of ``benchmarks/risk_engine.py``).
GENERATED_COUNTRIES: tuple[str, ...] = ("US", "DE", "CN", "BR", "IN", "TR")
GENERATED_SECTORS: tuple[str, ...] = ("steel", "food", "textiles", "machinery")
#: Most buyers a generated book may have (bounds the memory a request can ask for).
MAX_GENERATED_BUYERS = 1_000_000


@runtime_checkable
class ExposureSource(Protocol):
    """A source of exposures: the one interface every risk run reads its book through."""

    def portfolio(self) -> Portfolio:
        """The book as a validated :class:`Portfolio`."""
        ...


@dataclass(frozen=True)
class GeneratedExposures:
    """A synthetic book: 20 geometric PD grades, lognormal exposures, 6 countries, 4 sectors.

    The same ``buyers`` and ``seed`` always give the same book.
    """

    buyers: int
    seed: int = 0
    basis: ExposureBasis = "outstanding"
    insured_share: float = 0.9
    asset_correlation: float = 0.2
    currency: str = "USD"

    def __post_init__(self) -> None:
        """Refuse a book size outside ``[1, MAX_GENERATED_BUYERS]`` or a negative seed."""
        if not 1 <= self.buyers <= MAX_GENERATED_BUYERS:
            raise ValidationFailed(
                f"a generated book has 1 to {MAX_GENERATED_BUYERS} buyers",
                code="bad_buyers",
                field="buyers",
            )
        if not 0 <= self.seed < 2**63:
            raise ValidationFailed("seed must be in [0, 2^63)", code="bad_seed", field="book_seed")

    def portfolio(self) -> Portfolio:
        """Draw the book: limits lognormal, outstanding a uniform 20-100 % of the limit."""
        rng = np.random.default_rng(self.seed)
        n = self.buyers
        grades = np.geomspace(1e-4, 0.2, 20)
        limit = rng.lognormal(11.0, 1.2, n)
        outstanding = limit * rng.uniform(0.2, 1.0, n)
        return Portfolio.from_arrays(
            pd=grades[rng.integers(0, 20, n)],
            ead=outstanding if self.basis == "outstanding" else limit,
            countries=np.asarray(GENERATED_COUNTRIES)[rng.integers(0, len(GENERATED_COUNTRIES), n)],
            sectors=np.asarray(GENERATED_SECTORS)[rng.integers(0, len(GENERATED_SECTORS), n)],
            insured_share=self.insured_share,
            lgd=rng.uniform(0.4, 1.0, n).round(1),
            asset_correlation=self.asset_correlation,
            buyer_ids=np.char.add("G", np.arange(n).astype(str)),
            limit=limit,
            outstanding=outstanding,
            basis=self.basis,
            currency=self.currency,
        )
