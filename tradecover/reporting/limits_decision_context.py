"""Read model: everything a decision on one credit limit application reads, in one query.

The application with its buyer, the policy, the buyer's latest rating, the buyer's
aggregate, the insurer's view of the buyer's country in force, the country's committed
exposure and the exporter's limit in force on the buyer: tables of the limits, buyers,
policies and country risk contexts, joined in ONE round trip (the decision is on the
hot path of every application).  The limits context's use case reads it through
:func:`limit_decision_context`; it never queries the other contexts' tables itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, and_, bindparam, exists, select
from sqlalchemy.orm import Session, aliased

from tradecover.buyers.model import Buyer, BuyerRating
from tradecover.country_risk.model import CountryRiskVersion
from tradecover.limits.model import BuyerAggregate, CountryExposure, CreditLimit, LimitApplication
from tradecover.limits.repository import ACTIVE
from tradecover.policies.model import Policy


@dataclass(frozen=True, slots=True)
class DecisionContext:
    """Everything a decision on one application reads, loaded by one query.

    ``country_risk`` is the insurer's view of the buyer's country in force (``None``:
    none recorded); ``country_committed`` is ``None`` when the country has no exposure
    row yet; ``current`` is the exporter's limit in force on the buyer, if any.
    """

    application: LimitApplication
    buyer: Buyer
    policy: Policy
    rating: BuyerRating | None
    aggregate: BuyerAggregate | None
    country_risk: CountryRiskVersion | None
    country_committed: int | None
    current: CreditLimit | None


@cache
def _decision_context_query() -> Select[
    LimitApplication,
    Buyer,
    Policy,
    BuyerRating,
    BuyerAggregate,
    CountryRiskVersion,
    int,
    CreditLimit,
]:
    """The statement of :func:`decision_context`, built once: building it and its cache key
    costs more CPU than running it, and it only differs by the bound application id.
    """
    app = LimitApplication
    newer_rating = aliased(BuyerRating)
    newer_view = aliased(CountryRiskVersion)
    return (
        select(
            app,
            Buyer,
            Policy,
            BuyerRating,
            BuyerAggregate,
            CountryRiskVersion,
            CountryExposure.committed_minor,
            CreditLimit,
        )
        .join(Buyer, Buyer.id == app.buyer_id)
        .join(Policy, Policy.id == app.policy_id)
        .outerjoin(
            BuyerRating,
            and_(
                BuyerRating.buyer_id == app.buyer_id,
                ~exists().where(
                    newer_rating.buyer_id == BuyerRating.buyer_id, newer_rating.id > BuyerRating.id
                ),
            ),
        )
        .outerjoin(BuyerAggregate, BuyerAggregate.buyer_id == app.buyer_id)
        .outerjoin(
            CountryRiskVersion,
            and_(
                CountryRiskVersion.country == Buyer.country,
                ~exists().where(
                    newer_view.country == CountryRiskVersion.country,
                    newer_view.id > CountryRiskVersion.id,
                ),
            ),
        )
        .outerjoin(CountryExposure, CountryExposure.country == Buyer.country)
        .outerjoin(
            CreditLimit,
            and_(
                CreditLimit.org_id == app.org_id,
                CreditLimit.policy_id == app.policy_id,
                CreditLimit.buyer_id == app.buyer_id,
                CreditLimit.status == ACTIVE,
            ),
        )
        .where(app.id == bindparam("application_id"))
        .execution_options(populate_existing=True)
    )


def limit_decision_context(session: Session, application_id: int) -> DecisionContext | None:
    """Load an application with its buyer, policy, latest rating, aggregate, country view,
    country exposure and current limit in ONE round trip (``None``: no such application).

    The latest rating and country view are picked with anti-joins (no newer row), which
    both databases run from the ``(buyer_id, id)`` and ``(country, id)`` indexes.
    """
    row = session.execute(_decision_context_query(), {"application_id": application_id}).first()
    if row is None:
        return None
    return DecisionContext(
        application=row[0],
        buyer=row[1],
        policy=row[2],
        rating=row[3],
        aggregate=row[4],
        country_risk=row[5],
        country_committed=None if row[6] is None else int(row[6]),
        current=row[7],
    )
