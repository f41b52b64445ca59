"""A policy row's liability standing: its state, term, termination record and suspensions.

The one reading both the attachment service and the claim checks use, so that they apply
the same rule (:mod:`tradecover.policies.liability`).
"""

from __future__ import annotations

from tradecover.policies.liability import PolicyStanding, standing_from
from tradecover.policies.model import Policy


def standing_of(policy: Policy) -> PolicyStanding:
    """The liability standing of ``policy`` as stored."""
    term = policy.termination if isinstance(policy.termination, dict) else None
    pauses = policy.suspensions if isinstance(policy.suspensions, list) else None
    return standing_from(
        state=policy.state,
        inception=policy.inception,
        expiry=policy.expiry,
        termination=term,
        suspensions=pauses,
    )
