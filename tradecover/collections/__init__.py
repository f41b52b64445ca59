"""Collections and overdue ([domain C-1], [002] section 九).

Pure rules only here: :mod:`~tradecover.collections.confirmation` (collection
confirmation, the freed limit, chasing) and :mod:`~tradecover.collections.overdue`
(overdue invoices, notices of possible loss, the buyer freeze, extensions and repayment
plans).
"""

from typing import TYPE_CHECKING

from tradecover.collections.confirmation import (
    Chase,
    ChasePolicy,
    CollectionOutcome,
    ConfirmationFrequency,
    ConfirmationRequest,
    ConfirmationResult,
    OpenInvoice,
    apply_confirmation,
    chase_schedule,
    chasing_due,
    confirmation_run_dates,
    freed_limit_total,
    invoices_to_confirm,
)
from tradecover.collections.overdue import (
    DEFAULT_MAX_EXTENSION_DAYS,
    DEFAULT_REMINDER_DAYS_BEFORE,
    Arrangement,
    ArrangementKind,
    ArrangementStatus,
    BuyerFreeze,
    DailyOverdueRun,
    Instalment,
    LossCauseHint,
    NoticeConsequence,
    NoticeReminder,
    NoticeTiming,
    OverdueInvoice,
    PossibleLossNotice,
    buyer_freeze,
    buyer_in_default,
    daily_overdue_run,
    days_overdue,
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
from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.collections.invoice_repository import open_notice_of as open_notice_of
    from tradecover.collections.notice_repository import OpenNotice as OpenNotice
    from tradecover.collections.notice_repository import notices_filed_on as notices_filed_on
    from tradecover.collections.service import CollectionAnswer as CollectionAnswer
    from tradecover.collections.service import confirm_collection as confirm_collection
    from tradecover.collections.service import confirm_collections as confirm_collections

_LAZY: dict[str, str] = {
    "OpenNotice": "notice_repository",
    "notices_filed_on": "notice_repository",
    "confirm_collection": "service",
    "confirm_collections": "service",
    "CollectionAnswer": "service",
    "open_notice_of": "invoice_repository",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "DEFAULT_MAX_EXTENSION_DAYS",
    "DEFAULT_REMINDER_DAYS_BEFORE",
    "Arrangement",
    "ArrangementKind",
    "ArrangementStatus",
    "BuyerFreeze",
    "Chase",
    "ChasePolicy",
    "CollectionAnswer",
    "CollectionOutcome",
    "ConfirmationFrequency",
    "ConfirmationRequest",
    "ConfirmationResult",
    "DailyOverdueRun",
    "Instalment",
    "LossCauseHint",
    "NoticeConsequence",
    "NoticeReminder",
    "NoticeTiming",
    "OpenInvoice",
    "OpenNotice",
    "OverdueInvoice",
    "PossibleLossNotice",
    "apply_confirmation",
    "buyer_freeze",
    "buyer_in_default",
    "chase_schedule",
    "chasing_due",
    "confirm_collection",
    "confirm_collections",
    "confirmation_run_dates",
    "daily_overdue_run",
    "days_overdue",
    "decide_arrangement",
    "effective_due_date",
    "file_notice",
    "freed_limit_total",
    "invoices_to_confirm",
    "late_notice_consequence",
    "notice_deadline",
    "notice_reminder_dates",
    "notice_reminders_due",
    "notice_timing",
    "notices_filed_on",
    "open_notice_of",
    "overdue_invoices",
    "plan_overdue_since",
    "request_arrangement",
]
