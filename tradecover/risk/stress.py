"""Stress scenarios: shock PDs by country or sector, cut or cancel limits, move recoveries.

A scenario is a named list of shocks applied in order to a :class:`Portfolio`; the run
shows its figures beside the base case.  Limit actions are the limits context's bulk actions:
on the ``limit`` exposure basis the exposure becomes the cut limit; on the ``outstanding``
basis shipments already made stay insured, so the outstanding exposure is unchanged
(the cut only stops new cover) and only the limit column moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tradecover.kit.errors import ValidationFailed
from tradecover.risk.portfolio import Portfolio

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Selection:
    """Which obligors a shock hits: by country, sector or buyer (empty = every obligor)."""

    countries: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    buyers: tuple[str, ...] = ()

    def mask(self, portfolio: Portfolio) -> BoolArray:
        """Boolean mask of the obligors selected (all filters must match)."""
        m = np.ones(portfolio.size, dtype=bool)
        if self.countries:
            m &= np.isin(portfolio.countries, self.countries)
        if self.sectors:
            m &= np.isin(portfolio.sectors, self.sectors)
        if self.buyers:
            m &= np.isin(portfolio.buyer_ids, self.buyers)
        return m


@dataclass(frozen=True, slots=True)
class PdShock:
    """Multiply the PDs of the selected obligors (capped at 1)."""

    multiplier: float
    where: Selection = Selection()

    def apply(self, portfolio: Portfolio) -> Portfolio:
        """The shocked portfolio."""
        if not (np.isfinite(self.multiplier) and self.multiplier >= 0):
            raise ValidationFailed(
                "PD multiplier must be >= 0", code="bad_shock", field="multiplier"
            )
        m = self.where.mask(portfolio)
        return portfolio.with_columns(
            pd=np.where(m, np.minimum(portfolio.pd * self.multiplier, 1.0), portfolio.pd)
        )


@dataclass(frozen=True, slots=True)
class LimitAction:
    """Cut the selected limits to ``factor`` of their amount (``factor=0`` cancels them)."""

    factor: float
    where: Selection = Selection()

    def apply(self, portfolio: Portfolio) -> Portfolio:
        """The portfolio after the bulk limit action."""
        if not (0.0 <= self.factor <= 1.0):
            raise ValidationFailed(
                "limit factor must lie in [0, 1]", code="bad_shock", field="factor"
            )
        m = self.where.mask(portfolio)
        limit = np.where(m, portfolio.limit * self.factor, portfolio.limit)
        ead = limit if portfolio.basis == "limit" else portfolio.ead
        return portfolio.with_columns(limit=limit, ead=ead)


@dataclass(frozen=True, slots=True)
class RecoveryShift:
    """Add ``delta`` to the expected recovery of the selected obligors (clipped to [0, 1])."""

    delta: float
    where: Selection = Selection()

    def apply(self, portfolio: Portfolio) -> Portfolio:
        """The portfolio with moved recoveries."""
        m = self.where.mask(portfolio)
        lgd = np.where(m, np.clip(portfolio.lgd - self.delta, 0.0, 1.0), portfolio.lgd)
        return portfolio.with_columns(lgd=lgd)


Shock = PdShock | LimitAction | RecoveryShift


@dataclass(frozen=True, slots=True)
class StressScenario:
    """A named, described sequence of shocks."""

    name: str
    description: str
    shocks: tuple[Shock, ...]

    def apply(self, portfolio: Portfolio) -> Portfolio:
        """Apply every shock in order."""
        for s in self.shocks:
            portfolio = s.apply(portfolio)
        return portfolio


def tariff_shock(
    destination: str,
    *,
    pd_multiplier: float = 3.0,
    limit_factor: float = 0.5,
    recovery_delta: float = -0.2,
) -> StressScenario:
    """A tariff war on one destination market: PDs up, limits cut, recoveries down there."""
    sel = Selection(countries=(destination,))
    return StressScenario(
        name=f"tariff_shock_{destination.lower()}",
        description=(
            f"Tariff war on {destination}: buyers' PDs x{pd_multiplier}, limits cut to "
            f"{limit_factor:.0%}, expected recoveries {recovery_delta:+.0%}"
        ),
        shocks=(
            PdShock(pd_multiplier, sel),
            LimitAction(limit_factor, sel),
            RecoveryShift(recovery_delta, sel),
        ),
    )


#: Scenarios shipped with the library, by name.
SCENARIOS: Mapping[str, StressScenario] = {
    s.name: s
    for s in (
        tariff_shock("US"),
        StressScenario("recession", "Global downturn: every PD doubles", (PdShock(2.0),)),
    )
}


def resolve_scenario(scenario: str | StressScenario) -> StressScenario:
    """Look a scenario up by name (or pass one through); unknown names are refused."""
    if isinstance(scenario, StressScenario):
        return scenario
    if scenario not in SCENARIOS:
        raise ValidationFailed(
            f"unknown stress scenario {scenario!r}; known: {', '.join(sorted(SCENARIOS))}",
            code="unknown_scenario",
            field="scenarios",
        )
    return SCENARIOS[scenario]
