"""Read models of the role homes: what each role asks first, answered set-based.

The exporter asks "can I ship to this buyer, how much is covered, what do I owe after the
subsidy, where is my claim"; the underwriter asks how old and how large the queue of limit
applications is and how much of the limits is used; the risk manager where the exposure
sits and how concentrated it is; finance what came in and what programmes still owe.
Each function reads the owning contexts' tables in the caller's session with a few grouped
queries (never one per row) and returns plain values in minor units of their currency; the
caller scopes the exporter's reads to its own organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Subquery, and_, case, func, or_, select
from sqlalchemy.orm import Session

from tradecover.billing.model import NoticeSplit, Payment, PremiumNotice
from tradecover.buyers.model import Buyer, BuyerRating
from tradecover.claims import ClaimState
from tradecover.claims.model import ClaimRow
from tradecover.limits.model import CreditLimit, LimitApplication
from tradecover.limits.repository import utilisation_query
from tradecover.limits.rules import PENDING, PENDING_SECOND
from tradecover.reporting.portfolio_exposure import limit_book_rows

AGE_BANDS: tuple[tuple[int, int | None], ...] = ((0, 2), (3, 7), (8, 14), (15, 30), (31, None))
"""Age bands of the limit queue in days since submission (the last one open-ended)."""

USE_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 25),
    (25, 50),
    (50, 75),
    (75, 100),
    (100, None),
)
"""Utilisation bands in percent of the approved amount: [from, to), the last one open-ended."""

OPEN_CLAIM_STATES = (ClaimState.FILED, ClaimState.CHECKING, ClaimState.APPROVED)
"""Claim states an exporter still waits on (the others are paid, rejected or closed)."""


@dataclass(frozen=True, slots=True)
class BuyerCover:
    """One limit of the exporter: the buyer, its grade, approved, outstanding and available."""

    limit_id: int
    buyer_id: int
    buyer_name: str
    country: str
    registration_number: str | None
    currency: str
    approved_minor: int
    outstanding_minor: int
    available_minor: int
    grade: int | None
    policy_id: int
    payment_terms: str
    credit_period_days: int


@dataclass(frozen=True, slots=True)
class PremiumOwed:
    """Premium the exporter still owes in one currency, after the subsidy's share."""

    currency: str
    owed_minor: int
    overdue_minor: int
    notices: int
    next_due: date | None


@dataclass(frozen=True, slots=True)
class ClaimStanding:
    """One of the exporter's claims: where it stands."""

    claim_id: int
    buyer_name: str
    state: str
    currency: str
    loss_minor: int
    indemnity_minor: int
    filed_on: date


@dataclass(frozen=True, slots=True)
class QueueBand:
    """Pending limit applications of one age band: how many, and how much per currency."""

    from_days: int
    to_days: int | None
    count: int
    amounts: dict[str, int]


@dataclass(frozen=True, slots=True)
class UseBand:
    """Active limits whose utilisation falls in one band of percent."""

    from_pct: int
    to_pct: int | None
    count: int


def _latest_grades() -> Subquery:
    latest = select(func.max(BuyerRating.id).label("id")).group_by(BuyerRating.buyer_id).subquery()
    return (
        select(BuyerRating.buyer_id, BuyerRating.grade)
        .join(latest, latest.c.id == BuyerRating.id)
        .subquery("g")
    )


def buyer_cover(
    session: Session, *, org_id: int, search: str | None = None, limit: int = 25
) -> list[BuyerCover]:
    """The exporter's active limits with their buyer, grade and available amount, the
    buyers matching ``search`` (part of the name or of the registration number) first by
    available amount.
    """
    use = utilisation_query(org_id=org_id).order_by(None).subquery("u")
    grades = _latest_grades()
    query = (
        select(
            use.c.id,
            use.c.buyer_id,
            Buyer.legal_name,
            Buyer.country,
            Buyer.registration_number,
            use.c.currency,
            use.c.approved_minor,
            use.c.outstanding_minor,
            use.c.available_minor,
            grades.c.grade,
            CreditLimit.policy_id,
            CreditLimit.payment_terms,
            CreditLimit.credit_period_days,
        )
        .join(Buyer, Buyer.id == use.c.buyer_id)
        .join(CreditLimit, CreditLimit.id == use.c.id)
        .outerjoin(grades, grades.c.buyer_id == use.c.buyer_id)
    )
    text = (search or "").strip()
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            or_(
                func.lower(Buyer.legal_name).like(pattern),
                func.lower(func.coalesce(Buyer.registration_number, "")).like(pattern),
            )
        )
    query = query.order_by(use.c.available_minor.desc(), use.c.id).limit(limit)
    return [
        BuyerCover(
            limit_id=int(r[0]),
            buyer_id=int(r[1]),
            buyer_name=r[2],
            country=r[3],
            registration_number=r[4],
            currency=r[5],
            approved_minor=int(r[6]),
            outstanding_minor=int(r[7]),
            available_minor=int(r[8]),
            grade=None if r[9] is None else int(r[9]),
            policy_id=int(r[10]),
            payment_terms=r[11],
            credit_period_days=int(r[12]),
        )
        for r in session.execute(query)
    ]


def premium_owed(session: Session, *, org_id: int, today: date) -> list[PremiumOwed]:
    """What the exporter owes on its premium notices after the subsidy, per currency:
    in all, overdue (due before ``today``), how many notices are open and the next due date.
    """
    left = PremiumNotice.exporter_owed_minor - PremiumNotice.exporter_paid_minor
    late = case((PremiumNotice.due_date < today, left), else_=0)
    rows = session.execute(
        select(
            PremiumNotice.currency,
            func.sum(left),
            func.sum(late),
            func.count(),
            func.min(PremiumNotice.due_date),
        )
        .where(PremiumNotice.exporter_org_id == org_id, left > 0)
        .group_by(PremiumNotice.currency)
        .order_by(PremiumNotice.currency)
    ).all()
    return [
        PremiumOwed(
            currency=currency,
            owed_minor=int(owed),
            overdue_minor=int(overdue or 0),
            notices=int(count),
            next_due=next_due,
        )
        for currency, owed, overdue, count, next_due in rows
    ]


def claim_standings(session: Session, *, org_id: int, limit: int = 10) -> list[ClaimStanding]:
    """The exporter's claims, open ones first, newest first."""
    is_open = ClaimRow.state.in_(OPEN_CLAIM_STATES)
    rows = session.execute(
        select(
            ClaimRow.id,
            Buyer.legal_name,
            ClaimRow.state,
            ClaimRow.currency,
            ClaimRow.loss_minor,
            ClaimRow.indemnity_minor,
            ClaimRow.filed_on,
        )
        .join(Buyer, Buyer.id == ClaimRow.buyer_id)
        .where(ClaimRow.exporter_org_id == org_id)
        .order_by(is_open.desc(), ClaimRow.filed_on.desc(), ClaimRow.id.desc())
        .limit(limit)
    ).all()
    return [
        ClaimStanding(
            claim_id=int(r[0]),
            buyer_name=r[1],
            state=r[2],
            currency=r[3],
            loss_minor=int(r[4]),
            indemnity_minor=int(r[5]),
            filed_on=r[6],
        )
        for r in rows
    ]


def limit_queue_by_age(session: Session, *, now: datetime) -> list[QueueBand]:
    """Limit applications waiting for a decision, by age band, counted and summed per
    currency.
    """
    rows = session.execute(
        select(
            LimitApplication.submitted_at, LimitApplication.currency, LimitApplication.amount_minor
        ).where(LimitApplication.status.in_((PENDING, PENDING_SECOND)))
    ).all()
    bands = [QueueBand(lo, hi, 0, {}) for lo, hi in AGE_BANDS]
    counts = [0] * len(bands)
    for submitted_at, currency, amount in rows:
        at = submitted_at if submitted_at.tzinfo else submitted_at.replace(tzinfo=UTC)
        age = max((now - at).days, 0)
        i = next(k for k, (lo, hi) in enumerate(AGE_BANDS) if hi is None or age <= hi)
        counts[i] += 1
        bands[i].amounts[currency] = bands[i].amounts.get(currency, 0) + int(amount)
    return [QueueBand(b.from_days, b.to_days, counts[i], b.amounts) for i, b in enumerate(bands)]


def limit_use_bands(session: Session) -> list[UseBand]:
    """Active limits counted by utilisation band (outstanding over approved)."""
    use = utilisation_query().order_by(None).subquery("u")
    bp = use.c.rate_bp  # basis points of a fraction: 10000 = 100 %
    sums = []
    for lo, hi in USE_BANDS:
        cond = and_(bp.is_not(None), bp >= lo * 100)
        if hi is not None:
            cond = and_(cond, bp < hi * 100)
        sums.append(func.sum(case((cond, 1), else_=0)))
    row = session.execute(select(*sums).select_from(use)).one()
    return [UseBand(lo, hi, int(row[i] or 0)) for i, (lo, hi) in enumerate(USE_BANDS)]


@dataclass(frozen=True, slots=True)
class ExposureSummary:
    """The insured book's exposure in USD: by country, by sector, and its concentration."""

    total: float
    by_country: list[tuple[str, float]]
    by_sector: list[tuple[str, float]]
    top_groups: list[tuple[str, float]]
    top_share: float
    """The share of the ten largest buyer groups in the whole exposure (0..1)."""


def exposure_summary(session: Session, *, top: int = 10) -> ExposureSummary:
    """Exposure (limit x insured share, USD) of every active limit, summed by country, by
    sector and by buyer group, largest first; with the ``top`` groups' share of the whole.
    """
    countries: dict[str, float] = {}
    sectors: dict[str, float] = {}
    groups: dict[str, float] = {}
    for row in limit_book_rows(session):
        amount = row.limit * row.share
        countries[row.country] = countries.get(row.country, 0.0) + amount
        sectors[row.sector] = sectors.get(row.sector, 0.0) + amount
        groups[row.group_id] = groups.get(row.group_id, 0.0) + amount
    total = sum(groups.values())

    def largest(values: dict[str, float]) -> list[tuple[str, float]]:
        return sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))

    top_groups = largest(groups)[:top]
    return ExposureSummary(
        total=total,
        by_country=largest(countries),
        by_sector=largest(sectors),
        top_groups=top_groups,
        top_share=(sum(v for _, v in top_groups) / total) if total else 0.0,
    )


def cash_received(session: Session, *, since: date) -> dict[str, tuple[int, int]]:
    """Payments received on or after ``since``, per currency: amount (minor) and count."""
    rows = session.execute(
        select(Payment.currency, func.sum(Payment.amount_minor), func.count())
        .where(Payment.received_on >= since)
        .group_by(Payment.currency)
        .order_by(Payment.currency)
    ).all()
    return {currency: (int(amount), int(count)) for currency, amount, count in rows}


def subsidies_receivable(session: Session) -> dict[str, int]:
    """What subsidy programmes were granted on issued notices and have not paid, per
    currency (minor units).
    """
    rows = session.execute(
        select(PremiumNotice.currency, func.sum(NoticeSplit.granted_minor - NoticeSplit.paid_minor))
        .join(PremiumNotice, PremiumNotice.id == NoticeSplit.notice_id)
        .where(NoticeSplit.granted_minor > NoticeSplit.paid_minor)
        .group_by(PremiumNotice.currency)
        .order_by(PremiumNotice.currency)
    ).all()
    return {currency: int(amount) for currency, amount in rows}
