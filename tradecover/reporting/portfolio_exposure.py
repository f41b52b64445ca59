"""The insurer's book as exposure rows, read across limits, buyers, declarations and policies.

What a portfolio risk run measures: the credit-limit book (active limits, the buyer's
latest rating, outstanding declared receivables) or, where no limit is active, the
exporters' reported main buyers on the policies in force.  Amounts are converted to US
dollars with the fixed rates of :mod:`tradecover.limits.fx`.  The risk context turns the
rows into its :class:`~tradecover.risk.portfolio.Portfolio`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover import country_risk
from tradecover.buyers.model import Buyer, BuyerRating
from tradecover.declarations.model import Declaration
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import minor_unit
from tradecover.limits.fx import USD_PER_UNIT
from tradecover.limits.model import CreditLimit
from tradecover.policies.model import ExporterProfile, Policy

#: Policy states whose liability is still running.
IN_FORCE_STATES: tuple[str, ...] = ("active", "suspended")
#: Sector of a buyer whose sector is not known.
UNKNOWN_SECTOR = "unknown"


@dataclass(frozen=True, slots=True)
class ExposureRow:
    """One obligor of the book in USD; ``pd`` is None when the book holds no rating."""

    buyer_id: str
    group_id: str
    country: str
    sector: str
    limit: float
    outstanding: float
    share: float
    pd: float | None


def usd(minor: int, currency: str) -> float:
    """Minor units of ``currency`` in US dollars at the fixed rates."""
    rate = USD_PER_UNIT.get(currency)
    if rate is None:
        raise ValidationFailed(f"no USD rate for {currency}", code="currency_not_supported",
                               field="currency")
    return float(Decimal(minor).scaleb(-minor_unit(currency)) * rate)


def limit_book_active(session: Session) -> bool:
    """True when at least one credit limit is active (the limit book is then read)."""
    return session.execute(
        select(CreditLimit.id).where(CreditLimit.status == "active").limit(1)).first() is not None


def country_risk_classes(session: Session) -> dict[str, int | None]:
    """The OECD risk class in force of every country the insurer has a view of."""
    return {v.country: v.risk_class for v in country_risk.current_all(session)}


def limit_book_rows(session: Session) -> list[ExposureRow]:
    """Every active credit limit as an obligor, with its buyer's latest rated PD."""
    latest = (select(BuyerRating.buyer_id, func.max(BuyerRating.id).label("rid"))
              .group_by(BuyerRating.buyer_id).subquery())
    pds = dict(session.execute(select(BuyerRating.buyer_id, BuyerRating.pd)
                               .join(latest, BuyerRating.id == latest.c.rid)).all())
    outstanding = dict(session.execute(
        select(Declaration.limit_id,
               func.sum(Declaration.covered_minor - Declaration.collected_minor))
        .where(Declaration.status == "active", Declaration.limit_id.is_not(None))
        .group_by(Declaration.limit_id)).all())
    query = (select(CreditLimit, Buyer, Policy)
             .join(Buyer, Buyer.id == CreditLimit.buyer_id)
             .join(Policy, Policy.id == CreditLimit.policy_id)
             .where(CreditLimit.status == "active").order_by(CreditLimit.id))
    rows = []
    for lim, buyer, policy in session.execute(query):
        pct = lim.indemnity_pct if lim.indemnity_pct is not None \
            else policy.indemnity_commercial_pct
        rating_pd = pds.get(buyer.id)
        out_minor = max(0, int(outstanding.get(lim.id) or 0))
        rows.append(ExposureRow(
            buyer_id=f"L{lim.id}", group_id=f"B{buyer.merged_into_id or buyer.id}",
            country=lim.country, sector=buyer.sector or UNKNOWN_SECTOR,
            limit=usd(lim.amount_minor, lim.currency),
            outstanding=usd(min(out_minor, lim.amount_minor), lim.currency),
            share=float(pct) / 100.0,
            pd=float(rating_pd) if rating_pd is not None else None))
    return rows


def profile_book_rows(session: Session) -> list[ExposureRow]:
    """The exporters' reported main buyers on the policies in force, as obligors (no PD)."""
    query = (select(Policy, ExporterProfile)
             .join(ExporterProfile, ExporterProfile.org_id == Policy.exporter_org_id)
             .where(Policy.state.in_(IN_FORCE_STATES)).order_by(Policy.id))
    rows = []
    for policy, profile in session.execute(query):
        scope = policy.scope or {}
        days = int(scope.get("max_credit_days") or 90)
        chapters = scope.get("hs_chapters") or []
        sector = f"hs{chapters[0]}" if chapters else UNKNOWN_SECTOR
        liability = usd(policy.maximum_liability_minor, policy.currency)
        turnover = usd(policy.expected_turnover_minor, policy.currency)
        for i, entry in enumerate(profile.main_buyers or []):
            share = float(Decimal(str(entry.get("share_pct") or 0))) / 100.0
            country = str(entry.get("country") or "")
            potential = liability * share
            name = " ".join(str(entry.get("name") or "").lower().split())
            rows.append(ExposureRow(
                buyer_id=f"P{policy.id}.{i}", group_id=f"{country}:{name}",
                country=country, sector=sector, limit=potential,
                outstanding=min(potential, turnover * share * days / 365.0),
                share=float(policy.indemnity_commercial_pct) / 100.0, pd=None))
    return rows
