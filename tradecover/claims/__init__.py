"""Claims ([domain C-7]): checks, indemnity, recoveries and speed.

Pure rules only here: :mod:`~tradecover.claims.checks` (every claim condition as a named
check), :mod:`~tradecover.claims.indemnity` (THE indemnity rule, the waiting period, four
eyes, the claim states), :mod:`~tradecover.claims.recovery` (subrogation, sharing
recoveries, booking) and :mod:`~tradecover.claims.speed` (time to decision and payment
against a target).
"""

from typing import TYPE_CHECKING

from tradecover.claims.checks import (
    CheckName,
    CheckOutcome,
    ClaimCheck,
    ClaimFacts,
    InvestmentDebtFacts,
    ShipmentClaimFacts,
    blocking_failures,
    ensure_approvable,
    run_checks,
)
from tradecover.claims.indemnity import (
    CLAIM_TRANSITIONS,
    ClaimEvent,
    ClaimLine,
    ClaimState,
    ClaimTerms,
    IndemnityCalculation,
    IndemnityTerms,
    LineIndemnity,
    LossCause,
    RiskType,
    check_approvals,
    check_four_eyes,
    check_notice,
    check_waiting_period,
    compute_indemnity,
    earliest_payment_date,
    maximum_liability_left,
    next_claim_state,
    requires_second_approval,
    validate_lines,
)
from tradecover.claims.recovery import (
    RecoveryShares,
    RecoverySource,
    book_approval,
    book_payment,
    book_recovery,
    check_rights_transferred,
    insurer_share_of_loss,
    rights_transferred,
    share_recovery,
)
from tradecover.claims.speed import (
    AtRisk,
    ClaimTimeline,
    MonthSpeed,
    SpeedTarget,
    Stage,
    claims_at_risk,
    monthly_report,
)
from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.claims.closing import close as close
    from tradecover.claims.decision import approve as approve
    from tradecover.claims.decision import reject as reject
    from tradecover.claims.decision import start_checks as start_checks
    from tradecover.claims.filing import LineIn as LineIn
    from tradecover.claims.filing import file_claim as file_claim
    from tradecover.claims.payment import pay as pay
    from tradecover.claims.recoveries import record_recovery as record_recovery
    from tradecover.claims.service import decision_pdf_of as decision_pdf_of
    from tradecover.claims.service import recovery_statement_pdf_of as recovery_statement_pdf_of

_LAZY: dict[str, str] = {
    "LineIn": "filing",
    "approve": "decision",
    "close": "closing",
    "decision_pdf_of": "service",
    "recovery_statement_pdf_of": "service",
    "file_claim": "filing",
    "pay": "payment",
    "record_recovery": "recoveries",
    "reject": "decision",
    "start_checks": "decision",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "CLAIM_TRANSITIONS",
    "AtRisk",
    "CheckName",
    "CheckOutcome",
    "ClaimCheck",
    "ClaimEvent",
    "ClaimFacts",
    "ClaimLine",
    "ClaimState",
    "ClaimTerms",
    "ClaimTimeline",
    "IndemnityCalculation",
    "IndemnityTerms",
    "InvestmentDebtFacts",
    "LineIn",
    "LineIndemnity",
    "LossCause",
    "MonthSpeed",
    "RecoveryShares",
    "RecoverySource",
    "RiskType",
    "ShipmentClaimFacts",
    "SpeedTarget",
    "Stage",
    "approve",
    "blocking_failures",
    "book_approval",
    "book_payment",
    "book_recovery",
    "check_approvals",
    "check_four_eyes",
    "check_notice",
    "check_rights_transferred",
    "check_waiting_period",
    "claims_at_risk",
    "close",
    "compute_indemnity",
    "decision_pdf_of",
    "earliest_payment_date",
    "ensure_approvable",
    "file_claim",
    "insurer_share_of_loss",
    "maximum_liability_left",
    "monthly_report",
    "next_claim_state",
    "pay",
    "record_recovery",
    "recovery_statement_pdf_of",
    "reject",
    "requires_second_approval",
    "rights_transferred",
    "run_checks",
    "share_recovery",
    "start_checks",
    "validate_lines",
]
