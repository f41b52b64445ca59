"""Premium and billing ([rules §6]): declaration premium, monthly notices, payments, arrears.

Pure rules only: :func:`premium_of` / :func:`declaration_premium` through the one pricing
interface :data:`RateSource` (with :class:`FlatRatePricer`), and the notice, payment
allocation, ageing, at-risk and suspension rules of :mod:`tradecover.billing.notice`.
"""

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

__all__ = [
    "DEFAULT_TERMS",
    "AgeingBucket",
    "BillableDeclaration",
    "BillingTerms",
    "DeclarationPremium",
    "FlatRatePricer",
    "NoticeLine",
    "OpenItem",
    "PaymentAllocation",
    "PremiumNotice",
    "RateSource",
    "SuspensionCheck",
    "age_arrears",
    "ageing_bucket",
    "allocate_payment",
    "build_notice",
    "declaration_premium",
    "month_end",
    "month_start",
    "premium_of",
    "reconcile_notice",
    "reconciliation_problems",
    "shipments_at_risk",
    "suspension_check",
]
