"""Premium and billing ([domain D-10]): declaration premium, monthly notices, payments, arrears.

Pure rules only: :func:`premium_of` / :func:`declaration_premium` through the one pricing
interface :data:`RateSource` (with :class:`FlatRatePricer`), and the notice, payment
allocation, ageing, at-risk and suspension rules of :mod:`tradecover.billing.notice`.
The use cases that need the database (the billing run :func:`run_month`, payments,
ageing, what the claim checks read) load on first use.
"""

from typing import TYPE_CHECKING

from tradecover.billing.notice import (
    DEFAULT_TERMS,
    AgeingBucket,
    BillableDeclaration,
    BillingTerms,
    NoticeLine,
    OpenItem,
    PaymentAllocation,
    PremiumNotice,
    SuspensionCheck,
    age_arrears,
    ageing_bucket,
    allocate_payment,
    build_notice,
    month_end,
    month_start,
    reconcile_notice,
    reconciliation_problems,
    shipments_at_risk,
    suspension_check,
)
from tradecover.billing.premium import (
    DeclarationPremium,
    FlatRatePricer,
    RateSource,
    declaration_premium,
    premium_of,
)
from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.billing.arrears import BILLED_BY as BILLED_BY
    from tradecover.billing.arrears import ageing as ageing
    from tradecover.billing.arrears import notice_for_declaration as notice_for_declaration
    from tradecover.billing.arrears import (
        premium_paid_for_declaration as premium_paid_for_declaration,
    )
    from tradecover.billing.credit_notes import apply_credits as apply_credits
    from tradecover.billing.credit_notes import credit_balances as credit_balances
    from tradecover.billing.jobs import arrears_job as arrears_job
    from tradecover.billing.jobs import bill_batch as bill_batch
    from tradecover.billing.jobs import get_run as get_run
    from tradecover.billing.jobs import run_month as run_month
    from tradecover.billing.jobs import start_run as start_run
    from tradecover.billing.model import PAYER_EXPORTER as PAYER_EXPORTER
    from tradecover.billing.model import PAYER_PROGRAMME as PAYER_PROGRAMME
    from tradecover.billing.payments import allocations_of as allocations_of
    from tradecover.billing.payments import list_payments as list_payments
    from tradecover.billing.payments import payer_of as payer_of
    from tradecover.billing.payments import record_payment as record_payment
    from tradecover.billing.repository import NoticeDue as NoticeDue
    from tradecover.billing.repository import notice_count as notice_count
    from tradecover.billing.repository import notice_exporter as notice_exporter
    from tradecover.billing.repository import notices_due as notices_due
    from tradecover.billing.repository import programme_unpaid_grants as programme_unpaid_grants
    from tradecover.billing.service import get_notice as get_notice
    from tradecover.billing.service import list_notices as list_notices
    from tradecover.billing.service import month_bounds as month_bounds
    from tradecover.billing.service import notice_pdf_of as notice_pdf_of
    from tradecover.billing.service import subsidy_statement_pdf_of as subsidy_statement_pdf_of
    from tradecover.billing.service import terms_of as terms_of

_LAZY = {
    "BILLED_BY": "arrears",
    "NoticeDue": "repository",
    "PAYER_EXPORTER": "model",
    "PAYER_PROGRAMME": "model",
    "ageing": "arrears",
    "allocations_of": "payments",
    "apply_credits": "credit_notes",
    "arrears_job": "jobs",
    "bill_batch": "jobs",
    "credit_balances": "credit_notes",
    "get_notice": "service",
    "notice_pdf_of": "service",
    "subsidy_statement_pdf_of": "service",
    "get_run": "jobs",
    "list_notices": "service",
    "list_payments": "payments",
    "month_bounds": "service",
    "notice_count": "repository",
    "notice_exporter": "repository",
    "notice_for_declaration": "arrears",
    "notices_due": "repository",
    "payer_of": "payments",
    "premium_paid_for_declaration": "arrears",
    "programme_unpaid_grants": "repository",
    "record_payment": "payments",
    "run_month": "jobs",
    "start_run": "jobs",
    "terms_of": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "BILLED_BY",
    "DEFAULT_TERMS",
    "PAYER_EXPORTER",
    "PAYER_PROGRAMME",
    "AgeingBucket",
    "BillableDeclaration",
    "BillingTerms",
    "DeclarationPremium",
    "FlatRatePricer",
    "NoticeDue",
    "NoticeLine",
    "OpenItem",
    "PaymentAllocation",
    "PremiumNotice",
    "RateSource",
    "SuspensionCheck",
    "age_arrears",
    "ageing",
    "ageing_bucket",
    "allocate_payment",
    "allocations_of",
    "apply_credits",
    "arrears_job",
    "bill_batch",
    "build_notice",
    "credit_balances",
    "declaration_premium",
    "get_notice",
    "get_run",
    "list_notices",
    "list_payments",
    "month_bounds",
    "month_end",
    "month_start",
    "notice_count",
    "notice_exporter",
    "notice_for_declaration",
    "notice_pdf_of",
    "notices_due",
    "payer_of",
    "premium_of",
    "premium_paid_for_declaration",
    "programme_unpaid_grants",
    "reconcile_notice",
    "reconciliation_problems",
    "record_payment",
    "run_month",
    "shipments_at_risk",
    "start_run",
    "subsidy_statement_pdf_of",
    "suspension_check",
    "terms_of",
]
