"""Overdue invoices, notices of possible loss, the buyer freeze, extensions and plans."""

from __future__ import annotations

from datetime import date

import pytest

from tradecover.collections.confirmation import OpenInvoice
from tradecover.collections.overdue import (
    ArrangementKind,
    ArrangementStatus,
    BuyerFreeze,
    Instalment,
    LossCauseHint,
    NoticeConsequence,
    NoticeReminder,
    PossibleLossNotice,
    buyer_freeze,
    buyer_in_default,
    daily_overdue_run,
    decide_arrangement,
    effective_due_date,
    file_notice,
    late_notice_consequence,
    notice_deadline,
    notice_reminder_dates,
    notice_reminders_due,
    notice_timing,
    overdue_invoices,
    plan_overdue_since,
    request_arrangement,
)
from tradecover.declarations.cover import CoverReason
from tradecover.kit.errors import Conflict, ValidationFailed
from tradecover.kit.money import Money

DUE = date(2026, 3, 31)


def usd(amount: int | str) -> Money:
    return Money.of(amount, "USD")


def inv(
    invoice_id: int = 1, *, due: date = DUE, collected: int | None = None, buyer_id: int = 7
) -> OpenInvoice:
    return OpenInvoice(
        invoice_id=invoice_id,
        buyer_id=buyer_id,
        amount=usd(10_000),
        shipment_date=date(2026, 1, 15),
        due_date=due,
        collected=None if collected is None else usd(collected),
    )


def test_overdue_invoices() -> None:
    invoices = [
        inv(1),
        inv(2, due=date(2026, 4, 30)),
        inv(3, due=date(2026, 3, 1)),
        inv(4, due=date(2026, 3, 1), collected=10_000),
        inv(5, due=date(2026, 3, 20)),
    ]
    found = overdue_invoices(
        invoices, today=date(2026, 4, 30), notice_days=60, extended_due={5: date(2026, 5, 20)}
    )
    assert [(o.invoice.invoice_id, o.days_overdue, o.notice_deadline) for o in found] == [
        (3, 60, date(2026, 4, 30)),
        (1, 30, date(2026, 5, 30)),
    ]


def test_notice_deadline_and_reminders() -> None:
    deadline = notice_deadline(DUE, 90)
    assert deadline == date(2026, 6, 29)
    assert notice_reminder_dates(deadline) == (
        date(2026, 5, 30),
        date(2026, 6, 15),
        date(2026, 6, 26),
    )
    assert notice_reminder_dates(deadline, today=date(2026, 6, 1)) == (
        date(2026, 6, 15),
        date(2026, 6, 26),
    )
    with pytest.raises(ValidationFailed) as exc:
        notice_deadline(DUE, 0)
    assert exc.value.code == "notice_period_out_of_range"


def test_reminders_due_today_skip_noticed_invoices() -> None:
    overdue = overdue_invoices(
        [inv(1), inv(2), inv(3, due=date(2026, 4, 16))], today=date(2026, 5, 30), notice_days=90
    )
    assert notice_reminders_due(overdue, today=date(2026, 5, 30), noticed=frozenset({2})) == (
        NoticeReminder(invoice_id=1, deadline=date(2026, 6, 29), days_left=30, stage=30),
    )
    # the next day the 30-day reminder was sent: nothing is due before the 14-day one
    sent = frozenset({(1, date(2026, 6, 29), 30), (2, date(2026, 6, 29), 30)})
    assert notice_reminders_due(overdue, today=date(2026, 5, 31), sent=sent) == ()
    assert notice_reminders_due(overdue, today=date(2026, 6, 14), sent=sent) == ()


def test_a_job_that_skipped_days_sends_the_latest_reminder_it_missed() -> None:
    deadline = date(2026, 6, 29)  # reminders on 30 May (30), 15 June (14), 26 June (3)
    overdue = overdue_invoices([inv(1)], today=date(2026, 6, 1), notice_days=90)
    # the job did not run on 30 May: on 1 June it catches up the 30-day reminder
    assert notice_reminders_due(overdue, today=date(2026, 6, 1)) == (
        NoticeReminder(invoice_id=1, deadline=deadline, days_left=28, stage=30),
    )
    # it did not run from 30 May to 20 June: only the latest one missed, the 14-day one
    assert notice_reminders_due(overdue, today=date(2026, 6, 20)) == (
        NoticeReminder(invoice_id=1, deadline=deadline, days_left=9, stage=14),
    )
    assert notice_reminders_due(overdue, today=date(2026, 6, 20), sent={(1, deadline, 14)}) == ()
    # on the deadline day the 3-day reminder missed still goes out; after it, nothing
    assert notice_reminders_due(overdue, today=deadline, sent={(1, deadline, 14)}) == (
        NoticeReminder(invoice_id=1, deadline=deadline, days_left=0, stage=3),
    )
    assert notice_reminders_due(overdue, today=date(2026, 6, 30)) == ()
    # a reminder whose day fell before the due date is never sent (the invoice was not
    # overdue then): a 20-day notice period never sends its 30-day reminder
    short = overdue_invoices([inv(1)], today=date(2026, 4, 1), notice_days=20)
    assert notice_reminders_due(short, today=date(2026, 4, 1)) == ()
    assert notice_reminders_due(short, today=date(2026, 4, 6)) == (
        NoticeReminder(invoice_id=1, deadline=date(2026, 4, 20), days_left=14, stage=14),
    )
    assert notice_reminders_due(short, today=date(2026, 4, 19)) == (
        NoticeReminder(invoice_id=1, deadline=date(2026, 4, 20), days_left=1, stage=3),
    )


@pytest.mark.parametrize(
    ("filed_on", "deny", "days_late", "consequence"),
    [
        (date(2026, 6, 29), True, 0, NoticeConsequence.ON_TIME),
        (date(2026, 6, 30), True, 1, NoticeConsequence.CLAIM_RIGHT_LOST),
        (date(2026, 7, 9), False, 10, NoticeConsequence.INSURER_DISCRETION),
    ],
)
def test_late_notice_consequences(
    filed_on: date, deny: bool, days_late: int, consequence: NoticeConsequence
) -> None:
    timing = notice_timing(due_date=DUE, notice_days=90, filed_on=filed_on)
    assert timing.days_late == days_late
    assert late_notice_consequence(timing, deny_claim_when_late=deny) is consequence


def test_filing_a_notice() -> None:
    notice = file_notice(
        inv(),
        cause=LossCauseHint.PROTRACTED_DEFAULT,
        filed_on=date(2026, 5, 2),
        today=date(2026, 5, 2),
        notice_days=90,
    )
    assert (notice.buyer_id, notice.timing.deadline, notice.timing.late, notice.open) == (
        7,
        date(2026, 6, 29),
        False,
        True,
    )
    # insolvency may be known before the due date
    early = file_notice(
        inv(),
        cause=LossCauseHint.INSOLVENCY,
        filed_on=date(2026, 3, 1),
        today=date(2026, 3, 1),
        notice_days=90,
    )
    assert early.timing.days_late == 0


@pytest.mark.parametrize(
    ("invoice", "cause", "filed_on", "error", "code"),
    [
        (inv(), LossCauseHint.PROTRACTED_DEFAULT, DUE, ValidationFailed, "notice_before_due"),
        (
            inv(),
            LossCauseHint.PROTRACTED_DEFAULT,
            date(2026, 5, 3),
            ValidationFailed,
            "notice_in_future",
        ),
        (
            inv(collected=10_000),
            LossCauseHint.INSOLVENCY,
            date(2026, 5, 1),
            Conflict,
            "invoice_not_open",
        ),
    ],
)
def test_bad_notices_are_refused(
    invoice: OpenInvoice, cause: LossCauseHint, filed_on: date, error: type[Exception], code: str
) -> None:
    with pytest.raises(error) as exc:
        file_notice(invoice, cause=cause, filed_on=filed_on, today=date(2026, 5, 2), notice_days=90)
    assert getattr(exc.value, "code", None) == code


def _notice(
    invoice_id: int, buyer_id: int, filed: date, withdrawn: date | None = None
) -> PossibleLossNotice:
    n = file_notice(
        inv(invoice_id, buyer_id=buyer_id),
        cause=LossCauseHint.INSOLVENCY,
        filed_on=filed,
        today=filed,
        notice_days=90,
    )
    return PossibleLossNotice(
        invoice_id=n.invoice_id,
        buyer_id=n.buyer_id,
        filed_on=n.filed_on,
        cause=n.cause,
        timing=n.timing,
        withdrawn_on=withdrawn,
    )


def test_a_notice_freezes_the_buyer_until_withdrawn() -> None:
    notices = [
        _notice(1, 7, date(2026, 4, 10)),
        _notice(2, 7, date(2026, 4, 5)),
        _notice(3, 8, date(2026, 4, 1), withdrawn=date(2026, 4, 20)),
    ]
    assert buyer_freeze(7, notices) == BuyerFreeze(
        buyer_id=7,
        frozen=True,
        since=date(2026, 4, 5),
        cover_reason=CoverReason.BUYER_IN_DEFAULT,
        limits_on_watch=True,
    )
    assert buyer_in_default(7, notices) is True
    assert buyer_in_default(8, notices) is False  # its only notice was withdrawn
    assert buyer_in_default(9, notices) is False


def test_an_approved_extension_moves_the_deadlines() -> None:
    request = request_arrangement(
        inv(),
        kind=ArrangementKind.EXTENSION,
        requested_on=date(2026, 4, 5),
        notice_days=90,
        new_due_date=date(2026, 5, 31),
    )
    assert request.status is ArrangementStatus.REQUESTED
    assert effective_due_date(inv(), [request]) == DUE  # not approved yet
    approved = decide_arrangement(request, approve=True, decided_on=date(2026, 4, 7))
    due = effective_due_date(inv(), [approved])
    assert due == date(2026, 5, 31)
    assert notice_deadline(due, 90) == date(2026, 8, 29)
    assert (
        overdue_invoices([inv()], today=date(2026, 5, 1), notice_days=90, extended_due={1: due})
        == ()
    )
    with pytest.raises(Conflict) as exc:
        decide_arrangement(approved, approve=False, decided_on=date(2026, 4, 8), reason="x")
    assert exc.value.code == "already_decided"


def test_a_refusal_leaves_the_due_date_and_needs_a_reason() -> None:
    request = request_arrangement(
        inv(),
        kind=ArrangementKind.EXTENSION,
        requested_on=date(2026, 4, 5),
        notice_days=90,
        new_due_date=date(2026, 5, 31),
    )
    with pytest.raises(ValidationFailed) as exc:
        decide_arrangement(request, approve=False, decided_on=date(2026, 4, 7))
    assert exc.value.code == "reason_required"
    refused = decide_arrangement(
        request, approve=False, decided_on=date(2026, 4, 7), reason=" buyer insolvent "
    )
    assert (refused.status, refused.reason) == (ArrangementStatus.REFUSED, "buyer insolvent")
    assert effective_due_date(inv(), [refused]) == DUE


PLAN = (
    Instalment(due_on=date(2026, 4, 30), amount=usd(4_000)),
    Instalment(due_on=date(2026, 5, 31), amount=usd(6_000)),
)


def test_a_repayment_plan_and_its_missed_instalments() -> None:
    plan = decide_arrangement(
        request_arrangement(
            inv(),
            kind=ArrangementKind.REPAYMENT_PLAN,
            requested_on=date(2026, 4, 2),
            notice_days=90,
            instalments=PLAN,
        ),
        approve=True,
        decided_on=date(2026, 4, 3),
    )
    assert plan.new_due_date == date(2026, 5, 31)
    assert plan_overdue_since(plan, collected=usd(0), today=date(2026, 4, 30)) is None
    assert plan_overdue_since(plan, collected=usd(3_999), today=date(2026, 5, 1)) == date(
        2026, 4, 30
    )
    assert plan_overdue_since(plan, collected=usd(4_000), today=date(2026, 6, 1)) == date(
        2026, 5, 31
    )
    assert plan_overdue_since(plan, collected=usd(10_000), today=date(2026, 7, 1)) is None


@pytest.mark.parametrize(
    ("kind", "requested_on", "new_due", "instalments", "code"),
    [
        (ArrangementKind.EXTENSION, date(2026, 4, 5), DUE, (), "extension_not_later"),
        (ArrangementKind.EXTENSION, date(2026, 4, 5), date(2026, 9, 28), (), "extension_too_long"),
        (
            ArrangementKind.EXTENSION,
            date(2026, 6, 30),
            date(2026, 7, 31),
            (),
            "extension_requested_late",
        ),
        (ArrangementKind.REPAYMENT_PLAN, date(2026, 4, 5), None, (), "plan_empty"),
        (
            ArrangementKind.REPAYMENT_PLAN,
            date(2026, 4, 5),
            None,
            PLAN[::-1],
            "plan_dates_not_ascending",
        ),
        (ArrangementKind.REPAYMENT_PLAN, date(2026, 4, 5), None, PLAN[:1], "plan_total_mismatch"),
        (
            ArrangementKind.REPAYMENT_PLAN,
            date(2026, 4, 5),
            None,
            (Instalment(due_on=date(2026, 4, 30), amount=usd(0)), *PLAN),
            "plan_instalment_not_positive",
        ),
    ],
)
def test_bad_arrangements_are_refused(
    kind: ArrangementKind,
    requested_on: date,
    new_due: date | None,
    instalments: tuple[Instalment, ...],
    code: str,
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        request_arrangement(
            inv(),
            kind=kind,
            requested_on=requested_on,
            notice_days=90,
            new_due_date=new_due,
            instalments=instalments,
        )
    assert exc.value.code == code


def test_the_daily_job() -> None:
    today = date(2026, 5, 30)
    invoices = [
        inv(1),
        inv(2, due=date(2026, 5, 29)),
        inv(3, due=date(2026, 2, 1)),
        inv(4, due=date(2026, 3, 1), buyer_id=8),
        inv(5, due=date(2026, 3, 15)),
    ]
    notices = [
        _notice(4, 8, date(2026, 4, 2)),
        _notice(3, 7, date(2026, 3, 1), withdrawn=date(2026, 3, 5)),
    ]
    extension = decide_arrangement(
        request_arrangement(
            inv(5, due=date(2026, 3, 15)),
            kind=ArrangementKind.EXTENSION,
            requested_on=date(2026, 3, 20),
            notice_days=90,
            new_due_date=date(2026, 6, 15),
        ),
        approve=True,
        decided_on=date(2026, 3, 21),
    )
    run = daily_overdue_run(
        invoices, notices=notices, arrangements=[extension], today=today, notice_days=90
    )
    assert [o.invoice.invoice_id for o in run.overdue] == [3, 4, 1, 2]
    assert run.newly_overdue == (2,)
    assert run.reminders == (
        NoticeReminder(invoice_id=1, deadline=date(2026, 6, 29), days_left=30, stage=30),
    )
    assert run.missed_deadline == (3,)  # due 1 Feb, deadline 2 May; its notice was withdrawn
    assert run.frozen_buyers == (8,)
