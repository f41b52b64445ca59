"""Every query of the risk context: the insurer's book as exposures, and the risk runs.

:class:`BookExposures` is the database-backed :class:`~tradecover.risk.exposures.ExposureSource`.
It measures the credit-limit book when one exists (active limits, the buyer's
latest rating, outstanding declared receivables) and otherwise the exporters'
reported main buyers on the policies in force (the demo book has no limits yet); the rows
come from the read model :mod:`tradecover.reporting.portfolio_exposure` (in USD), and an
obligor without a rating takes its country's PD.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tradecover.kit.errors import NotFound, ValidationFailed
from tradecover.reporting import portfolio_exposure as book
from tradecover.reporting.portfolio_exposure import IN_FORCE_STATES, UNKNOWN_SECTOR, ExposureRow
from tradecover.risk.model import RiskRun
from tradecover.risk.portfolio import (
    DEFAULT_RATING_SCALE,
    ExposureBasis,
    Portfolio,
    group_related_buyers,
)

BookKind = Literal["auto", "limits", "profiles"]
#: Expected recovery on a defaulted buyer when the book records none (LGD = 1 - this).
DEFAULT_EXPECTED_RECOVERY = 0.3


def grade_for_country_class(risk_class: int | None) -> str:
    """The rating grade (1-20 of the default scale) a buyer gets from its country alone.

    OECD class 0 maps to grade 4 and each class adds two grades (class 7: grade 18);
    unclassified high-income countries get grade 3.
    """
    return "3" if risk_class is None else str(4 + 2 * int(risk_class))


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
        return "limits" if book.limit_book_active(self.session) else "profiles"

    def portfolio(self) -> Portfolio:
        """Read the book; an empty book is refused (nothing to measure)."""
        if self.basis not in ("outstanding", "limit"):
            raise ValidationFailed(
                f"unknown exposure basis {self.basis!r}", code="unknown_basis", field="basis"
            )
        raw = (
            book.limit_book_rows(self.session)
            if self.source() == "limits"
            else book.profile_book_rows(self.session)
        )
        country_pd = self._country_pd()
        rows = [
            r if r.pd is not None else replace(r, pd=self._pd(country_pd, r.country)) for r in raw
        ]
        if not rows:
            raise ValidationFailed(
                "the book holds no exposure to measure", code="empty_book", field="source"
            )
        limit = np.array([r.limit for r in rows])
        outstanding = np.array([r.outstanding for r in rows])
        if not np.any((outstanding if self.basis == "outstanding" else limit) > 0):
            raise ValidationFailed(
                f"the book holds no {self.basis} exposure to measure"
                + ("; try the limit basis" if self.basis == "outstanding" else ""),
                code="empty_book",
                field="basis",
            )
        port = Portfolio.from_arrays(
            pd=[float(r.pd or 0.0) for r in rows],
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
        return {
            country: self.rating_scale[grade_for_country_class(risk_class)]
            for country, risk_class in book.country_risk_classes(self.session).items()
        }

    def _pd(self, country_pd: dict[str, float], country: str) -> float:
        return country_pd.get(country, self.rating_scale[grade_for_country_class(None)])


# --- risk runs -------------------------------------------------------------------------------


def add_run(session: Session, run: RiskRun) -> RiskRun:
    """Insert a run and assign its id."""
    session.add(run)
    session.flush()
    return run


def readable_runs(org_id: int) -> Select[RiskRun]:
    """The risk runs ``org_id`` may read: its own (every list and get starts here)."""
    return select(RiskRun).where(RiskRun.org_id == org_id)


def run_of(session: Session, *, org_id: int, run_id: int) -> RiskRun:
    """The run ``run_id`` of ``org_id``; another organisation's run is :class:`NotFound`."""
    run = session.execute(readable_runs(org_id).where(RiskRun.id == run_id)).scalar_one_or_none()
    if run is None:
        raise NotFound(f"no risk run {run_id}", code="risk_run_not_found", field="run_id")
    return run


def runs_of(session: Session, *, org_id: int, limit: int, offset: int) -> tuple[list[RiskRun], int]:
    """One page of ``org_id``'s runs, newest first, and how many there are."""
    query = readable_runs(org_id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(RiskRun.id.desc()).limit(limit).offset(offset)).scalars()
    return list(rows), int(total)


__all__ = [
    "DEFAULT_EXPECTED_RECOVERY",
    "IN_FORCE_STATES",
    "UNKNOWN_SECTOR",
    "BookExposures",
    "BookKind",
    "ExposureRow",
    "add_run",
    "grade_for_country_class",
    "readable_runs",
    "run_of",
    "runs_of",
]
