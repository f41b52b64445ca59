"""Pin the public surface of tradecover.pricing (chainladder/httpx style)."""

from __future__ import annotations

import inspect

import tradecover.pricing as pricing


def test_public_names_are_pinned() -> None:
    assert sorted(pricing.__all__) == [
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
        "PERIOD_NOT_ISSUED",
        "PERIOD_PAID",
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
    for name in pricing.__all__:
        assert getattr(pricing, name).__doc__, name


def test_service_functions_take_keyword_only_arguments() -> None:
    for function in (
        pricing.propose_renewal_rate,
        pricing.minimum_premium_rate,
        pricing.horizon_of_risk,
        pricing.premium_due_date,
        pricing.premium_status,
        pricing.simulate_adverse_selection,
        pricing.shipment_premium,
    ):
        parameters = inspect.signature(function).parameters.values()
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters), function
