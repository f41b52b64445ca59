"""Pins the public surface of the pure buyers and limits packages and their purity."""

from __future__ import annotations

import subprocess
import sys

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
        "register_buyer",
        "BuyerRiskFacts", "buyer_risk_facts",
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
        "LimitRules", "apply", "decide",
        "LimitExposure", "USD_PER_UNIT", "active_limit_exposures", "any_active_limit",
    ])
    for module in (tradecover.buyers, tradecover.limits):
        assert all(hasattr(module, name) for name in module.__all__)


def test_the_rules_import_neither_the_database_nor_the_web() -> None:
    code = ("import sys, tradecover.buyers, tradecover.limits; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'sqlalchemy', 'fastapi', 'starlette', 'alembic', 'jinja2'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
