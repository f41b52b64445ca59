"""API shapes of the exporter's profile and its policy application: the profile the
insurer studies before recommending a cover plan, and the application form.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tradecover.kit.inputs import InputModel
from tradecover.kit.money import Money
from tradecover.policies.model import ExporterProfile, PolicyApplication
from tradecover.policies.schedule import Product
from tradecover.policies.schemas import (
    STRICT,
    AmountStr,
    CountryStr,
    CurrencyStr,
    MoneyOut,
    OrgId,
    PercentStr,
)
from tradecover.reference.payment_terms import PaymentTerms


class ExportYearIn(InputModel):
    """Exports of one past year."""

    model_config = STRICT
    year: int = Field(ge=1950, le=2100, examples=[2025])
    amount: AmountStr


class MainBuyerIn(InputModel):
    """One of the exporter's main buyers and the trading history with it."""

    model_config = STRICT
    name: str = Field(min_length=1, max_length=200, examples=["Müller Handels GmbH"])
    country: CountryStr
    years_trading: int | None = Field(default=None, ge=0, le=200, examples=[6])
    share_pct: PercentStr | None = Field(default=None, examples=["35"])
    payment_terms: PaymentTerms | None = None


class ExporterProfileIn(InputModel):
    """What the insurer studies before recommending a cover plan
    ([domain P-4]).
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "legal_name": "Acme Exports Co., Ltd.",
                    "region": "CN-ZJ",
                    "size_class": "small",
                    "cross_border_ecommerce": False,
                    "currency": "USD",
                    "previous_year_exports": "6200000",
                    "export_history": [
                        {"year": 2024, "amount": "5400000"},
                        {"year": 2025, "amount": "6200000"},
                    ],
                    "products": ["84 machinery", "85 electrical equipment"],
                    "destination_countries": ["DE", "US", "BR"],
                    "main_buyers": [
                        {
                            "name": "Müller Handels GmbH",
                            "country": "DE",
                            "years_trading": 6,
                            "share_pct": "35",
                            "payment_terms": "OA",
                        }
                    ],
                }
            ]
        },
    )
    legal_name: str = Field(min_length=1, max_length=200)
    region: str | None = Field(default=None, max_length=16, examples=["CN-ZJ"])
    size_class: Literal["micro", "small", "medium", "large"]
    cross_border_ecommerce: bool = False
    currency: CurrencyStr
    previous_year_exports: AmountStr
    export_history: list[ExportYearIn] = Field(default_factory=list, max_length=50)
    products: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=100
    )
    destination_countries: list[CountryStr] = Field(default_factory=list, max_length=250)
    main_buyers: list[MainBuyerIn] = Field(default_factory=list, max_length=100)

    def service_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``service.upsert_exporter_profile`` (API and CLI alike)."""
        return {
            "legal_name": self.legal_name,
            "region": self.region,
            "size_class": self.size_class,
            "cross_border_ecommerce": self.cross_border_ecommerce,
            "currency": self.currency,
            "previous_year_exports": Money.of(self.previous_year_exports, self.currency),
            "export_history": [row.model_dump() for row in self.export_history],
            "products": self.products,
            "destination_countries": self.destination_countries,
            "main_buyers": [b.model_dump(exclude_none=True, mode="json") for b in self.main_buyers],
        }


class ApplicationIn(InputModel):
    """The application form; ``exporter_org_id`` is only for insurer staff filing on behalf."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "product": "short_term_comprehensive",
                    "currency": "USD",
                    "expected_turnover": "12000000",
                    "requested_inception": "2027-01-01",
                    "destination_countries": ["DE", "US"],
                    "payment_terms": ["OA", "DA"],
                    "max_credit_days": 120,
                    "hs_chapters": ["84", "85"],
                    "notes": "first policy",
                }
            ]
        },
    )
    exporter_org_id: OrgId | None = Field(
        default=None, description="Insurer staff only; exporters apply for themselves"
    )
    product: Product = Product.SHORT_TERM_COMPREHENSIVE
    currency: CurrencyStr
    expected_turnover: AmountStr = Field(examples=["12000000"])
    requested_inception: date
    destination_countries: list[CountryStr] = Field(default_factory=list, max_length=250)
    payment_terms: list[PaymentTerms] = Field(min_length=1, max_length=4)
    max_credit_days: int = Field(ge=1, le=360, examples=[120])
    hs_chapters: list[Annotated[str, Field(pattern=r"^[0-9]{2}$")]] = Field(
        default_factory=list, max_length=99
    )
    notes: str | None = Field(default=None, max_length=5000)


class ApplicationOut(BaseModel):
    """An application form and where it stands."""

    id: int
    exporter_org_id: int
    product: Product
    status: Literal["submitted", "underwritten", "declined"]
    currency: str
    expected_turnover: MoneyOut
    requested_inception: date
    destination_countries: list[str]
    payment_terms: list[PaymentTerms]
    max_credit_days: int
    hs_chapters: list[str]
    notes: str | None
    decline_reason: str | None
    submitted_at: datetime
    submitted_by: str

    @classmethod
    def of(cls, app: PolicyApplication) -> ApplicationOut:
        """From the row."""
        return cls(
            id=app.id,
            exporter_org_id=app.exporter_org_id,
            product=Product(app.product),
            status=app.status,
            currency=app.currency,
            expected_turnover=MoneyOut.of(
                Money.from_minor(app.expected_turnover_minor, app.currency)
            ),
            requested_inception=app.requested_inception,
            destination_countries=list(app.destination_countries or []),
            payment_terms=[PaymentTerms(t) for t in app.payment_terms or []],
            max_credit_days=app.max_credit_days,
            hs_chapters=list(app.hs_chapters or []),
            notes=app.notes,
            decline_reason=app.decline_reason,
            submitted_at=app.submitted_at,
            submitted_by=app.submitted_by,
        )


class ExporterProfileOut(BaseModel):
    """An exporter's profile."""

    org_id: int
    legal_name: str
    region: str | None
    size_class: str
    cross_border_ecommerce: bool
    currency: str
    previous_year_exports: MoneyOut
    export_history: list[dict[str, Any]]
    products: list[str]
    destination_countries: list[str]
    main_buyers: list[dict[str, Any]]
    updated_at: datetime

    @classmethod
    def of(cls, profile: ExporterProfile) -> ExporterProfileOut:
        """From the row."""
        return cls(
            org_id=profile.org_id,
            legal_name=profile.legal_name,
            region=profile.region,
            size_class=profile.size_class,
            cross_border_ecommerce=profile.cross_border_ecommerce,
            currency=profile.currency,
            previous_year_exports=MoneyOut.of(
                Money.from_minor(profile.previous_year_exports_minor, profile.currency)
            ),
            export_history=list(profile.export_history or []),
            products=list(profile.products or []),
            destination_countries=list(profile.destination_countries or []),
            main_buyers=list(profile.main_buyers or []),
            updated_at=profile.updated_at,
        )
