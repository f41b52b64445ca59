"""Stored buyer ratings: rate a buyer now with the current model, read its ratings back.

:func:`rate` rates a buyer (or bank) with :mod:`tradecover.buyers.rating` and the country
class in force, stores the rating, tells the limits
(:func:`tradecover.buyers.ports.buyer_rated`) and audits it; :func:`latest_rating` and
:func:`rating_history` read what was stored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover import audit, consents, country_risk
from tradecover.access import Permission, Principal
from tradecover.buyers.directory import BuyerKind, get_buyer
from tradecover.buyers.model import Buyer, BuyerRating
from tradecover.buyers.ports import RatedBuyer, buyer_rated
from tradecover.buyers.rating import BankProfile, BuyerProfile, rate_bank, rate_buyer
from tradecover.buyers.rating_factors import AdverseEvent, CompanyType, Sector, SizeBand
from tradecover.buyers.rating_scale import Contribution, Rating
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import NotFound
from tradecover.kit.money import Money


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def rating_of(session: Session, row: Buyer) -> Rating:
    """Rate ``row`` now with the current model and the country class in force (pure)."""
    try:
        country_class = country_risk.current(session, row.country).risk_class
    except NotFound:
        country_class = None
    events = frozenset(AdverseEvent(e) for e in row.adverse_events or ())
    if row.kind == BuyerKind.BANK.value:
        assets = (
            Money.from_minor(row.total_assets_minor, row.total_assets_currency)
            if row.total_assets_minor is not None and row.total_assets_currency
            else None
        )
        return rate_bank(
            BankProfile(
                country_class=country_class,
                rank=row.bank_rank,
                total_assets=assets,
                capital_adequacy_ratio=row.capital_adequacy_ratio,
                defaults_on_record=row.defaults_on_record,
                adverse_events=events,
            )
        )
    fin = row.financials or {}
    return rate_buyer(
        BuyerProfile(
            country_class=country_class,
            company_type=CompanyType(row.company_type or CompanyType.PRIVATE.value),
            size=SizeBand(row.size or SizeBand.SMALL.value),
            sector=Sector(row.sector or Sector.OTHER.value),
            current_ratio=_decimal(fin.get("current_ratio")),
            debt_to_equity=_decimal(fin.get("debt_to_equity")),
            negative_equity=bool(fin.get("negative_equity", False)),
            net_margin=_decimal(fin.get("net_margin")),
            interest_cover=_decimal(fin.get("interest_cover")),
            days_beyond_terms=row.days_beyond_terms,
            # the platform's pooled payment experience adds its reports [domain CS-12]
            overdue_reports=row.overdue_reports
            + consents.overdue_reports_from_pool(consents.pooled_experience(session, row.id)),
            adverse_events=events,
        )
    )


def rating_from_row(row: BuyerRating) -> Rating:
    """The stored rating as the pure value the decision rules take."""
    return Rating(
        model_version=row.model_version,
        score=row.score,
        grade=row.grade,
        pd=row.pd,
        hard_stop=row.hard_stop,
        hard_stop_reasons=tuple(row.hard_stop_reasons or ()),
        contributions=tuple(Contribution(**c) for c in row.contributions or ()),
    )


def latest_rating(session: Session, buyer_id: int) -> BuyerRating | None:
    """The most recent stored rating of a buyer."""
    return session.execute(
        select(BuyerRating)
        .where(BuyerRating.buyer_id == buyer_id)
        .order_by(BuyerRating.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def rating_history(session: Session, *, principal: Principal, buyer_id: int) -> list[BuyerRating]:
    """Every rating of a buyer, newest first (insurer staff only)."""
    principal.require(Permission.BUYER_ASSESS)
    get_buyer(session, principal=principal, buyer_id=buyer_id)
    return list(
        session.execute(
            select(BuyerRating)
            .where(BuyerRating.buyer_id == buyer_id)
            .order_by(BuyerRating.id.desc())
        ).scalars()
    )


def rate(
    session: Session, *, principal: Principal, buyer_id: int, check_access: bool = True
) -> BuyerRating:
    """Rate a buyer now, store the rating, and refresh its suggested aggregate limit."""
    if check_access:
        principal.require(Permission.BUYER_ASSESS)
        row = get_buyer(session, principal=principal, buyer_id=buyer_id)
    else:
        row = session.get_one(Buyer, buyer_id)
    rating = rating_of(session, row)
    stored = BuyerRating(
        buyer_id=row.id,
        model_version=rating.model_version,
        score=rating.score,
        grade=rating.grade,
        pd=rating.pd,
        hard_stop=rating.hard_stop,
        hard_stop_reasons=list(rating.hard_stop_reasons),
        contributions=[
            {"factor": c.factor, "value": c.value, "points": c.points, "explanation": c.explanation}
            for c in rating.contributions
        ],
        rated_at=utc_now(),
        rated_by=principal.actor,
    )
    session.add(stored)
    session.flush()
    buyer_rated(
        session,
        RatedBuyer(
            buyer_id=row.id,
            bank=row.kind == BuyerKind.BANK.value,
            size=SizeBand(row.size or SizeBand.SMALL.value),
            rating=rating,
            actor=principal.actor,
        ),
    )
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action="buyer.rated",
        entity_type="buyer",
        entity_id=row.id,
        after={
            "rating_id": stored.id,
            "model_version": rating.model_version,
            "grade": rating.grade,
            "pd": str(rating.pd),
            "hard_stop": rating.hard_stop,
        },
    )
    return stored
