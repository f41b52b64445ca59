"""Who insures a policy, as its page shows it: the insurer it was issued for on the market
and, when it is double-insured, both carriers together ([domain MK-15]).

Plain view values built from the market's read model (:func:`tradecover.market.policy_insurers`);
every code is turned into an English phrase marked for translation, amounts stay
:class:`~tradecover.kit.money.Money`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from tradecover import market
from tradecover.kit.errors import NotFound, PermissionDenied
from tradecover.kit.money import Money
from tradecover.web import labels
from tradecover.web.i18n import N_

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tradecover.access import Principal

RISK_LABELS = {
    market.COMMERCIAL: N_("Commercial risks"),
    market.POLITICAL: N_("Political risks"),
}
BASIS_LABELS = {
    "commercial_insurer": N_("Routed to a commercial insurer"),
    "non_marketable": N_("Non-marketable risk"),
    "market_declined": N_("Declined by every commercial insurer"),
}


@dataclass(frozen=True, slots=True)
class CarrierRow:
    """One carrier's line on the policy page."""

    risk: str
    risk_label: str
    insurer: str
    cause_labels: tuple[str, ...]
    rate_pct: Decimal
    maximum_liability: Money
    premium: Money
    claims_paid: Money
    recoveries: Money
    remaining_liability: Money


@dataclass(frozen=True, slots=True)
class InsurersView:
    """The insurer the policy was issued for (if recorded) and its carriers (if any)."""

    issuer: str | None
    basis_label: str | None
    carriers: tuple[CarrierRow, ...]


def insurers_view(session: Session, *, principal: Principal, policy_id: int) -> InsurersView | None:
    """The page's view of who insures ``policy_id``; None when the market recorded nothing."""
    try:
        got = market.policy_insurers(session, principal=principal, policy_id=policy_id)
    except (NotFound, PermissionDenied):
        return None
    if got.issuer_name is None and not got.carriers:
        return None
    return InsurersView(
        issuer=got.issuer_name,
        basis_label=BASIS_LABELS.get(got.issuer_basis or ""),
        carriers=tuple(
            CarrierRow(
                risk=v.carrier.risk_class,
                risk_label=RISK_LABELS[v.carrier.risk_class],
                insurer=v.insurer_name,
                cause_labels=tuple(
                    labels.LOSS_CAUSES.get(c, c) for c in market.CAUSES[v.carrier.risk_class]
                ),
                rate_pct=v.carrier.rate_pct,
                maximum_liability=v.carrier.maximum_liability,
                premium=v.premium,
                claims_paid=v.claims_paid,
                recoveries=v.recoveries,
                remaining_liability=v.remaining_liability,
            )
            for v in got.carriers
        ),
    )
