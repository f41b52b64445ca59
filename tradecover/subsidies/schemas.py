"""API shapes of subsidy programmes (their statements: :mod:`tradecover.reporting.api`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from tradecover.kit.inputs import InputModel
from tradecover.kit.money import Money
from tradecover.subsidies.model import SubsidyProgramme
from tradecover.subsidies.programme import Programme, SizeTier

AmountStr = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{1,15}(\.[0-9]{1,4})?$",
        examples=["8000000"],
        description="A non-negative decimal string (never a float)",
    ),
]
ShareStr = Annotated[
    str,
    Field(
        pattern=r"^(0(\.[0-9]{1,6})?|1(\.0{1,6})?)$",
        examples=["0.8"],
        description="A fraction of premium, 0 to 1",
    ),
]


def _money(text: str | None, currency: str) -> Money | None:
    return None if text is None else Money.of(Decimal(text), currency)


def _m(minor: int | None, currency: str) -> str | None:
    return None if minor is None else str(Money.from_minor(minor, currency).amount)


class SizeTierIn(InputModel):
    """Exporters with previous-year exports below ``below`` get ``share``."""

    model_config = ConfigDict(extra="forbid")
    below: AmountStr
    share: ShareStr


class ProgrammeIn(InputModel):
    """A programme to register (finance)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "sponsor_org_id": 5,
                    "code": "SZ-SME",
                    "name": "Shenzhen SME premium subsidy",
                    "currency": "USD",
                    "share": "0.8",
                    "size_tiers": [{"below": "8000000", "share": "1"}],
                    "regions": ["CN-GD"],
                    "cap_per_exporter_year": "50000",
                    "budget": "2000000",
                }
            ]
        },
    )
    sponsor_org_id: int = Field(ge=1, le=2**63 - 1)
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=200)
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["USD"])
    share: ShareStr
    size_tiers: list[SizeTierIn] = Field(default_factory=list, max_length=10)
    regions: list[Annotated[str, Field(min_length=1, max_length=16)]] = Field(
        default_factory=list, max_length=100
    )
    hs_chapters: list[Annotated[str, Field(pattern=r"^[0-9]{2}$")]] = Field(
        default_factory=list, max_length=100
    )
    destination_countries: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = Field(
        default_factory=list, max_length=250
    )
    max_previous_year_exports: AmountStr | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    cap_per_exporter_year: AmountStr | None = None
    cap_per_year: AmountStr | None = None
    budget: AmountStr | None = None
    priority: int = Field(default=100, ge=0, le=10_000)

    def to_programme(self) -> Programme:
        """The pure programme (validates shares, currencies and dates)."""
        cur = self.currency
        tiers = tuple(
            SizeTier(Money.of(Decimal(t.below), cur), Decimal(t.share)) for t in self.size_tiers
        )
        return Programme(
            code=self.code.upper(),
            name=self.name,
            sponsor=self.name,
            currency=cur,
            share=Decimal(self.share),
            size_tiers=tiers,
            regions=tuple(self.regions),
            hs_chapters=tuple(self.hs_chapters),
            destination_countries=tuple(self.destination_countries),
            max_previous_year_exports=_money(self.max_previous_year_exports, cur),
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            cap_per_exporter_year=_money(self.cap_per_exporter_year, cur),
            cap_per_year=_money(self.cap_per_year, cur),
            budget=_money(self.budget, cur),
        )


class ProgrammeOut(BaseModel):
    """A programme and what it has granted so far."""

    id: int
    sponsor_org_id: int
    code: str
    name: str
    currency: str
    share: str
    size_tiers: list[dict[str, str]]
    regions: list[str]
    hs_chapters: list[str]
    destination_countries: list[str]
    max_previous_year_exports: str | None
    valid_from: date | None
    valid_to: date | None
    cap_per_exporter_year: str | None
    cap_per_year: str | None
    budget: str | None
    used: str

    @classmethod
    def of(cls, r: SubsidyProgramme) -> ProgrammeOut:
        """From a row."""
        c = r.currency
        return cls(
            id=r.id,
            sponsor_org_id=r.sponsor_org_id,
            code=r.code,
            name=r.name,
            currency=c,
            share=str(r.share),
            size_tiers=[
                {"below": _m(int(t["below_minor"]), c) or "0", "share": str(t["share"])}
                for t in r.size_tiers or []
            ],
            regions=list(r.regions or []),
            hs_chapters=list(r.hs_chapters or []),
            destination_countries=list(r.destination_countries or []),
            max_previous_year_exports=_m(r.max_previous_year_exports_minor, c),
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            cap_per_exporter_year=_m(r.cap_per_exporter_year_minor, c),
            cap_per_year=_m(r.cap_per_year_minor, c),
            budget=_m(r.budget_minor, c),
            used=_m(r.used_minor, c) or "0",
        )
