"""Double insurance (pure): one policy, commercial risk with a commercial insurer and political
risk with the state insurer, each with its own rate, premium, limit and claims [000].

A double-insured policy has two *risk carriers* ([domain MK-12]): the commercial carrier, a
commercial insurer of the market, carries the buyer's failures (insolvency, protracted
default, refusal of the goods); the political carrier, the insurer of last resort, carries
the country's acts (transfer restriction, import ban, war, other political events).  Each
states its own premium rate (the two add up to the schedule's rate) and its own maximum
liability.  :func:`split_by_rate` splits each premium amount between them by rate to the
minor unit ([domain MK-13]); a claim and its recoveries belong wholly to the carrier of the
cause's risk class, within that carrier's own limit ([domain MK-14]).  No SQL, no web.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from tradecover.kit.errors import Conflict, ValidationFailed
from tradecover.kit.money import Money

COMMERCIAL: Final = "commercial"
POLITICAL: Final = "political"
RISK_CLASSES: Final = (COMMERCIAL, POLITICAL)
"""The two risk classes, in the order a split and a view list them (commercial first)."""
CAUSES: Final[Mapping[str, tuple[str, ...]]] = {
    COMMERCIAL: ("insolvency", "protracted_default", "refusal_of_goods"),
    POLITICAL: ("transfer_restriction", "import_ban", "war", "other_political"),
}
"""The causes of loss each risk class answers for, as the claims context classifies them
(``LossCause.risk_type``; a test holds the two together): the exporter's view lists them."""
RATE_QUANTUM: Final = Decimal("0.0001")
"""A carrier's rate is a percentage with at most four decimals."""
_SCALE: Final = 10_000


@dataclass(frozen=True, slots=True)
class Carrier:
    """One insurer carrying one risk class of a policy: its own rate (percent of the insured
    amount) and its own maximum liability.
    """

    risk_class: str
    insurer_org_id: int
    rate_pct: Decimal
    maximum_liability: Money


class DoubleInsuranceInvalid(ValidationFailed):
    """A set of risk carriers breaks [domain MK-12]."""

    default_code = "double_insurance_invalid"


class CarrierLimitExceeded(Conflict):
    """A claim would take a carrier's claims paid beyond its own limit [domain MK-14]."""

    default_code = "carrier_limit_exceeded"


def _fail(message: str, code: str, field: str) -> DoubleInsuranceInvalid:
    return DoubleInsuranceInvalid(message, code=code, field=field)


def validate_carriers(
    carriers: Sequence[Carrier],
    *,
    commercial_insurers: Iterable[int],
    last_resort: int | None,
    schedule_rate_pct: Decimal,
    maximum_liability: Money,
) -> None:
    """Refuse carriers that break [domain MK-12], naming the field and the rule's code.

    Exactly one carrier per risk class; the commercial one a commercial insurer of the
    market, the political one the insurer of last resort; each rate positive with at most
    four decimals, the two adding up to the schedule's rate; each limit positive, in the
    policy's currency, and no more than the policy's maximum liability.
    """
    classes = sorted(c.risk_class for c in carriers)
    if classes != sorted(RISK_CLASSES):
        raise _fail(
            "double insurance needs exactly one commercial and one political carrier",
            "carriers_incomplete",
            "carriers",
        )
    by_class = {c.risk_class: c for c in carriers}
    commercial, political = by_class[COMMERCIAL], by_class[POLITICAL]
    if commercial.insurer_org_id not in set(commercial_insurers):
        raise _fail(
            f"organisation {commercial.insurer_org_id} is not a commercial insurer of the market",
            "not_a_commercial_insurer",
            "commercial.insurer_org_id",
        )
    if last_resort is None or political.insurer_org_id != last_resort:
        raise _fail(
            "political risk is carried by the insurer of last resort"
            + (
                f" (organisation {last_resort})"
                if last_resort is not None
                else " (none registered)"
            ),
            "political_not_last_resort",
            "political.insurer_org_id",
        )
    for c in (commercial, political):
        rate = c.rate_pct
        if not rate.is_finite() or rate <= 0 or rate > 100 or rate != rate.quantize(RATE_QUANTUM):
            raise _fail(
                f"the {c.risk_class} rate must be a percentage in (0, 100] with at most four "
                "decimals",
                "invalid_carrier_rate",
                f"{c.risk_class}.rate_pct",
            )
        limit = c.maximum_liability
        if limit.currency != maximum_liability.currency:
            raise _fail(
                f"the {c.risk_class} limit must be in the policy currency "
                f"{maximum_liability.currency}",
                "currency_mismatch",
                f"{c.risk_class}.maximum_liability",
            )
        if limit.amount <= 0 or limit.amount > maximum_liability.amount:
            raise _fail(
                f"the {c.risk_class} limit must be positive and at most the policy's maximum "
                f"liability {maximum_liability}",
                "carrier_limit_exceeds_policy",
                f"{c.risk_class}.maximum_liability",
            )
    if commercial.rate_pct + political.rate_pct != schedule_rate_pct:
        raise _fail(
            f"the carriers' rates ({commercial.rate_pct} % + {political.rate_pct} %) must add "
            f"up to the schedule's rate {schedule_rate_pct} %",
            "carrier_rates_mismatch",
            "carriers",
        )


def split_by_rate(amount_minor: int, carriers: Sequence[Carrier]) -> dict[str, int]:
    """Split ``amount_minor`` between the carriers in proportion to their rates
    [domain MK-13]: each part ``|amount| x rate / total rate`` rounded toward zero, the unit
    left over to the larger fractional remainder (a tie to the commercial carrier); a
    negative amount is split as its absolute value and both parts negated.  The parts sum
    to the whole.  Returns risk class -> signed part.
    """
    ordered = sorted(carriers, key=lambda c: RISK_CLASSES.index(c.risk_class))
    if not ordered:
        raise ValueError("nothing to split among: no carrier")
    weights = [int(c.rate_pct * _SCALE) for c in ordered]
    total = sum(weights)
    if total <= 0:
        raise ValueError("carriers' rates must be positive")
    magnitude, sign = abs(amount_minor), (-1 if amount_minor < 0 else 1)
    scaled = [magnitude * w for w in weights]
    base = [n // total for n in scaled]
    left = magnitude - sum(base)
    for i in sorted(range(len(ordered)), key=lambda i: (-(scaled[i] % total), i))[:left]:
        base[i] += 1
    return {c.risk_class: sign * b for c, b in zip(ordered, base, strict=True)}


def carrier_of(risk_class: str, carriers: Iterable[Carrier]) -> Carrier:
    """The carrier of ``risk_class`` [domain MK-14] (a claim's cause decides the class)."""
    for c in carriers:
        if c.risk_class == risk_class:
            return c
    raise ValueError(f"no {risk_class} carrier")


def check_within_limit(carrier: Carrier, *, paid_minor: int, claim_minor: int) -> None:
    """Refuse a claim payment that takes ``carrier``'s claims paid beyond its own maximum
    liability [domain MK-14] (``carrier_limit_exceeded``, 409).
    """
    limit = carrier.maximum_liability.minor_units()
    if paid_minor + claim_minor > limit:
        left = Money.from_minor(max(limit - paid_minor, 0), carrier.maximum_liability.currency)
        raise CarrierLimitExceeded(
            f"the {carrier.risk_class} carrier (organisation {carrier.insurer_org_id}) has "
            f"{left} of its limit {carrier.maximum_liability} left",
            details={
                "risk_class": carrier.risk_class,
                "insurer_org_id": carrier.insurer_org_id,
                "remaining_minor": max(limit - paid_minor, 0),
            },
        )


def remaining(carrier: Carrier, paid_minor: int) -> Money:
    """What is left of ``carrier``'s own limit after ``paid_minor`` of claims."""
    limit = carrier.maximum_liability
    return Money.from_minor(limit.minor_units() - paid_minor, limit.currency)


def by_class(carriers: Iterable[Carrier]) -> Mapping[str, Carrier]:
    """The carriers by risk class."""
    return {c.risk_class: c for c in carriers}


__all__ = [
    "CAUSES",
    "COMMERCIAL",
    "POLITICAL",
    "RATE_QUANTUM",
    "RISK_CLASSES",
    "Carrier",
    "CarrierLimitExceeded",
    "DoubleInsuranceInvalid",
    "by_class",
    "carrier_of",
    "check_within_limit",
    "remaining",
    "split_by_rate",
    "validate_carriers",
]
