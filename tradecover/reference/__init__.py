"""Reference data: countries, currencies, country risk classes, payment terms, HS chapters.

Pure lookups over ISO data packages (pycountry) and data files shipped in ``data/``;
no web and no SQL.  Currencies live in :mod:`tradecover.kit.money` and are re-exported.
"""

from tradecover.kit.money import UnknownCurrency, check_currency, is_currency, minor_unit
from tradecover.reference.countries import (
    Country,
    UnknownCountry,
    all_countries,
    check_country,
    country,
    country_name,
    is_country,
)
from tradecover.reference.country_risk import (
    ClassificationBasis,
    ClassificationSource,
    CountryRiskClass,
    CountryRiskEntry,
    InvalidRiskClass,
    check_risk_class,
    classification_source,
    risk_entry,
    shipped_classification,
    shipped_risk_class,
)
from tradecover.reference.hs import HsChapter, UnknownHsCode, chapter_of, check_hs_code, hs_chapters
from tradecover.reference.payment_terms import (
    CREDIT_PERIOD_BANDS,
    MAX_SHORT_TERM_CREDIT_DAYS,
    CreditPeriodBand,
    CreditPeriodOutOfRange,
    PaymentTerms,
    band_for,
    check_credit_period,
)
from tradecover.reference.regions import Region, UnknownRegion, check_region, regions

__all__ = [
    "CREDIT_PERIOD_BANDS",
    "MAX_SHORT_TERM_CREDIT_DAYS",
    "ClassificationBasis",
    "ClassificationSource",
    "Country",
    "CountryRiskClass",
    "CountryRiskEntry",
    "CreditPeriodBand",
    "CreditPeriodOutOfRange",
    "HsChapter",
    "InvalidRiskClass",
    "PaymentTerms",
    "Region",
    "UnknownCountry",
    "UnknownCurrency",
    "UnknownHsCode",
    "UnknownRegion",
    "all_countries",
    "band_for",
    "chapter_of",
    "check_country",
    "check_credit_period",
    "check_currency",
    "check_hs_code",
    "check_region",
    "check_risk_class",
    "classification_source",
    "country",
    "country_name",
    "hs_chapters",
    "is_country",
    "is_currency",
    "minor_unit",
    "regions",
    "risk_entry",
    "shipped_classification",
    "shipped_risk_class",
]
