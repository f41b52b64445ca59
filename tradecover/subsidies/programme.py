"""Premium subsidy programmes ([domain S-1]; [001]): who is eligible, and who pays what.

[001] describes two: Yiwu pays up to **80 %** of local exporters' short-term export
credit insurance premium; Shenzhen gives small and midsize exporters with **less than
USD 8 million** of exports in the previous year their cover **at no cost** (100 %).  A
:class:`Programme` expresses both: a sponsor, eligibility rules (regions, previous-year
export size, HS chapters, destinations, a validity window), a share of premium, size
tiers that raise the share for small exporters, and three ceilings: a cap per exporter
per calendar year, a cap per calendar year for the whole programme, and a total budget.

:func:`decide_eligibility` decides (and names the rule that applied);
:func:`split_premium` splits one rounded premium between the exporter and the eligible
programmes, in the order given:

* each programme's part is ``round_half_up(premium x share)``, then reduced to what is
  left of the premium, its per-exporter-year cap, its per-year cap and its budget;
* the exporter owes the rest, so the parts always add up to the premium to the cent;
* the returned :class:`SubsidyUsage` adds what was granted, for the next split.

Ceilings and eligibility facts are in the programme's currency; the caller converts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import CurrencyMismatch, Money, check_currency, round_money


class EligibilityRule(StrEnum):
    """The rule that decided an eligibility (stable codes, recorded with the decision)."""

    SIZE_TIER = "size_tier"
    STANDARD_SHARE = "standard_share"
    OUTSIDE_VALIDITY = "outside_validity"
    REGION_NOT_ELIGIBLE = "region_not_eligible"
    EXPORTER_TOO_LARGE = "exporter_too_large"
    PRODUCT_NOT_ELIGIBLE = "product_not_eligible"
    DESTINATION_NOT_ELIGIBLE = "destination_not_eligible"


class CapKind(StrEnum):
    """Which ceiling reduced a programme's part."""

    PER_EXPORTER_YEAR = "cap_per_exporter_year"
    PER_YEAR = "cap_per_year"
    BUDGET = "budget"
    PREMIUM_LEFT = "premium_left"


@dataclass(frozen=True, slots=True)
class SizeTier:
    """Exporters with previous-year exports strictly below ``below`` get ``share``."""

    below: Money
    share: Decimal


@dataclass(frozen=True, slots=True)
class Programme:
    """A government premium subsidy programme.

    Empty ``regions``, ``hs_chapters`` or ``destination_countries`` mean "any".
    ``max_previous_year_exports`` excludes exporters at or above it.  ``size_tiers`` are
    tried smallest ``below`` first; the first that fits gives the share, else ``share``.
    """

    code: str
    name: str
    sponsor: str
    currency: str
    share: Decimal
    size_tiers: tuple[SizeTier, ...] = ()
    regions: tuple[str, ...] = ()
    hs_chapters: tuple[str, ...] = ()
    destination_countries: tuple[str, ...] = ()
    max_previous_year_exports: Money | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    cap_per_exporter_year: Money | None = None
    cap_per_year: Money | None = None
    budget: Money | None = None

    def __post_init__(self) -> None:
        check_currency(self.currency, field="currency")
        if not self.code.strip():
            raise ValidationFailed("a programme needs a code", code="missing_code", field="code")
        shares = [("share", self.share)] + [
            (f"size_tiers[{i}].share", t.share) for i, t in enumerate(self.size_tiers)
        ]
        for name, share in shares:
            if not Decimal(0) <= share <= Decimal(1):
                raise ValidationFailed(
                    f"{name} must be between 0 and 1", code="share_out_of_range", field=name
                )
        amounts: list[tuple[str, Money | None]] = [
            ("max_previous_year_exports", self.max_previous_year_exports),
            ("cap_per_exporter_year", self.cap_per_exporter_year),
            ("cap_per_year", self.cap_per_year),
            ("budget", self.budget),
        ] + [(f"size_tiers[{i}].below", t.below) for i, t in enumerate(self.size_tiers)]
        for name, money in amounts:
            if money is None:
                continue
            if money.currency != self.currency:
                raise CurrencyMismatch(f"{name} must be in {self.currency}", field=name)
            if money.amount < 0:
                raise ValidationFailed(
                    f"{name} cannot be negative", code="negative_amount", field=name
                )
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationFailed(
                "valid_to is before valid_from", code="invalid_range", field="valid_to"
            )


@dataclass(frozen=True, slots=True)
class ExporterFacts:
    """What eligibility reads about the exporter (exports in the programme currency)."""

    exporter_id: int
    region: str | None
    previous_year_exports: Money


@dataclass(frozen=True, slots=True)
class ShipmentFacts:
    """What eligibility reads about the shipment."""

    shipment_date: date
    hs_code: str
    destination_country: str


@dataclass(frozen=True, slots=True)
class EligibilityDecision:
    """Whether a programme pays part of a declaration's premium, and which rule decided."""

    programme: str
    eligible: bool
    share: Decimal
    rule_applied: EligibilityRule
    explanation: str


def _ineligible(programme: Programme, rule: EligibilityRule, why: str) -> EligibilityDecision:
    return EligibilityDecision(programme.code, False, Decimal(0), rule, why)


def decide_eligibility(
    programme: Programme,
    exporter: ExporterFacts,
    shipment: ShipmentFacts,
) -> EligibilityDecision:
    """Decide whether ``programme`` subsidises this exporter's premium on this shipment."""
    day = shipment.shipment_date
    if (programme.valid_from and day < programme.valid_from) or (
        programme.valid_to and day > programme.valid_to
    ):
        return _ineligible(
            programme,
            EligibilityRule.OUTSIDE_VALIDITY,
            f"shipped {day.isoformat()}, outside the programme's validity",
        )
    if programme.regions and exporter.region not in programme.regions:
        return _ineligible(
            programme,
            EligibilityRule.REGION_NOT_ELIGIBLE,
            f"the exporter's region {exporter.region or '(none)'} is not one of "
            f"{', '.join(programme.regions)}",
        )
    exports = exporter.previous_year_exports
    ceiling = programme.max_previous_year_exports
    if ceiling is not None and exports >= ceiling:
        return _ineligible(
            programme,
            EligibilityRule.EXPORTER_TOO_LARGE,
            f"previous-year exports of {exports} are not below {ceiling}",
        )
    chapter = shipment.hs_code.replace(".", "").replace(" ", "")[:2]
    if programme.hs_chapters and chapter not in programme.hs_chapters:
        return _ineligible(
            programme,
            EligibilityRule.PRODUCT_NOT_ELIGIBLE,
            f"HS chapter {chapter} is not subsidised",
        )
    if (
        programme.destination_countries
        and shipment.destination_country not in programme.destination_countries
    ):
        return _ineligible(
            programme,
            EligibilityRule.DESTINATION_NOT_ELIGIBLE,
            f"shipments to {shipment.destination_country} are not subsidised",
        )
    for tier in sorted(programme.size_tiers, key=lambda t: t.below.amount):
        if exports < tier.below:
            return EligibilityDecision(
                programme.code,
                True,
                tier.share,
                EligibilityRule.SIZE_TIER,
                f"previous-year exports of {exports} are below {tier.below}: "
                f"{tier.share * 100:.0f} % of premium paid by {programme.sponsor}",
            )
    return EligibilityDecision(
        programme.code,
        True,
        programme.share,
        EligibilityRule.STANDARD_SHARE,
        f"{programme.share * 100:.0f} % of premium paid by {programme.sponsor}",
    )


K = TypeVar("K")


def _plus(book: Mapping[K, Money], key: K, amount: Money) -> dict[K, Money]:
    out = dict(book)
    out[key] = out[key] + amount if key in out else amount
    return out


@dataclass(frozen=True)
class SubsidyUsage:
    """Subsidy granted so far: per (programme, exporter, year), per (programme, year), in total.

    Immutable: :meth:`add` returns a new usage.  The service loads it from the ledger
    (or the notices) of the programme before a billing run.
    """

    per_exporter_year: Mapping[tuple[str, int, int], Money] = field(default_factory=dict)
    per_year: Mapping[tuple[str, int], Money] = field(default_factory=dict)
    total: Mapping[str, Money] = field(default_factory=dict)

    def add(self, code: str, *, exporter_id: int, year: int, amount: Money) -> SubsidyUsage:
        """A new usage with ``amount`` more granted by programme ``code``."""
        return SubsidyUsage(
            per_exporter_year=_plus(self.per_exporter_year, (code, exporter_id, year), amount),
            per_year=_plus(self.per_year, (code, year), amount),
            total=_plus(self.total, code, amount),
        )


@dataclass(frozen=True)
class Split:
    """One premium split between the exporter and the programmes: parts add up to it.

    ``programme_owes`` lists only programmes with a positive part; ``limited_by`` names
    the ceiling that cut an eligible programme's part below ``premium x share``.
    """

    premium: Money
    exporter_owes: Money
    programme_owes: Mapping[str, Money]
    limited_by: Mapping[str, CapKind]
    usage: SubsidyUsage


def _room(ceiling: Money | None, used: Money | None, currency: str) -> Money | None:
    if ceiling is None:
        return None
    left = ceiling - (used or Money.zero(currency))
    return left if left.amount > 0 else Money.zero(currency)


def _check_premium(premium: Money) -> None:
    if premium.amount < 0:
        raise ValidationFailed(
            "a premium to split cannot be negative", code="negative_premium", field="premium"
        )
    if round_money(premium.amount, premium.currency) != premium.amount:
        raise ValidationFailed(
            "split a premium rounded to the currency's minor unit",
            code="unrounded_premium",
            field="premium",
        )


def split_premium(
    *,
    premium: Money,
    grants: Sequence[tuple[Programme, EligibilityDecision]],
    usage: SubsidyUsage,
    exporter_id: int,
    year: int,
) -> Split:
    """Split ``premium`` between the exporter and the eligible programmes of ``grants``.

    Programmes pay in the order given; ineligible decisions are skipped.  No programme
    ever exceeds its share, its caps or its budget, and the exporter owes the rest.
    """
    _check_premium(premium)
    currency = premium.currency
    left = premium
    owes: dict[str, Money] = {}
    limited: dict[str, CapKind] = {}
    seen: set[str] = set()
    for programme, decision in grants:
        if decision.programme != programme.code:
            raise ValidationFailed(
                f"decision for {decision.programme} given with programme {programme.code}",
                code="decision_mismatch",
                field="grants",
            )
        if programme.code in seen:
            raise ValidationFailed(
                f"programme {programme.code} given twice",
                code="duplicate_programme",
                field="grants",
            )
        seen.add(programme.code)
        if not decision.eligible:
            continue
        if programme.currency != currency:
            raise CurrencyMismatch(
                f"premium in {currency}, programme {programme.code} in {programme.currency}",
                field="premium",
            )
        want = Money(round_money(premium.amount * decision.share, currency), currency)
        part, cut = want, None
        rooms = (
            (CapKind.PREMIUM_LEFT, left),
            (
                CapKind.PER_EXPORTER_YEAR,
                _room(
                    programme.cap_per_exporter_year,
                    usage.per_exporter_year.get((programme.code, exporter_id, year)),
                    currency,
                ),
            ),
            (
                CapKind.PER_YEAR,
                _room(programme.cap_per_year, usage.per_year.get((programme.code, year)), currency),
            ),
            (CapKind.BUDGET, _room(programme.budget, usage.total.get(programme.code), currency)),
        )
        for kind, room in rooms:
            if room is not None and room < part:
                part, cut = room, kind
        if cut is not None:
            limited[programme.code] = cut
        if part.amount > 0:
            owes[programme.code] = part
            left = left - part
            usage = usage.add(programme.code, exporter_id=exporter_id, year=year, amount=part)
    return Split(
        premium=premium, exporter_owes=left, programme_owes=owes, limited_by=limited, usage=usage
    )


def subsidise(
    *,
    premium: Money,
    programmes: Sequence[Programme],
    exporter: ExporterFacts,
    shipment: ShipmentFacts,
    usage: SubsidyUsage,
) -> tuple[tuple[EligibilityDecision, ...], Split]:
    """Decide eligibility for every programme, then split ``premium`` (year of shipment)."""
    decisions = tuple(decide_eligibility(p, exporter, shipment) for p in programmes)
    split = split_premium(
        premium=premium,
        grants=list(zip(programmes, decisions, strict=True)),
        usage=usage,
        exporter_id=exporter.exporter_id,
        year=shipment.shipment_date.year,
    )
    return decisions, split
