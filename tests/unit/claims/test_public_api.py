"""Pins the public surface of the pure claims and collections packages
(their purity is checked in tests/architecture)."""

from __future__ import annotations

import tradecover.claims
import tradecover.collections


def test_public_names_are_pinned() -> None:
    assert sorted(tradecover.claims.__all__) == sorted([
        "CLAIM_TRANSITIONS", "AtRisk", "CheckName", "CheckOutcome", "ClaimCheck", "ClaimEvent",
        "ClaimFacts", "ClaimLine", "ClaimState", "ClaimTerms", "ClaimTimeline",
        "IndemnityCalculation", "IndemnityTerms", "InvestmentDebtFacts", "LineIndemnity",
        "LossCause", "MonthSpeed", "RecoveryShares", "RecoverySource", "RiskType",
        "ShipmentClaimFacts", "SpeedTarget", "Stage", "blocking_failures", "book_approval",
        "book_payment", "book_recovery", "check_approvals", "check_four_eyes", "check_notice",
        "check_rights_transferred", "check_waiting_period", "claims_at_risk",
        "compute_indemnity", "earliest_payment_date", "ensure_approvable",
        "insurer_share_of_loss", "maximum_liability_left", "monthly_report",
        "next_claim_state", "requires_second_approval", "rights_transferred", "run_checks",
        "share_recovery", "validate_lines",
        "LineIn", "approve", "close", "file_claim", "pay", "record_recovery", "reject",
        "start_checks",
    ])
    assert sorted(tradecover.collections.__all__) == sorted([
        "DEFAULT_MAX_EXTENSION_DAYS", "DEFAULT_REMINDER_DAYS_BEFORE", "Arrangement",
        "ArrangementKind", "ArrangementStatus", "BuyerFreeze", "Chase", "ChasePolicy",
        "CollectionOutcome", "ConfirmationFrequency", "ConfirmationRequest",
        "ConfirmationResult", "DailyOverdueRun", "Instalment", "LossCauseHint", "NoticeConsequence",
        "NoticeReminder", "NoticeTiming", "OpenInvoice", "OpenNotice", "OverdueInvoice",
        "PossibleLossNotice",
        "apply_confirmation", "buyer_freeze", "buyer_in_default", "chase_schedule",
        "chasing_due", "confirmation_run_dates", "daily_overdue_run", "days_overdue",
        "decide_arrangement",
        "effective_due_date", "file_notice", "freed_limit_total", "invoices_to_confirm",
        "late_notice_consequence", "notice_deadline", "notice_reminder_dates",
        "notice_reminders_due", "notice_timing", "notices_filed_on",
        "overdue_invoices", "plan_overdue_since",
        "request_arrangement",
        # the lookups other contexts call (lazy: they need the database)
        "open_notice_of",
        "confirm_collection",
    ])
    for module in (tradecover.claims, tradecover.collections):
        assert all(hasattr(module, name) for name in module.__all__)
