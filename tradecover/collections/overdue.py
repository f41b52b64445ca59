"""Overdue invoices, notices of possible loss, the buyer freeze, extensions and plans (pure).

[domain C-3].  "Today" is always passed in.

* :func:`overdue_invoices` finds open invoices past their (possibly extended) due date.
* The **notice of possible loss** must be filed within the policy's
  ``possible_loss_notice_days`` after the due date (:func:`notice_deadline`); reminders
  go out before the deadline (:func:`notice_reminders_due`; a missed day is caught up
  with the latest reminder due).  A late notice
  (:func:`notice_timing`) costs the right to claim when the policy says so, else leaves
  the claim to the insurer's discretion (:func:`late_notice_consequence`).
* After a notice the **buyer is frozen** (:func:`buyer_freeze`): further shipments to it
  are not covered (the cover decision's reason ``buyer_in_default``) and its limits go on
  watch, until every notice on it is withdrawn (the buyer paid).
* Before or instead of a loss the exporter may ask to **extend** a due date or to agree a
  **repayment plan**; the insurer approves or refuses (:func:`decide_arrangement`).  An
  approved arrangement moves the due date, and with it the notice deadline
  (:func:`effective_due_date`); a missed instalment of a plan makes the invoice overdue
  from that instalment's date (:func:`plan_overdue_since`).

Error codes (stable): ``notice_before_due``, ``notice_in_future``, ``invoice_not_open``,
``extension_not_later``, ``extension_too_long``, ``extension_requested_late``,
``plan_empty``, ``plan_dates_not_ascending``, ``plan_total_mismatch``,
``plan_instalment_not_positive``, ``already_decided``, ``reason_required``,
``currency_mismatch``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from tradecover.collections.confirmation import OpenInvoice
from tradecover.declarations import CoverReason
from tradecover.kit.errors import Conflict, ValidationFailed
from tradecover.kit.money import Money

DEFAULT_REMINDER_DAYS_BEFORE = (30, 14, 3)
"""Default reminders before the notice deadline, in days."""
DEFAULT_MAX_EXTENSION_DAYS = 180
"""Default longest extension of a due date, in days beyond the original due date."""


class LossCauseHint(StrEnum):
    """What the exporter reports on a notice (the claim states the final cause)."""

    PROTRACTED_DEFAULT = "protracted_default"
    INSOLVENCY = "insolvency"
    REFUSAL_OF_GOODS = "refusal_of_goods"
    POLITICAL = "political"


# --- overdue ----------------------------------------------------------------------------


def days_overdue(due_date: date, today: date) -> int:
    """Days past the due date (0 when not yet due)."""
    return max(0, (today - due_date).days)


@dataclass(frozen=True, slots=True, kw_only=True)
class OverdueInvoice:
    """An invoice past due, with its notice deadline."""

    invoice: OpenInvoice
    due_date: date
    days_overdue: int
    notice_deadline: date


def overdue_invoices(
    invoices: Iterable[OpenInvoice],
    *,
    today: date,
    notice_days: int,
    extended_due: dict[int, date] | None = None,
) -> tuple[OverdueInvoice, ...]:
    """Open invoices whose (extended) due date is before ``today``, most overdue first.

    ``extended_due`` maps invoice ids to the due date an approved arrangement set.
    """
    extended = extended_due or {}
    found = []
    for invoice in invoices:
        due = extended.get(invoice.invoice_id, invoice.due_date)
        if invoice.is_open and today > due:
            found.append(
                OverdueInvoice(
                    invoice=invoice,
                    due_date=due,
                    days_overdue=days_overdue(due, today),
                    notice_deadline=notice_deadline(due, notice_days),
                )
            )
    return tuple(sorted(found, key=lambda o: (o.due_date, o.invoice.invoice_id)))


# --- the notice of possible loss --------------------------------------------------------


def notice_deadline(due_date: date, notice_days: int) -> date:
    """Last day to file the notice: ``notice_days`` after the (effective) due date."""
    if not 1 <= notice_days <= 365:
        raise ValidationFailed(
            "possible_loss_notice_days must be 1 to 365",
            code="notice_period_out_of_range",
            field="notice_days",
        )
    return due_date + timedelta(days=notice_days)


def notice_reminder_dates(
    deadline: date,
    *,
    today: date | None = None,
    days_before: Sequence[int] = DEFAULT_REMINDER_DAYS_BEFORE,
) -> tuple[date, ...]:
    """The reminder dates before ``deadline`` (earliest first, none after ``today``'s past)."""
    dates = sorted({deadline - timedelta(days=d) for d in days_before if d > 0})
    return tuple(d for d in dates if today is None or d >= today)


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeReminder:
    """A reminder to file the notice on an overdue invoice.

    ``stage`` is the reminder it is (so many days before the deadline, one of the
    ``days_before``); ``days_left`` is how many days are left on the day it is sent, which
    is fewer than ``stage`` when the job catches up a reminder whose day it missed.
    """

    invoice_id: int
    deadline: date
    days_left: int
    stage: int


def notice_reminders_due(
    overdue: Iterable[OverdueInvoice],
    *,
    today: date,
    noticed: frozenset[int] = frozenset(),
    days_before: Sequence[int] = DEFAULT_REMINDER_DAYS_BEFORE,
    sent: Collection[tuple[int, date, int]] = frozenset(),
) -> tuple[NoticeReminder, ...]:
    """Reminders to send ``today``: for each overdue invoice without a notice whose deadline
    is not past, the latest reminder whose day has come (``deadline - stage <= today``),
    unless it was sent already.

    ``sent`` holds the ``(invoice id, deadline, stage)`` of reminders sent before.  A job
    that runs every day sends each reminder on its day; one that skipped days catches up
    with the latest reminder only (an earlier one it missed is not worth sending any
    more).  A reminder whose day fell before the invoice was overdue (a notice period
    shorter than the stage) is never sent: the invoice was not yet due then.
    """
    stages = sorted({d for d in days_before if d > 0})
    reminders = []
    for item in overdue:
        if item.invoice.invoice_id in noticed:
            continue
        left = (item.notice_deadline - today).days
        if left < 0:
            continue
        passed = [
            stage
            for stage in stages
            if stage >= left and item.notice_deadline - timedelta(days=stage) > item.due_date
        ]
        if not passed:
            continue
        stage = passed[0]
        if (item.invoice.invoice_id, item.notice_deadline, stage) in sent:
            continue
        reminders.append(
            NoticeReminder(
                invoice_id=item.invoice.invoice_id,
                deadline=item.notice_deadline,
                days_left=left,
                stage=stage,
            )
        )
    return tuple(sorted(reminders, key=lambda r: (r.deadline, r.invoice_id)))


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeTiming:
    """Whether a notice was filed by its deadline."""

    deadline: date
    filed_on: date
    days_late: int

    @property
    def late(self) -> bool:
        """True when filed after the deadline."""
        return self.days_late > 0


def notice_timing(*, due_date: date, notice_days: int, filed_on: date) -> NoticeTiming:
    """The timing of a notice filed on ``filed_on`` for an invoice due on ``due_date``."""
    deadline = notice_deadline(due_date, notice_days)
    return NoticeTiming(
        deadline=deadline, filed_on=filed_on, days_late=max(0, (filed_on - deadline).days)
    )


class NoticeConsequence(StrEnum):
    """What a notice's timing means for a later claim."""

    ON_TIME = "on_time"
    INSURER_DISCRETION = "insurer_discretion"  # late, the policy leaves it to the insurer
    CLAIM_RIGHT_LOST = "claim_right_lost"  # late, the policy denies claims on late notices


def late_notice_consequence(
    timing: NoticeTiming, *, deny_claim_when_late: bool
) -> NoticeConsequence:
    """The consequence of ``timing`` under the policy's rule for late notices."""
    if not timing.late:
        return NoticeConsequence.ON_TIME
    return (
        NoticeConsequence.CLAIM_RIGHT_LOST
        if deny_claim_when_late
        else NoticeConsequence.INSURER_DISCRETION
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PossibleLossNotice:
    """A notice of possible loss on one invoice; ``withdrawn_on`` once the buyer paid."""

    invoice_id: int
    buyer_id: int
    filed_on: date
    cause: LossCauseHint
    timing: NoticeTiming
    withdrawn_on: date | None = None

    @property
    def open(self) -> bool:
        """True until withdrawn."""
        return self.withdrawn_on is None


def file_notice(
    invoice: OpenInvoice,
    *,
    cause: LossCauseHint,
    filed_on: date,
    today: date,
    notice_days: int,
    due_date: date | None = None,
) -> PossibleLossNotice:
    """A notice on ``invoice`` filed on ``filed_on``.

    The invoice must still be open and, except on insolvency (which may be known before
    the due date), past its effective ``due_date`` (default: the invoice's).  A late
    notice is recorded with its timing: the claim checks decide what it costs.
    """
    due = due_date or invoice.due_date
    if filed_on > today:
        raise ValidationFailed(
            "a notice cannot be filed in the future", code="notice_in_future", field="filed_on"
        )
    if not invoice.is_open:
        raise Conflict(
            f"invoice {invoice.invoice_id} is paid: there is no possible loss",
            code="invoice_not_open",
            field="invoice_id",
        )
    if cause is not LossCauseHint.INSOLVENCY and filed_on <= due:
        raise ValidationFailed(
            f"invoice {invoice.invoice_id} is not overdue until after {due.isoformat()}",
            code="notice_before_due",
            field="invoice_id",
        )
    return PossibleLossNotice(
        invoice_id=invoice.invoice_id,
        buyer_id=invoice.buyer_id,
        filed_on=filed_on,
        cause=cause,
        timing=notice_timing(due_date=due, notice_days=notice_days, filed_on=filed_on),
    )


# --- buyer freeze -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class BuyerFreeze:
    """The effect of open notices on a buyer.

    ``frozen``: further shipments are not covered (``cover_reason``); its limits go on
    watch.  ``since`` is the first open notice's filing date.
    """

    buyer_id: int
    frozen: bool
    since: date | None
    cover_reason: CoverReason | None
    limits_on_watch: bool


def buyer_freeze(buyer_id: int, notices: Iterable[PossibleLossNotice]) -> BuyerFreeze:
    """Whether ``buyer_id`` is frozen by an open notice (see :class:`BuyerFreeze`)."""
    open_on = [n.filed_on for n in notices if n.buyer_id == buyer_id and n.open]
    if not open_on:
        return BuyerFreeze(
            buyer_id=buyer_id, frozen=False, since=None, cover_reason=None, limits_on_watch=False
        )
    return BuyerFreeze(
        buyer_id=buyer_id,
        frozen=True,
        since=min(open_on),
        cover_reason=CoverReason.BUYER_IN_DEFAULT,
        limits_on_watch=True,
    )


def buyer_in_default(buyer_id: int, notices: Iterable[PossibleLossNotice]) -> bool:
    """The ``buyer_in_default`` input of :func:`tradecover.declarations.cover.decide_cover`."""
    return buyer_freeze(buyer_id, notices).frozen


# --- extensions and repayment plans -----------------------------------------------------


class ArrangementKind(StrEnum):
    """What the exporter asks the insurer to agree to."""

    EXTENSION = "extension"
    REPAYMENT_PLAN = "repayment_plan"


class ArrangementStatus(StrEnum):
    """Where a request stands."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True, kw_only=True)
class Instalment:
    """One instalment of a repayment plan."""

    due_on: date
    amount: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class Arrangement:
    """A request to extend a due date or to agree a repayment plan with the buyer.

    ``new_due_date`` is the last instalment's date for a plan.
    """

    invoice_id: int
    kind: ArrangementKind
    original_due_date: date
    new_due_date: date
    requested_on: date
    instalments: tuple[Instalment, ...] = ()
    status: ArrangementStatus = ArrangementStatus.REQUESTED
    decided_on: date | None = None
    reason: str | None = None


def request_arrangement(
    invoice: OpenInvoice,
    *,
    kind: ArrangementKind,
    requested_on: date,
    notice_days: int,
    new_due_date: date | None = None,
    instalments: Sequence[Instalment] = (),
    max_extension_days: int = DEFAULT_MAX_EXTENSION_DAYS,
    current_due_date: date | None = None,
) -> Arrangement:
    """Validate and record a request to extend ``invoice`` or reschedule it in instalments.

    It must be asked while the invoice is open and no later than the notice deadline of
    the current due date; the new due date must be later than the current one and at
    most ``max_extension_days`` after the original due date.  A plan's instalments are in
    date order, each above zero, and add up to what is outstanding.
    """
    current = current_due_date or invoice.due_date
    if not invoice.is_open:
        raise Conflict(
            f"invoice {invoice.invoice_id} is paid", code="invoice_not_open", field="invoice_id"
        )
    if requested_on > notice_deadline(current, notice_days):
        raise ValidationFailed(
            "an extension must be asked for by the notice deadline; "
            "file a notice of possible loss instead",
            code="extension_requested_late",
            field="requested_on",
        )
    if kind is ArrangementKind.REPAYMENT_PLAN:
        new_due_date = _check_plan(invoice, instalments)
    if new_due_date is None or new_due_date <= current:
        raise ValidationFailed(
            f"the new due date must be after {current.isoformat()}",
            code="extension_not_later",
            field="new_due_date",
        )
    if (new_due_date - invoice.due_date).days > max_extension_days:
        raise ValidationFailed(
            f"an extension may run at most {max_extension_days} days past the original due date",
            code="extension_too_long",
            field="new_due_date",
        )
    return Arrangement(
        invoice_id=invoice.invoice_id,
        kind=kind,
        original_due_date=invoice.due_date,
        new_due_date=new_due_date,
        requested_on=requested_on,
        instalments=tuple(instalments),
    )


def _check_plan(invoice: OpenInvoice, instalments: Sequence[Instalment]) -> date:
    if not instalments:
        raise ValidationFailed(
            "a repayment plan needs instalments", code="plan_empty", field="instalments"
        )
    currency = invoice.amount.currency
    for i, inst in enumerate(instalments):
        if inst.amount.currency != currency:
            raise ValidationFailed(
                f"instalments are in {currency}",
                code="currency_mismatch",
                field=f"instalments[{i}].amount",
            )
        if inst.amount.amount <= 0:
            raise ValidationFailed(
                "an instalment must be greater than zero",
                code="plan_instalment_not_positive",
                field=f"instalments[{i}].amount",
            )
        if i and inst.due_on <= instalments[i - 1].due_on:
            raise ValidationFailed(
                "instalment dates must be in ascending order",
                code="plan_dates_not_ascending",
                field=f"instalments[{i}].due_on",
            )
    total = sum((inst.amount for inst in instalments), Money.zero(currency))
    if total != invoice.outstanding:
        raise ValidationFailed(
            f"the instalments add up to {total}, the invoice has {invoice.outstanding} outstanding",
            code="plan_total_mismatch",
            field="instalments",
        )
    return instalments[-1].due_on


def decide_arrangement(
    arrangement: Arrangement, *, approve: bool, decided_on: date, reason: str | None = None
) -> Arrangement:
    """The insurer's answer; a refusal needs a reason; a decision is final."""
    if arrangement.status is not ArrangementStatus.REQUESTED:
        raise Conflict(
            f"the request was already {arrangement.status.value}",
            code="already_decided",
            field="status",
        )
    if not approve and not (reason and reason.strip()):
        raise ValidationFailed("a refusal needs a reason", code="reason_required", field="reason")
    return replace(
        arrangement,
        decided_on=decided_on,
        status=ArrangementStatus.APPROVED if approve else ArrangementStatus.REFUSED,
        reason=reason.strip() if reason else None,
    )


def effective_due_date(invoice: OpenInvoice, arrangements: Iterable[Arrangement]) -> date:
    """The due date after the latest approved arrangement (the invoice's own otherwise)."""
    approved = [
        a
        for a in arrangements
        if a.invoice_id == invoice.invoice_id and a.status is ArrangementStatus.APPROVED
    ]
    if not approved:
        return invoice.due_date
    return max(
        approved, key=lambda a: (a.decided_on or a.requested_on, a.new_due_date)
    ).new_due_date


def plan_overdue_since(plan: Arrangement, *, collected: Money, today: date) -> date | None:
    """The date of the first instalment missed by ``today``, ``None`` while on schedule.

    ``collected`` is what the buyer has paid since the plan started; payments settle the
    instalments in date order.
    """
    if plan.kind is not ArrangementKind.REPAYMENT_PLAN:
        raise ValidationFailed(
            "only a repayment plan has instalments", code="not_a_plan", field="kind"
        )
    due_so_far = Money.zero(collected.currency)
    for inst in plan.instalments:
        due_so_far = due_so_far + inst.amount
        if inst.due_on < today and collected < due_so_far:
            return inst.due_on
    return None


# --- the daily job ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class DailyOverdueRun:
    """What the daily overdue job finds on ``today`` for one policy.

    ``overdue``: every open invoice past its effective due date; ``newly_overdue``: those
    that fell due yesterday (first day overdue); ``reminders``: notice reminders to send
    today; ``missed_deadline``: overdue invoices without a notice whose deadline has
    passed (the right to claim may be lost); ``frozen_buyers``: buyers with an open notice.
    """

    today: date
    overdue: tuple[OverdueInvoice, ...]
    newly_overdue: tuple[int, ...]
    reminders: tuple[NoticeReminder, ...]
    missed_deadline: tuple[int, ...]
    frozen_buyers: tuple[int, ...]


def daily_overdue_run(
    invoices: Sequence[OpenInvoice],
    *,
    notices: Sequence[PossibleLossNotice],
    arrangements: Sequence[Arrangement] = (),
    today: date,
    notice_days: int,
    days_before: Sequence[int] = DEFAULT_REMINDER_DAYS_BEFORE,
    sent_reminders: Collection[tuple[int, date, int]] = frozenset(),
) -> DailyOverdueRun:
    """Run the daily overdue rules over one policy's invoices (idempotent for a day).

    ``sent_reminders`` are the reminders sent before (see :func:`notice_reminders_due`).
    """
    extended = {i.invoice_id: effective_due_date(i, arrangements) for i in invoices}
    overdue = overdue_invoices(
        invoices, today=today, notice_days=notice_days, extended_due=extended
    )
    noticed = frozenset(n.invoice_id for n in notices if n.open)
    return DailyOverdueRun(
        today=today,
        overdue=overdue,
        newly_overdue=tuple(o.invoice.invoice_id for o in overdue if o.days_overdue == 1),
        reminders=notice_reminders_due(
            overdue, today=today, noticed=noticed, days_before=days_before, sent=sent_reminders
        ),
        missed_deadline=tuple(
            o.invoice.invoice_id
            for o in overdue
            if o.invoice.invoice_id not in noticed and today > o.notice_deadline
        ),
        frozen_buyers=tuple(sorted({n.buyer_id for n in notices if n.open})),
    )
