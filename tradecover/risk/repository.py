"""Every query of the risk context: the insurer's book as exposures, and the risk runs.

:class:`BookExposures` is the database-backed :class:`~tradecover.risk.exposures.ExposureSource`.
It reads the credit-limit book when one exists (active limits, the buyer's
latest rating, outstanding declared receivables) and otherwise the exporters'
reported main buyers on the policies in force (the demo book has no limits yet).
Amounts are converted to US dollars with the fixed rates of :mod:`tradecover.limits.fx`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer, BuyerRating
from tradecover.country_risk import service as country_risk
from tradecover.declarations.model import Declaration
from tradecover.kit.errors import NotFound, ValidationFailed
from tradecover.kit.money import minor_unit
from tradecover.limits.fx import USD_PER_UNIT
from tradecover.limits.model import CreditLimit
from tradecover.policies.model import ExporterProfile, Policy
from tradecover.risk.model import RiskRun
from tradecover.risk.portfolio import (
    DEFAULT_RATING_SCALE,
    ExposureBasis,
    Portfolio,
    group_related_buyers,
)

BookKind = Literal["auto", "limits", "profiles"]
#: Policy states whose liability is still running.
IN_FORCE_STATES: tuple[str, ...] = ("active", "suspended")
#: Expected recovery on a defaulted buyer when the book records none (LGD = 1 - this).
DEFAULT_EXPECTED_RECOVERY = 0.3
#: Sector of a buyer whose sector is not known.
UNKNOWN_SECTOR = "unknown"


def grade_for_country_class(risk_class: int | None) -> str:
    """The rating grade (1-20 of the default scale) a buyer gets from its country alone.

    OECD class 0 maps to grade 4 and each class adds two grades (class 7: grade 18);
    unclassified high-income countries get grade 3.
    """
    return "3" if risk_class is None else str(4 + 2 * int(risk_class))


def _usd(minor: int, currency: str) -> float:
    rate = USD_PER_UNIT.get(currency)
    if rate is None:
        raise ValidationFailed(f"no USD rate for {currency}", code="currency_not_supported",
                               field="currency")
    return float(Decimal(minor).scaleb(-minor_unit(currency)) * rate)


@dataclass
class _Row:
    buyer_id: str
    group_id: str
    country: str
    sector: str
    limit: float
    outstanding: float
    share: float
    pd: float


@dataclass
class BookExposures:
    """The insurer's book, read from the database, as a :class:`Portfolio` (USD).

    ``basis`` picks the exposure at default: ``"outstanding"`` insured receivables or the
    approved ``"limit"`` (potential exposure).  ``book`` picks the source: the credit-limit
    book, the exporters' profiles on policies in force, or ``"auto"`` (limits when any
    limit is active).  Buyers of one group are merged into one obligor unless
    ``group_related`` is false.
    """

    session: Session
    basis: ExposureBasis = "outstanding"
    book: BookKind = "auto"
    expected_recovery: float = DEFAULT_EXPECTED_RECOVERY
    group_related: bool = True
    rating_scale: Mapping[str, float] = field(default_factory=lambda: DEFAULT_RATING_SCALE)

    def source(self) -> Literal["limits", "profiles"]:
        """Which book is read: ``book`` itself, or for ``"auto"`` whether limits exist."""
        if self.book != "auto":
            return self.book
        active = self.session.execute(
            select(CreditLimit.id).where(CreditLimit.status == "active").limit(1)).first()
        return "limits" if active is not None else "profiles"

    def portfolio(self) -> Portfolio:
        """Read the book; an empty book is refused (nothing to measure)."""
        if self.basis not in ("outstanding", "limit"):
            raise ValidationFailed(f"unknown exposure basis {self.basis!r}",
                                   code="unknown_basis", field="basis")
        rows = self._limit_rows() if self.source() == "limits" else self._profile_rows()
        if not rows:
            raise ValidationFailed("the book holds no exposure to measure", code="empty_book",
                                   field="source")
        limit = np.array([r.limit for r in rows])
        outstanding = np.array([r.outstanding for r in rows])
        if not np.any((outstanding if self.basis == "outstanding" else limit) > 0):
            raise ValidationFailed(
                f"the book holds no {self.basis} exposure to measure"
                + ("; try the limit basis" if self.basis == "outstanding" else ""),
                code="empty_book", field="basis")
        port = Portfolio.from_arrays(
            pd=[r.pd for r in rows],
            ead=outstanding if self.basis == "outstanding" else limit,
            countries=[r.country for r in rows],
            sectors=[r.sector for r in rows],
            insured_share=[r.share for r in rows],
            lgd=1.0 - self.expected_recovery,
            buyer_ids=[r.buyer_id for r in rows],
            group_ids=[r.group_id for r in rows],
            limit=limit,
            outstanding=outstanding,
            basis=self.basis,
            currency="USD",
        )
        return group_related_buyers(port) if self.group_related else port

    def _country_pd(self) -> dict[str, float]:
        return {v.country: self.rating_scale[grade_for_country_class(v.risk_class)]
                for v in country_risk.current_all(self.session)}

    def _pd(self, country_pd: dict[str, float], country: str) -> float:
        return country_pd.get(country, self.rating_scale[grade_for_country_class(None)])

    def _limit_rows(self) -> list[_Row]:
        s = self.session
        latest = (select(BuyerRating.buyer_id, func.max(BuyerRating.id).label("rid"))
                  .group_by(BuyerRating.buyer_id).subquery())
        pds = dict(s.execute(select(BuyerRating.buyer_id, BuyerRating.pd)
                             .join(latest, BuyerRating.id == latest.c.rid)).all())
        outstanding = dict(s.execute(
            select(Declaration.limit_id,
                   func.sum(Declaration.covered_minor - Declaration.collected_minor))
            .where(Declaration.status == "active", Declaration.limit_id.is_not(None))
            .group_by(Declaration.limit_id)).all())
        country_pd = self._country_pd()
        query = (select(CreditLimit, Buyer, Policy)
                 .join(Buyer, Buyer.id == CreditLimit.buyer_id)
                 .join(Policy, Policy.id == CreditLimit.policy_id)
                 .where(CreditLimit.status == "active").order_by(CreditLimit.id))
        rows = []
        for lim, buyer, policy in s.execute(query):
            pct = lim.indemnity_pct if lim.indemnity_pct is not None \
                else policy.indemnity_commercial_pct
            rating_pd = pds.get(buyer.id)
            out_minor = max(0, int(outstanding.get(lim.id) or 0))
            rows.append(_Row(
                buyer_id=f"L{lim.id}", group_id=f"B{buyer.merged_into_id or buyer.id}",
                country=lim.country, sector=buyer.sector or UNKNOWN_SECTOR,
                limit=_usd(lim.amount_minor, lim.currency),
                outstanding=_usd(min(out_minor, lim.amount_minor), lim.currency),
                share=float(pct) / 100.0,
                pd=float(rating_pd) if rating_pd is not None
                else self._pd(country_pd, lim.country)))
        return rows

    def _profile_rows(self) -> list[_Row]:
        query = (select(Policy, ExporterProfile)
                 .join(ExporterProfile, ExporterProfile.org_id == Policy.exporter_org_id)
                 .where(Policy.state.in_(IN_FORCE_STATES)).order_by(Policy.id))
        country_pd = self._country_pd()
        rows = []
        for policy, profile in self.session.execute(query):
            scope = policy.scope or {}
            days = int(scope.get("max_credit_days") or 90)
            chapters = scope.get("hs_chapters") or []
            sector = f"hs{chapters[0]}" if chapters else UNKNOWN_SECTOR
            liability = _usd(policy.maximum_liability_minor, policy.currency)
            turnover = _usd(policy.expected_turnover_minor, policy.currency)
            for i, entry in enumerate(profile.main_buyers or []):
                share = float(Decimal(str(entry.get("share_pct") or 0))) / 100.0
                country = str(entry.get("country") or "")
                potential = liability * share
                name = " ".join(str(entry.get("name") or "").lower().split())
                rows.append(_Row(
                    buyer_id=f"P{policy.id}.{i}", group_id=f"{country}:{name}",
                    country=country, sector=sector, limit=potential,
                    outstanding=min(potential, turnover * share * days / 365.0),
                    share=float(policy.indemnity_commercial_pct) / 100.0,
                    pd=self._pd(country_pd, country)))
        return rows


# --- risk runs -------------------------------------------------------------------------------


def add_run(session: Session, run: RiskRun) -> RiskRun:
    """Insert a run and assign its id."""
    session.add(run)
    session.flush()
    return run


def run_of(session: Session, *, org_id: int, run_id: int) -> RiskRun:
    """The run ``run_id`` of ``org_id``; another organisation's run is :class:`NotFound`."""
    run = session.get(RiskRun, run_id)
    if run is None or run.org_id != org_id:
        raise NotFound(f"no risk run {run_id}", code="risk_run_not_found", field="run_id")
    return run


def runs_of(session: Session, *, org_id: int, limit: int, offset: int) -> tuple[list[RiskRun], int]:
    """One page of ``org_id``'s runs, newest first, and how many there are."""
    total = session.execute(select(func.count()).select_from(RiskRun)
                            .where(RiskRun.org_id == org_id)).scalar_one()
    rows = session.execute(select(RiskRun).where(RiskRun.org_id == org_id)
                           .order_by(RiskRun.id.desc()).limit(limit).offset(offset)).scalars()
    return list(rows), int(total)
