"""The insurer's book as exposure rows, read across limits, buyers, declarations and policies.

What a portfolio risk run measures: the credit-limit book (active limits, the buyer's
latest rating, outstanding declared receivables) or, where no limit is active, the
exporters' reported main buyers on the policies in force.  Amounts are converted to US
dollars with the fixed rates of the limits context.  It reads each context through its
public face (so the risk context, which turns the rows into its
:class:`~tradecover.risk.portfolio.Portfolio`, reaches no other context's internals).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from tradecover import buyers, country_risk, declarations, limits, policies
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import minor_unit

#: Policy states whose liability is still running.
IN_FORCE_STATES: tuple[str, ...] = policies.IN_FORCE_STATES
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
    rate = limits.USD_PER_UNIT.get(currency)
    if rate is None:
        raise ValidationFailed(
            f"no USD rate for {currency}", code="currency_not_supported", field="currency"
        )
    return float(Decimal(minor).scaleb(-minor_unit(currency)) * rate)


def limit_book_active(session: Session) -> bool:
    """True when at least one credit limit is active (the limit book is then read)."""
    return limits.any_active_limit(session)


def country_risk_classes(session: Session) -> dict[str, int | None]:
    """The OECD risk class in force of every country the insurer has a view of."""
    return {v.country: v.risk_class for v in country_risk.current_all(session)}


def limit_book_rows(session: Session) -> list[ExposureRow]:
    """Every active credit limit as an obligor, with its buyer's latest rated PD."""
    book = limits.active_limit_exposures(session)
    facts = buyers.buyer_risk_facts(session, [lim.buyer_id for lim in book])
    outstanding = declarations.outstanding_by_limit(session)
    indemnity = policies.commercial_indemnity_of(session, [lim.policy_id for lim in book])
    rows = []
    for lim in book:
        buyer = facts.get(lim.buyer_id)
        if buyer is None or lim.policy_id not in indemnity:
            continue
        pct = lim.indemnity_pct if lim.indemnity_pct is not None else indemnity[lim.policy_id]
        out_minor = max(0, outstanding.get(lim.id, 0))
        rows.append(
            ExposureRow(
                buyer_id=f"L{lim.id}",
                group_id=f"B{buyer.group_id}",
                country=lim.country,
                sector=buyer.sector or UNKNOWN_SECTOR,
                limit=usd(lim.amount_minor, lim.currency),
                outstanding=usd(min(out_minor, lim.amount_minor), lim.currency),
                share=float(pct) / 100.0,
                pd=float(buyer.pd) if buyer.pd is not None else None,
            )
        )
    return rows


def profile_book_rows(session: Session) -> list[ExposureRow]:
    """The exporters' reported main buyers on the policies in force, as obligors (no PD)."""
    rows = []
    for cover in policies.in_force_covers(session):
        scope = cover.scope or {}
        days = int(scope.get("max_credit_days") or 90)
        chapters = scope.get("hs_chapters") or []
        sector = f"hs{chapters[0]}" if chapters else UNKNOWN_SECTOR
        liability = usd(cover.maximum_liability_minor, cover.currency)
        turnover = usd(cover.expected_turnover_minor, cover.currency)
        for i, entry in enumerate(cover.main_buyers or []):
            share = float(Decimal(str(entry.get("share_pct") or 0))) / 100.0
            country = str(entry.get("country") or "")
            potential = liability * share
            name = " ".join(str(entry.get("name") or "").lower().split())
            rows.append(
                ExposureRow(
                    buyer_id=f"P{cover.policy_id}.{i}",
                    group_id=f"{country}:{name}",
                    country=country,
                    sector=sector,
                    limit=potential,
                    outstanding=min(potential, turnover * share * days / 365.0),
                    share=float(cover.indemnity_commercial_pct) / 100.0,
                    pd=None,
                )
            )
    return rows
