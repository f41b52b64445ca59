"""The rating model's factors and their published point tables.

What a buyer or bank is rated on (company type, size band, sector and its risk, adverse
events) and the points each value earns, tried in order (``*_POINTS``); every table is
monotone.  :data:`HARD_STOP_EVENTS` are the events after which no cover is given at all.
The scoring itself is :mod:`tradecover.buyers.rating`.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Final

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money


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
    0: 15,
    1: 12,
    2: 8,
    3: 4,
    4: 0,
    5: -5,
    6: -12,
    7: -18,
    None: -8,
}
"""Points per OECD country risk class; an unclassified country (None) sits between 5 and 6."""

COMPANY_TYPE_POINTS: Final[dict[CompanyType, int]] = {
    CompanyType.LISTED: 6,
    CompanyType.STATE_OWNED: 4,
    CompanyType.PRIVATE: 0,
    CompanyType.PARTNERSHIP: -2,
    CompanyType.SOLE_TRADER: -6,
}
SIZE_POINTS: Final[dict[SizeBand, int]] = {
    SizeBand.MICRO: -6,
    SizeBand.SMALL: -2,
    SizeBand.MEDIUM: 2,
    SizeBand.LARGE: 5,
    SizeBand.VERY_LARGE: 8,
}
SECTOR_POINTS: Final[dict[SectorRisk, int]] = {
    SectorRisk.LOW: 4,
    SectorRisk.MEDIUM: 0,
    SectorRisk.HIGH: -4,
    SectorRisk.VERY_HIGH: -8,
}
SIZE_BAND_FLOORS_USD: Final[tuple[tuple[Decimal, SizeBand], ...]] = (
    (Decimal(500_000_000), SizeBand.VERY_LARGE),
    (Decimal(50_000_000), SizeBand.LARGE),
    (Decimal(10_000_000), SizeBand.MEDIUM),
    (Decimal(2_000_000), SizeBand.SMALL),
    (Decimal(0), SizeBand.MICRO),
)

# Higher is better: points for the first floor the value reaches.
CURRENT_RATIO_POINTS: Final = (
    (Decimal("2.0"), 5),
    (Decimal("1.5"), 3),
    (Decimal("1.0"), 0),
    (Decimal("0.8"), -4),
    (Decimal(0), -8),
)
NET_MARGIN_POINTS: Final = (
    (Decimal("0.10"), 5),
    (Decimal("0.05"), 3),
    (Decimal(0), 0),
    (Decimal("-0.05"), -4),
)
NET_MARGIN_FLOOR_POINTS: Final = -8
INTEREST_COVER_POINTS: Final = ((Decimal(8), 5), (Decimal(4), 3), (Decimal(2), 0), (Decimal(1), -4))
INTEREST_COVER_FLOOR_POINTS: Final = -8
# Lower is better: points for the first ceiling the value stays within.
DEBT_TO_EQUITY_POINTS: Final = (
    (Decimal("0.5"), 5),
    (Decimal("1.0"), 3),
    (Decimal("2.0"), 0),
    (Decimal("4.0"), -4),
)
DEBT_TO_EQUITY_CEILING_POINTS: Final = -8  # above 4, and negative equity
DAYS_BEYOND_TERMS_POINTS: Final = ((0, 5), (15, 2), (30, -2), (60, -6), (90, -10))
DAYS_BEYOND_TERMS_CEILING_POINTS: Final = -15
OVERDUE_REPORT_POINTS: Final = (0, -4, -8)  # 0, 1, 2 reports; 3 or more:
OVERDUE_REPORT_CEILING_POINTS: Final = -12
ADVERSE_EVENT_POINTS: Final[dict[AdverseEvent, int]] = {
    AdverseEvent.PROTEST: -15,
    AdverseEvent.LITIGATION: -8,
    AdverseEvent.INSOLVENCY_FILING: -30,
    AdverseEvent.SANCTIONS_HIT: -30,
}

# Banks.
BANK_RANK_POINTS: Final = ((50, 15), (100, 12), (250, 8), (500, 4), (1000, 1))
BANK_UNRANKED_POINTS: Final = -6
BANK_ASSETS_POINTS_USD: Final = (
    (Decimal(500_000_000_000), 8),
    (Decimal(100_000_000_000), 5),
    (Decimal(10_000_000_000), 2),
    (Decimal(1_000_000_000), 0),
)
BANK_ASSETS_FLOOR_POINTS: Final = -5
CAPITAL_ADEQUACY_POINTS: Final = (
    (Decimal("0.15"), 6),
    (Decimal("0.12"), 3),
    (Decimal("0.105"), 0),
    (Decimal("0.08"), -6),
)
CAPITAL_ADEQUACY_FLOOR_POINTS: Final = -15  # under the Basel 8 % minimum
BANK_DEFAULT_POINTS: Final = (2, -10)  # no default on record, one; two or more:
BANK_DEFAULTS_CEILING_POINTS: Final = -20


def size_band_for(revenue: Money) -> SizeBand:
    """The size band of an annual revenue in US dollars."""
    if revenue.currency != "USD":
        raise ValidationFailed(
            "revenue bands are in USD: convert the revenue first",
            code="currency_mismatch",
            field="revenue",
        )
    if revenue.amount < 0:
        raise ValidationFailed(
            "revenue cannot be negative", code="negative_revenue", field="revenue"
        )
    return next(band for floor, band in SIZE_BAND_FLOORS_USD if revenue.amount >= floor)
