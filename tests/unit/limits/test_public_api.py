"""Pins the public surface of the pure buyers and limits packages
(their purity is checked in tests/architecture)."""

from __future__ import annotations

from types import ModuleType

import tradecover.buyers
import tradecover.limits


def test_public_names_are_pinned() -> None:
    assert sorted(tradecover.buyers.__all__) == sorted([
        "MODEL_VERSION", "POSSIBLE_MATCH_THRESHOLD", "AdverseEvent", "BankProfile",
        "BuyerIdentity", "BuyerProfile", "CompanyType", "Contribution", "InvalidIdentifier",
        "MatchResult", "MatchVerdict", "Rating", "Sector", "SectorRisk", "SizeBand",
        "buyer_identity", "lei_check_digits", "match_buyer", "name_similarity",
        "normalise_duns", "normalise_lei", "normalise_name", "normalise_national_id",
        "pd_for_grade", "rank_matches", "rate_bank", "rate_buyer", "size_band_for",
        # the lookups other contexts call (lazy: they need the database)
        "Buyer", "buyer_record", "buyers_in_sector", "get_buyer", "latest_rating",
        "rating_from_row",
        "register_buyer",
        "BuyerRiskFacts", "buyer_risk_facts",
        # the ports through which buyers tells limits of ratings and merges
        "RatedBuyer", "guard_merge", "on_buyer_rated",
        "RelatedBuyer", "related_buyers",
    ])
    assert sorted(tradecover.limits.__all__) == sorted([
        "DEFAULT_IDLE_DAYS", "AggregateLimit", "AggregateOverride", "AutoRule",
        "CountryStatus", "DecisionOutcome", "ExpectedShipments", "LimitConditions",
        "LimitDecision", "LimitRequest", "LimitVersion", "PolicyTerms", "ReasonCode",
        "RequestType", "Route", "Utilisation", "WatchReason", "WatchThresholds",
        "check_decider", "check_four_eyes", "clear_override", "cover_limit_for_shipment",
        "decide_limit", "is_idle", "is_under_used", "next_version", "override_aggregate",
        "requires_second_approval", "room_left", "size_to_credit_cycle",
        "suggested_bank_aggregate", "suggested_buyer_aggregate", "underwriter_decision",
        "utilisation", "validate_request", "version_in_force", "watch_list_reasons",
        "CAP_CURRENCY", "USD_PER_UNIT", "Exposure", "from_usd", "to_usd",
        # the lookups other contexts call (lazy: they need the database or the settings)
        "LimitRules", "active_limits_on_buyers", "limit_versions",
        "apply", "decide",
        "LimitExposure", "active_limit_exposures", "any_active_limit",
        # row types for the edges' annotations
        "BuyerAggregateChange", "CreditLimit", "LimitNotification",
        # what limits registers with the buyers' ports
        "buyer_carries_limits", "refresh_buyer_aggregate",
    ])
    for module in (tradecover.buyers, tradecover.limits):
        assert all(hasattr(module, name) for name in module.__all__)
        assert not any(isinstance(getattr(module, name), ModuleType) for name in module.__all__)
