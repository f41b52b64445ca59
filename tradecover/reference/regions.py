"""Provinces and regions of China and Korea (ISO 3166-2 ``CN-*`` and ``KR-*``).

Used for the exporter's region, on which some subsidy programmes depend.  Only the
top-level subdivisions are listed (provinces, municipalities, autonomous regions and
special administrative regions for China; provinces, special and metropolitan cities
for Korea).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

import pycountry

from tradecover.kit.errors import ValidationFailed

REGION_COUNTRIES: Final = ("CN", "KR")
"""Countries whose regions tradecover knows."""


class UnknownRegion(ValidationFailed):
    """The code is not a known ISO 3166-2 region of China or Korea."""

    default_code = "unknown_region"


@dataclass(frozen=True, slots=True)
class Region:
    """One ISO 3166-2 subdivision: ``code`` like ``"KR-11"``, its country, name and type."""

    code: str
    country: str
    name: str
    type: str


@cache
def _regions() -> dict[str, Region]:
    result: dict[str, Region] = {}
    for country in REGION_COUNTRIES:
        subdivisions = [s for s in pycountry.subdivisions if s.country_code == country]
        for s in subdivisions:
            if getattr(s, "parent_code", None):
                continue
            result[s.code] = Region(code=s.code, country=country, name=s.name, type=s.type)
    return dict(sorted(result.items()))


def regions(country: str | None = None) -> tuple[Region, ...]:
    """List the regions of ``country`` (``"CN"`` or ``"KR"``), or of both when ``None``."""
    if country is not None and country not in REGION_COUNTRIES:
        raise UnknownRegion(
            f"regions are known only for {', '.join(REGION_COUNTRIES)}, not {country!r}",
            field="country",
        )
    return tuple(r for r in _regions().values() if country is None or r.country == country)


def check_region(code: object, *, country: str | None = None, field: str = "region") -> str:
    """Return ``code`` if it is a region (of ``country`` when given); else raise UnknownRegion."""
    region = _regions().get(code) if isinstance(code, str) else None
    if region is None or (country is not None and region.country != country):
        where = f" of {country}" if country else ""
        raise UnknownRegion(f"{code!r} is not an ISO 3166-2 region{where}", field=field)
    return region.code


def region(code: str, *, field: str = "region") -> Region:
    """Return the :class:`Region` with this ISO 3166-2 code; raises :class:`UnknownRegion`."""
    return _regions()[check_region(code, field=field)]
