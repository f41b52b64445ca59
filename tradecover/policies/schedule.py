"""The policy schedule (the terms) and its rules, as pure values ([domain P-5])."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, check_currency, round_money
from tradecover.policies.attachment_terms import AttachmentTerms
from tradecover.reference.countries import check_country
from tradecover.reference.hs import check_hs_code
from tradecover.reference.payment_terms import PaymentTerms


class DeclarationFrequency(StrEnum):
    """How often shipments must be declared."""

    MONTHLY = "monthly"
    WEEKLY = "weekly"
    IMMEDIATE = "immediate"


class DisputeResolution(StrEnum):
    """How disputes under the policy are settled."""

    ARBITRATION = "arbitration"
    LITIGATION = "litigation"


class Product(StrEnum):
    """Insurance products tradecover administers."""

    SHORT_TERM_COMPREHENSIVE = "short_term_comprehensive"
    DOMESTIC_TRADE_CREDIT = "domestic_trade_credit"
    INVESTMENT_DEBT = "investment_debt"


MAX_SHORT_TERM_CREDIT_DAYS = 360

DEFAULT_MIN_DECLARED_SHARE = Decimal("0.95")
"""Whole turnover: the minimum declared share of a policy whose schedule sets none."""


def min_declared_share_of(value: Decimal | None) -> Decimal:
    """The schedule's minimum declared share, or :data:`DEFAULT_MIN_DECLARED_SHARE`."""
    return DEFAULT_MIN_DECLARED_SHARE if value is None else value


@dataclass(frozen=True, slots=True)
class InsurableScope:
    """What the policy covers; under whole turnover every export inside it must be declared."""

    destination_countries: tuple[str, ...] = ()  # empty: every country not excluded
    excluded_countries: tuple[str, ...] = ()
    payment_terms: tuple[PaymentTerms, ...] = tuple(PaymentTerms)
    max_credit_days: int = 180
    hs_chapters: tuple[str, ...] = ()  # empty: all goods

    def validate(self) -> None:
        """Raise on unknown countries, empty terms or an out-of-range credit period."""
        for i, code in enumerate(self.destination_countries):
            check_country(code, field=f"scope.destination_countries[{i}]")
        for i, code in enumerate(self.excluded_countries):
            check_country(code, field=f"scope.excluded_countries[{i}]")
        if overlap := set(self.destination_countries) & set(self.excluded_countries):
            raise ValidationFailed(
                f"countries both included and excluded: {', '.join(sorted(overlap))}",
                code="scope_conflict",
                field="scope.excluded_countries",
            )
        if not self.payment_terms:
            raise ValidationFailed(
                "at least one payment term must be insurable",
                code="empty_scope",
                field="scope.payment_terms",
            )
        if not 1 <= self.max_credit_days <= MAX_SHORT_TERM_CREDIT_DAYS:
            raise ValidationFailed(
                f"max_credit_days must be between 1 and {MAX_SHORT_TERM_CREDIT_DAYS}",
                code="credit_period_out_of_range",
                field="scope.max_credit_days",
            )
        for i, chapter in enumerate(self.hs_chapters):
            if not isinstance(chapter, str) or len(chapter) != 2 or not chapter.isdigit():
                raise ValidationFailed(
                    f"HS chapter {chapter!r} must be two digits",
                    code="unknown_hs_code",
                    field=f"scope.hs_chapters[{i}]",
                )
            check_hs_code(chapter, field=f"scope.hs_chapters[{i}]")
        if len(set(self.payment_terms)) != len(self.payment_terms):
            raise ValidationFailed(
                "a payment term is listed twice",
                code="duplicate_payment_term",
                field="scope.payment_terms",
            )

    def covers_country(self, country: str) -> bool:
        """True if shipments to ``country`` fall inside the scope."""
        if country in self.excluded_countries:
            return False
        return not self.destination_countries or country in self.destination_countries


@dataclass(frozen=True, slots=True)
class ClaimTermsSchedule:
    """The policy's own claim terms; ``None`` takes the installation's default (settings).

    ``claim_filing_days``: days after the notice of possible loss to file the claim;
    ``waiting_period_days``: days after the due date before a protracted default is paid;
    ``waiting_on_insolvency``: whether a proven insolvency waits too (usually not);
    ``second_approval_above``: claims paying more need a second approver (policy currency);
    ``late_notice_denies_claim``: whether a late notice costs the right to claim.
    """

    claim_filing_days: int | None = None
    waiting_period_days: int | None = None
    waiting_on_insolvency: bool | None = None
    second_approval_above: Decimal | None = None
    late_notice_denies_claim: bool | None = None

    def validate(self) -> None:
        """Raise :class:`ValidationFailed` naming the first broken claim term."""
        for name in ("claim_filing_days", "waiting_period_days"):
            days = getattr(self, name)
            if days is not None and not 0 <= days <= 730:
                raise ValidationFailed(
                    f"{name} must be 0 to 730",
                    code="claim_term_out_of_range",
                    field=f"claim_terms.{name}",
                )
        above = self.second_approval_above
        if above is not None and (not above.is_finite() or above < 0):
            raise ValidationFailed(
                "second_approval_above cannot be negative",
                code="claim_term_out_of_range",
                field="claim_terms.second_approval_above",
            )


@dataclass(frozen=True, slots=True)
class Endorsement:
    """A special provision added to the policy."""

    text: str


@dataclass(frozen=True, slots=True)
class ExperienceRecord:
    """The exporter's record the insurer agreed to rate this policy on ([002] 4).

    ``exposure`` is its insured turnover over those years in the rate table's exposure
    unit (USD million in the default table): the ``n`` of the credibility ``z = n/(n+k)``.
    """

    years: int
    earned_premium: Decimal
    incurred_claims: Decimal
    exposure: Decimal


@dataclass(frozen=True, slots=True)
class RateFloating:
    """The policy's floating adjustments of the table rate ([002] 4: by the insured's
    export experience and record and the concentration of its buyers); ``None``: none.
    """

    experience: ExperienceRecord | None = None
    concentration_hhi: Decimal | None = None

    def validate(self) -> None:
        """Raise :class:`ValidationFailed` naming the first broken adjustment."""
        record = self.experience
        if record is not None:
            if isinstance(record.years, bool) or not 0 <= record.years <= 100:
                raise ValidationFailed(
                    "experience years must be 0 to 100",
                    code="experience_out_of_range",
                    field="rate_floating.experience.years",
                )
            for name in ("earned_premium", "incurred_claims", "exposure"):
                value: Decimal = getattr(record, name)
                if not value.is_finite() or value < 0:
                    raise ValidationFailed(
                        f"experience {name} cannot be negative",
                        code="experience_out_of_range",
                        field=f"rate_floating.experience.{name}",
                    )
        hhi = self.concentration_hhi
        if hhi is not None and (not hhi.is_finite() or not Decimal(0) <= hhi <= Decimal(1)):
            raise ValidationFailed(
                "concentration_hhi must be between 0 and 1",
                code="concentration_out_of_range",
                field="rate_floating.concentration_hhi",
            )


def rate_floating_to_dict(floating: RateFloating) -> dict[str, Any] | None:
    """The policy's floating rate adjustments as JSON-ready values (``None``: none)."""
    record = floating.experience
    data: dict[str, Any] = {}
    if record is not None:
        data["experience"] = {
            "years": record.years,
            "earned_premium": str(record.earned_premium),
            "incurred_claims": str(record.incurred_claims),
            "exposure": str(record.exposure),
        }
    if floating.concentration_hhi is not None:
        data["concentration_hhi"] = str(floating.concentration_hhi)
    return data or None


def rate_floating_from_dict(data: dict[str, Any] | None) -> RateFloating:
    """Rebuild the floating adjustments from :func:`rate_floating_to_dict` output."""
    data = data or {}
    record = data.get("experience")
    hhi = data.get("concentration_hhi")
    return RateFloating(
        experience=None
        if not record
        else ExperienceRecord(
            years=int(record["years"]),
            earned_premium=Decimal(str(record["earned_premium"])),
            incurred_claims=Decimal(str(record["incurred_claims"])),
            exposure=Decimal(str(record["exposure"])),
        ),
        concentration_hhi=None if hhi is None else Decimal(str(hhi)),
    )


@dataclass(frozen=True, slots=True)
class PolicySchedule:
    """The terms of a short-term comprehensive policy."""

    currency: str
    expected_turnover: Money
    maximum_liability: Money
    indemnity_commercial_pct: Decimal
    indemnity_political_pct: Decimal
    declaration_frequency: DeclarationFrequency
    rate_table: str
    base_rate_pct: Decimal
    whole_turnover: bool = True
    min_declared_share: Decimal | None = None  # whole turnover's review threshold; None: 0.95
    scope: InsurableScope = field(default_factory=InsurableScope)
    dispute_resolution: DisputeResolution = DisputeResolution.ARBITRATION
    dispute_venue: str = "CIETAC, Beijing"
    possible_loss_notice_days: int = 90
    claim_terms: ClaimTermsSchedule = field(default_factory=ClaimTermsSchedule)
    # shipments are priced on the rate table unless the schedule agrees a flat rate
    flat_rate_option: bool = False
    flat_rate_pct: Decimal | None = None
    rate_floating: RateFloating = field(default_factory=RateFloating)
    # how received shipments attach cover ([domain A-1]); changed by endorsement
    attachment: AttachmentTerms = field(default_factory=AttachmentTerms)

    def validate(self) -> None:
        """Raise :class:`ValidationFailed` naming the first broken term."""
        check_currency(self.currency)
        self._validate_rate_basis()
        for name in ("indemnity_commercial_pct", "indemnity_political_pct"):
            pct = getattr(self, name)
            if (
                not isinstance(pct, Decimal)
                or not pct.is_finite()
                or not Decimal(0) < pct <= Decimal(100)
            ):
                raise ValidationFailed(
                    f"{name} must be in (0, 100], got {pct}",
                    code="indemnity_out_of_range",
                    field=name,
                )
        for name in ("expected_turnover", "maximum_liability"):
            money: Money = getattr(self, name)
            if money.currency != self.currency:
                raise ValidationFailed(
                    f"{name} must be in the policy currency {self.currency}",
                    code="currency_mismatch",
                    field=name,
                )
        if self.maximum_liability.amount <= 0:
            raise ValidationFailed(
                "maximum_liability must be greater than zero",
                code="maximum_liability_not_positive",
                field="maximum_liability",
            )
        if self.expected_turnover.amount <= 0:
            raise ValidationFailed(
                "expected_turnover must be greater than zero",
                code="expected_turnover_not_positive",
                field="expected_turnover",
            )
        if not self.base_rate_pct.is_finite() or not Decimal(0) < self.base_rate_pct <= Decimal(10):
            raise ValidationFailed(
                "base_rate_pct must be in (0, 10] percent",
                code="rate_out_of_range",
                field="base_rate_pct",
            )
        if not 1 <= self.possible_loss_notice_days <= 365:
            raise ValidationFailed(
                "possible_loss_notice_days must be 1 to 365",
                code="notice_period_out_of_range",
                field="possible_loss_notice_days",
            )
        if not self.rate_table.strip() or len(self.rate_table) > 64:
            raise ValidationFailed(
                "rate_table must name a rate table (1 to 64 characters)",
                code="rate_table_missing",
                field="rate_table",
            )
        if not self.dispute_venue.strip() or len(self.dispute_venue) > 200:
            raise ValidationFailed(
                "dispute_venue must be 1 to 200 characters",
                code="dispute_venue_missing",
                field="dispute_venue",
            )
        share = self.min_declared_share
        if share is not None and (
            not isinstance(share, Decimal)
            or not share.is_finite()
            or not Decimal(0) < share <= Decimal(1)
        ):
            raise ValidationFailed(
                "min_declared_share must be a fraction in (0, 1]",
                code="share_out_of_range",
                field="min_declared_share",
            )
        self.scope.validate()
        self.claim_terms.validate()
        self.rate_floating.validate()
        self.attachment.validate()

    def _validate_rate_basis(self) -> None:
        """A flat rate only where the schedule has the option, and then exactly one."""
        rate = self.flat_rate_pct
        if not self.flat_rate_option:
            if rate is not None:
                raise ValidationFailed(
                    "a flat rate needs the schedule's flat-rate option (flat_rate_option); "
                    "without it every shipment is priced on the rate table",
                    code="flat_rate_not_in_schedule",
                    field="flat_rate_pct",
                )
            return
        if rate is None:
            raise ValidationFailed(
                "the flat-rate option needs the agreed flat_rate_pct",
                code="flat_rate_missing",
                field="flat_rate_pct",
            )
        if not rate.is_finite() or not Decimal(0) < rate <= Decimal(10):
            raise ValidationFailed(
                "flat_rate_pct must be in (0, 10] percent",
                code="rate_out_of_range",
                field="flat_rate_pct",
            )

    @property
    def flat_rate(self) -> Decimal | None:
        """The agreed flat rate in percent, or ``None``: priced on the rate table."""
        return self.flat_rate_pct if self.flat_rate_option else None


@dataclass(frozen=True, slots=True)
class LiabilityGuidance:
    """The 1/3 to 1/2 of expected turnover guide for the maximum liability ([domain P-6])."""

    low: Money
    high: Money
    within: bool
    ratio: Decimal

    def message(self) -> str:
        """A sentence for the underwriter."""
        where = "within" if self.within else "outside"
        return (
            f"maximum liability is {self.ratio:.1%} of expected turnover, {where} the usual "
            f"1/3 to 1/2 ({self.low} to {self.high})"
        )


def liability_guidance(*, expected_turnover: Money, maximum_liability: Money) -> LiabilityGuidance:
    """Where the maximum liability sits against one third to one half of expected turnover."""
    cur = expected_turnover.currency
    low = Money(round_money(expected_turnover.amount / 3, cur), cur)
    high = Money(round_money(expected_turnover.amount / 2, cur), cur)
    ratio = (
        maximum_liability.amount / expected_turnover.amount
        if expected_turnover.amount
        else Decimal(0)
    )
    return LiabilityGuidance(
        low=low, high=high, within=low <= maximum_liability <= high, ratio=ratio
    )
