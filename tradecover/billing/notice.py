"""Monthly premium notices, payments, arrears and their consequences ([002], 8.2.3).

"The insurer sends each month a premium notice for the previous month's declarations;
premium not paid in time affects the right to claim on those shipments; arrears beyond a
set period make the insurer stop accepting declarations; it may then cancel the policy."

* :func:`build_notice`: one notice per policy and month, a line per declaration (ordered
  by declaration date, then id), its total and due date (issue date + ``payment_days``),
  and the split of every line between the exporter and each subsidy programme;
* :func:`reconcile_notice`: the notice total is the sum of its declarations' premiums
  and of its payers' parts, to the cent;
* :func:`allocate_payment`: a payment pays the payer's open items oldest first (by due
  date, then notice id); part payments leave the rest open; an overpayment stays
  unapplied;
* :func:`age_arrears`: what is unpaid by days past due: ``not_due``, ``0-30``,
  ``31-60``, ``61-90``, ``90+`` (0 = due today and unpaid);
* :func:`shipments_at_risk`: declarations behind a notice whose *exporter* share is
  unpaid more than ``at_risk_after_days`` after its due date: the claim checks
  reads this.  A programme paying late does not put the exporter's cover at risk;
* :func:`suspension_check`: the policy is to be suspended when the exporter's oldest
  unpaid item is more than ``suspend_after_days`` past due.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import CurrencyMismatch, Money, round_money
from tradecover.subsidies import (
    EligibilityDecision,
    ExporterFacts,
    Programme,
    ShipmentFacts,
    SubsidyUsage,
    subsidise,
)


@dataclass(frozen=True, slots=True)
class BillingTerms:
    """A policy's billing terms (tradecover's defaults; configurable per policy)."""

    payment_days: int = 30
    at_risk_after_days: int = 0
    suspend_after_days: int = 60

    def __post_init__(self) -> None:
        for name in ("payment_days", "at_risk_after_days", "suspend_after_days"):
            if not 0 <= getattr(self, name) <= 365:
                raise ValidationFailed(
                    f"{name} must be 0 to 365", code="billing_term_out_of_range", field=name
                )


DEFAULT_TERMS = BillingTerms()
"""Due 30 days after issue; at risk the day after the due date; suspended after 60 days."""


def month_start(text: str) -> date:
    """The first day of a ``YYYY-MM`` month (``"2026-10"`` -> 1 October 2026)."""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(text)
        return date(int(year), int(month), 1)
    except ValueError:
        raise ValidationFailed(
            f"{text!r} is not a month written YYYY-MM", code="invalid_month", field="month"
        ) from None


def month_end(first: date) -> date:
    """The last day of the month of ``first``."""
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


@dataclass(frozen=True, slots=True)
class BillableDeclaration:
    """A declaration as billing sees it: its premium was computed and rounded at declaration."""

    declaration_id: int
    invoice_number: str
    buyer_id: int
    shipment_date: date
    declared_on: date
    hs_code: str
    destination_country: str
    insured_amount: Money
    premium: Money


@dataclass(frozen=True)
class NoticeLine:
    """One declaration on a notice, and who pays its premium."""

    declaration_id: int
    invoice_number: str
    shipment_date: date
    insured_amount: Money
    premium: Money
    exporter_owes: Money
    programme_owes: Mapping[str, Money]
    eligibility: tuple[EligibilityDecision, ...] = ()


@dataclass(frozen=True)
class PremiumNotice:
    """A monthly premium notice for one policy."""

    policy_id: int
    month: date  # first day of the billed month
    issue_date: date
    due_date: date
    currency: str
    lines: tuple[NoticeLine, ...]
    total: Money
    exporter_total: Money
    programme_totals: Mapping[str, Money] = field(default_factory=dict)

    def declaration_ids(self) -> tuple[int, ...]:
        """The declarations this notice bills."""
        return tuple(line.declaration_id for line in self.lines)


def _check_declarations(
    declarations: Sequence[BillableDeclaration],
    *,
    month: date,
    currency: str,
) -> None:
    last = month_end(month)
    seen: set[int] = set()
    for d in declarations:
        if d.declaration_id in seen:
            raise ValidationFailed(
                f"declaration {d.declaration_id} is listed twice",
                code="duplicate_declaration",
                field="declarations",
            )
        seen.add(d.declaration_id)
        if not month <= d.declared_on <= last:
            raise ValidationFailed(
                f"declaration {d.declaration_id} was declared on {d.declared_on.isoformat()}, "
                f"outside {month:%Y-%m}",
                code="declaration_outside_month",
                field="declarations",
            )
        if d.premium.currency != currency or d.insured_amount.currency != currency:
            raise CurrencyMismatch(
                f"declaration {d.declaration_id} is not in {currency}", field="declarations"
            )
        if d.premium.amount < 0 or round_money(d.premium.amount, currency) != d.premium.amount:
            raise ValidationFailed(
                f"declaration {d.declaration_id} has a negative or unrounded premium",
                code="invalid_premium",
                field="declarations",
            )


def build_notice(
    *,
    policy_id: int,
    month: date,
    issue_date: date,
    currency: str,
    declarations: Sequence[BillableDeclaration],
    exporter: ExporterFacts | None = None,
    programmes: Sequence[Programme] = (),
    usage: SubsidyUsage | None = None,
    terms: BillingTerms = DEFAULT_TERMS,
) -> tuple[PremiumNotice, SubsidyUsage]:
    """Build the notice of ``month`` and return it with the subsidy usage after it.

    ``month`` is the first day of the billed month; every declaration must have been
    declared in it and be in ``currency``.  ``exporter`` is needed when ``programmes``
    are given.  Lines are split in order, so caps and budgets are used up predictably.
    """
    if month.day != 1:
        raise ValidationFailed(
            "month must be the first day of the month", code="invalid_month", field="month"
        )
    if issue_date <= month_end(month):
        raise ValidationFailed(
            "a notice is issued after the month it bills has ended",
            code="notice_before_month_end",
            field="issue_date",
        )
    if programmes and exporter is None:
        raise ValidationFailed(
            "subsidies need the exporter's facts", code="missing_exporter", field="exporter"
        )
    _check_declarations(declarations, month=month, currency=currency)
    usage = usage or SubsidyUsage()
    lines: list[NoticeLine] = []
    exporter_total = Money.zero(currency)
    programme_totals: dict[str, Money] = {}
    for d in sorted(declarations, key=lambda d: (d.declared_on, d.declaration_id)):
        decisions: tuple[EligibilityDecision, ...] = ()
        owes: Mapping[str, Money] = {}
        exporter_owes = d.premium
        if programmes and exporter is not None:
            decisions, split = subsidise(
                premium=d.premium,
                programmes=programmes,
                exporter=exporter,
                shipment=ShipmentFacts(d.shipment_date, d.hs_code, d.destination_country),
                usage=usage,
            )
            usage, owes, exporter_owes = split.usage, split.programme_owes, split.exporter_owes
        lines.append(
            NoticeLine(
                d.declaration_id,
                d.invoice_number,
                d.shipment_date,
                d.insured_amount,
                d.premium,
                exporter_owes,
                dict(owes),
                decisions,
            )
        )
        exporter_total = exporter_total + exporter_owes
        for code, amount in owes.items():
            programme_totals[code] = programme_totals.get(code, Money.zero(currency)) + amount
    total = sum((line.premium for line in lines), Money.zero(currency))
    notice = PremiumNotice(
        policy_id=policy_id,
        month=month,
        issue_date=issue_date,
        due_date=issue_date + timedelta(days=terms.payment_days),
        currency=currency,
        lines=tuple(lines),
        total=total,
        exporter_total=exporter_total,
        programme_totals=programme_totals,
    )
    return notice, usage


def reconciliation_problems(
    notice: PremiumNotice,
    declaration_premiums: Mapping[int, Money] | None = None,
) -> list[str]:
    """Every way ``notice`` fails to add up; empty when it reconciles to the cent.

    With ``declaration_premiums`` (declaration id -> premium as stored on the
    declaration), each line must also bill exactly its declaration's premium, and the
    notice exactly those declarations.
    """
    cur = notice.currency
    problems: list[str] = []
    line_sum = sum((line.premium for line in notice.lines), Money.zero(cur))
    if line_sum != notice.total:
        problems.append(f"total {notice.total} is not the sum of its lines {line_sum}")
    payers = notice.exporter_total + sum(notice.programme_totals.values(), Money.zero(cur))
    if payers != notice.total:
        problems.append(f"exporter and programmes owe {payers}, not the total {notice.total}")
    for line in notice.lines:
        parts = line.exporter_owes + sum(line.programme_owes.values(), Money.zero(cur))
        if parts != line.premium:
            problems.append(
                f"declaration {line.declaration_id}: parts {parts} "
                f"are not its premium {line.premium}"
            )
    if declaration_premiums is not None:
        billed = {line.declaration_id: line.premium for line in notice.lines}
        for missing in sorted(set(declaration_premiums) - set(billed)):
            problems.append(f"declaration {missing} is not on the notice")
        for declaration_id, amount in sorted(billed.items()):
            expected = declaration_premiums.get(declaration_id)
            if expected is None:
                problems.append(f"declaration {declaration_id} does not belong on the notice")
            elif expected != amount:
                problems.append(
                    f"declaration {declaration_id} billed {amount}, its premium is {expected}"
                )
    return problems


def reconcile_notice(
    notice: PremiumNotice,
    declaration_premiums: Mapping[int, Money] | None = None,
) -> None:
    """Raise ``notice_does_not_reconcile`` listing every problem, or return quietly."""
    problems = reconciliation_problems(notice, declaration_premiums)
    if problems:
        raise ValidationFailed(
            "; ".join(problems),
            code="notice_does_not_reconcile",
            field="notice",
            details={"problems": problems},
        )


# --- payments and arrears ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenItem:
    """What one payer still owes on one notice (its exporter share, or a programme's)."""

    notice_id: int
    due_date: date
    outstanding: Money
    declaration_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class PaymentAllocation:
    """How a payment was applied: ``(notice_id, amount)`` oldest first, and what was left."""

    amount: Money
    applied: tuple[tuple[int, Money], ...]
    unapplied: Money


def allocate_payment(*, amount: Money, items: Iterable[OpenItem]) -> PaymentAllocation:
    """Apply ``amount`` to the payer's open items, oldest due date first."""
    cur = amount.currency
    if amount.amount <= 0:
        raise ValidationFailed(
            "a payment must be greater than zero", code="payment_not_positive", field="amount"
        )
    if round_money(amount.amount, cur) != amount.amount:
        raise ValidationFailed(
            f"the amount has more decimals than {cur} allows",
            code="too_many_decimals",
            field="amount",
        )
    left = amount
    applied: list[tuple[int, Money]] = []
    for item in sorted(items, key=lambda i: (i.due_date, i.notice_id)):
        if item.outstanding.currency != cur:
            raise CurrencyMismatch(f"notice {item.notice_id} is not in {cur}", field="amount")
        if item.outstanding.amount <= 0 or left.is_zero():
            continue
        part = item.outstanding if item.outstanding <= left else left
        applied.append((item.notice_id, part))
        left = left - part
    return PaymentAllocation(amount=amount, applied=tuple(applied), unapplied=left)


class AgeingBucket(StrEnum):
    """Arrears by days past the notice's due date."""

    NOT_DUE = "not_due"
    DAYS_0_30 = "0-30"
    DAYS_31_60 = "31-60"
    DAYS_61_90 = "61-90"
    OVER_90 = "90+"


def ageing_bucket(days_past_due: int) -> AgeingBucket:
    """The bucket of an item ``days_past_due`` days after its due date (negative: not due)."""
    if days_past_due < 0:
        return AgeingBucket.NOT_DUE
    if days_past_due <= 30:
        return AgeingBucket.DAYS_0_30
    if days_past_due <= 60:
        return AgeingBucket.DAYS_31_60
    if days_past_due <= 90:
        return AgeingBucket.DAYS_61_90
    return AgeingBucket.OVER_90


def age_arrears(
    items: Iterable[OpenItem],
    *,
    today: date,
    currency: str,
) -> dict[AgeingBucket, Money]:
    """Sum what is outstanding per ageing bucket (every bucket present, zero if empty)."""
    result = {bucket: Money.zero(currency) for bucket in AgeingBucket}
    for item in items:
        if item.outstanding.amount <= 0:
            continue
        bucket = ageing_bucket((today - item.due_date).days)
        result[bucket] = result[bucket] + item.outstanding
    return result


def shipments_at_risk(
    items: Iterable[OpenItem],
    *,
    today: date,
    terms: BillingTerms = DEFAULT_TERMS,
) -> frozenset[int]:
    """Declarations behind exporter items unpaid more than ``at_risk_after_days`` past due."""
    return frozenset(
        declaration_id
        for item in items
        if item.outstanding.amount > 0 and (today - item.due_date).days > terms.at_risk_after_days
        for declaration_id in item.declaration_ids
    )


@dataclass(frozen=True, slots=True)
class SuspensionCheck:
    """Whether the exporter's arrears call for suspending the policy, and why."""

    suspend: bool
    oldest_due_date: date | None
    days_past_due: int
    explanation: str


def suspension_check(
    items: Iterable[OpenItem],
    *,
    today: date,
    terms: BillingTerms = DEFAULT_TERMS,
) -> SuspensionCheck:
    """Suspend when the oldest unpaid exporter item is over ``suspend_after_days`` past due."""
    unpaid = [i for i in items if i.outstanding.amount > 0]
    if not unpaid:
        return SuspensionCheck(False, None, 0, "no premium is outstanding")
    oldest = min(unpaid, key=lambda i: (i.due_date, i.notice_id))
    days = (today - oldest.due_date).days
    if days > terms.suspend_after_days:
        return SuspensionCheck(
            True,
            oldest.due_date,
            days,
            f"premium notice {oldest.notice_id} is {days} days past due "
            f"(more than {terms.suspend_after_days}): suspend the policy",
        )
    return SuspensionCheck(
        False,
        oldest.due_date,
        max(days, 0),
        f"the oldest unpaid premium is {max(days, 0)} days past due, "
        f"within {terms.suspend_after_days}",
    )


@dataclass(frozen=True, slots=True)
class OpenCredit:
    """A credit note's credit not yet used, in minor units of its currency."""

    notice_id: int
    policy_id: int
    currency: str
    left_minor: int


@dataclass(frozen=True, slots=True)
class OwedItem:
    """An unpaid notice a credit may settle: its policy, currency, due date and what is owed."""

    notice_id: int
    policy_id: int
    currency: str
    due_date: date
    outstanding_minor: int


def allocate_credits(
    credits: Iterable[OpenCredit], items: Iterable[OwedItem]
) -> list[tuple[int, int, int]]:
    """Apply each credit to the oldest unpaid notices of the same policy and currency.

    Credits are used oldest first (by notice id), notices settled oldest due date first.
    Returns ``(credit notice id, notice id, minor units)``; what a credit cannot place
    stays on it (the account's credit balance) for the next notice.
    """
    owed: dict[tuple[int, str], list[list[int]]] = {}
    for item in sorted(items, key=lambda i: (i.due_date, i.notice_id)):
        if item.outstanding_minor > 0:
            owed.setdefault((item.policy_id, item.currency), []).append(
                [item.notice_id, item.outstanding_minor]
            )
    out: list[tuple[int, int, int]] = []
    for credit in sorted(credits, key=lambda c: c.notice_id):
        left = credit.left_minor
        for entry in owed.get((credit.policy_id, credit.currency), []):
            if left <= 0:
                break
            if entry[1] <= 0 or entry[0] == credit.notice_id:
                continue
            part = min(left, entry[1])
            out.append((credit.notice_id, entry[0], part))
            entry[1] -= part
            left -= part
    return out
