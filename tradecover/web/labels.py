"""Words the dashboard shows for codes stored in the database (marked for translation).

Each mapping turns a stored code (a policy state, a role, a review metric) into an
English phrase marked with :func:`~tradecover.web.i18n.N_`; templates translate the
phrase into the reader's language.  A code without a label is shown as it is stored.
"""

from __future__ import annotations

from tradecover.web.i18n import N_

STATES: dict[str, str] = {
    "draft": N_("Draft"),
    "quoted": N_("Quoted"),
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "expired": N_("Expired"),
    "renewed": N_("Renewed"),
    "cancelled": N_("Cancelled"),
    "rescinded": N_("Rescinded"),
}

ROLES: dict[str, str] = {
    "admin": N_("Administrator"),
    "underwriter": N_("Underwriter"),
    "risk_manager": N_("Risk manager"),
    "claims_handler": N_("Claims handler"),
    "finance": N_("Finance"),
    "exporter": N_("Exporter"),
    "bank": N_("Bank"),
    "programme": N_("Subsidy programme"),
    "coinsurer": N_("Co-insurer"),
    "webhook": N_("Webhook endpoint"),
}

PRODUCTS: dict[str, str] = {
    "short_term_comprehensive": N_("Short-term comprehensive policy"),
    "domestic_trade_credit": N_("Domestic trade credit insurance"),
    "investment_debt": N_("Overseas investment debt insurance"),
}

FREQUENCIES: dict[str, str] = {
    "monthly": N_("Monthly"),
    "weekly": N_("Weekly"),
    "immediate": N_("Immediately"),
}

DISPUTES: dict[str, str] = {
    "arbitration": N_("Arbitration"),
    "litigation": N_("Litigation"),
}

PAYMENT_TERMS: dict[str, str] = {
    "LC": N_("Letter of credit"),
    "DP": N_("Documents against payment"),
    "DA": N_("Documents against acceptance"),
    "OA": N_("Open account"),
}

OFFER_STATUSES: dict[str, str] = {
    "offered": N_("Offered"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "lapsed": N_("Lapsed"),
}

COVER_STATUSES: dict[str, str] = {
    "covered_in_full": N_("Covered in full"),
    "covered_partly": N_("Covered in part"),
    "not_covered": N_("Not covered"),
}

COVER_REASONS: dict[str, str] = {
    "within_limit": N_("Within the credit limit"),
    "fully_prepaid": N_("Fully prepaid"),
    "exceeds_available_limit": N_("Exceeds the available limit"),
    "policy_not_active": N_("Policy not in force"),
    "policy_suspended": N_("Policy suspended"),
    "outside_policy_period": N_("Outside the policy period"),
    "outside_scope": N_("Outside the insured scope"),
    "country_off_cover": N_("Country off cover"),
    "late_declaration": N_("Late declaration"),
    "buyer_in_default": N_("Buyer in default"),
    "no_limit": N_("No credit limit"),
    "limit_cancelled": N_("Credit limit cancelled"),
    "limit_expired": N_("Credit limit expired"),
    "limit_conditions_not_met": N_("Credit limit conditions not met"),
    "limit_exhausted": N_("Credit limit used up"),
}

REQUEST_TYPES: dict[str, str] = {
    "new_limit": N_("New credit limit"),
    "increase": N_("Increase"),
    "reduction": N_("Reduction"),
    "cancellation": N_("Cancellation"),
}

LIMIT_REASONS: dict[str, str] = {
    "auto_rule": N_("Decided by the automatic rule"),
    "requested_by_insured": N_("Requested by the insured"),
    "sized_to_credit_cycle": N_("Sized to the credit cycle"),
    "capped_by_buyer_aggregate": N_("Capped by the buyer's aggregate"),
    "capped_by_country_cap": N_("Capped by the country cap"),
    "no_room_on_buyer_aggregate": N_("No room on the buyer's aggregate"),
    "no_room_on_country_cap": N_("No room on the country cap"),
    "buyer_hard_stop": N_("Buyer on hard stop"),
    "adverse_events": N_("Adverse events"),
    "grade_below_appetite": N_("Grade below appetite"),
    "amount_above_auto_threshold": N_("Amount above the automatic threshold"),
    "country_restricted": N_("Country restricted"),
    "auto_rule_disabled": N_("Automatic rule switched off"),
    "insufficient_information": N_("Insufficient information"),
    "weak_financials": N_("Weak financials"),
    "poor_payment_record": N_("Poor payment record"),
    "underwriter_judgement": N_("Underwriter's judgement"),
}

CLAIM_STATES: dict[str, str] = {
    "filed": N_("Filed"),
    "checking": N_("Checking"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "paid": N_("Paid"),
    "closed": N_("Closed"),
}

CHECK_NAMES: dict[str, str] = {
    "shipment_declared_on_time": N_("Shipment declared on time"),
    "shipment_covered": N_("Shipment covered"),
    "policy_liability": N_("Policy liable for the shipment"),
    "within_limit_version": N_("Within the credit limit in force"),
    "premium_paid": N_("Premium paid"),
    "notice_filed_on_time": N_("Notice of possible loss filed on time"),
    "claim_filed_on_time": N_("Claim filed on time"),
    "no_policy_breach": N_("No breach of the policy"),
    "fraud_flag": N_("Fraud flag"),
    "investment_debt_premiums": N_("Investment debt premiums paid"),
    "whole_turnover_declared": N_("Whole turnover declared"),
}

CHECK_OUTCOMES: dict[str, str] = {
    "passed": N_("Passed"),
    "failed": N_("Failed"),
    "warning": N_("Warning"),
    "not_applicable": N_("Not applicable"),
}

LOSS_CAUSES: dict[str, str] = {
    "insolvency": N_("Insolvency"),
    "protracted_default": N_("Protracted default"),
    "refusal_of_goods": N_("Refusal of goods"),
    "transfer_restriction": N_("Transfer restriction"),
    "import_ban": N_("Import ban"),
    "war": N_("War"),
    "other_political": N_("Other political event"),
    "political": N_("Political event"),  # an exporter's hint on a notice of possible loss
}

# Review metrics (tradecover.policies.review.ReviewMetrics): label and how to show it.
METRICS: dict[str, tuple[str, str]] = {
    "compliance_rate": (N_("Declarations on time"), "ratio"),
    "declared_share_of_turnover": (N_("Share of turnover declared"), "ratio"),
    "largest_buyer_share": (N_("Largest buyer's share of limits"), "ratio"),
    "limit_approval_rate": (N_("Credit limit approval rate"), "ratio"),
    "limit_utilisation": (N_("Credit limit utilisation"), "ratio"),
    "possible_loss_rate": (N_("Possible-loss rate"), "ratio"),
    "outstanding_liability": (N_("Outstanding liability"), "money"),
    "loss_ratio": (N_("Loss ratio"), "ratio"),
    "declared_amount": (N_("Declared amount"), "money"),
    "premium_earned": (N_("Premium earned"), "money"),
    "claims_paid": (N_("Claims paid"), "money"),
    "undeclared_turnover": (N_("Turnover returned but not declared"), "money"),
    "min_declared_share": (N_("Minimum share of turnover to declare"), "ratio"),
    "whole_turnover_under_review": (N_("Under review for undeclared turnover"), "flag"),
    "turnover_months_flagged": (N_("Months with undeclared turnover"), "text"),
    "turnover_returns_missing": (N_("Turnover returns overdue"), "text"),
}

# Audit actions about a policy, as the policies service records them.
ACTIONS: dict[str, str] = {
    "policy.created": N_("Policy drafted"),
    "policy.drafted": N_("Policy drafted"),
    "policy.quoted": N_("Terms quoted"),
    "policy.revised": N_("Terms revised"),
    "policy.issued": N_("Policy issued"),
    "policy.suspended": N_("Policy suspended"),
    "policy.reinstated": N_("Policy reinstated"),
    "policy.expired": N_("Policy expired"),
    "policy.renewed": N_("Policy renewed"),
    "policy.cancelled": N_("Policy cancelled"),
    "policy.rescinded": N_("Policy rescinded"),
    "policy.withdrawn": N_("Quotation withdrawn"),
    "policy.endorsed": N_("Endorsement added"),
    "policy.endorsement_added": N_("Endorsement added"),
    "policy.non_renewal": N_("Notice of non-renewal"),
    "policy.terminated": N_("Policy terminated"),
    "policy.transitioned": N_("State changed"),
    "renewal.offered": N_("Renewal offered"),
    "renewal.accepted": N_("Renewal accepted"),
    "renewal.declined": N_("Renewal declined"),
    "investment_debt.schedule_set": N_("Premium schedule set"),
    "investment_debt.notice_issued": N_("Premium notice issued"),
    "investment_debt.premium_paid": N_("Premium paid"),
    "investment_debt.premium_set_off": N_("Premium set off against a claim"),
}


SECTORS: dict[str, str] = {
    "agriculture": N_("Agriculture"),
    "food_beverage": N_("Food and beverage"),
    "pharmaceuticals": N_("Pharmaceuticals"),
    "healthcare": N_("Healthcare"),
    "utilities": N_("Utilities"),
    "telecom": N_("Telecommunications"),
    "chemicals": N_("Chemicals"),
    "machinery": N_("Machinery"),
    "electronics": N_("Electronics"),
    "automotive": N_("Automotive"),
    "metals": N_("Metals"),
    "mining": N_("Mining"),
    "oil_gas": N_("Oil and gas"),
    "textiles_apparel": N_("Textiles and apparel"),
    "furniture": N_("Furniture"),
    "wholesale": N_("Wholesale"),
    "retail": N_("Retail"),
    "transport_logistics": N_("Transport and logistics"),
    "it_services": N_("IT services"),
    "construction": N_("Construction"),
    "real_estate": N_("Real estate"),
    "hospitality": N_("Hospitality"),
    "other": N_("Other"),
    "unknown": N_("Sector unknown"),
}

SPEED_STAGES: dict[str, str] = {
    "decision": N_("Decision"),
    "payment": N_("Payment"),
}

AGEING_BUCKETS: dict[str, str] = {
    "not_due": N_("Not yet due"),
    "0-30": N_("Up to 30 days past due"),
    "31-60": N_("31 to 60 days past due"),
    "61-90": N_("61 to 90 days past due"),
    "90+": N_("Over 90 days past due"),
}


CONSENT_SCOPES: dict[str, str] = {
    "shipment_core": N_("buyer, amounts, currency, dates and payment terms"),
    "buyer_identity": N_("buyer identity"),
    "goods_description": N_("goods descriptions"),
    "line_items": N_("line items and unit prices"),
    "invoice_documents": N_("invoice documents"),
    "customs_documents": N_("customs documents"),
    "erp_balances": N_("ERP balances"),
    "financial_statements": N_("financial statements"),
    "payment_experience": N_("payment experience"),
}

SHARED_FIELDS: dict[str, str] = {
    "buyer": N_("Buyer"),
    "amounts": N_("Amounts"),
    "currency": N_("Currency"),
    "dates": N_("Dates"),
    "payment_terms": N_("Payment terms"),
    "hs_code": N_("HS code"),
    "goods_description": N_("Goods description"),
    "line_items": N_("Line items and unit prices"),
    "transport_document": N_("Transport document"),
    "original_document": N_("Original document"),
}

CONSENT_PURPOSES: dict[str, str] = {
    "underwriting": N_("underwriting"),
    "cover_attachment": N_("cover attachment"),
    "claims": N_("claims handling"),
    "portfolio_monitoring": N_("portfolio monitoring"),
    "financing": N_("financing"),
    "subsidy_eligibility": N_("subsidy eligibility"),
}

POLICY_ACTIONS: dict[str, str] = {
    "quote": N_("Quote the terms"),
    "withdraw": N_("Withdraw the terms"),
    "issue": N_("Issue the policy"),
    "endorse": N_("Add an endorsement"),
    "suspend": N_("Suspend"),
    "reinstate": N_("Reinstate"),
    "offer_renewal": N_("Offer renewal"),
    "accept_renewal": N_("Accept the renewal offer"),
    "cancel": N_("Cancel the policy"),
    "non_renewal": N_("Give notice of non-renewal"),
    "rescind": N_("Rescind for fraud"),
}

SUBSIDY_RULES: dict[str, str] = {
    "size_tier": N_("share by the exporter's size tier"),
    "standard_share": N_("the programme's standard share"),
    "outside_validity": N_("outside the programme's validity"),
    "region_not_eligible": N_("the exporter's region is not eligible"),
    "exporter_too_large": N_("the exporter is too large for the programme"),
    "product_not_eligible": N_("the product is not eligible"),
    "destination_not_eligible": N_("the destination is not eligible"),
}

FEED_DOCUMENT_KINDS: dict[str, str] = {
    "invoice": N_("invoice"),
    "credit_note": N_("credit note"),
    "customs_declaration": N_("customs export declaration"),
    "customs_acceptance": N_("customs acceptance"),
    "customs_exit": N_("customs exit"),
    "erp_shipment": N_("ERP shipment"),
}


def label(mapping: dict[str, str], code: str | None) -> str:
    """The English label of ``code`` in ``mapping`` (``code`` itself when unknown)."""
    if code is None:
        return "—"
    return mapping.get(code, code)
