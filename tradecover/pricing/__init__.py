"""Pricing: pure rate and premium functions, no web and no SQL.

* Short-term rates: versioned :class:`RateTable`, one :class:`RatePricer` interface
  (:class:`ShortTermPricer`, :func:`price_short_term`) returning a :class:`RateQuote`
  with its explanation, and an exact vectorised :meth:`ShortTermPricer.price_batch`.
* Renewal re-pricing: :func:`propose_renewal_rate` (on the policies context's
  ``ReviewMetrics``), :func:`accept_renewal_rate`, :func:`override_renewal_rate`.
* ``PaymentTerms`` is re-exported from :mod:`tradecover.reference.payment_terms` (the one
  definition), for callers that build a :class:`ShortTermRateRequest`.
* Overseas investment debt insurance [004]: :func:`quote_investment_debt` and its
  payment rules.
* OECD Arrangement minimum premium: :func:`minimum_premium_rate`.
* Pricing lab: :func:`simulate_adverse_selection`, :func:`render_lab_chart`.
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports
from tradecover.pricing.investment_debt import (
    DrawdownPeriod,
    IndemnitySettlement,
    InvestmentDebtQuote,
    InvestmentDebtQuoteRequest,
    PeriodPremium,
    Phase,
    PremiumStatus,
    RepaymentPeriod,
    compare_full_and_partial_cover,
    cover_in_force,
    maximum_insured_amount,
    parse_quote_request,
    premium_due_date,
    premium_status,
    premiums_due_before_indemnity,
    quote_investment_debt,
    quote_investment_debt_json,
    repayment_premium_identity,
)
from tradecover.pricing.lab import LabRow, render_lab_chart, simulate_adverse_selection
from tradecover.pricing.mlt_minimum_premium import (
    MinimumPremium,
    horizon_of_risk,
    minimum_premium_rate,
)
from tradecover.pricing.rate_table import (
    InvalidRateTable,
    RateTable,
    default_rate_table,
    rate_table_from_dict,
    rate_table_to_dict,
)
from tradecover.pricing.renewal import (
    RenewalDecision,
    RenewalProposal,
    accept_renewal_rate,
    override_renewal_rate,
    propose_renewal_rate,
    rate_pct,
    stored_proposal,
)
from tradecover.pricing.shipment_rates import PolicyRatePricer, RateBook, policy_rate_pricer
from tradecover.pricing.short_term import (
    Adjustment,
    ExporterExperience,
    RateExplanation,
    RatePricer,
    RateQuote,
    ShortTermPricer,
    ShortTermRateRequest,
    UnknownCountry,
    price_short_term,
    shipment_premium,
)
from tradecover.reference.payment_terms import PaymentTerms

if TYPE_CHECKING:
    from tradecover.pricing.model import InvestmentDebtPeriod as InvestmentDebtPeriod
    from tradecover.pricing.rate_book_repository import rate_book_for as rate_book_for
    from tradecover.pricing.schedules.service import PERIOD_NOT_ISSUED as PERIOD_NOT_ISSUED
    from tradecover.pricing.schedules.service import PERIOD_PAID as PERIOD_PAID
    from tradecover.pricing.schedules.service import InvestmentDebtLoan as InvestmentDebtLoan
    from tradecover.pricing.schedules.service import (
        create_investment_debt_schedule as create_investment_debt_schedule,
    )
    from tradecover.pricing.schedules.service import (
        get_investment_debt_schedule as get_investment_debt_schedule,
    )
    from tradecover.pricing.schedules.service import issue_premium_notice as issue_premium_notice
    from tradecover.pricing.schedules.service import loan_of as loan_of
    from tradecover.pricing.schedules.service import (
        premiums_due_before_indemnity_for as premiums_due_before_indemnity_for,
    )
    from tradecover.pricing.schedules.service import record_loan as record_loan
    from tradecover.pricing.schedules.service import (
        record_premium_payment as record_premium_payment,
    )
    from tradecover.pricing.schedules.service import schedule_periods_of as schedule_periods_of
    from tradecover.pricing.schedules.service import schedule_request_of as schedule_request_of
    from tradecover.pricing.schedules.service import set_off_premiums as set_off_premiums
    from tradecover.pricing.schemas import DrawdownIn as DrawdownIn
    from tradecover.pricing.schemas import DueBeforeIndemnityOut as DueBeforeIndemnityOut
    from tradecover.pricing.schemas import InvestmentDebtQuoteIn as InvestmentDebtQuoteIn
    from tradecover.pricing.schemas import NoticeIn as NoticeIn
    from tradecover.pricing.schemas import PaymentIn as PaymentIn
    from tradecover.pricing.schemas import PeriodOut as PeriodOut
    from tradecover.pricing.schemas import RepaymentIn as RepaymentIn
    from tradecover.pricing.schemas import ScheduleOut as ScheduleOut
    from tradecover.pricing.service import renewal_repricer as renewal_repricer

_LAZY = {
    "PERIOD_NOT_ISSUED": "schedules.service",
    "PERIOD_PAID": "schedules.service",
    "create_investment_debt_schedule": "schedules.service",
    "get_investment_debt_schedule": "schedules.service",
    "issue_premium_notice": "schedules.service",
    "premiums_due_before_indemnity_for": "schedules.service",
    "record_premium_payment": "schedules.service",
    "rate_book_for": "rate_book_repository",
    "DrawdownIn": "schemas",
    "DueBeforeIndemnityOut": "schemas",
    "InvestmentDebtQuoteIn": "schemas",
    "NoticeIn": "schemas",
    "PaymentIn": "schemas",
    "PeriodOut": "schemas",
    "RepaymentIn": "schemas",
    "ScheduleOut": "schemas",
    "schedule_request_of": "schedules.service",
    "set_off_premiums": "schedules.service",
    "schedule_periods_of": "schedules.service",
    "InvestmentDebtPeriod": "model",
    "record_loan": "schedules.service",
    "loan_of": "schedules.service",
    "InvestmentDebtLoan": "schedules.service",
    "renewal_repricer": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)
__all__ = [
    "PERIOD_NOT_ISSUED",
    "PERIOD_PAID",
    "Adjustment",
    "DrawdownIn",
    "DrawdownPeriod",
    "DueBeforeIndemnityOut",
    "ExporterExperience",
    "IndemnitySettlement",
    "InvalidRateTable",
    "InvestmentDebtLoan",
    "InvestmentDebtPeriod",
    "InvestmentDebtQuote",
    "InvestmentDebtQuoteIn",
    "InvestmentDebtQuoteRequest",
    "LabRow",
    "MinimumPremium",
    "NoticeIn",
    "PaymentIn",
    "PaymentTerms",
    "PeriodOut",
    "PeriodPremium",
    "Phase",
    "PolicyRatePricer",
    "PremiumStatus",
    "RateBook",
    "RateExplanation",
    "RatePricer",
    "RateQuote",
    "RateTable",
    "RenewalDecision",
    "RenewalProposal",
    "RepaymentIn",
    "RepaymentPeriod",
    "ScheduleOut",
    "ShortTermPricer",
    "ShortTermRateRequest",
    "UnknownCountry",
    "accept_renewal_rate",
    "compare_full_and_partial_cover",
    "cover_in_force",
    "create_investment_debt_schedule",
    "default_rate_table",
    "get_investment_debt_schedule",
    "horizon_of_risk",
    "issue_premium_notice",
    "loan_of",
    "maximum_insured_amount",
    "minimum_premium_rate",
    "override_renewal_rate",
    "parse_quote_request",
    "policy_rate_pricer",
    "premium_due_date",
    "premium_status",
    "premiums_due_before_indemnity",
    "premiums_due_before_indemnity_for",
    "price_short_term",
    "propose_renewal_rate",
    "quote_investment_debt",
    "quote_investment_debt_json",
    "rate_book_for",
    "rate_pct",
    "rate_table_from_dict",
    "rate_table_to_dict",
    "record_loan",
    "record_premium_payment",
    "render_lab_chart",
    "renewal_repricer",
    "repayment_premium_identity",
    "schedule_periods_of",
    "schedule_request_of",
    "set_off_premiums",
    "shipment_premium",
    "simulate_adverse_selection",
    "stored_proposal",
]
