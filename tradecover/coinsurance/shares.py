"""Coinsurance rules (pure): participations, their validation, and the split of money by share.

A coinsured policy has *participations*: the lead insurer and followers, each with a share
(a percentage with at most two decimals, [domain CO-1]) for a period.  On every date that
any participation covers, the shares sum to exactly 100 % and exactly one of them is the
lead [domain CO-2]; a participant's periods never overlap [domain CO-3]; the lead is the
issuing insurer [domain CO-4].  :func:`split_minor` splits any amount, in the currency's
minor units, so that the parts always sum to the whole [domain CO-6].
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money

HUNDRED = Decimal(100)
SHARE_QUANTUM = Decimal("0.01")
"""Shares are percentages with at most two decimals (0.01 % steps) [domain CO-1]."""


class ParticipantRole(StrEnum):
    """Lead insurer or follower."""

    LEAD = "lead"
    FOLLOWER = "follower"


@dataclass(frozen=True, slots=True)
class Participation:
    """One insurer's share of a policy for a period (``effective_to`` inclusive, or open)."""

    org_id: int
    role: ParticipantRole
    share: Decimal
    effective_from: date
    effective_to: date | None = None

    def covers(self, day: date) -> bool:
        """True when the participation is effective on ``day``."""
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


@dataclass(frozen=True, slots=True)
class Part:
    """One participant's part of a split amount, in minor units."""

    org_id: int
    role: ParticipantRole
    share: Decimal
    amount_minor: int


class CoinsuranceInvalid(ValidationFailed):
    """A set of participations breaks a rule of [domain CO-1] to [domain CO-4]."""

    default_code = "coinsurance_invalid"


def _fail(message: str, code: str, field: str, **details: object) -> CoinsuranceInvalid:
    return CoinsuranceInvalid(message, code=code, field=field, details=dict(details))


def validate(
    participations: Sequence[Participation],
    *,
    issuing_insurer_id: int,
    eligible_org_ids: Iterable[int],
) -> None:
    """Refuse a set of participations that breaks [domain CO-1] to [domain CO-4].

    ``eligible_org_ids`` are the insurer and co-insurer organisations that may take a share.
    An empty set is valid: the policy is not coinsured.
    """
    eligible = set(eligible_org_ids)
    for n, p in enumerate(participations):
        if p.share <= 0 or p.share > HUNDRED or p.share != p.share.quantize(SHARE_QUANTUM):
            raise _fail(
                f"participation {n}: a share is a percentage above 0 and at most 100, "
                "with at most two decimals",
                "share_out_of_range",
                f"participations[{n}].share",
                share=str(p.share),
            )
        if p.effective_to is not None and p.effective_to < p.effective_from:
            raise _fail(
                f"participation {n} ends before it starts",
                "participation_period_reversed",
                f"participations[{n}].effective_to",
            )
        if p.org_id not in eligible:
            raise _fail(
                f"organisation {p.org_id} is not an insurer or co-insurer",
                "participant_not_insurer",
                f"participations[{n}].org_id",
                org_id=p.org_id,
            )
        if p.role is ParticipantRole.LEAD and p.org_id != issuing_insurer_id:
            raise _fail(
                "the lead is the issuing insurer",
                "lead_not_issuing_insurer",
                f"participations[{n}].org_id",
                org_id=p.org_id,
            )
    _check_overlaps(participations)
    for day in _boundaries(participations):
        _check_day(participations, day)


def _check_overlaps(participations: Sequence[Participation]) -> None:
    """[domain CO-3]: one participant's periods never overlap."""
    by_org: dict[int, list[tuple[int, Participation]]] = {}
    for n, p in enumerate(participations):
        by_org.setdefault(p.org_id, []).append((n, p))
    for org_id, rows in sorted(by_org.items()):
        rows.sort(key=lambda r: r[1].effective_from)
        for (_, a), (n, b) in pairwise(rows):
            if a.effective_to is None or b.effective_from <= a.effective_to:
                raise _fail(
                    f"organisation {org_id} has overlapping participations",
                    "participation_overlaps",
                    f"participations[{n}].effective_from",
                    org_id=org_id,
                )


def _boundaries(participations: Sequence[Participation]) -> list[date]:
    """Every date on which the set of effective participations may change."""
    days = {p.effective_from for p in participations}
    days |= {p.effective_to + timedelta(days=1) for p in participations if p.effective_to}
    return sorted(days)


def _check_day(participations: Sequence[Participation], day: date) -> None:
    """[domain CO-2]: shares of one day sum to 100 %, with exactly one lead."""
    effective = [p for p in participations if p.covers(day)]
    if not effective:
        return
    total = sum((p.share for p in effective), Decimal(0))
    if total != HUNDRED:
        raise _fail(
            f"the shares effective on {day.isoformat()} sum to {total} %, not 100 %",
            "shares_do_not_sum_to_100",
            "participations",
            on=day.isoformat(),
            total=str(total),
        )
    leads = sum(1 for p in effective if p.role is ParticipantRole.LEAD)
    if leads != 1:
        raise _fail(
            f"{leads} leads on {day.isoformat()}: a coinsured policy has exactly one",
            "exactly_one_lead",
            "participations",
            on=day.isoformat(),
            leads=leads,
        )


def effective_on(participations: Iterable[Participation], day: date) -> list[Participation]:
    """The participations effective on ``day``, lead first then by organisation id."""
    return sorted(
        (p for p in participations if p.covers(day)),
        key=lambda p: (p.role is not ParticipantRole.LEAD, p.org_id),
    )


def split_minor(amount_minor: int, shares: Sequence[Participation]) -> list[Part]:
    """Split ``amount_minor`` by share to the minor unit [domain CO-6].

    Each part is first ``|amount| x share / 100`` rounded toward zero; the minor units left
    over (fewer than the number of participants) go one each to the largest fractional
    remainders, ties to the lead and then to the lower organisation id; a negative amount
    is split as its absolute value and every part negated.  The parts sum to the whole and
    each is within one minor unit of ``amount x share / 100``.
    """
    if not shares:
        raise ValueError("nothing to split among: no participation")
    ordered = _ordered(shares)
    magnitude = abs(amount_minor)
    sign = -1 if amount_minor < 0 else 1
    # exact part = magnitude x share / 100 = magnitude x (share in 0.01 %) / 10000
    scaled = [magnitude * int(p.share * 100) for p in ordered]
    base = [n // 10000 for n in scaled]  # toward zero: n is never negative
    left = magnitude - sum(base)
    rank = sorted(range(len(ordered)), key=lambda i: (-(scaled[i] % 10000), i))
    for i in rank[:left]:
        base[i] += 1
    return [Part(p.org_id, p.role, p.share, sign * b) for p, b in zip(ordered, base, strict=True)]


def _ordered(shares: Sequence[Participation]) -> list[Participation]:
    return sorted(shares, key=lambda p: (p.role is not ParticipantRole.LEAD, p.org_id))


def split_money(amount: Money, shares: Sequence[Participation]) -> list[tuple[int, Money]]:
    """:func:`split_minor` of a :class:`Money`: each participant's part in its currency."""
    return [
        (part.org_id, Money.from_minor(part.amount_minor, amount.currency))
        for part in split_minor(amount.minor_units(), shares)
    ]


def insurer_party(org_id: int) -> str:
    """The ledger party of a participant's own lines [domain CO-8]."""
    return f"insurer:{org_id}"


__all__ = [
    "HUNDRED",
    "SHARE_QUANTUM",
    "CoinsuranceInvalid",
    "Part",
    "ParticipantRole",
    "Participation",
    "effective_on",
    "insurer_party",
    "split_minor",
    "split_money",
    "validate",
]
