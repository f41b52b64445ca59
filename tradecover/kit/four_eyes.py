"""Four eyes: a second approval must come from another person than the first.

One comparison for every maker-checker rule (credit limits, claims, premium waivers):
actors are compared without surrounding white space and case, and a refusal is always
``four_eyes_same_person`` on the field ``approved_by`` (403 at the API edge).
"""

from __future__ import annotations

from tradecover.kit.errors import PermissionDenied


def same_person(first: str, second: str) -> bool:
    """True when two actor names denote the same person (white space and case ignored)."""
    return first.strip().casefold() == second.strip().casefold()


def require_another_person(*, maker: str, checker: str, message: str) -> None:
    """Refuse (``four_eyes_same_person``) when ``checker`` is the ``maker``; ``message``
    says, in the context's words, who must approve instead.
    """
    if same_person(maker, checker):
        raise PermissionDenied(message, code="four_eyes_same_person", field="approved_by")
