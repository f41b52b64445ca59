"""ISO 3166-1 countries: validation of alpha-2 codes, names and the list of all countries.

The source is pycountry's copy of the ISO 3166-1 table.  Codes are the upper-case
alpha-2 form (``"DE"``, ``"KR"``); lower case or alpha-3 input is refused rather than
silently converted, so that what is stored is always the canonical code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import pycountry

from tradecover.kit.errors import ValidationFailed


class UnknownCountry(ValidationFailed):
    """The code is not an ISO 3166-1 alpha-2 country code."""

    default_code = "unknown_country"


@dataclass(frozen=True, slots=True)
class Country:
    """One ISO 3166-1 country or territory."""

    alpha2: str
    alpha3: str
    numeric: str
    name: str
    official_name: str | None


@cache
def _countries() -> dict[str, Country]:
    result: dict[str, Country] = {}
    for c in pycountry.countries:
        result[c.alpha_2] = Country(
            alpha2=c.alpha_2,
            alpha3=c.alpha_3,
            numeric=c.numeric,
            name=getattr(c, "common_name", None) or c.name,
            official_name=getattr(c, "official_name", None),
        )
    return dict(sorted(result.items()))


def is_country(code: object) -> bool:
    """Tell whether ``code`` is an upper-case ISO 3166-1 alpha-2 code."""
    return isinstance(code, str) and code in _countries()


def check_country(code: object, *, field: str = "country") -> str:
    """Return ``code`` if it is a known alpha-2 code, else raise :class:`UnknownCountry`."""
    if not is_country(code):
        raise UnknownCountry(
            f"{code!r} is not an ISO 3166-1 alpha-2 country code",
            field=field,
            details={"value": code if isinstance(code, str) else repr(code)},
        )
    assert isinstance(code, str)
    return code


def country(code: str, *, field: str = "country") -> Country:
    """Return the :class:`Country` for an alpha-2 code; raises :class:`UnknownCountry`."""
    return _countries()[check_country(code, field=field)]


def country_name(code: str) -> str:
    """Return the short English name of the country (ISO common name where one exists)."""
    return country(code).name


def all_countries() -> tuple[Country, ...]:
    """List every ISO 3166-1 country and territory, ordered by alpha-2 code."""
    return tuple(_countries().values())


def country_codes() -> frozenset[str]:
    """Return the set of all ISO 3166-1 alpha-2 codes."""
    return frozenset(_countries())


@cache
def local_currencies(code: str, on: date | None = None) -> tuple[str, ...]:
    """The legal tender currencies in use in country ``code`` on ``on`` (today), ISO 4217 codes that
    money can be written in, the main one first ([domain DT-2]).

    The source is the CLDR territory data shipped with Babel (the currencies each ISO 3166
    territory uses, with their dates of use); codes without an ISO 4217 minor unit are left
    out.  An unknown country is refused (:class:`UnknownCountry`); a country with none
    gives ``()``.
    """
    from babel.numbers import get_territory_currencies

    from tradecover.kit.money import is_currency

    check_country(code)
    found = get_territory_currencies(code, on, tender=True, non_tender=False)
    return tuple(c for c in found if is_currency(c))
