"""API shapes of a policy and its schedule: the value types every policy shape shares
(money as decimal strings, never floats) and the reason of a decision, the schedule in
(strict) and out (with the 1/3 to 1/2 liability guidance), and the policy in an answer.

The other policy resources have their own modules: the profile and application
(:mod:`~tradecover.policies.application_schemas`), the lifecycle steps
(:mod:`~tradecover.policies.lifecycle_schemas`), the rate basis
(:mod:`~tradecover.policies.rate_schemas`) and the policy's records
(:mod:`~tradecover.policies.record_schemas`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tradecover.kit.inputs import InputModel
from tradecover.kit.money import Money
from tradecover.policies.lifecycle import PolicyState
from tradecover.policies.model import Policy
from tradecover.policies.rate_schemas import RateFloatingIn, RateFloatingOut
from tradecover.policies.schedule import (
    ClaimTermsSchedule,
    DeclarationFrequency,
    DisputeResolution,
    InsurableScope,
    PolicySchedule,
    Product,
    liability_guidance,
    min_declared_share_of,
)
from tradecover.policies.service import schedule_of
from tradecover.reference.payment_terms import PaymentTerms

AmountStr = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{1,15}(\.[0-9]{1,4})?$",
        examples=["5000000.00"],
        description="A non-negative decimal string (never a float)",
    ),
]

PercentStr = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{1,3}(\.[0-9]{1,6})?$",
        examples=["90"],
        description="A percentage as a decimal string",
    ),
]

ShareStr = Annotated[
    str,
    Field(
        pattern=r"^(0(\.[0-9]{1,4})?|1(\.0{1,4})?)$",
        examples=["0.95"],
        description="A fraction in [0, 1] as a decimal string",
    ),
]

CurrencyStr = Annotated[
    str, Field(pattern=r"^[A-Z]{3}$", examples=["USD"], description="ISO 4217 code")
]

CountryStr = Annotated[
    str, Field(min_length=2, max_length=2, examples=["DE"], description="ISO 3166-1 alpha-2 code")
]

OrgId = Annotated[int, Field(ge=1, le=2**63 - 1)]

Reason = Annotated[str, Field(min_length=1, max_length=1000, examples=["premium overdue 90 days"])]

STRICT = ConfigDict(extra="forbid")
"""Request bodies refuse unknown fields."""


class ReasonIn(InputModel):
    """Why (kept in the audit log)."""

    model_config = STRICT
    reason: Reason


class MoneyOut(BaseModel):
    """An amount as a decimal string with its currency."""

    amount: str = Field(examples=["5000000.00"])
    currency: str = Field(examples=["USD"])

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        """From a Money, rounded to the currency's minor unit."""
        rounded = money.rounded()
        return cls(amount=str(rounded.amount), currency=rounded.currency)


class ScopeIn(InputModel):
    """The insurable scope; under whole turnover every export in it must be declared."""

    model_config = STRICT
    destination_countries: list[CountryStr] = Field(
        default_factory=list, max_length=250, description="Empty: every country not excluded"
    )
    excluded_countries: list[CountryStr] = Field(default_factory=list, max_length=250)
    payment_terms: list[PaymentTerms] = Field(
        default_factory=lambda: list(PaymentTerms), min_length=1, max_length=4
    )
    max_credit_days: int = Field(default=180, ge=1, le=360)
    hs_chapters: list[Annotated[str, Field(pattern=r"^[0-9]{2}$")]] = Field(
        default_factory=list, max_length=99, description="Empty: all goods"
    )

    def to_scope(self) -> InsurableScope:
        """The pure value."""
        return InsurableScope(
            destination_countries=tuple(self.destination_countries),
            excluded_countries=tuple(self.excluded_countries),
            payment_terms=tuple(self.payment_terms),
            max_credit_days=self.max_credit_days,
            hs_chapters=tuple(self.hs_chapters),
        )


class ClaimTermsIn(InputModel):
    """The policy's own claim terms; a term left out takes the installation default."""

    model_config = ConfigDict(extra="forbid")
    claim_filing_days: int | None = Field(
        default=None, ge=0, le=730, description="Days after the notice to file the claim"
    )
    waiting_period_days: int | None = Field(
        default=None,
        ge=0,
        le=730,
        description="Days after the due date before a protracted default is paid",
    )
    waiting_on_insolvency: bool | None = Field(
        default=None, description="Whether a proven insolvency waits too (usually not)"
    )
    second_approval_above: AmountStr | None = Field(
        default=None, description="Claims paying more need a second approver"
    )
    late_notice_denies_claim: bool | None = Field(
        default=None, description="Whether a late notice of possible loss loses the claim"
    )

    def to_terms(self) -> ClaimTermsSchedule:
        """The pure value."""
        return ClaimTermsSchedule(
            claim_filing_days=self.claim_filing_days,
            waiting_period_days=self.waiting_period_days,
            waiting_on_insolvency=self.waiting_on_insolvency,
            second_approval_above=(
                None if self.second_approval_above is None else Decimal(self.second_approval_above)
            ),
            late_notice_denies_claim=self.late_notice_denies_claim,
        )


class ClaimTermsOut(BaseModel):
    """The claim terms the policy sets itself (``null``: the installation default)."""

    claim_filing_days: int | None
    waiting_period_days: int | None
    waiting_on_insolvency: bool | None
    second_approval_above: str | None
    late_notice_denies_claim: bool | None

    @classmethod
    def of(cls, terms: ClaimTermsSchedule) -> ClaimTermsOut:
        """From the pure value."""
        return cls(
            claim_filing_days=terms.claim_filing_days,
            waiting_period_days=terms.waiting_period_days,
            waiting_on_insolvency=terms.waiting_on_insolvency,
            second_approval_above=(
                None if terms.second_approval_above is None else str(terms.second_approval_above)
            ),
            late_notice_denies_claim=terms.late_notice_denies_claim,
        )


SCHEDULE_EXAMPLE: dict[str, Any] = {
    "currency": "USD",
    "expected_turnover": "12000000",
    "maximum_liability": "5000000",
    "indemnity_commercial_pct": "90",
    "indemnity_political_pct": "95",
    "declaration_frequency": "monthly",
    "rate_table": "ST-2026",
    "base_rate_pct": "0.45",
    "whole_turnover": True,
    "scope": {
        "destination_countries": [],
        "excluded_countries": ["RU"],
        "payment_terms": ["DP", "DA", "OA"],
        "max_credit_days": 180,
        "hs_chapters": [],
    },
    "dispute_resolution": "arbitration",
    "dispute_venue": "CIETAC, Beijing",
    "possible_loss_notice_days": 90,
}


class ScheduleIn(InputModel):
    """The policy schedule ([domain P-5])."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SCHEDULE_EXAMPLE]})
    currency: CurrencyStr
    expected_turnover: AmountStr
    maximum_liability: AmountStr = Field(
        description="Most paid in one policy year; usually 1/3 to 1/2 of expected turnover"
    )
    indemnity_commercial_pct: PercentStr = Field(description="In (0, 100]")
    indemnity_political_pct: PercentStr = Field(description="In (0, 100]")
    declaration_frequency: DeclarationFrequency = DeclarationFrequency.MONTHLY
    rate_table: str = Field(min_length=1, max_length=64, examples=["ST-2026"])
    base_rate_pct: PercentStr = Field(examples=["0.45"])
    whole_turnover: bool = True
    min_declared_share: ShareStr | None = Field(
        default=None,
        examples=["0.95"],
        description="Whole turnover: a declared share of the returned turnover below this "
        "fraction puts the policy under review; absent: 0.95",
    )
    scope: ScopeIn = Field(default_factory=ScopeIn)
    dispute_resolution: DisputeResolution = DisputeResolution.ARBITRATION
    dispute_venue: str = Field(default="CIETAC, Beijing", min_length=1, max_length=200)
    possible_loss_notice_days: int = Field(default=90, ge=1, le=365)
    claim_terms: ClaimTermsIn = Field(default_factory=ClaimTermsIn)
    flat_rate_option: bool = Field(
        default=False,
        description="The schedule's option of one agreed flat rate for every "
        "shipment; without it shipments are priced on the rate table (risk-based)",
    )
    flat_rate_pct: PercentStr | None = Field(
        default=None,
        examples=["0.45"],
        description="The agreed flat rate in percent; only with flat_rate_option",
    )
    rate_floating: RateFloatingIn = Field(
        default_factory=RateFloatingIn,
        description="The insurer's floating adjustments of the table rate for this policy",
    )

    def to_schedule(self) -> PolicySchedule:
        """The pure value (raises ``unknown_currency`` for a code ISO 4217 does not know)."""
        return PolicySchedule(
            currency=self.currency,
            expected_turnover=Money.of(self.expected_turnover, self.currency),
            maximum_liability=Money.of(self.maximum_liability, self.currency),
            indemnity_commercial_pct=Decimal(self.indemnity_commercial_pct),
            indemnity_political_pct=Decimal(self.indemnity_political_pct),
            declaration_frequency=self.declaration_frequency,
            rate_table=self.rate_table,
            base_rate_pct=Decimal(self.base_rate_pct),
            whole_turnover=self.whole_turnover,
            min_declared_share=(
                None if self.min_declared_share is None else Decimal(self.min_declared_share)
            ),
            scope=self.scope.to_scope(),
            dispute_resolution=self.dispute_resolution,
            dispute_venue=self.dispute_venue,
            possible_loss_notice_days=self.possible_loss_notice_days,
            claim_terms=self.claim_terms.to_terms(),
            flat_rate_option=self.flat_rate_option,
            flat_rate_pct=None if self.flat_rate_pct is None else Decimal(self.flat_rate_pct),
            rate_floating=self.rate_floating.to_floating(),
        )


class GuidanceOut(BaseModel):
    """Where the maximum liability sits against 1/3 to 1/2 of expected turnover."""

    low: MoneyOut
    high: MoneyOut
    within: bool
    ratio: str = Field(examples=["0.4167"])
    message: str


class ScopeOut(BaseModel):
    """The insurable scope."""

    destination_countries: list[str]
    excluded_countries: list[str]
    payment_terms: list[PaymentTerms]
    max_credit_days: int
    hs_chapters: list[str]


class ScheduleOut(BaseModel):
    """The schedule of a policy with the liability guidance."""

    currency: str
    expected_turnover: MoneyOut
    maximum_liability: MoneyOut
    liability_guidance: GuidanceOut
    indemnity_commercial_pct: str
    indemnity_political_pct: str
    declaration_frequency: DeclarationFrequency
    rate_table: str
    base_rate_pct: str
    whole_turnover: bool
    min_declared_share: str = Field(
        description="The whole-turnover review threshold in force (the default 0.95 when "
        "the schedule sets none)"
    )
    scope: ScopeOut
    dispute_resolution: DisputeResolution
    dispute_venue: str
    possible_loss_notice_days: int
    claim_terms: ClaimTermsOut
    flat_rate_option: bool = Field(
        description="Whether the schedule agrees one flat rate for every shipment"
    )
    flat_rate_pct: str | None
    rate_basis: Literal["flat", "risk_based"] = Field(
        description="How shipments are priced: the agreed flat rate or the rate table"
    )
    rate_floating: RateFloatingOut

    @classmethod
    def of(cls, schedule: PolicySchedule) -> ScheduleOut:
        """From the pure value."""
        g = liability_guidance(
            expected_turnover=schedule.expected_turnover,
            maximum_liability=schedule.maximum_liability,
        )
        s = schedule.scope
        return cls(
            currency=schedule.currency,
            expected_turnover=MoneyOut.of(schedule.expected_turnover),
            maximum_liability=MoneyOut.of(schedule.maximum_liability),
            liability_guidance=GuidanceOut(
                low=MoneyOut.of(g.low),
                high=MoneyOut.of(g.high),
                within=g.within,
                ratio=str(round(g.ratio, 4)),
                message=g.message(),
            ),
            indemnity_commercial_pct=str(schedule.indemnity_commercial_pct),
            indemnity_political_pct=str(schedule.indemnity_political_pct),
            declaration_frequency=schedule.declaration_frequency,
            rate_table=schedule.rate_table,
            base_rate_pct=str(schedule.base_rate_pct),
            whole_turnover=schedule.whole_turnover,
            min_declared_share=str(min_declared_share_of(schedule.min_declared_share)),
            scope=ScopeOut(
                destination_countries=list(s.destination_countries),
                excluded_countries=list(s.excluded_countries),
                payment_terms=list(s.payment_terms),
                max_credit_days=s.max_credit_days,
                hs_chapters=list(s.hs_chapters),
            ),
            dispute_resolution=schedule.dispute_resolution,
            dispute_venue=schedule.dispute_venue,
            possible_loss_notice_days=schedule.possible_loss_notice_days,
            claim_terms=ClaimTermsOut.of(schedule.claim_terms),
            flat_rate_option=schedule.flat_rate_option,
            flat_rate_pct=(None if schedule.flat_rate_pct is None else str(schedule.flat_rate_pct)),
            rate_basis="flat" if schedule.flat_rate is not None else "risk_based",
            rate_floating=RateFloatingOut.of(schedule.rate_floating),
        )


class PolicyOut(BaseModel):
    """A policy: identity, lifecycle state, term and schedule."""

    id: int
    number: str | None = Field(examples=["ST-2027-000042"])
    exporter_org_id: int
    application_id: int | None
    renewal_of_id: int | None
    product: Product
    state: PolicyState
    inception: date
    expiry: date
    auto_renew: bool
    state_reason: str | None
    termination: dict[str, Any] | None
    suspensions: list[dict[str, Any]] = Field(
        default_factory=list,
        description="every suspension: start, end (null while "
        "suspended) and reason; shipments made while suspended carry no cover",
    )
    issued_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    schedule: ScheduleOut

    @classmethod
    def of(cls, policy: Policy) -> PolicyOut:
        """From the row."""
        return cls(
            id=policy.id,
            number=policy.number,
            exporter_org_id=policy.exporter_org_id,
            application_id=policy.application_id,
            renewal_of_id=policy.renewal_of_id,
            product=Product(policy.product),
            state=PolicyState(policy.state),
            inception=policy.inception,
            expiry=policy.expiry,
            auto_renew=policy.auto_renew,
            state_reason=policy.state_reason,
            termination=policy.termination,
            suspensions=list(policy.suspensions or []),
            issued_at=policy.issued_at,
            created_at=policy.created_at,
            updated_at=policy.updated_at,
            version=policy.version,
            schedule=ScheduleOut.of(schedule_of(policy)),
        )
