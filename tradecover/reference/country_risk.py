"""Country risk classes 0-7: the shipped baseline from the OECD Participants' classification.

The data file ``data/oecd_country_risk_classification.csv`` lists every ISO 3166-1
country with its class (0 best, 7 worst) or no class; its sidecar ``.json`` names the
source, edition and date.  A country the source does not classify is *unclassified*
(``risk_class`` is ``None``): it is never guessed.  High Income OECD and High Income
Euro Area countries are not classified by the Participants but carry category 0
pricing disciplines, so they ship as class 0 with basis ``high_income_oecd_euro_area``.

The insurer edits classes, with history, in the database; this module only provides
the shipped baseline and its provenance.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Any, Final, Literal, TypeAlias

from tradecover.kit.errors import ValidationFailed
from tradecover.reference.countries import check_country

CountryRiskClass: TypeAlias = Literal[0, 1, 2, 3, 4, 5, 6, 7]
"""An OECD country risk category: 0 (lowest risk) to 7 (highest risk)."""

RISK_CLASSES: Final[tuple[CountryRiskClass, ...]] = (0, 1, 2, 3, 4, 5, 6, 7)
"""All valid risk classes, lowest risk first."""

DATA_FILE: Final = "oecd_country_risk_classification.csv"
METADATA_FILE: Final = "oecd_country_risk_classification.json"


class InvalidRiskClass(ValidationFailed):
    """A country risk class outside 0-7."""

    default_code = "invalid_risk_class"


class ClassificationBasis(StrEnum):
    """Why a country has the class (or no class) it has in the shipped file."""

    CLASSIFIED = "classified"
    HIGH_INCOME_OECD_EURO_AREA = "high_income_oecd_euro_area"
    NOT_CLASSIFIED = "not_classified"
    NOT_LISTED = "not_listed"


@dataclass(frozen=True, slots=True)
class CountryRiskEntry:
    """One country's shipped classification: ``risk_class`` is ``None`` when unclassified."""

    country: str
    name: str
    risk_class: CountryRiskClass | None
    basis: ClassificationBasis
    notes: str

    @property
    def is_classified(self) -> bool:
        """True if the country has a class 0-7."""
        return self.risk_class is not None


@dataclass(frozen=True, slots=True)
class ClassificationSource:
    """Provenance of the shipped classification: title, edition, date and where it is."""

    title: str
    publisher: str
    edition: str
    edition_date: date
    url: str
    landing_page: str
    obtained_from: dict[str, str]
    raw: dict[str, Any]


def check_risk_class(value: object, *, field: str = "risk_class") -> CountryRiskClass:
    """Return ``value`` as a :data:`CountryRiskClass`, else raise :class:`InvalidRiskClass`."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in RISK_CLASSES:
        raise InvalidRiskClass(
            f"country risk class must be an integer 0-7, not {value!r}", field=field
        )
    return RISK_CLASSES[value]


def _read_text(name: str) -> str:
    return files("tradecover.reference").joinpath("data", name).read_text(encoding="utf-8")


def _parse(text: str) -> tuple[CountryRiskEntry, ...]:
    entries: list[CountryRiskEntry] = []
    seen: set[str] = set()
    for line_no, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        code = check_country(row["alpha2"], field=f"{DATA_FILE}:{line_no}")
        if code in seen:
            raise ValueError(f"{DATA_FILE}:{line_no}: duplicate country {code}")
        seen.add(code)
        raw_class = row["risk_class"].strip()
        basis = ClassificationBasis(row["basis"])
        risk_class = check_risk_class(int(raw_class)) if raw_class else None
        classified = basis in (
            ClassificationBasis.CLASSIFIED,
            ClassificationBasis.HIGH_INCOME_OECD_EURO_AREA,
        )
        if classified != (risk_class is not None):
            raise ValueError(f"{DATA_FILE}:{line_no}: class {raw_class!r} contradicts {basis}")
        entries.append(
            CountryRiskEntry(
                country=code,
                name=row["name"],
                risk_class=risk_class,
                basis=basis,
                notes=row["notes"],
            )
        )
    return tuple(entries)


@cache
def shipped_classification() -> tuple[CountryRiskEntry, ...]:
    """Return the shipped classification of every ISO country, ordered by alpha-2 code."""
    return _parse(_read_text(DATA_FILE))


@cache
def _by_country() -> dict[str, CountryRiskEntry]:
    return {e.country: e for e in shipped_classification()}


@cache
def classification_source() -> ClassificationSource:
    """Return the source, edition and date of the shipped classification (from the sidecar JSON)."""
    raw: dict[str, Any] = json.loads(_read_text(METADATA_FILE))
    return ClassificationSource(
        title=raw["title"],
        publisher=raw["publisher"],
        edition=raw["edition"],
        edition_date=date.fromisoformat(raw["edition_date"]),
        url=raw["url"],
        landing_page=raw["landing_page"],
        obtained_from=dict(raw["obtained_from"]),
        raw=raw,
    )


def risk_entry(code: str, *, field: str = "country") -> CountryRiskEntry:
    """Return the shipped entry of one country; raises ``UnknownCountry`` for a bad code."""
    return _by_country()[check_country(code, field=field)]


def shipped_risk_class(code: str, *, field: str = "country") -> CountryRiskClass | None:
    """Return the shipped class 0-7 of a country, or ``None`` when it is unclassified."""
    return risk_entry(code, field=field).risk_class
