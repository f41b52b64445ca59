"""Collection confirmation: which invoices to ask about, applying answers, chasing (pure).

[002] section 九: the insurer periodically asks the exporter (the *collection
tracking sheet*, 收匯跟蹤單) to confirm which declared invoices were paid.  It shows how
much of each limit is really used, whether a top-up is needed, and finds overdue
invoices early so that a notice of possible loss is filed in time.

* :func:`confirmation_run_dates` gives the schedule (monthly or weekly runs).
* :func:`invoices_to_confirm` picks, on a run date, every invoice still open whose due
  date is on or before the run date plus a look-ahead (``lead_days``).
* :func:`apply_confirmation` records an answer: paid in full, paid in part or unpaid.
  A confirmation for more than is outstanding is refused
  (``collection_exceeds_invoice``).  It returns the limit amount freed.
* :func:`chase_schedule` / :func:`chasing_due` remind the exporter of unanswered
  requests and escalate the ones left unanswered too long.

**What a payment frees.**  The limit carries the covered part of what is outstanding:
``min(outstanding, covered amount)``.  A payment first pays off the uninsured excess of
a partly covered shipment, then frees the limit; the amount freed is the fall in that
figure.  A wholly covered invoice frees exactly what was paid.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from tradecover.kit.dates import add_months
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money


class ConfirmationFrequency(StrEnum):
    """How often the insurer asks for confirmations."""

    MONTHLY = "monthly"
    WEEKLY = "weekly"


class CollectionOutcome(StrEnum):
    """The exporter's answer about one invoice."""

    PAID_IN_FULL = "paid_in_full"
    PAID_IN_PART = "paid_in_part"
    UNPAID = "unpaid"


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenInvoice:
    """A declared invoice as collections see it.

    ``amount`` is the receivable at risk (invoice less prepayment); ``covered`` the part
    cover attached to (``None``: all of it); ``collected`` what the buyer has paid so far.
    """

    invoice_id: int
    buyer_id: int
    amount: Money
    shipment_date: date
    due_date: date
    collected: Money | None = None
    covered: Money | None = None

    @property
    def collected_so_far(self) -> Money:
        """What the buyer has paid so far."""
        return self.collected if self.collected is not None else Money.zero(self.amount.currency)

    @property
    def outstanding(self) -> Money:
        """What the buyer still owes."""
        return self.amount - self.collected_so_far

    @property
    def limit_use(self) -> Money:
        """What the invoice takes from the credit limit: min(outstanding, covered)."""
        covered = self.covered if self.covered is not None else self.amount
        return min(self.outstanding, covered)

    @property
    def is_open(self) -> bool:
        """True while something is still owed."""
        return self.outstanding.amount > 0


def confirmation_run_dates(
    *, start: date, end: date, frequency: ConfirmationFrequency
) -> tuple[date, ...]:
    """The run dates from ``start`` to ``end`` inclusive: every month or week from start."""
    if end < start:
        raise ValidationFailed(
            "the schedule ends before it starts", code="end_before_start", field="end"
        )
    runs: list[date] = []
    n = 0
    while True:
        day = (
            add_months(start, n)
            if frequency is ConfirmationFrequency.MONTHLY
            else start + timedelta(weeks=n)
        )
        if day > end:
            return tuple(runs)
        runs.append(day)
        n += 1


def invoices_to_confirm(
    invoices: Iterable[OpenInvoice], *, run_date: date, lead_days: int = 0
) -> tuple[OpenInvoice, ...]:
    """Open invoices due on or before ``run_date + lead_days``, earliest due first."""
    if lead_days < 0:
        raise ValidationFailed(
            "the look-ahead cannot be negative", code="lead_days_negative", field="lead_days"
        )
    horizon = run_date + timedelta(days=lead_days)
    chosen = [
        i for i in invoices if i.is_open and i.shipment_date <= run_date and i.due_date <= horizon
    ]
    return tuple(sorted(chosen, key=lambda i: (i.due_date, i.invoice_id)))


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmationResult:
    """An answer applied: the invoice after it, what was collected now, the limit freed."""

    invoice: OpenInvoice
    outcome: CollectionOutcome
    collected_now: Money
    freed_limit: Money


def apply_confirmation(
    invoice: OpenInvoice,
    *,
    outcome: CollectionOutcome,
    amount: Money | None = None,
    paid_on: date | None = None,
    today: date,
) -> ConfirmationResult:
    """Apply the exporter's answer to ``invoice``.

    ``paid_in_full`` collects everything outstanding (``amount``, when given, must equal
    it); ``paid_in_part`` needs an ``amount`` above zero and below what is outstanding;
    ``unpaid`` collects nothing.  Payments need a ``paid_on`` date, not after ``today``.
    """
    outstanding, currency = invoice.outstanding, invoice.amount.currency
    zero = Money.zero(currency)
    if amount is not None:
        if amount.currency != currency:
            raise ValidationFailed(
                f"the invoice is in {currency}", code="currency_mismatch", field="amount"
            )
        if amount.rounded() != amount:
            raise ValidationFailed(
                f"the amount has more decimals than {currency} allows",
                code="too_many_decimals",
                field="amount",
            )
    if outcome is CollectionOutcome.UNPAID:
        if amount is not None and not amount.is_zero():
            raise ValidationFailed(
                "an unpaid invoice collects nothing", code="amount_not_zero", field="amount"
            )
        return ConfirmationResult(
            invoice=invoice, outcome=outcome, collected_now=zero, freed_limit=zero
        )
    if not invoice.is_open:
        raise ValidationFailed(
            f"invoice {invoice.invoice_id} is already paid in full",
            code="collection_exceeds_invoice",
            field="amount",
        )
    if paid_on is None:
        raise ValidationFailed(
            "a payment needs the date it was received", code="paid_on_required", field="paid_on"
        )
    if paid_on > today:
        raise ValidationFailed(
            "a payment cannot be received in the future", code="paid_on_in_future", field="paid_on"
        )
    if outcome is CollectionOutcome.PAID_IN_FULL:
        paid = outstanding if amount is None else amount
        if paid < outstanding:
            raise ValidationFailed(
                f"{paid} is less than the {outstanding} outstanding: confirm it as paid in part",
                code="amount_below_outstanding",
                field="amount",
            )
    else:
        if amount is None or amount.amount <= 0:
            raise ValidationFailed(
                "a part payment needs an amount above zero",
                code="amount_not_positive",
                field="amount",
            )
        paid = amount
    if paid > outstanding:
        raise ValidationFailed(
            f"a collection of {paid} is more than the {outstanding} outstanding on invoice "
            f"{invoice.invoice_id}",
            code="collection_exceeds_invoice",
            field="amount",
            details={"outstanding": str(outstanding)},
        )
    if outcome is CollectionOutcome.PAID_IN_PART and paid == outstanding:
        outcome = CollectionOutcome.PAID_IN_FULL
    after = replace(invoice, collected=invoice.collected_so_far + paid)
    return ConfirmationResult(
        invoice=after,
        outcome=outcome,
        collected_now=paid,
        freed_limit=invoice.limit_use - after.limit_use,
    )


def freed_limit_total(results: Iterable[ConfirmationResult], currency: str) -> Money:
    """The limit freed by several confirmations (one buyer's limit)."""
    return sum((r.freed_limit for r in results), Money.zero(currency))


# --- chasing ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ChasePolicy:
    """When to remind an exporter of an unanswered request, and when to escalate."""

    reminder_days: tuple[int, ...] = (7, 14)
    escalate_after_days: int = 21


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmationRequest:
    """A request to confirm one invoice; ``answered_on`` once the exporter answered."""

    invoice_id: int
    requested_on: date
    answered_on: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Chase:
    """A reminder due on an unanswered request (``escalate``: hand to the insurer's staff)."""

    invoice_id: int
    reminder_number: int
    due_on: date
    escalate: bool


def chase_schedule(requested_on: date, policy: ChasePolicy) -> tuple[date, ...]:
    """The reminder dates of a request, then the escalation date, in order."""
    days = sorted({*policy.reminder_days, policy.escalate_after_days})
    if any(d <= 0 for d in days):
        raise ValidationFailed(
            "chase days must be positive", code="chase_days_not_positive", field="reminder_days"
        )
    return tuple(requested_on + timedelta(days=d) for d in days)


def chasing_due(
    requests: Sequence[ConfirmationRequest], *, today: date, policy: ChasePolicy
) -> tuple[Chase, ...]:
    """The latest reminder due by ``today`` on each request still unanswered."""
    escalation_offset = timedelta(days=policy.escalate_after_days)
    chases: list[Chase] = []
    for request in requests:
        if request.answered_on is not None:
            continue
        due = [d for d in chase_schedule(request.requested_on, policy) if d <= today]
        if not due:
            continue
        chases.append(
            Chase(
                invoice_id=request.invoice_id,
                reminder_number=len(due),
                due_on=due[-1],
                escalate=today >= request.requested_on + escalation_offset,
            )
        )
    return tuple(sorted(chases, key=lambda c: (c.due_on, c.invoice_id)))
