"""Pins the public face of ``tradecover.reporting``: what other contexts may call."""

from __future__ import annotations

from types import ModuleType

import tradecover.reporting as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == sorted(
        [
            "BuyerFeedExposure",
            "CustomsExport",
            "feed_exposure_by_buyer",
            "DecisionContext",
            "OmissionMonth",
            "TurnoverFromCustoms",
            "exporter_in_view",
            "omissions",
            "omissions_by_month",
            "turnover_from_customs",
            "RenewalReviewMetrics",
            "WatchEntry",
            "buyers_declared",
            "declarations_in_claim",
            "limit_decision_context",
            "limit_exposures",
            "limit_watch_list",
            "payment_records_of",
            "limits_csv",
            "declarations_csv",
            "follower_claims",
            "follower_declarations",
            "follower_participations",
            "follower_payments",
            "programme_books",
            "AssignedPolicy",
            "BaseLine",
            "OutstandingShipment",
            "PolicyClaim",
            "PolicyLimit",
            "assigned_policies",
            "financing_bases",
            "outstanding_shipments",
            "policy_claims",
            "policy_limits",
            "readable_assignment",
            "visible_assignments",
        ]
    )


def test_every_public_name_resolves_to_what_it_names() -> None:
    for name in face.__all__:  # the first look loads the lazy names' modules
        assert getattr(face, name) is not None, name
    for name in face.__all__:  # a submodule of the same name would now hide it
        assert not isinstance(getattr(face, name), ModuleType), name
