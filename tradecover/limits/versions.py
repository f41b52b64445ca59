"""Limit versions: every change of a limit is a new version with its own effective date.

[002] (六.2, 七.6) and [domain L-8]: a limit covers shipments made from its effective
date and stays in force until the insurer changes it in writing; an increase, once
approved, **replaces** the old limit from its effective date; a reduction or cancellation
**does not affect liability for shipments already made** under the old limit.

So a version is never edited; a change appends one (:func:`next_version`), and the cover a
shipment has is the limit of the version in force on its shipment date
(:func:`cover_limit_for_shipment`).  Changes cannot be backdated: a backdated reduction
would take cover away from shipments already made, a backdated increase would grant
cover after the fact.  Hence appending a version never changes the cover of a shipment
made before the new version's effective date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tradecover.kit.errors import Conflict, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits.request import RequestType


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitVersion:
    """One version of a credit limit: its amount from ``effective_from`` (zero: cancelled).

    ``expires_on`` (inclusive) and ``indemnity_pct`` are the optional conditions of the
    limit; ``number`` orders versions that take effect on the same day.
    """

    number: int
    kind: RequestType
    amount: Money
    effective_from: date
    expires_on: date | None = None
    indemnity_pct: Decimal | None = None
    reason: str | None = None

    @property
    def is_cancellation(self) -> bool:
        """True when this version cancels the limit."""
        return self.kind is RequestType.CANCELLATION


def _latest(versions: Sequence[LimitVersion]) -> LimitVersion | None:
    return max(versions, key=lambda v: (v.effective_from, v.number), default=None)


def version_in_force(versions: Sequence[LimitVersion], on: date) -> LimitVersion | None:
    """The version in force on ``on``: the latest effective by then, unless it has expired.

    ``None`` when no version is effective yet or the one in force expired before ``on``.
    A cancellation is returned as the version in force (its amount is zero).
    """
    current = _latest([v for v in versions if v.effective_from <= on])
    if current is None or (current.expires_on is not None and on > current.expires_on):
        return None
    return current


def cover_limit_for_shipment(versions: Sequence[LimitVersion], shipment_date: date) -> Money:
    """The limit that caps a claim on a shipment made on ``shipment_date``.

    It is the amount of the version in force on the shipment date: a later reduction or
    cancellation does not take it away, and a later increase does not add to it.  Zero
    when no version was in force that day.
    """
    if not versions:
        raise ValidationFailed(
            "a limit has at least one version", code="no_versions", field="versions"
        )
    current = version_in_force(versions, shipment_date)
    return current.amount if current is not None else Money.zero(versions[0].amount.currency)


def next_version(
    versions: Sequence[LimitVersion],
    *,
    kind: RequestType,
    amount: Money,
    effective_from: date,
    today: date,
    expires_on: date | None = None,
    indemnity_pct: Decimal | None = None,
    reason: str | None = None,
) -> LimitVersion:
    """The version that records a new limit, an increase, a reduction or a cancellation.

    The change is checked against the latest version (which may take effect in the
    future): an increase must be above it, a reduction below it and above zero, a
    cancellation is zero; reductions and cancellations need a reason.  The effective date
    may be neither before ``today`` nor before the latest version's.
    """
    latest = _latest(versions)
    _check_kind(latest, kind, amount)
    if effective_from < today:
        raise ValidationFailed(
            "a limit change cannot take effect in the past",
            code="effective_date_in_past",
            field="effective_from",
        )
    if latest is not None and effective_from < latest.effective_from:
        raise ValidationFailed(
            f"the change must take effect on or after {latest.effective_from.isoformat()}, "
            "the date of the previous version",
            code="effective_date_before_previous",
            field="effective_from",
        )
    if expires_on is not None and expires_on < effective_from:
        raise ValidationFailed(
            "a limit cannot expire before it takes effect",
            code="expiry_before_effective",
            field="expires_on",
        )
    if indemnity_pct is not None and not Decimal(0) < indemnity_pct <= Decimal(100):
        raise ValidationFailed(
            "a limit's indemnity percentage must be in (0, 100]",
            code="indemnity_out_of_range",
            field="indemnity_pct",
        )
    if kind in (RequestType.REDUCTION, RequestType.CANCELLATION) and not (
        reason and reason.strip()
    ):
        raise ValidationFailed(
            f"a {kind.value} needs a reason", code="reason_required", field="reason"
        )
    return LimitVersion(
        number=max((v.number for v in versions), default=0) + 1,
        kind=kind,
        amount=amount.rounded(),
        effective_from=effective_from,
        expires_on=expires_on,
        indemnity_pct=indemnity_pct,
        reason=reason.strip() if reason else None,
    )


def _check_kind(latest: LimitVersion | None, kind: RequestType, amount: Money) -> None:
    open_limit = latest is not None and not latest.is_cancellation
    if kind is RequestType.NEW_LIMIT:
        if open_limit:
            raise Conflict(
                "the limit exists: record an increase or a reduction",
                code="limit_already_exists",
                field="kind",
            )
    elif not open_limit or latest is None:
        raise Conflict(
            f"there is no limit to {kind.value.replace('_', ' ')}",
            code="no_current_limit",
            field="kind",
        )
    elif amount.currency != latest.amount.currency:
        raise ValidationFailed(
            f"the limit is in {latest.amount.currency}", code="currency_mismatch", field="amount"
        )
    if kind is RequestType.CANCELLATION:
        if not amount.is_zero():
            raise ValidationFailed(
                "a cancellation sets the limit to zero", code="amount_not_zero", field="amount"
            )
        return
    if amount.amount <= 0:
        raise ValidationFailed(
            "the amount must be greater than zero", code="amount_not_positive", field="amount"
        )
    if latest is None or kind is RequestType.NEW_LIMIT:
        return
    if kind is RequestType.INCREASE and amount < latest.amount:
        raise ValidationFailed(
            f"{amount} is lower than the limit of {latest.amount}: that is a reduction",
            code="increase_below_current",
            field="amount",
        )
    if kind is RequestType.INCREASE and amount == latest.amount:
        raise ValidationFailed(
            f"{amount} is the current limit: nothing to increase",
            code="increase_not_above_current",
            field="amount",
        )
    if kind is RequestType.REDUCTION and not amount < latest.amount:
        raise ValidationFailed(
            f"a reduction must be below the limit of {latest.amount}",
            code="reduction_not_below_current",
            field="amount",
        )
