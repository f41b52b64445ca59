"""Followers' approval of large claims (pure) [domain CO-11] [domain CO-12].

A coinsured policy may carry a claim approval threshold: a claim whose indemnity is above
it (strictly) waits, once the lead has approved it, for every follower of the shares it is
split by to approve it before it is paid.  A follower answers ``approved`` or ``objected``
(with a reason); an objection holds the payment until the follower approves after all.
An approval is final.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from tradecover.coinsurance.shares import ParticipantRole, Participation, effective_on
from tradecover.kit.errors import Conflict, ValidationFailed


class ApprovalState(StrEnum):
    """Where a follower's approval of one claim stands."""

    PENDING = "pending"
    APPROVED = "approved"
    OBJECTED = "objected"


class FollowerAnswer(StrEnum):
    """What a follower answers."""

    APPROVE = "approve"
    OBJECT = "object"


class FollowerApprovalMissing(Conflict):
    """A claim above the threshold is paid before every follower approved it [domain CO-12]."""

    default_code = "follower_approval_missing"


def needs_follower_approval(indemnity_minor: int, threshold_minor: int | None) -> bool:
    """True when a claim's indemnity is above the policy's threshold [domain CO-11]
    (no threshold: never).
    """
    return threshold_minor is not None and indemnity_minor > threshold_minor


def followers_to_ask(effective: Iterable[Participation]) -> list[int]:
    """The followers among the participations a claim is split by, by organisation id."""
    return sorted({p.org_id for p in effective if p.role is ParticipantRole.FOLLOWER})


def next_approval_state(
    state: ApprovalState, answer: FollowerAnswer, reason: str | None
) -> ApprovalState:
    """A follower's answer [domain CO-12]: pending or objected may become approved, pending
    may become objected (an objection needs a reason); an approval is final.
    """
    if answer is FollowerAnswer.OBJECT and not (reason and reason.strip()):
        raise ValidationFailed(
            "an objection needs a reason the lead can read",
            code="reason_required",
            field="reason",
        )
    if state is ApprovalState.APPROVED:
        raise Conflict(
            "the follower already approved this claim: an approval is final",
            code="approval_already_given",
        )
    if answer is FollowerAnswer.APPROVE:
        return ApprovalState.APPROVED
    if state is ApprovalState.OBJECTED:
        raise Conflict("the follower already objected to this claim", code="already_objected")
    return ApprovalState.OBJECTED


def ensure_all_approved(states: dict[int, ApprovalState]) -> None:
    """Refuse the payment of a claim while a follower has not approved it [domain CO-12]
    (``states``: follower organisation id -> its approval's state).
    """
    waiting = sorted(org for org, s in states.items() if s is not ApprovalState.APPROVED)
    if waiting:
        objected = sorted(org for org in waiting if states[org] is ApprovalState.OBJECTED)
        raise FollowerApprovalMissing(
            "the claim is above the followers' approval threshold: "
            + (
                f"followers {objected} objected to it"
                if objected
                else f"followers {waiting} have not approved it yet"
            ),
            details={"waiting": waiting, "objected": objected},
        )


def single_limit(limit_ids: Iterable[int | None]) -> int | None:
    """The one credit limit a claim's shipments were under, or None when they were under
    none or several [domain CO-13].
    """
    found = {i for i in limit_ids if i is not None}
    return found.pop() if len(found) == 1 else None


def shares_for(
    policy_shares: Iterable[Participation], limit_shares: Iterable[Participation], day: date
) -> list[Participation]:
    """The participations an amount of ``day`` is split by [domain CO-13]: the limit's
    effective on that day when it has any, else the policy's (lead first).
    """
    return effective_on(limit_shares, day) or effective_on(policy_shares, day)


__all__ = [
    "ApprovalState",
    "FollowerAnswer",
    "FollowerApprovalMissing",
    "ensure_all_approved",
    "followers_to_ask",
    "needs_follower_approval",
    "next_approval_state",
    "shares_for",
    "single_limit",
]
