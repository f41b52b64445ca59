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


def label(mapping: dict[str, str], code: str | None) -> str:
    """The English label of ``code`` in ``mapping`` (``code`` itself when unknown)."""
    if code is None:
        return "—"
    return mapping.get(code, code)
