"""Queries of the market context: the rule set in force, the market insurers, the
classifications with their declines and routing.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.market.model import (
    MarketClassification,
    MarketDecline,
    MarketInsurer,
    MarketRouting,
    MarketRuleSet,
)


def latest_rule_set(session: Session) -> MarketRuleSet | None:
    """The newest stored rule set, or None when only the shipped one applies."""
    return session.execute(
        select(MarketRuleSet).order_by(MarketRuleSet.version.desc()).limit(1)
    ).scalar_one_or_none()


def highest_version(session: Session) -> int | None:
    """The highest stored rule set version, or None."""
    return session.execute(select(func.max(MarketRuleSet.version))).scalar_one()


def rule_sets(session: Session) -> list[MarketRuleSet]:
    """Every stored rule set, oldest version first."""
    return list(session.execute(select(MarketRuleSet).order_by(MarketRuleSet.version)).scalars())


def insurers(session: Session) -> list[MarketInsurer]:
    """The market insurers, in the order they were registered."""
    return list(session.execute(select(MarketInsurer).order_by(MarketInsurer.id)).scalars())


def insurer_of(session: Session, org_id: int) -> MarketInsurer | None:
    """The market registration of ``org_id``, or None."""
    return session.execute(
        select(MarketInsurer).where(MarketInsurer.org_id == org_id)
    ).scalar_one_or_none()


def classification(
    session: Session, classification_id: int, *, lock: bool = False
) -> MarketClassification | None:
    """One classification (locked for update when asked), or None."""
    query = select(MarketClassification).where(MarketClassification.id == classification_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.execute(query).scalar_one_or_none()


def classifications(
    session: Session, *, exporter_org_id: int | None = None, limit: int = 100
) -> list[MarketClassification]:
    """Classifications, newest first, optionally of one exporter."""
    query = select(MarketClassification).order_by(MarketClassification.id.desc()).limit(limit)
    if exporter_org_id is not None:
        query = query.where(MarketClassification.exporter_org_id == exporter_org_id)
    return list(session.execute(query).scalars())


def declines(session: Session, classification_id: int) -> list[MarketDecline]:
    """The declines recorded on a classification, oldest first."""
    return list(
        session.execute(
            select(MarketDecline)
            .where(MarketDecline.classification_id == classification_id)
            .order_by(MarketDecline.id)
        ).scalars()
    )


def routing(session: Session, classification_id: int) -> MarketRouting | None:
    """Where a classification was routed, or None."""
    return session.execute(
        select(MarketRouting).where(MarketRouting.classification_id == classification_id)
    ).scalar_one_or_none()


def classification_of(
    session: Session, *, subject_kind: str, subject_id: int
) -> MarketClassification | None:
    """The latest classification of one application, or None."""
    return session.execute(
        select(MarketClassification)
        .where(
            MarketClassification.subject_kind == subject_kind,
            MarketClassification.subject_id == subject_id,
        )
        .order_by(MarketClassification.id.desc())
        .limit(1)
    ).scalar_one_or_none()
