"""Reading the values of a feed: amounts, dates, currencies, countries, party identifiers.

Amounts are exact ``Decimal`` parsed from plain decimal text (no float, no exponent, no
thousands separator); a value that is not so is refused as ``amount_malformed``.
Identifiers are kept as sent (compacted) with ``valid`` from ``python-stdnum`` where it
knows the scheme (VAT numbers of every country it covers, LEI, GLN, DUNS; an EORI whose
national part is the VAT number, as in GB and most EU states), else ``None``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pycountry
from stdnum import ean, lei
from stdnum.util import get_cc_module

from tradecover.feeds.record import IdentifierScheme, PartyIdentifier, Refusal
from tradecover.kit.money import is_currency

AMOUNT_MALFORMED = "amount_malformed"
DATE_MALFORMED = "date_malformed"
CURRENCY_UNKNOWN = "currency_unknown"
COUNTRY_UNKNOWN = "country_unknown"

_AMOUNT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_COMPACT_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_EORI = re.compile(r"([A-Z]{2})([0-9A-Z]{1,15})")
_DAYS = re.compile(
    r"(?:net|netto|within|inom|dans|binnen|innerhalb|entro)?\s*([0-9]{1,3})\s*"
    r"(?:calendar\s+)?(?:days?|dagar|dgr|jours?|tage|tagen|dagen|giorni|d[ií]as|dni|päivää)\b"
    r"|\bnet\s*([0-9]{1,3})\b",
    re.IGNORECASE,
)


def parse_amount(text: str | None, *, field: str = "amount") -> Decimal | None:
    """``Decimal`` of a plain decimal text; None for None/blank; refuse anything else."""
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    if _AMOUNT.fullmatch(text) is None:
        raise Refusal(AMOUNT_MALFORMED, f"{field}: {text[:40]!r} is not a decimal amount")
    return Decimal(text)


def _date(year: str, month: str, day: str, text: str, field: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise Refusal(DATE_MALFORMED, f"{field}: {text[:40]!r} is not a date") from None


def parse_iso_date(text: str | None, *, field: str = "date") -> date | None:
    """A ``YYYY-MM-DD`` date (an ISO timestamp's date part is accepted); None when absent."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    match = _ISO_DATE.match(text)
    if match is None:
        raise Refusal(DATE_MALFORMED, f"{field}: {text[:40]!r} is not a YYYY-MM-DD date")
    year, month, day = match.groups()
    return _date(year, month, day, text, field)


def parse_compact_date(text: str | None, *, field: str = "date") -> date | None:
    """A ``YYYYMMDD`` date (UN/EDIFACT 102; also the date part of 203/304 timestamps)."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    match = _COMPACT_DATE.match(text)
    if match is None:
        raise Refusal(DATE_MALFORMED, f"{field}: {text[:40]!r} is not a YYYYMMDD date")
    year, month, day = match.groups()
    return _date(year, month, day, text, field)


def check_currency_code(code: str | None, *, field: str = "currency") -> str | None:
    """The ISO 4217 code, stripped; refuse an unknown one."""
    if code is None:
        return None
    code = code.strip()
    if not code:
        return None
    if not is_currency(code):
        raise Refusal(CURRENCY_UNKNOWN, f"{field}: {code[:10]!r} is not an ISO 4217 code")
    return code


@lru_cache(maxsize=512)
def _is_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None


def check_country_code(code: str | None, *, field: str = "country") -> str | None:
    """The ISO 3166-1 alpha-2 code, upper-cased; refuse an unknown one."""
    if code is None or not code.strip():
        return None
    code = code.strip().upper()
    if len(code) != 2 or not _is_country(code):
        raise Refusal(COUNTRY_UNKNOWN, f"{field}: {code[:10]!r} is not an ISO 3166 code")
    return code


def payment_terms_days(text: str | None) -> int | None:
    """The number of days in a payment-terms text ("30 days net", "Net 30"), or None."""
    if not text:
        return None
    match = _DAYS.search(text)
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


@lru_cache(maxsize=256)
def _vat_module(country: str) -> Any:
    try:
        return get_cc_module(country.lower(), "vat")
    except (ImportError, ValueError):
        return None


def _vat_valid(value: str) -> bool | None:
    country = value[:2]
    if country == "EL":
        country = "GR"
    module = _vat_module(country) if country.isalpha() else None
    if module is None:
        return None
    return bool(module.is_valid(value))


def compact(value: str) -> str:
    """An identifier without spaces, dots, dashes and slashes, upper-cased."""
    return re.sub(r"[\s.\-/]", "", value).upper()


@lru_cache(maxsize=65536)
def identifier(scheme: IdentifierScheme, raw: str) -> PartyIdentifier:
    """A party identifier of ``scheme`` with its validity where a rule knows the scheme.

    Cached: a feed repeats the same exporters and buyers, and the checksums are costly.
    """
    value = compact(raw) if scheme is not IdentifierScheme.OTHER else raw.strip()
    valid: bool | None = None
    if scheme is IdentifierScheme.VAT:
        valid = _vat_valid(value)
    elif scheme is IdentifierScheme.EORI:
        match = _EORI.fullmatch(value)
        if match is None:
            valid = False
        else:
            national_vat = _vat_valid(value[:11] if value.startswith("GB") else value)
            valid = True if national_vat else None
    elif scheme is IdentifierScheme.LEI:
        valid = bool(lei.is_valid(value))
    elif scheme is IdentifierScheme.GLN:
        valid = bool(ean.is_valid(value)) and len(value) == 13
    elif scheme is IdentifierScheme.DUNS:
        valid = value.isdigit() and len(value) == 9
    return PartyIdentifier(scheme, value, valid)


SCHEME_BY_ICD = {
    "0088": IdentifierScheme.GLN,
    "0060": IdentifierScheme.DUNS,
    "0199": IdentifierScheme.LEI,
}
"""ISO 6523 ICD codes (UBL/CII ``schemeID``) the readers map to a scheme."""


def scheme_of(scheme_id: str | None) -> IdentifierScheme:
    """The identifier scheme of a UBL/CII ``schemeID`` (ISO 6523 ICD or VAT/"VA")."""
    if scheme_id is None:
        return IdentifierScheme.OTHER
    scheme_id = scheme_id.strip()
    if scheme_id in ("VA", "VAT"):
        return IdentifierScheme.VAT
    return SCHEME_BY_ICD.get(scheme_id, IdentifierScheme.REGISTRATION)
