"""The limit rules come from the ``TRADECOVER_LIMIT_*`` settings, watch thresholds included."""

from __future__ import annotations

from decimal import Decimal

from tradecover.config import Settings
from tradecover.limits.service import LimitRules


def test_every_threshold_is_read_from_the_settings() -> None:
    settings = Settings(
        limit_auto_approve_up_to=20_000,
        limit_four_eyes_above=750_000,
        limit_idle_days=90,
        limit_watch_single=2_000_000,
        limit_watch_buyer_total=3_000_000,
    )
    rules = LimitRules.from_settings(settings)
    assert rules == LimitRules(
        auto_approve_up_to=Decimal(20_000),
        four_eyes_above=Decimal(750_000),
        idle_days=90,
        watch_single=Decimal(2_000_000),
        watch_buyer_total=Decimal(3_000_000),
    )


def test_the_defaults_match_the_documented_ones() -> None:
    assert LimitRules.from_settings(Settings()) == LimitRules()
