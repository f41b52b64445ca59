"""What pricing reads of a policy and a renewal offer, as structural types.

Pricing is handed the policies context's rows (the renewal hook, a scoped get through
the policies face) and reads a few attributes; these protocols name them, so that pricing
never imports the policies context's model.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol


class PricedPolicy(Protocol):
    """The attributes of a policy that pricing reads."""

    @property
    def id(self) -> int:
        """The policy id."""
        ...

    @property
    def number(self) -> str | None:
        """The policy number once issued."""
        ...

    @property
    def product(self) -> str:
        """The product (short term, investment debt, ...)."""
        ...

    @property
    def currency(self) -> str:
        """The policy currency."""
        ...

    @property
    def exporter_org_id(self) -> int:
        """The insured exporter's organisation."""
        ...

    @property
    def renewal_of_id(self) -> int | None:
        """The policy this one renews, if any."""
        ...

    @property
    def rate_table(self) -> str:
        """The code of the rate table the policy was priced on."""
        ...

    @property
    def base_rate_pct(self) -> Decimal:
        """The policy's base premium rate in percent."""
        ...


class PricedRenewalOffer(Protocol):
    """The attributes of a renewal offer that the renewal-rate decision reads and updates."""

    id: int
    policy_id: int
    status: str
    proposed_terms: Any
    explanation: Any
