"""The double-entry ledger of premium and claims: balanced entries, reversals, trial balance.

Pure values and builders (:func:`premium_billed`, :func:`payment_received`, claim
placeholders); persistence and ``tradecover ledger check`` come with the service layer.
"""

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
    exporter_party,
    payment_received,
    premium_billed,
    programme_party,
    recovery_received,
    reverse,
    trial_balance,
)

__all__ = [
    "Account",
    "AccountKind",
    "JournalEntry",
    "JournalLine",
    "Side",
    "TrialBalance",
    "UnbalancedEntry",
    "claim_approved",
    "claim_paid",
    "exporter_party",
    "payment_received",
    "premium_billed",
    "programme_party",
    "recovery_received",
    "reverse",
    "trial_balance",
]
