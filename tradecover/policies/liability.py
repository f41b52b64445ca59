"""Which shipments keep cover when a policy ends or pauses (pure; [002], 5).

"保险单终止并不影响终止日前出口信用保险公司按照保险单条款规定已承担的保险责任 ...
但保险单因被保险人欺诈被撤销或解除，出口信用保险公司在该保险单项下的所有保险责任亦全部终止"
[002]: a termination leaves the liability already taken on in place, except a
rescission for fraud, which ends *all* liability under the policy.

:func:`liability_for_shipment` applies one rule per way a policy ends or pauses and
names it (a stable ``rule`` code) with the dates it compared:

=========================  ==================================================================
rule                       a shipment keeps cover when
=========================  ==================================================================
``not_issued``             never: a draft or quoted policy carries no liability
``rescinded_for_fraud``    never: rescission for fraud ends all liability, back to inception
``cancelled``              it was shipped before the cancellation's effective date (by
                           either side, immediate or scheduled with notice)
``outside_policy_period``  never: shipped before inception or after expiry (expiry,
                           non-renewal and renewal all end cover at expiry)
``suspended``              never while suspended: shipped on or after the suspension date and
                           before the reinstatement date (reinstatement restores cover for
                           shipments from its date; shipments before the suspension keep it)
``expired`` / ``renewed``  shipped within the period (the liability taken on stays)
``non_renewal``            shipped within the period: the policy runs to expiry
``in_force``               shipped within the period of an active policy
=========================  ==================================================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from tradecover.policies.lifecycle import PolicyState, TerminationKind


class LiabilityRule(StrEnum):
    """The rule that decided whether a shipment keeps cover (stable codes)."""

    NOT_ISSUED = "not_issued"
    RESCINDED_FOR_FRAUD = "rescinded_for_fraud"
    CANCELLED = "cancelled"
    OUTSIDE_POLICY_PERIOD = "outside_policy_period"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    RENEWED = "renewed"
    NON_RENEWAL = "non_renewal"
    IN_FORCE = "in_force"


@dataclass(frozen=True, slots=True)
class Suspension:
    """A pause of cover: from ``start`` (inclusive) until ``end`` (exclusive; None: open)."""

    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        """True when ``day`` falls inside the pause."""
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class PolicyStanding:
    """A policy's state, term, termination record and suspensions, as the rule reads them.

    ``termination_kind`` / ``termination_date`` come from the termination record when one
    was notified, scheduled or took effect; ``rescinded_on`` is the day of a rescission.
    """

    state: PolicyState
    inception: date
    expiry: date
    termination_kind: TerminationKind | None = None
    termination_date: date | None = None
    rescinded_on: date | None = None
    suspensions: tuple[Suspension, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class LiabilityRuling:
    """Whether a shipment keeps cover, the rule that decided and the dates it compared."""

    keeps_cover: bool
    rule: LiabilityRule
    explanation: str
    compared: Mapping[str, str]


_CANCELLATIONS = (TerminationKind.INSURED_CANCELLATION, TerminationKind.INSURER_CANCELLATION)


def standing_from(
    *,
    state: str,
    inception: date,
    expiry: date,
    termination: Mapping[str, Any] | None,
    suspensions: Sequence[Mapping[str, Any]] | None,
) -> PolicyStanding:
    """The standing of a policy from its stored values (the ``termination`` record and the
    ``suspensions`` list of ``{"start", "end"}`` ISO dates).
    """
    kind: TerminationKind | None = None
    when: date | None = None
    rescinded_on: date | None = None
    if termination and termination.get("kind"):
        kind = TerminationKind(str(termination["kind"]))
        if termination.get("effective_date"):
            when = date.fromisoformat(str(termination["effective_date"]))
        if kind is TerminationKind.RESCISSION_FOR_FRAUD and termination.get("requested_on"):
            rescinded_on = date.fromisoformat(str(termination["requested_on"]))
    pauses = tuple(
        Suspension(
            date.fromisoformat(str(s["start"])),
            date.fromisoformat(str(s["end"])) if s.get("end") else None,
        )
        for s in suspensions or ()
    )
    return PolicyStanding(
        state=PolicyState(state),
        inception=inception,
        expiry=expiry,
        termination_kind=kind,
        termination_date=when,
        rescinded_on=rescinded_on,
        suspensions=pauses,
    )


def cancelled_from(standing: PolicyStanding) -> date | None:
    """The date from which a cancellation (in effect or scheduled) ends cover, if any."""
    if standing.termination_kind in _CANCELLATIONS:
        return standing.termination_date
    return None


def _ruling(
    keeps: bool, rule: LiabilityRule, explanation: str, **dates: date | None
) -> LiabilityRuling:
    return LiabilityRuling(
        keeps, rule, explanation, {k: v.isoformat() for k, v in dates.items() if v is not None}
    )


def liability_for_shipment(standing: PolicyStanding, *, shipment_date: date) -> LiabilityRuling:
    """Whether a shipment made on ``shipment_date`` keeps cover (see the module's table)."""
    s, shipped = standing, shipment_date
    if s.state in (PolicyState.DRAFT, PolicyState.QUOTED):
        return _ruling(
            False,
            LiabilityRule.NOT_ISSUED,
            f"the policy is {s.state.value}: it carries no liability",
            shipment_date=shipped,
        )
    if s.state is PolicyState.RESCINDED:
        on = s.rescinded_on
        return _ruling(
            False,
            LiabilityRule.RESCINDED_FOR_FRAUD,
            "the policy was rescinded for fraud"
            + (f" on {on.isoformat()}" if on else "")
            + f": all liability under it ended, back to inception "
            f"{s.inception.isoformat()}; shipment of {shipped.isoformat()} is "
            "not covered",
            shipment_date=shipped,
            inception=s.inception,
            rescinded_on=on,
        )
    ends = cancelled_from(s)
    if s.state is PolicyState.CANCELLED and ends is None:
        return _ruling(
            False,
            LiabilityRule.NOT_ISSUED,
            "the policy was withdrawn before issue: it carries no liability",
            shipment_date=shipped,
        )
    if ends is not None and shipped >= ends:
        return _ruling(
            False,
            LiabilityRule.CANCELLED,
            f"shipped {shipped.isoformat()}, on or after the cancellation's "
            f"effective date {ends.isoformat()}: not covered",
            shipment_date=shipped,
            cancellation_effective=ends,
        )
    if not s.inception <= shipped <= s.expiry:
        return _ruling(
            False,
            LiabilityRule.OUTSIDE_POLICY_PERIOD,
            f"shipped {shipped.isoformat()}, outside the policy period "
            f"{s.inception.isoformat()} to {s.expiry.isoformat()}",
            shipment_date=shipped,
            inception=s.inception,
            expiry=s.expiry,
        )
    for pause in s.suspensions:
        if pause.covers(shipped):
            until = (
                f"until its reinstatement on {pause.end.isoformat()}"
                if pause.end
                else "and not reinstated"
            )
            return _ruling(
                False,
                LiabilityRule.SUSPENDED,
                f"shipped {shipped.isoformat()} while the policy was suspended "
                f"(from {pause.start.isoformat()} {until}): not covered",
                shipment_date=shipped,
                suspended_on=pause.start,
                reinstated_on=pause.end,
            )
    if ends is not None:
        return _ruling(
            True,
            LiabilityRule.CANCELLED,
            f"shipped {shipped.isoformat()}, before the cancellation's effective "
            f"date {ends.isoformat()}: the liability taken on stays",
            shipment_date=shipped,
            cancellation_effective=ends,
        )
    within = (
        f"shipped {shipped.isoformat()}, within the policy period "
        f"{s.inception.isoformat()} to {s.expiry.isoformat()}"
    )
    period = {"shipment_date": shipped, "inception": s.inception, "expiry": s.expiry}
    if s.state is PolicyState.EXPIRED:
        return _ruling(
            True,
            LiabilityRule.EXPIRED,
            f"{within}: the policy expired, the liability taken on stays",
            **period,
        )
    if s.state is PolicyState.RENEWED:
        return _ruling(
            True,
            LiabilityRule.RENEWED,
            f"{within}: the policy was renewed, the liability taken on stays",
            **period,
        )
    if s.termination_kind is TerminationKind.NON_RENEWAL:
        return _ruling(
            True,
            LiabilityRule.NON_RENEWAL,
            f"{within}: notice of non-renewal given, the policy runs to expiry",
            **period,
        )
    return _ruling(True, LiabilityRule.IN_FORCE, f"{within}: the policy is in force", **period)
