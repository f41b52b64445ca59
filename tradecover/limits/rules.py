"""Thresholds of the limit use cases (in US dollars) and the states of an application."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # read only by from_settings: pure rules load no settings library
    from tradecover.config import Settings

PENDING = "pending"
PENDING_SECOND = "pending_second_approval"
DECIDED = "decided"


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitRules:
    """Configurable thresholds, in US dollars: automatic decisions, four eyes, idle days."""

    auto_approve_up_to: Decimal = Decimal(50_000)
    four_eyes_above: Decimal = Decimal(1_000_000)
    idle_days: int = 180
    watch_single: Decimal = Decimal(5_000_000)
    watch_buyer_total: Decimal = Decimal(10_000_000)

    @classmethod
    def from_settings(cls, settings: Settings) -> LimitRules:
        """The rules configured by ``TRADECOVER_LIMIT_*`` settings."""
        return cls(
            auto_approve_up_to=Decimal(settings.limit_auto_approve_up_to),
            four_eyes_above=Decimal(settings.limit_four_eyes_above),
            idle_days=settings.limit_idle_days,
            watch_single=Decimal(settings.limit_watch_single),
            watch_buyer_total=Decimal(settings.limit_watch_buyer_total),
        )
