"""The buyer (and bank) rating model: a transparent scorecard, a grade and a one-year PD.

[002] (section 七.4) says the insurer rates every buyer with a buyer risk model and
derives the buyer aggregate limit from that rating; the factors it names are the buyer's
country risk class, the nature of the company, its size, its sector and the overall
assessment of its business (financials, payment record, adverse news).  For letters of
credit the issuing or confirming bank is rated instead, on its rank, assets, capital
adequacy and its history with the insurer ([domain L-3]).

**How a score is made.** Every rating starts at
:data:`~tradecover.buyers.rating_scale.BASE_SCORE` points; each factor adds or takes away a
whole number of points from a published table (the ``*_POINTS`` constants of
:mod:`tradecover.buyers.rating_factors`), and the result is clamped to 0..100.  Each
factor's points and the reason for them come back in :attr:`Rating.contributions`, so an
underwriter sees exactly why.  A missing financial ratio or payment record scores 0 points
("not known" is neutral).  Every table is monotone: a worse value of one input, all else
equal, never earns more points, so it never gives a better grade.  The grade and the PD
follow from the score on the scale of :mod:`tradecover.buyers.rating_scale`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from tradecover.buyers.rating_factors import (
    ADVERSE_EVENT_POINTS,
    BANK_ASSETS_FLOOR_POINTS,
    BANK_ASSETS_POINTS_USD,
    BANK_DEFAULT_POINTS,
    BANK_DEFAULTS_CEILING_POINTS,
    BANK_RANK_POINTS,
    BANK_UNRANKED_POINTS,
    CAPITAL_ADEQUACY_FLOOR_POINTS,
    CAPITAL_ADEQUACY_POINTS,
    COMPANY_TYPE_POINTS,
    COUNTRY_CLASS_POINTS,
    CURRENT_RATIO_POINTS,
    DAYS_BEYOND_TERMS_CEILING_POINTS,
    DAYS_BEYOND_TERMS_POINTS,
    DEBT_TO_EQUITY_CEILING_POINTS,
    DEBT_TO_EQUITY_POINTS,
    HARD_STOP_EVENTS,
    INTEREST_COVER_FLOOR_POINTS,
    INTEREST_COVER_POINTS,
    NET_MARGIN_FLOOR_POINTS,
    NET_MARGIN_POINTS,
    OVERDUE_REPORT_CEILING_POINTS,
    OVERDUE_REPORT_POINTS,
    SECTOR_POINTS,
    SECTOR_RISK,
    SIZE_POINTS,
    AdverseEvent,
    CompanyType,
    Sector,
    SizeBand,
)
from tradecover.buyers.rating_scale import (
    BASE_SCORE,
    MAX_SCORE,
    MIN_SCORE,
    MODEL_VERSION,
    WORST_GRADE,
    Contribution,
    Rating,
    grade_for_score,
    pd_for_grade,
)
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.reference.country_risk import check_risk_class


@dataclass(frozen=True, slots=True, kw_only=True)
class BuyerProfile:
    """What the rating model knows about a buyer; ratios and payment record may be missing.

    Ratios are plain numbers (current ratio 1.4, debt/equity 0.8, net margin 0.05 = 5 %,
    interest cover 3.5).  ``days_beyond_terms`` is the average delay past the due date in
    the insurer's and exporters' payment experience; ``None`` means no payment record.
    """

    country_class: int | None
    company_type: CompanyType
    size: SizeBand
    sector: Sector
    current_ratio: Decimal | None = None
    debt_to_equity: Decimal | None = None
    negative_equity: bool = False
    net_margin: Decimal | None = None
    interest_cover: Decimal | None = None
    days_beyond_terms: int | None = None
    overdue_reports: int = 0
    adverse_events: frozenset[AdverseEvent] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class BankProfile:
    """What the rating model knows about a bank (issuing or confirming a letter of credit).

    ``rank`` is the bank's place in a top-1000 banking ranking (``None``: not ranked);
    ``capital_adequacy_ratio`` is a fraction (0.145 = 14.5 %); ``defaults_on_record``
    counts the bank's failures to pay under credits the insurer covered.
    """

    country_class: int | None
    rank: int | None
    total_assets: Money | None
    capital_adequacy_ratio: Decimal | None
    defaults_on_record: int = 0
    adverse_events: frozenset[AdverseEvent] = frozenset()


def _floor_points(value: Decimal, table: Iterable[tuple[Decimal, int]], below: int) -> int:
    return next((points for floor, points in table if value >= floor), below)


def _ceiling_points(
    value: Decimal | int, table: Iterable[tuple[Decimal | int, int]], above: int
) -> int:
    return next((points for ceiling, points in table if value <= ceiling), above)


def _check_ratio(value: Decimal | None, name: str, *, allow_negative: bool) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationFailed(f"{name} must be a finite decimal", code="invalid_ratio", field=name)
    if value < 0 and not allow_negative:
        raise ValidationFailed(f"{name} cannot be negative", code="invalid_ratio", field=name)


def _country(country_class: int | None) -> Contribution:
    if country_class is None:
        return Contribution(
            "country_class",
            "unclassified",
            COUNTRY_CLASS_POINTS[None],
            "country not classified: treated as between class 5 and 6",
        )
    cls = check_risk_class(country_class, field="country_class")
    return Contribution(
        "country_class",
        str(cls),
        COUNTRY_CLASS_POINTS[cls],
        f"OECD country risk class {cls} (0 best, 7 worst)",
    )


def _missing(factor: str, what: str) -> Contribution:
    return Contribution(factor, "unknown", 0, f"{what} not known: neutral")


def _events(events: frozenset[AdverseEvent]) -> list[Contribution]:
    return [
        Contribution(
            f"adverse_event:{e.value}",
            "yes",
            ADVERSE_EVENT_POINTS[e],
            (
                "hard stop: no cover"
                if e in HARD_STOP_EVENTS
                else f"{e.value.replace('_', ' ')} on record"
            ),
        )
        for e in sorted(events)
    ]


def _result(contributions: list[Contribution], events: frozenset[AdverseEvent]) -> Rating:
    raw = BASE_SCORE + sum(c.points for c in contributions)
    score = max(MIN_SCORE, min(MAX_SCORE, raw))
    stops = tuple(sorted(e.value for e in events & HARD_STOP_EVENTS))
    grade = WORST_GRADE if stops else grade_for_score(score)
    return Rating(
        model_version=MODEL_VERSION,
        score=score,
        grade=grade,
        pd=pd_for_grade(grade),
        hard_stop=bool(stops),
        hard_stop_reasons=stops,
        contributions=tuple(contributions),
    )


def rate_buyer(profile: BuyerProfile) -> Rating:
    """Rate a buyer: score, grade, PD and the contribution of every factor."""
    p = profile
    _check_ratio(p.current_ratio, "current_ratio", allow_negative=False)
    _check_ratio(p.debt_to_equity, "debt_to_equity", allow_negative=False)
    _check_ratio(p.net_margin, "net_margin", allow_negative=True)
    _check_ratio(p.interest_cover, "interest_cover", allow_negative=True)
    if p.days_beyond_terms is not None and p.days_beyond_terms < 0:
        raise ValidationFailed(
            "days beyond terms cannot be negative (early payment is 0)",
            code="invalid_days_beyond_terms",
            field="days_beyond_terms",
        )
    if p.overdue_reports < 0:
        raise ValidationFailed(
            "overdue reports cannot be negative",
            code="invalid_overdue_reports",
            field="overdue_reports",
        )
    risk = SECTOR_RISK[p.sector]
    parts = [
        _country(p.country_class),
        Contribution(
            "company_type",
            p.company_type.value,
            COMPANY_TYPE_POINTS[p.company_type],
            f"{p.company_type.value} company",
        ),
        Contribution("size", p.size.value, SIZE_POINTS[p.size], f"revenue band {p.size.value}"),
        Contribution("sector", p.sector.value, SECTOR_POINTS[risk], f"{risk.value} risk sector"),
    ]
    if p.current_ratio is None:
        parts.append(_missing("current_ratio", "current ratio"))
    else:
        parts.append(
            Contribution(
                "current_ratio",
                str(p.current_ratio),
                _floor_points(p.current_ratio, CURRENT_RATIO_POINTS, -8),
                "current assets / current liabilities: short-term liquidity",
            )
        )
    if p.negative_equity:
        parts.append(
            Contribution(
                "debt_to_equity",
                "negative equity",
                DEBT_TO_EQUITY_CEILING_POINTS,
                "liabilities exceed assets",
            )
        )
    elif p.debt_to_equity is None:
        parts.append(_missing("debt_to_equity", "debt/equity"))
    else:
        parts.append(
            Contribution(
                "debt_to_equity",
                str(p.debt_to_equity),
                _ceiling_points(
                    p.debt_to_equity, DEBT_TO_EQUITY_POINTS, DEBT_TO_EQUITY_CEILING_POINTS
                ),
                "total debt / equity: leverage",
            )
        )
    if p.net_margin is None:
        parts.append(_missing("net_margin", "net margin"))
    else:
        parts.append(
            Contribution(
                "net_margin",
                str(p.net_margin),
                _floor_points(p.net_margin, NET_MARGIN_POINTS, NET_MARGIN_FLOOR_POINTS),
                "net profit / revenue: profitability",
            )
        )
    if p.interest_cover is None:
        parts.append(_missing("interest_cover", "interest cover"))
    else:
        parts.append(
            Contribution(
                "interest_cover",
                str(p.interest_cover),
                _floor_points(p.interest_cover, INTEREST_COVER_POINTS, INTEREST_COVER_FLOOR_POINTS),
                "operating profit / interest expense: debt service",
            )
        )
    if p.days_beyond_terms is None:
        parts.append(_missing("days_beyond_terms", "payment record"))
    else:
        parts.append(
            Contribution(
                "days_beyond_terms",
                str(p.days_beyond_terms),
                _ceiling_points(
                    p.days_beyond_terms, DAYS_BEYOND_TERMS_POINTS, DAYS_BEYOND_TERMS_CEILING_POINTS
                ),
                "average days paid beyond terms",
            )
        )
    overdue = (
        OVERDUE_REPORT_POINTS[p.overdue_reports]
        if p.overdue_reports < len(OVERDUE_REPORT_POINTS)
        else OVERDUE_REPORT_CEILING_POINTS
    )
    parts.append(
        Contribution(
            "overdue_reports",
            str(p.overdue_reports),
            overdue,
            "overdue payments reported by insureds",
        )
    )
    parts.extend(_events(p.adverse_events))
    return _result(parts, p.adverse_events)


def rate_bank(profile: BankProfile) -> Rating:
    """Rate a bank on its rank, assets, capital adequacy, history and country ([domain L-3])."""
    p = profile
    if p.rank is not None and (isinstance(p.rank, bool) or p.rank < 1):
        raise ValidationFailed("bank rank starts at 1", code="invalid_rank", field="rank")
    _check_ratio(p.capital_adequacy_ratio, "capital_adequacy_ratio", allow_negative=False)
    if p.defaults_on_record < 0:
        raise ValidationFailed(
            "defaults on record cannot be negative",
            code="invalid_defaults_on_record",
            field="defaults_on_record",
        )
    parts = [_country(p.country_class)]
    if p.rank is None or p.rank > BANK_RANK_POINTS[-1][0]:
        parts.append(
            Contribution(
                "rank",
                "unranked" if p.rank is None else str(p.rank),
                BANK_UNRANKED_POINTS,
                "not in the top 1000 banks",
            )
        )
    else:
        parts.append(
            Contribution(
                "rank",
                str(p.rank),
                _ceiling_points(p.rank, BANK_RANK_POINTS, 0),
                "place in the top-1000 banking ranking",
            )
        )
    if p.total_assets is None:
        parts.append(_missing("total_assets", "total assets"))
    else:
        if p.total_assets.currency != "USD":
            raise ValidationFailed(
                "bank assets are rated in USD: convert them first",
                code="currency_mismatch",
                field="total_assets",
            )
        parts.append(
            Contribution(
                "total_assets",
                str(p.total_assets),
                _floor_points(
                    p.total_assets.amount, BANK_ASSETS_POINTS_USD, BANK_ASSETS_FLOOR_POINTS
                ),
                "total assets",
            )
        )
    if p.capital_adequacy_ratio is None:
        parts.append(_missing("capital_adequacy_ratio", "capital adequacy"))
    else:
        parts.append(
            Contribution(
                "capital_adequacy_ratio",
                str(p.capital_adequacy_ratio),
                _floor_points(
                    p.capital_adequacy_ratio, CAPITAL_ADEQUACY_POINTS, CAPITAL_ADEQUACY_FLOOR_POINTS
                ),
                "total capital / risk-weighted assets (Basel minimum 8 %)",
            )
        )
    defaults = (
        BANK_DEFAULT_POINTS[p.defaults_on_record]
        if p.defaults_on_record < len(BANK_DEFAULT_POINTS)
        else BANK_DEFAULTS_CEILING_POINTS
    )
    parts.append(
        Contribution(
            "defaults_on_record",
            str(p.defaults_on_record),
            defaults,
            "payment defaults under credits the insurer covered",
        )
    )
    parts.extend(_events(p.adverse_events))
    return _result(parts, p.adverse_events)
