"""Which shipments keep cover as a policy ends or pauses ([002] 5; [domain P-11])."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tradecover.policies.liability import (
    LiabilityRule,
    PolicyStanding,
    Suspension,
    liability_for_shipment,
    standing_from,
)
from tradecover.policies.lifecycle import PolicyState, TerminationKind

INCEPTION, EXPIRY = date(2027, 1, 1), date(2027, 12, 31)
ACTIVE = PolicyStanding(state=PolicyState.ACTIVE, inception=INCEPTION, expiry=EXPIRY)
days = st.integers(min_value=-60, max_value=425).map(lambda n: INCEPTION + timedelta(days=n))


def rule(standing: PolicyStanding, shipped: date) -> tuple[bool, LiabilityRule]:
    ruling = liability_for_shipment(standing, shipment_date=shipped)
    return ruling.keeps_cover, ruling.rule


def test_rescission_for_fraud_ends_all_liability_back_to_inception() -> None:
    # [002]: 保险单因被保险人欺诈被撤销或解除 ... 所有保险责任亦全部终止
    rescinded = standing_from(
        state="rescinded",
        inception=INCEPTION,
        expiry=EXPIRY,
        suspensions=None,
        termination={
            "kind": "rescission_for_fraud",
            "effective_date": "2027-01-01",
            "requested_on": "2027-06-15",
            "status": "effective",
        },
    )
    ruling = liability_for_shipment(rescinded, shipment_date=date(2027, 3, 1))
    assert (ruling.keeps_cover, ruling.rule) == (False, LiabilityRule.RESCINDED_FOR_FRAUD)
    assert dict(ruling.compared) == {
        "shipment_date": "2027-03-01",
        "inception": "2027-01-01",
        "rescinded_on": "2027-06-15",
    }
    assert ruling.explanation == (
        "the policy was rescinded for fraud on 2027-06-15: all liability under it ended, "
        "back to inception 2027-01-01; shipment of 2027-03-01 is not covered"
    )


def test_cancellation_keeps_the_liability_taken_on_before_its_date() -> None:
    # [002]: 保险单终止并不影响终止日前 ... 已承担的保险责任
    for state in (PolicyState.CANCELLED, PolicyState.ACTIVE):  # in effect, or scheduled
        for kind in ("insured_cancellation", "insurer_cancellation"):
            s = standing_from(
                state=state.value,
                inception=INCEPTION,
                expiry=EXPIRY,
                suspensions=None,
                termination={"kind": kind, "effective_date": "2027-07-01"},
            )
            assert rule(s, date(2027, 6, 30)) == (True, LiabilityRule.CANCELLED)
            assert rule(s, date(2027, 7, 1)) == (False, LiabilityRule.CANCELLED)
            ruling = liability_for_shipment(s, shipment_date=date(2027, 7, 1))
            assert dict(ruling.compared) == {
                "shipment_date": "2027-07-01",
                "cancellation_effective": "2027-07-01",
            }


def test_expiry_renewal_and_non_renewal_keep_the_period_only() -> None:
    for state, expected in (
        (PolicyState.EXPIRED, LiabilityRule.EXPIRED),
        (PolicyState.RENEWED, LiabilityRule.RENEWED),
    ):
        s = replace(ACTIVE, state=state)
        assert rule(s, EXPIRY) == (True, expected)
        assert rule(s, EXPIRY + timedelta(days=1)) == (False, LiabilityRule.OUTSIDE_POLICY_PERIOD)
    notice = replace(ACTIVE, termination_kind=TerminationKind.NON_RENEWAL, termination_date=EXPIRY)
    assert rule(notice, EXPIRY) == (True, LiabilityRule.NON_RENEWAL)
    assert rule(notice, INCEPTION - timedelta(days=1)) == (
        False,
        LiabilityRule.OUTSIDE_POLICY_PERIOD,
    )


def test_suspension_pauses_cover_and_reinstatement_restores_it_from_its_date() -> None:
    s = standing_from(
        state="active",
        inception=INCEPTION,
        expiry=EXPIRY,
        termination=None,
        suspensions=[{"start": "2027-04-01", "end": "2027-05-10", "reason": "arrears"}],
    )
    assert rule(s, date(2027, 3, 31)) == (True, LiabilityRule.IN_FORCE)
    assert rule(s, date(2027, 4, 1)) == (False, LiabilityRule.SUSPENDED)
    assert rule(s, date(2027, 5, 9)) == (False, LiabilityRule.SUSPENDED)
    assert rule(s, date(2027, 5, 10)) == (True, LiabilityRule.IN_FORCE)
    ruling = liability_for_shipment(s, shipment_date=date(2027, 4, 20))
    assert dict(ruling.compared) == {
        "shipment_date": "2027-04-20",
        "suspended_on": "2027-04-01",
        "reinstated_on": "2027-05-10",
    }
    still = replace(
        ACTIVE, state=PolicyState.SUSPENDED, suspensions=(Suspension(date(2027, 4, 1)),)
    )
    assert rule(still, date(2027, 3, 31)) == (True, LiabilityRule.IN_FORCE)
    assert rule(still, date(2027, 12, 1)) == (False, LiabilityRule.SUSPENDED)


def test_unissued_policies_carry_nothing() -> None:
    for state in (PolicyState.DRAFT, PolicyState.QUOTED, PolicyState.CANCELLED):
        assert rule(replace(ACTIVE, state=state), date(2027, 3, 1)) == (
            False,
            LiabilityRule.NOT_ISSUED,
        )


@given(shipped=days, rescinded_on=days)
def test_a_rescinded_policy_never_keeps_cover(shipped: date, rescinded_on: date) -> None:
    s = replace(
        ACTIVE,
        state=PolicyState.RESCINDED,
        rescinded_on=rescinded_on,
        termination_kind=TerminationKind.RESCISSION_FOR_FRAUD,
    )
    assert rule(s, shipped) == (False, LiabilityRule.RESCINDED_FOR_FRAUD)


@given(shipped=days, effective=days)
def test_a_cancellation_keeps_exactly_the_period_shipments_before_its_date(
    shipped: date, effective: date
) -> None:
    s = replace(
        ACTIVE,
        state=PolicyState.CANCELLED,
        termination_kind=TerminationKind.INSURER_CANCELLATION,
        termination_date=effective,
    )
    keeps, _rule = rule(s, shipped)
    assert keeps == (INCEPTION <= shipped <= EXPIRY and shipped < effective)
