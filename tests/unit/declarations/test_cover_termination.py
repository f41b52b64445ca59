"""The attachment applies the policy's liability rule: scheduled cancellations and past
suspensions ([002] 5, 8.2.3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tests.unit.declarations.test_cover import POLICY, SHIPMENT, decide
from tradecover.declarations.cover import CoverReason, CoverStatus
from tradecover.policies.liability import Suspension
from tradecover.policies.lifecycle import PolicyState


def test_a_scheduled_cancellation_ends_cover_from_its_date_while_the_policy_runs() -> None:
    scheduled = replace(POLICY, state=PolicyState.ACTIVE, cancelled_from=date(2026, 10, 5))
    refused = decide(policy=scheduled)  # shipped 2026-10-05
    assert (refused.status, refused.reason_code) == (
        CoverStatus.NOT_COVERED,
        CoverReason.POLICY_NOT_ACTIVE,
    )
    assert refused.explanation == (
        "shipped 2026-10-05, on or after the cancellation's effective date 2026-10-05: not covered"
    )
    before = decide(policy=scheduled, shipment=replace(SHIPMENT, shipment_date=date(2026, 10, 4)))
    assert before.status is CoverStatus.COVERED_IN_FULL


def test_a_shipment_made_while_suspended_stays_uncovered_after_reinstatement() -> None:
    reinstated = replace(POLICY, suspensions=(Suspension(date(2026, 10, 1), date(2026, 10, 8)),))
    refused = decide(policy=reinstated)  # shipped 2026-10-05, declared after reinstatement
    assert (refused.status, refused.reason_code) == (
        CoverStatus.NOT_COVERED,
        CoverReason.POLICY_SUSPENDED,
    )
    assert refused.explanation == (
        "shipped 2026-10-05 while the policy was suspended (from "
        "2026-10-01 until its reinstatement on 2026-10-08): not "
        "covered"
    )
    after = replace(POLICY, suspensions=(Suspension(date(2026, 9, 1), date(2026, 10, 5)),))
    assert decide(policy=after).status is CoverStatus.COVERED_IN_FULL


def test_a_rescinded_policy_covers_nothing() -> None:
    refused = decide(policy=replace(POLICY, state=PolicyState.RESCINDED))
    assert refused.reason_code is CoverReason.POLICY_NOT_ACTIVE
    assert "rescinded for fraud" in refused.explanation
