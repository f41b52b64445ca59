"""Pricing lab: adverse selection under one flat rate vs risk-based rates ([000] section 3.2.1).

[000]: "no matter who is insured ... the premium is calculated by multiplying the amount
insured by a fixed rate.  Under such circumstances, it is easy to see the phenomenon of
adverse selection ... those who consider themselves to be low in risk will directly
abandon the purchase of insurance."  The lab makes that visible.

A market of exporters, each with a country class, payment terms, credit period, yearly
insured volume and a **true** expected loss rate that only it knows: the table's rate
x the table's expected loss ratio x a private multiplier (lognormal, mean 1).  Each
renewal round an exporter stays insured when its rate is at most what cover is worth to
it (its true loss rate x (1 + its risk aversion) + a small value of access to finance).
Claims are drawn as Poisson-many losses of a fixed size, so the lab is deterministic for
a seed.

* **flat**: one rate for all, starting at the market's volume-weighted table rate, then
  re-set every round to break even at the expected loss ratio on last round's result;
* **risk_based**: tradecover's rate per exporter (:meth:`ShortTermPricer.price_batch` on
  the rate table) with its experience factor (Buhlmann credibility on its own record).

:func:`render_lab_chart` draws insured count, loss ratio and premium volume per round
for both regimes as a self-contained SVG string (no scripts, no external resources).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import Any

import numpy as np

from tradecover.pricing.rate_table import RateTable, default_rate_table
from tradecover.pricing.short_term import (
    PPM,
    RATE_UNITS_PER_ONE,
    ExporterExperience,
    ShortTermPricer,
    experience_adjustment,
)

REGIMES = ("flat", "risk_based")
LOSS_SIZE_USD = 50_000.0
"""Size of one simulated loss: claims are a Poisson count of these."""


@dataclass(frozen=True, slots=True)
class LabRow:
    """One regime's result in one renewal round."""

    round: int
    regime: str
    insured_count: int
    premium_volume: Decimal
    claims: Decimal
    loss_ratio: Decimal
    average_rate: Decimal

    def to_dict(self) -> dict[str, Any]:
        """JSON form (decimals as strings)."""
        return {
            "round": self.round,
            "regime": self.regime,
            "insured_count": self.insured_count,
            "premium_volume": str(self.premium_volume),
            "claims": str(self.claims),
            "loss_ratio": str(self.loss_ratio),
            "average_rate": str(self.average_rate),
        }


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _ratio(value: float) -> Decimal:
    return Decimal(f"{value:.6f}").quantize(Decimal("1E-4"), rounding=ROUND_HALF_UP)


def simulate_adverse_selection(
    *,
    exporters: int = 2000,
    rounds: int = 8,
    seed: int = 2024,
    table: RateTable | None = None,
) -> tuple[LabRow, ...]:
    """Simulate ``rounds`` renewal rounds under both regimes on the same market."""
    if exporters < 10 or rounds < 1:
        raise ValueError("the lab needs at least 10 exporters and one round")
    table = table if table is not None else default_rate_table()
    pricer = ShortTermPricer(table=table)
    rng = np.random.default_rng(seed)
    country = rng.choice(8, size=exporters, p=[0.10, 0.10, 0.15, 0.20, 0.20, 0.12, 0.08, 0.05])
    terms = rng.choice(4, size=exporters, p=[0.15, 0.15, 0.30, 0.40])
    days = rng.choice([30, 60, 90, 120, 180], size=exporters, p=[0.15, 0.30, 0.30, 0.15, 0.10])
    volume = rng.lognormal(mean=np.log(3e6), sigma=1.0, size=exporters)
    sigma = 0.5
    private = rng.lognormal(mean=-(sigma**2) / 2, sigma=sigma, size=exporters)
    aversion = rng.uniform(0.6, 2.0, size=exporters)
    indemnity = np.full(exporters, int(table.indemnity.reference * PPM), dtype=np.int64)
    arrays = {
        "country_class": country,
        "payment_terms": terms,
        "credit_days": days,
        "indemnity_ppm": indemnity,
    }
    table_rate = pricer.price_batch(**arrays) / RATE_UNITS_PER_ONE
    expected_lr = float(table.experience.expected_loss_ratio)
    true_rate = table_rate * expected_lr * private
    worth = true_rate * (1 + aversion) + 0.0005
    flat_start = float(np.sum(table_rate * volume) / np.sum(volume))

    rows: list[LabRow] = []
    for regime in REGIMES:
        claims_rng = np.random.default_rng(seed + 1)
        earned = np.zeros(exporters)
        incurred = np.zeros(exporters)
        exposure = np.zeros(exporters)
        years = np.zeros(exporters, dtype=np.int64)
        flat = flat_start
        for round_no in range(1, rounds + 1):
            if regime == "flat":
                rate = np.full(exporters, flat)
            else:
                factor = np.array(
                    [
                        int(
                            experience_adjustment(
                                table,
                                experience=ExporterExperience(
                                    years=int(years[i]),
                                    earned_premium=_money(earned[i]),
                                    incurred_claims=_money(incurred[i]),
                                    exposure=Decimal(f"{exposure[i]:.6f}"),
                                ),
                            ).factor
                            * PPM
                        )
                        for i in range(exporters)
                    ],
                    dtype=np.int64,
                )
                rate = (
                    pricer.price_batch(**arrays, experience_factor_ppm=factor) / RATE_UNITS_PER_ONE
                )
            insured = rate <= worth
            losses = claims_rng.poisson(true_rate * volume / LOSS_SIZE_USD) * LOSS_SIZE_USD
            premium = np.where(insured, rate * volume, 0.0)
            claims = np.where(insured, losses, 0.0)
            earned += premium
            incurred += claims
            exposure += np.where(insured, volume / 1e6, 0.0)
            years += insured
            total_premium, total_claims = float(premium.sum()), float(claims.sum())
            loss_ratio = total_claims / total_premium if total_premium else 0.0
            covered_volume = float(volume[insured].sum())
            rows.append(
                LabRow(
                    round=round_no,
                    regime=regime,
                    insured_count=int(insured.sum()),
                    premium_volume=_money(total_premium),
                    claims=_money(total_claims),
                    loss_ratio=_ratio(loss_ratio),
                    average_rate=_ratio(
                        total_premium / covered_volume * 100 if covered_volume else 0.0
                    ),
                )
            )
            if regime == "flat" and total_premium:
                flat = min(max(flat * loss_ratio / expected_lr, flat / 2), flat * 2)
    return tuple(rows)


# --- SVG chart ------------------------------------------------------------------------

_COLOURS = {"flat": "#c0392b", "risk_based": "#1f6fb2"}
_PANELS = (
    ("insured_count", "Exporters insured"),
    ("loss_ratio", "Loss ratio"),
    ("premium_volume", "Premium volume"),
)


CHART_WORDS: dict[str, str] = {
    "title": "Flat rate vs risk-based rates over renewal rounds",
    "heading": "Adverse selection: one flat rate vs risk-based rates",
    **dict(_PANELS),
    "renewal_round": "renewal round",
    "flat": "flat pricing",
    "risk_based": "risk-based pricing",
}
"""The chart's words in English, by key; a page passes its own language's (``words``)."""


def render_lab_chart(
    rows: tuple[LabRow, ...] | list[LabRow],
    *,
    title: str | None = None,
    words: Mapping[str, str] | None = None,
) -> str:
    """Three line panels (insured count, loss ratio, premium volume) per round, both regimes.

    Returns a standalone SVG document as a string: no JavaScript, no external fonts or
    links, so the dashboard can serve it inline or as ``image/svg+xml``.  ``words``
    replaces any of :data:`CHART_WORDS` (a translated chart).
    """
    w = {**CHART_WORDS, **(words or {})}
    width, height, panel_w, top, bottom, left = 1020, 340, 300, 60, 290, 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title or w['title'])}</title>",
        f'<text x="{width // 2}" y="20" text-anchor="middle" font-size="15">'
        f"{escape(title or w['heading'])}</text>",
    ]
    rounds = sorted({r.round for r in rows})
    for p, (attr, _english) in enumerate(_PANELS):
        label = w[attr]
        x0 = left + p * (panel_w + 40)
        values = [float(getattr(r, attr)) for r in rows]
        high = max(values, default=1.0) * 1.1 or 1.0
        parts.append(
            f'<text x="{x0 + panel_w // 2}" y="{top - 12}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
        parts.append(
            f'<line x1="{x0}" y1="{bottom}" x2="{x0 + panel_w}" y2="{bottom}" stroke="#333"/>'
        )
        parts.append(f'<line x1="{x0}" y1="{top}" x2="{x0}" y2="{bottom}" stroke="#333"/>')
        for tick in range(5):
            y = bottom - (bottom - top) * tick / 4
            value = high * tick / 4
            text = f"{value:.0%}" if attr == "loss_ratio" else _short(value)
            parts.append(
                f'<text x="{x0 - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">{text}</text>'
            )

        def x_of(rnd: int, x0: int = x0) -> float:
            span = max(len(rounds) - 1, 1)
            return x0 + panel_w * (rounds.index(rnd) / span)

        for rnd in rounds:
            parts.append(
                f'<text x="{x_of(rnd):.1f}" y="{bottom + 15}" text-anchor="middle" '
                f'font-size="10">{rnd}</text>'
            )
        for regime in REGIMES:
            series = sorted((r for r in rows if r.regime == regime), key=lambda r: r.round)
            points = " ".join(
                f"{x_of(r.round):.1f},"
                f"{bottom - (bottom - top) * float(getattr(r, attr)) / high:.1f}"
                for r in series
            )
            if points:
                parts.append(
                    f'<polyline fill="none" stroke="{_COLOURS[regime]}" '
                    f'stroke-width="2" points="{points}"/>'
                )
    parts.append(
        f'<text x="{width // 2}" y="{bottom + 35}" text-anchor="middle">'
        f"{escape(w['renewal_round'])}</text>"
    )
    for i, regime in enumerate(REGIMES):
        x = width - 330 + i * 160
        parts.append(f'<rect x="{x}" y="30" width="14" height="4" fill="{_COLOURS[regime]}"/>')
        parts.append(f'<text x="{x + 20}" y="36">{escape(w[regime])}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _short(value: float) -> str:
    for divisor, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= divisor:
            return f"{value / divisor:.1f}{suffix}"
    return f"{value:.0f}"
