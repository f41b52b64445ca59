"""The buyer (and bank) rating model: a transparent scorecard, a grade and a one-year PD.

[002] (section 七.4) says the insurer rates every buyer with a buyer risk model and
derives the buyer aggregate limit from that rating; the factors it names are the buyer's
country risk class, the nature of the company, its size, its sector and the overall
assessment of its business (financials, payment record, adverse news).  For letters of
credit the issuing or confirming bank is rated instead, on its rank, assets, capital
adequacy and its history with the insurer ([domain L-3]).

**How a score is made.** Every rating starts at :data:`BASE_SCORE` points; each factor adds
or takes away a whole number of points from a published table (the ``*_POINTS`` constants
below), and the result is clamped to 0..100.  Each factor's points and the reason for them
come back in :attr:`Rating.contributions`, so an underwriter sees exactly why.  A missing
financial ratio or payment record scores 0 points ("not known" is neutral).  Every table is
monotone: a worse value of one input, all else equal, never earns more points, so it never
gives a better grade.

**Grades.** Twenty grades, 1 (best) to 20 (worst), labelled like the agencies' scale:
1 ``AAA`` ... 10 ``BBB-`` (the last investment grade) ... 19 ``CC``, 20 ``D``.  Grades
1-19 follow from the score (:data:`GRADE_FLOORS`); grade 20 is kept for a **hard stop**
(an insolvency filing or a sanctions hit): no cover, whatever the score.

**Probability of default.** Each grade maps to a one-year PD on a master scale
(:data:`PD_MASTER_SCALE`), strictly increasing with the grade; grade 20 is 100 % (treated
as in default).  The figures are tradecover's calibration of the agencies' long-run
one-year default rates, not a published table: an insurer replaces them with its own
experience by releasing a new :data:`MODEL_VERSION`.

Every result records :data:`MODEL_VERSION`, so every limit decision can say which model
rated the buyer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.reference.country_risk import check_risk_class

MODEL_VERSION: Final = "buyer-rating-2026.1"
"""Version of the rating model (tables, grade floors and master scale) in this module."""

BASE_SCORE: Final = 50
"""Points every rating starts from before its factors are added."""

MIN_SCORE: Final = 0
MAX_SCORE: Final = 100
WORST_GRADE: Final = 20
"""The hard-stop grade (``D``)."""

GRADE_LABELS: Final[tuple[str, ...]] = (
    "AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-",
    "BB+", "BB", "BB-", "B+", "B", "B-", "CCC+", "CCC", "CC", "D",
)
"""Label of grade ``g`` is ``GRADE_LABELS[g - 1]``."""

GRADE_FLOORS: Final[tuple[int, ...]] = (
    90, 85, 80, 76, 72, 68, 64, 60, 56, 52, 48, 44, 40, 36, 32, 27, 22, 16, MIN_SCORE,
)
"""Lowest score of grades 1..19: a score of at least ``GRADE_FLOORS[g - 1]`` earns grade g."""

PD_MASTER_SCALE: Final[tuple[Decimal, ...]] = tuple(
    Decimal(p)
    for p in (
        "0.0001", "0.0002", "0.0003", "0.0004", "0.0005", "0.0007", "0.0009", "0.0013",
        "0.0018", "0.0027", "0.0040", "0.0060", "0.0090", "0.0140", "0.0220", "0.0350",
        "0.0600", "0.1000", "0.2000", "1",
    )
)
"""One-year probability of default of grades 1..20 (fractions: 0.0027 = 0.27 %)."""


class CompanyType(StrEnum):
    """Ownership and legal nature of the buyer."""

    LISTED = "listed"
    STATE_OWNED = "state_owned"
    PRIVATE = "private"
    PARTNERSHIP = "partnership"
    SOLE_TRADER = "sole_trader"


class SizeBand(StrEnum):
    """Annual revenue band, in US dollars (see :func:`size_band_for`)."""

    MICRO = "micro"  # under 2 million
    SMALL = "small"  # 2 to 10 million
    MEDIUM = "medium"  # 10 to 50 million
    LARGE = "large"  # 50 to 500 million
    VERY_LARGE = "very_large"  # 500 million and more


class SectorRisk(StrEnum):
    """How risky a sector is for trade credit, from low to very high."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


class Sector(StrEnum):
    """The buyer's main business; :data:`SECTOR_RISK` gives each one's risk level."""

    AGRICULTURE = "agriculture"
    FOOD_BEVERAGE = "food_beverage"
    PHARMACEUTICALS = "pharmaceuticals"
    HEALTHCARE = "healthcare"
    UTILITIES = "utilities"
    TELECOM = "telecom"
    CHEMICALS = "chemicals"
    MACHINERY = "machinery"
    ELECTRONICS = "electronics"
    AUTOMOTIVE = "automotive"
    METALS = "metals"
    MINING = "mining"
    OIL_GAS = "oil_gas"
    TEXTILES_APPAREL = "textiles_apparel"
    FURNITURE = "furniture"
    WHOLESALE = "wholesale"
    RETAIL = "retail"
    TRANSPORT_LOGISTICS = "transport_logistics"
    IT_SERVICES = "it_services"
    CONSTRUCTION = "construction"
    REAL_ESTATE = "real_estate"
    HOSPITALITY = "hospitality"
    OTHER = "other"


SECTOR_RISK: Final[dict[Sector, SectorRisk]] = {
    Sector.AGRICULTURE: SectorRisk.MEDIUM,
    Sector.FOOD_BEVERAGE: SectorRisk.LOW,
    Sector.PHARMACEUTICALS: SectorRisk.LOW,
    Sector.HEALTHCARE: SectorRisk.LOW,
    Sector.UTILITIES: SectorRisk.LOW,
    Sector.TELECOM: SectorRisk.LOW,
    Sector.CHEMICALS: SectorRisk.MEDIUM,
    Sector.MACHINERY: SectorRisk.MEDIUM,
    Sector.ELECTRONICS: SectorRisk.MEDIUM,
    Sector.AUTOMOTIVE: SectorRisk.HIGH,
    Sector.METALS: SectorRisk.HIGH,
    Sector.MINING: SectorRisk.HIGH,
    Sector.OIL_GAS: SectorRisk.MEDIUM,
    Sector.TEXTILES_APPAREL: SectorRisk.HIGH,
    Sector.FURNITURE: SectorRisk.HIGH,
    Sector.WHOLESALE: SectorRisk.MEDIUM,
    Sector.RETAIL: SectorRisk.HIGH,
    Sector.TRANSPORT_LOGISTICS: SectorRisk.MEDIUM,
    Sector.IT_SERVICES: SectorRisk.MEDIUM,
    Sector.CONSTRUCTION: SectorRisk.VERY_HIGH,
    Sector.REAL_ESTATE: SectorRisk.VERY_HIGH,
    Sector.HOSPITALITY: SectorRisk.HIGH,
    Sector.OTHER: SectorRisk.MEDIUM,
}
"""The sector risk table (industry practice; an insurer overrides it with a new version)."""


class AdverseEvent(StrEnum):
    """Adverse news about a buyer or bank; see :data:`HARD_STOP_EVENTS`."""

    INSOLVENCY_FILING = "insolvency_filing"
    SANCTIONS_HIT = "sanctions_hit"
    PROTEST = "protest"  # a bill of exchange protested for non-payment
    LITIGATION = "litigation"  # a creditor's lawsuit for unpaid debt


HARD_STOP_EVENTS: Final = frozenset({AdverseEvent.INSOLVENCY_FILING, AdverseEvent.SANCTIONS_HIT})
"""Events after which no cover is given at all: the rating is grade 20 whatever the score."""

# --- point tables: (threshold, points), tried in order ----------------------------------

COUNTRY_CLASS_POINTS: Final[dict[int | None, int]] = {
    0: 15, 1: 12, 2: 8, 3: 4, 4: 0, 5: -5, 6: -12, 7: -18, None: -8,
}
"""Points per OECD country risk class; an unclassified country (None) sits between 5 and 6."""

COMPANY_TYPE_POINTS: Final[dict[CompanyType, int]] = {
    CompanyType.LISTED: 6, CompanyType.STATE_OWNED: 4, CompanyType.PRIVATE: 0,
    CompanyType.PARTNERSHIP: -2, CompanyType.SOLE_TRADER: -6,
}
SIZE_POINTS: Final[dict[SizeBand, int]] = {
    SizeBand.MICRO: -6, SizeBand.SMALL: -2, SizeBand.MEDIUM: 2, SizeBand.LARGE: 5,
    SizeBand.VERY_LARGE: 8,
}
SECTOR_POINTS: Final[dict[SectorRisk, int]] = {
    SectorRisk.LOW: 4, SectorRisk.MEDIUM: 0, SectorRisk.HIGH: -4, SectorRisk.VERY_HIGH: -8,
}
SIZE_BAND_FLOORS_USD: Final[tuple[tuple[Decimal, SizeBand], ...]] = (
    (Decimal(500_000_000), SizeBand.VERY_LARGE),
    (Decimal(50_000_000), SizeBand.LARGE),
    (Decimal(10_000_000), SizeBand.MEDIUM),
    (Decimal(2_000_000), SizeBand.SMALL),
    (Decimal(0), SizeBand.MICRO),
)

# Higher is better: points for the first floor the value reaches.
CURRENT_RATIO_POINTS: Final = ((Decimal("2.0"), 5), (Decimal("1.5"), 3), (Decimal("1.0"), 0),
                               (Decimal("0.8"), -4), (Decimal(0), -8))
NET_MARGIN_POINTS: Final = ((Decimal("0.10"), 5), (Decimal("0.05"), 3), (Decimal(0), 0),
                            (Decimal("-0.05"), -4))
NET_MARGIN_FLOOR_POINTS: Final = -8
INTEREST_COVER_POINTS: Final = ((Decimal(8), 5), (Decimal(4), 3), (Decimal(2), 0),
                                (Decimal(1), -4))
INTEREST_COVER_FLOOR_POINTS: Final = -8
# Lower is better: points for the first ceiling the value stays within.
DEBT_TO_EQUITY_POINTS: Final = ((Decimal("0.5"), 5), (Decimal("1.0"), 3), (Decimal("2.0"), 0),
                                (Decimal("4.0"), -4))
DEBT_TO_EQUITY_CEILING_POINTS: Final = -8  # above 4, and negative equity
DAYS_BEYOND_TERMS_POINTS: Final = ((0, 5), (15, 2), (30, -2), (60, -6), (90, -10))
DAYS_BEYOND_TERMS_CEILING_POINTS: Final = -15
OVERDUE_REPORT_POINTS: Final = (0, -4, -8)  # 0, 1, 2 reports; 3 or more:
OVERDUE_REPORT_CEILING_POINTS: Final = -12
ADVERSE_EVENT_POINTS: Final[dict[AdverseEvent, int]] = {
    AdverseEvent.PROTEST: -15, AdverseEvent.LITIGATION: -8,
    AdverseEvent.INSOLVENCY_FILING: -30, AdverseEvent.SANCTIONS_HIT: -30,
}

# Banks.
BANK_RANK_POINTS: Final = ((50, 15), (100, 12), (250, 8), (500, 4), (1000, 1))
BANK_UNRANKED_POINTS: Final = -6
BANK_ASSETS_POINTS_USD: Final = ((Decimal(500_000_000_000), 8), (Decimal(100_000_000_000), 5),
                                 (Decimal(10_000_000_000), 2), (Decimal(1_000_000_000), 0))
BANK_ASSETS_FLOOR_POINTS: Final = -5
CAPITAL_ADEQUACY_POINTS: Final = ((Decimal("0.15"), 6), (Decimal("0.12"), 3),
                                  (Decimal("0.105"), 0), (Decimal("0.08"), -6))
CAPITAL_ADEQUACY_FLOOR_POINTS: Final = -15  # under the Basel 8 % minimum
BANK_DEFAULT_POINTS: Final = (2, -10)  # no default on record, one; two or more:
BANK_DEFAULTS_CEILING_POINTS: Final = -20


@dataclass(frozen=True, slots=True)
class Contribution:
    """One factor's part in a rating: the input as shown, its points and why."""

    factor: str
    value: str
    points: int
    explanation: str


@dataclass(frozen=True, slots=True)
class Rating:
    """A rating result: score, grade, one-year PD and each factor's contribution."""

    model_version: str
    score: int
    grade: int
    pd: Decimal
    hard_stop: bool
    hard_stop_reasons: tuple[str, ...]
    contributions: tuple[Contribution, ...]

    @property
    def grade_label(self) -> str:
        """The agency-style label of the grade (``"BBB-"``)."""
        return GRADE_LABELS[self.grade - 1]

    def at_least(self, grade: int) -> bool:
        """True when this grade is ``grade`` or better (a lower number)."""
        return self.grade <= grade


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


def size_band_for(revenue: Money) -> SizeBand:
    """The size band of an annual revenue in US dollars."""
    if revenue.currency != "USD":
        raise ValidationFailed("revenue bands are in USD: convert the revenue first",
                               code="currency_mismatch", field="revenue")
    if revenue.amount < 0:
        raise ValidationFailed("revenue cannot be negative", code="negative_revenue",
                               field="revenue")
    return next(band for floor, band in SIZE_BAND_FLOORS_USD if revenue.amount >= floor)


def grade_for_score(score: int) -> int:
    """Grade 1..19 of a score (grade 20 is only given by a hard stop)."""
    return next(g for g, floor in enumerate(GRADE_FLOORS, start=1) if score >= floor)


def pd_for_grade(grade: int) -> Decimal:
    """One-year probability of default of a grade 1..20 (master scale)."""
    if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= WORST_GRADE:
        raise ValidationFailed(f"grade must be 1..{WORST_GRADE}", code="invalid_grade",
                               field="grade")
    return PD_MASTER_SCALE[grade - 1]


def _floor_points(value: Decimal, table: Iterable[tuple[Decimal, int]], below: int) -> int:
    return next((points for floor, points in table if value >= floor), below)


def _ceiling_points(value: Decimal | int, table: Iterable[tuple[Decimal | int, int]],
                    above: int) -> int:
    return next((points for ceiling, points in table if value <= ceiling), above)


def _check_ratio(value: Decimal | None, name: str, *, allow_negative: bool) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationFailed(f"{name} must be a finite decimal", code="invalid_ratio",
                               field=name)
    if value < 0 and not allow_negative:
        raise ValidationFailed(f"{name} cannot be negative", code="invalid_ratio", field=name)


def _country(country_class: int | None) -> Contribution:
    if country_class is None:
        return Contribution("country_class", "unclassified", COUNTRY_CLASS_POINTS[None],
                            "country not classified: treated as between class 5 and 6")
    cls = check_risk_class(country_class, field="country_class")
    return Contribution("country_class", str(cls), COUNTRY_CLASS_POINTS[cls],
                        f"OECD country risk class {cls} (0 best, 7 worst)")


def _missing(factor: str, what: str) -> Contribution:
    return Contribution(factor, "unknown", 0, f"{what} not known: neutral")


def _events(events: frozenset[AdverseEvent]) -> list[Contribution]:
    return [Contribution(f"adverse_event:{e.value}", "yes", ADVERSE_EVENT_POINTS[e],
                         ("hard stop: no cover" if e in HARD_STOP_EVENTS
                          else f"{e.value.replace('_', ' ')} on record"))
            for e in sorted(events)]


def _result(contributions: list[Contribution], events: frozenset[AdverseEvent]) -> Rating:
    raw = BASE_SCORE + sum(c.points for c in contributions)
    score = max(MIN_SCORE, min(MAX_SCORE, raw))
    stops = tuple(sorted(e.value for e in events & HARD_STOP_EVENTS))
    grade = WORST_GRADE if stops else grade_for_score(score)
    return Rating(model_version=MODEL_VERSION, score=score, grade=grade,
                  pd=pd_for_grade(grade), hard_stop=bool(stops), hard_stop_reasons=stops,
                  contributions=tuple(contributions))


def rate_buyer(profile: BuyerProfile) -> Rating:
    """Rate a buyer: score, grade, PD and the contribution of every factor."""
    p = profile
    _check_ratio(p.current_ratio, "current_ratio", allow_negative=False)
    _check_ratio(p.debt_to_equity, "debt_to_equity", allow_negative=False)
    _check_ratio(p.net_margin, "net_margin", allow_negative=True)
    _check_ratio(p.interest_cover, "interest_cover", allow_negative=True)
    if p.days_beyond_terms is not None and p.days_beyond_terms < 0:
        raise ValidationFailed("days beyond terms cannot be negative (early payment is 0)",
                               code="invalid_days_beyond_terms", field="days_beyond_terms")
    if p.overdue_reports < 0:
        raise ValidationFailed("overdue reports cannot be negative",
                               code="invalid_overdue_reports", field="overdue_reports")
    risk = SECTOR_RISK[p.sector]
    parts = [
        _country(p.country_class),
        Contribution("company_type", p.company_type.value,
                     COMPANY_TYPE_POINTS[p.company_type], f"{p.company_type.value} company"),
        Contribution("size", p.size.value, SIZE_POINTS[p.size], f"revenue band {p.size.value}"),
        Contribution("sector", p.sector.value, SECTOR_POINTS[risk], f"{risk.value} risk sector"),
    ]
    if p.current_ratio is None:
        parts.append(_missing("current_ratio", "current ratio"))
    else:
        parts.append(Contribution(
            "current_ratio", str(p.current_ratio),
            _floor_points(p.current_ratio, CURRENT_RATIO_POINTS, -8),
            "current assets / current liabilities: short-term liquidity"))
    if p.negative_equity:
        parts.append(Contribution("debt_to_equity", "negative equity",
                                  DEBT_TO_EQUITY_CEILING_POINTS, "liabilities exceed assets"))
    elif p.debt_to_equity is None:
        parts.append(_missing("debt_to_equity", "debt/equity"))
    else:
        parts.append(Contribution(
            "debt_to_equity", str(p.debt_to_equity),
            _ceiling_points(p.debt_to_equity, DEBT_TO_EQUITY_POINTS,
                            DEBT_TO_EQUITY_CEILING_POINTS),
            "total debt / equity: leverage"))
    if p.net_margin is None:
        parts.append(_missing("net_margin", "net margin"))
    else:
        parts.append(Contribution(
            "net_margin", str(p.net_margin),
            _floor_points(p.net_margin, NET_MARGIN_POINTS, NET_MARGIN_FLOOR_POINTS),
            "net profit / revenue: profitability"))
    if p.interest_cover is None:
        parts.append(_missing("interest_cover", "interest cover"))
    else:
        parts.append(Contribution(
            "interest_cover", str(p.interest_cover),
            _floor_points(p.interest_cover, INTEREST_COVER_POINTS, INTEREST_COVER_FLOOR_POINTS),
            "operating profit / interest expense: debt service"))
    if p.days_beyond_terms is None:
        parts.append(_missing("days_beyond_terms", "payment record"))
    else:
        parts.append(Contribution(
            "days_beyond_terms", str(p.days_beyond_terms),
            _ceiling_points(p.days_beyond_terms, DAYS_BEYOND_TERMS_POINTS,
                            DAYS_BEYOND_TERMS_CEILING_POINTS),
            "average days paid beyond terms"))
    overdue = (OVERDUE_REPORT_POINTS[p.overdue_reports]
               if p.overdue_reports < len(OVERDUE_REPORT_POINTS)
               else OVERDUE_REPORT_CEILING_POINTS)
    parts.append(Contribution("overdue_reports", str(p.overdue_reports), overdue,
                              "overdue payments reported by insureds"))
    parts.extend(_events(p.adverse_events))
    return _result(parts, p.adverse_events)


def rate_bank(profile: BankProfile) -> Rating:
    """Rate a bank on its rank, assets, capital adequacy, history and country ([domain L-3])."""
    p = profile
    if p.rank is not None and (isinstance(p.rank, bool) or p.rank < 1):
        raise ValidationFailed("bank rank starts at 1", code="invalid_rank", field="rank")
    _check_ratio(p.capital_adequacy_ratio, "capital_adequacy_ratio", allow_negative=False)
    if p.defaults_on_record < 0:
        raise ValidationFailed("defaults on record cannot be negative",
                               code="invalid_defaults_on_record", field="defaults_on_record")
    parts = [_country(p.country_class)]
    if p.rank is None or p.rank > BANK_RANK_POINTS[-1][0]:
        parts.append(Contribution("rank", "unranked" if p.rank is None else str(p.rank),
                                  BANK_UNRANKED_POINTS, "not in the top 1000 banks"))
    else:
        parts.append(Contribution("rank", str(p.rank),
                                  _ceiling_points(p.rank, BANK_RANK_POINTS, 0),
                                  "place in the top-1000 banking ranking"))
    if p.total_assets is None:
        parts.append(_missing("total_assets", "total assets"))
    else:
        if p.total_assets.currency != "USD":
            raise ValidationFailed("bank assets are rated in USD: convert them first",
                                   code="currency_mismatch", field="total_assets")
        parts.append(Contribution(
            "total_assets", str(p.total_assets),
            _floor_points(p.total_assets.amount, BANK_ASSETS_POINTS_USD,
                          BANK_ASSETS_FLOOR_POINTS),
            "total assets"))
    if p.capital_adequacy_ratio is None:
        parts.append(_missing("capital_adequacy_ratio", "capital adequacy"))
    else:
        parts.append(Contribution(
            "capital_adequacy_ratio", str(p.capital_adequacy_ratio),
            _floor_points(p.capital_adequacy_ratio, CAPITAL_ADEQUACY_POINTS,
                          CAPITAL_ADEQUACY_FLOOR_POINTS),
            "total capital / risk-weighted assets (Basel minimum 8 %)"))
    defaults = (BANK_DEFAULT_POINTS[p.defaults_on_record]
                if p.defaults_on_record < len(BANK_DEFAULT_POINTS)
                else BANK_DEFAULTS_CEILING_POINTS)
    parts.append(Contribution("defaults_on_record", str(p.defaults_on_record), defaults,
                              "payment defaults under credits the insurer covered"))
    parts.extend(_events(p.adverse_events))
    return _result(parts, p.adverse_events)
