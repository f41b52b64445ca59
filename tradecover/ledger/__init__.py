"""The double-entry ledger of premium and claims: balanced entries, reversals, trial balance.

Pure values and builders (:func:`premium_billed`, :func:`payment_received`, claim
placeholders, the investment-debt entries), imported eagerly; posting and the balances
(:func:`post`, :func:`party_balances`, ...) need the database and load on first use.
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports
from tradecover.ledger.investment_debt import (
    indemnity_approved,
    indemnity_paid,
    period_billed,
    period_paid,
)
from tradecover.ledger.journal import (
    Account,
    AccountKind,
    JournalEntry,
    JournalLine,
    Side,
    TrialBalance,
    UnbalancedEntry,
    claim_approved,
    claim_paid,
    credit_applied,
    exporter_party,
    payment_received,
    premium_billed,
    programme_party,
    recovery_received,
    reverse,
    trial_balance,
)

if TYPE_CHECKING:
    from tradecover.ledger.investment_debt_repository import (
        InvestmentDebtBooks as InvestmentDebtBooks,
    )
    from tradecover.ledger.investment_debt_repository import (
        reconcile_investment_debt as reconcile_investment_debt,
    )
    from tradecover.ledger.service import BalanceRow as BalanceRow
    from tradecover.ledger.service import balances as balances
    from tradecover.ledger.service import insert_rows as insert_rows
    from tradecover.ledger.service import party_balances as party_balances
    from tradecover.ledger.service import post as post

_LAZY = {
    "BalanceRow": "service",
    "InvestmentDebtBooks": "investment_debt_repository",
    "balances": "service",
    "insert_rows": "service",
    "party_balances": "service",
    "post": "service",
    "reconcile_investment_debt": "investment_debt_repository",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "Account",
    "AccountKind",
    "BalanceRow",
    "InvestmentDebtBooks",
    "JournalEntry",
    "JournalLine",
    "Side",
    "TrialBalance",
    "UnbalancedEntry",
    "balances",
    "claim_approved",
    "claim_paid",
    "credit_applied",
    "exporter_party",
    "indemnity_approved",
    "indemnity_paid",
    "insert_rows",
    "party_balances",
    "payment_received",
    "period_billed",
    "period_paid",
    "post",
    "premium_billed",
    "programme_party",
    "reconcile_investment_debt",
    "recovery_received",
    "reverse",
    "trial_balance",
]
