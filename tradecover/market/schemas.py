"""API shapes of the market: rule sets, insurers, classifications, declines, routings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tradecover.kit.inputs import InputModel
from tradecover.market.model import (
    MarketClassification,
    MarketDecline,
    MarketInsurer,
    MarketRouting,
)
from tradecover.market.rules import Rule, RuleSet

_ID = Field(ge=1, le=2**63 - 1)
_COUNTRY = Field(min_length=2, max_length=2, pattern="^[A-Z]{2}$")


class RuleIn(InputModel):
    """One rule: its kind, the outcome when it matches, its citation and parameters."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    domain: str = Field(min_length=1, max_length=16)
    kind: Literal[
        "risk_period_at_least",
        "buyer_country_not_in_groups",
        "buyer_country_in",
        "export_turnover_at_most",
        "otherwise",
    ]
    outcome: Literal["marketable", "non_marketable"]
    citation: str = Field(min_length=1, max_length=500)
    days: int | None = Field(default=None, ge=1, le=36_500)
    groups: list[str] | None = Field(default=None, max_length=20)
    countries: list[str] | None = Field(default=None, max_length=300)
    amount: Decimal | None = Field(default=None, ge=0, max_digits=20, decimal_places=2)
    currency: str | None = Field(default=None, pattern="^[A-Z]{3}$")


class RuleSetIn(InputModel):
    """A new version of the classification rule set (replaces the one in force)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    groups: dict[str, list[str]] = Field(default_factory=dict, max_length=20)
    rules: list[RuleIn] = Field(min_length=1, max_length=50)

    def data(self) -> dict[str, Any]:
        """The rule set as JSON data (what is stored)."""
        return self.model_dump(mode="json", exclude_none=True)


class RuleOut(BaseModel):
    """One rule of the rule set in force."""

    id: str
    domain: str
    kind: str
    outcome: str
    citation: str
    days: int | None
    groups: list[str]
    countries: list[str]
    amount: Decimal | None
    currency: str | None

    @classmethod
    def of(cls, rule: Rule) -> RuleOut:
        """From the pure rule."""
        return cls(
            id=rule.id,
            domain=rule.domain,
            kind=rule.kind,
            outcome=rule.outcome,
            citation=rule.citation,
            days=rule.days,
            groups=list(rule.groups),
            countries=sorted(rule.countries),
            amount=rule.amount.amount if rule.amount else None,
            currency=rule.amount.currency if rule.amount else None,
        )


class RuleSetOut(BaseModel):
    """The rule set in force: name, version, country groups, rules in order."""

    name: str
    version: int
    groups: dict[str, list[str]]
    rules: list[RuleOut]

    @classmethod
    def of(cls, rule_set: RuleSet) -> RuleSetOut:
        """From the pure rule set."""
        return cls(
            name=rule_set.name,
            version=rule_set.version,
            groups={k: sorted(v) for k, v in rule_set.groups.items()},
            rules=[RuleOut.of(r) for r in rule_set.rules],
        )


class InsurerIn(InputModel):
    """Register an insurer organisation on the market."""

    model_config = ConfigDict(extra="forbid")

    org_id: int = _ID
    last_resort: bool = False


class InsurerOut(BaseModel):
    """A market insurer."""

    id: int
    org_id: int
    last_resort: bool
    registered_by: str
    registered_at: datetime

    @classmethod
    def of(cls, row: MarketInsurer) -> InsurerOut:
        """From the row."""
        return cls(
            id=row.id,
            org_id=row.org_id,
            last_resort=row.last_resort,
            registered_by=row.registered_by,
            registered_at=row.registered_at,
        )


class ClassificationIn(InputModel):
    """A short-term risk to classify: the application it belongs to and its facts."""

    model_config = ConfigDict(extra="forbid")

    exporter_org_id: int = _ID
    subject_kind: Literal["policy_application", "limit_application"]
    subject_id: int = _ID
    buyer_country: str = _COUNTRY
    risk_period_days: int = Field(ge=1, le=36_500, description="manufacturing + credit period")
    risk_types: list[Literal["commercial", "political"]] = Field(min_length=1, max_length=2)
    export_turnover: Decimal = Field(ge=0, max_digits=20, decimal_places=2)
    turnover_currency: str = Field(pattern="^[A-Z]{3}$")


class DeclineOut(BaseModel):
    """A commercial insurer's recorded decline."""

    id: int
    classification_id: int
    insurer_org_id: int
    declined_on: date
    reason: str
    recorded_by: str
    recorded_at: datetime

    @classmethod
    def of(cls, row: MarketDecline) -> DeclineOut:
        """From the row."""
        return cls(
            id=row.id,
            classification_id=row.classification_id,
            insurer_org_id=row.insurer_org_id,
            declined_on=row.declined_on,
            reason=row.reason,
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
        )


class RoutingOut(BaseModel):
    """Where a classified risk went and on which basis."""

    id: int
    classification_id: int
    insurer_org_id: int
    basis: str
    routed_by: str
    routed_at: datetime

    @classmethod
    def of(cls, row: MarketRouting) -> RoutingOut:
        """From the row."""
        return cls(
            id=row.id,
            classification_id=row.classification_id,
            insurer_org_id=row.insurer_org_id,
            basis=row.basis,
            routed_by=row.routed_by,
            routed_at=row.routed_at,
        )


class ClassificationOut(BaseModel):
    """A classification: the risk, the outcome, the deciding rule, version and citation,
    and (on a single read) its declines and routing.
    """

    id: int
    exporter_org_id: int
    subject_kind: str
    subject_id: int
    buyer_country: str
    risk_period_days: int
    risk_types: list[str]
    export_turnover: Decimal
    turnover_currency: str
    outcome: Literal["marketable", "non_marketable"]
    rule_id: str
    rule_domain: str
    citation: str
    rule_set_name: str
    rule_set_version: int
    decided_by: str
    decided_at: datetime
    declines: list[DeclineOut] = []
    routing: RoutingOut | None = None

    @classmethod
    def of(
        cls,
        row: MarketClassification,
        declines: list[MarketDecline] | None = None,
        routing: MarketRouting | None = None,
    ) -> ClassificationOut:
        """From the row, its declines and routing."""
        return cls(
            id=row.id,
            exporter_org_id=row.exporter_org_id,
            subject_kind=row.subject_kind,
            subject_id=row.subject_id,
            buyer_country=row.buyer_country,
            risk_period_days=row.risk_period_days,
            risk_types=list(row.risk_types),
            export_turnover=row.export_turnover,
            turnover_currency=row.turnover_currency,
            outcome="marketable" if row.outcome == "marketable" else "non_marketable",
            rule_id=row.rule_id,
            rule_domain=row.rule_domain,
            citation=row.citation,
            rule_set_name=row.rule_set_name,
            rule_set_version=row.rule_set_version,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            declines=[DeclineOut.of(d) for d in declines or []],
            routing=RoutingOut.of(routing) if routing else None,
        )


class DeclineIn(InputModel):
    """A commercial insurer declined a classified risk: when and why."""

    model_config = ConfigDict(extra="forbid")

    classification_id: int = _ID
    insurer_org_id: int = _ID
    declined_on: date
    reason: str = Field(min_length=1, max_length=1000)


class RoutingIn(InputModel):
    """Send a classified risk to a market insurer."""

    model_config = ConfigDict(extra="forbid")

    classification_id: int = _ID
    insurer_org_id: int = _ID
