"""The double-entry journal of premium (and later claims): pure values and builders.

Every money movement is a :class:`JournalEntry` whose lines balance **per currency**
(debits = credits); an entry that does not is refused (``unbalanced_entry``).  Entries
are never edited: a correction is a :func:`reverse` entry (every line on the other side)
followed by a new one.  :func:`trial_balance` sums every account; it is zero per currency
whenever only balanced entries were posted.

Accounts and what moves them:

====================  =========  ==================================================
account               kind       debited when / credited when
====================  =========  ==================================================
premium_receivable    asset      a notice bills the exporter / the exporter pays
subsidy_receivable    asset      a notice bills a programme / the programme pays
premium_income        income     (reversal) / a notice is billed
cash                  asset      a payment or recovery arrives / a claim is paid
unapplied_cash        liability  (refund) / a payment exceeds what was owed
claims_expense        expense    a claim is approved / (reversal)
claims_payable        liability  a claim is paid / a claim is approved
recoveries            income     (reversal) / a recovery is collected
====================  =========  ==================================================

Lines on receivables carry a ``party`` (``exporter:12``, ``programme:YIWU``), so the
sub-ledgers can be checked against the general ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, round_money


class AccountKind(StrEnum):
    """The five kinds of account; assets and expenses have debit balances."""

    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


class Account(StrEnum):
    """The accounts of tradecover's premium and claims ledger."""

    PREMIUM_RECEIVABLE = "premium_receivable"
    SUBSIDY_RECEIVABLE = "subsidy_receivable"
    PREMIUM_INCOME = "premium_income"
    CASH = "cash"
    UNAPPLIED_CASH = "unapplied_cash"
    CLAIMS_EXPENSE = "claims_expense"
    CLAIMS_PAYABLE = "claims_payable"
    RECOVERIES = "recoveries"

    @property
    def kind(self) -> AccountKind:
        """The account's kind."""
        return _KINDS[self]


_KINDS: dict[Account, AccountKind] = {
    Account.PREMIUM_RECEIVABLE: AccountKind.ASSET,
    Account.SUBSIDY_RECEIVABLE: AccountKind.ASSET,
    Account.PREMIUM_INCOME: AccountKind.INCOME,
    Account.CASH: AccountKind.ASSET,
    Account.UNAPPLIED_CASH: AccountKind.LIABILITY,
    Account.CLAIMS_EXPENSE: AccountKind.EXPENSE,
    Account.CLAIMS_PAYABLE: AccountKind.LIABILITY,
    Account.RECOVERIES: AccountKind.INCOME,
}


class Side(StrEnum):
    """Debit or credit."""

    DEBIT = "debit"
    CREDIT = "credit"

    @property
    def other(self) -> Side:
        """The opposite side."""
        return Side.CREDIT if self is Side.DEBIT else Side.DEBIT


class UnbalancedEntry(ValidationFailed):
    """An entry's debits and credits differ in some currency."""

    default_code = "unbalanced_entry"


@dataclass(frozen=True, slots=True)
class JournalLine:
    """One line: an account, a side, a positive rounded amount and an optional party."""

    account: Account
    side: Side
    amount: Money
    party: str | None = None

    def __post_init__(self) -> None:
        cur = self.amount.currency
        if self.amount.amount <= 0:
            raise ValidationFailed(
                "a journal line amount must be greater than zero",
                code="line_not_positive",
                field="amount",
            )
        if round_money(self.amount.amount, cur) != self.amount.amount:
            raise ValidationFailed(
                f"a journal line must be rounded to {cur}'s minor unit",
                code="too_many_decimals",
                field="amount",
            )

    @property
    def signed(self) -> Decimal:
        """The amount, positive for a debit and negative for a credit."""
        return self.amount.amount if self.side is Side.DEBIT else -self.amount.amount


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A balanced set of lines posted together; ``key`` makes posting idempotent."""

    key: str
    posted_on: date
    description: str
    lines: tuple[JournalLine, ...]
    reverses: str | None = None

    def __post_init__(self) -> None:
        if not self.key.strip():
            raise ValidationFailed("an entry needs a key", code="missing_key", field="key")
        if len(self.lines) < 2:
            raise ValidationFailed(
                "an entry needs at least two lines", code="empty_entry", field="lines"
            )
        for currency, net in sorted(_net_by_currency(self.lines).items()):
            if net != 0:
                raise UnbalancedEntry(
                    f"entry {self.key} does not balance in {currency}: debits exceed credits "
                    f"by {net}",
                    field="lines",
                    details={"currency": currency, "difference": str(net)},
                )


def _net_by_currency(lines: Iterable[JournalLine]) -> dict[str, Decimal]:
    net: dict[str, Decimal] = {}
    for line in lines:
        cur = line.amount.currency
        net[cur] = net.get(cur, Decimal(0)) + line.signed
    return net


def reverse(entry: JournalEntry, *, key: str, posted_on: date, reason: str) -> JournalEntry:
    """The entry that cancels ``entry``: the same lines on the other side."""
    return JournalEntry(
        key=key,
        posted_on=posted_on,
        description=f"reversal of {entry.key}: {reason}",
        lines=tuple(
            JournalLine(line.account, line.side.other, line.amount, line.party)
            for line in entry.lines
        ),
        reverses=entry.key,
    )


@dataclass(frozen=True)
class TrialBalance:
    """Net debit balance of every (account, currency), and per party where lines had one."""

    balances: Mapping[tuple[Account, str], Decimal]
    party_balances: Mapping[tuple[Account, str, str], Decimal]

    def balance(self, account: Account, currency: str, party: str | None = None) -> Decimal:
        """Net debit balance (credit balances negative) of an account, or one party's share."""
        if party is None:
            return self.balances.get((account, currency), Decimal(0))
        return self.party_balances.get((account, currency, party), Decimal(0))

    def total(self, currency: str) -> Decimal:
        """Sum of all balances in ``currency``: zero when the books balance."""
        return sum((v for (_, cur), v in self.balances.items() if cur == currency), Decimal(0))

    def currencies(self) -> tuple[str, ...]:
        """The currencies that appear in the books."""
        return tuple(sorted({cur for _, cur in self.balances}))

    def is_balanced(self) -> bool:
        """True when every currency's total is zero."""
        return all(self.total(cur) == 0 for cur in self.currencies())


def trial_balance(entries: Iterable[JournalEntry]) -> TrialBalance:
    """Sum the lines of ``entries`` per account, currency and party."""
    balances: dict[tuple[Account, str], Decimal] = {}
    parties: dict[tuple[Account, str, str], Decimal] = {}
    for entry in entries:
        for line in entry.lines:
            key = (line.account, line.amount.currency)
            balances[key] = balances.get(key, Decimal(0)) + line.signed
            if line.party is not None:
                pkey = (line.account, line.amount.currency, line.party)
                parties[pkey] = parties.get(pkey, Decimal(0)) + line.signed
    return TrialBalance(balances, parties)


# --- builders ----------------------------------------------------------------------


def exporter_party(exporter_id: int) -> str:
    """The party name of an exporter on receivable lines."""
    return f"exporter:{exporter_id}"


def programme_party(code: str) -> str:
    """The party name of a subsidy programme on receivable lines."""
    return f"programme:{code}"


def _entry(
    key: str, posted_on: date, description: str, lines: Iterable[JournalLine | None]
) -> JournalEntry:
    return JournalEntry(
        key=key,
        posted_on=posted_on,
        description=description,
        lines=tuple(line for line in lines if line is not None),
    )


def _line(
    account: Account, side: Side, amount: Money, party: str | None = None
) -> JournalLine | None:
    return None if amount.is_zero() else JournalLine(account, side, amount, party)


def _signed_line(
    account: Account, side: Side, amount: Money, party: str | None = None
) -> JournalLine | None:
    """A line on ``side`` for a positive amount, on the other side for a negative one."""
    if amount.amount < 0:
        return _line(account, side.other, -amount, party)
    return _line(account, side, amount, party)


def premium_billed(
    *,
    key: str,
    posted_on: date,
    notice_ref: str,
    exporter_id: int,
    exporter_owes: Money,
    programme_owes: Mapping[str, Money],
) -> JournalEntry:
    """A notice billed: Dr receivable from the exporter and each programme, Cr premium income.

    A negative amount (a credit from adjustments of earlier months: ended declarations, or
    a programme giving back part of an earlier grant) goes on the other side.
    """
    total = sum(programme_owes.values(), exporter_owes)
    return _entry(
        key,
        posted_on,
        f"premium billed on {notice_ref}",
        [
            _signed_line(
                Account.PREMIUM_RECEIVABLE, Side.DEBIT, exporter_owes, exporter_party(exporter_id)
            ),
            *(
                _signed_line(Account.SUBSIDY_RECEIVABLE, Side.DEBIT, amount, programme_party(code))
                for code, amount in sorted(programme_owes.items())
            ),
            _signed_line(Account.PREMIUM_INCOME, Side.CREDIT, total),
        ],
    )


def payment_received(
    *,
    key: str,
    posted_on: date,
    payer: str,
    applied: Money,
    unapplied: Money,
) -> JournalEntry:
    """A payment: Dr cash; Cr the payer's receivable (applied) and unapplied cash (the rest).

    ``payer`` is :func:`exporter_party` or :func:`programme_party`; a programme's
    payment settles subsidy receivable, an exporter's premium receivable.
    """
    receivable = (
        Account.SUBSIDY_RECEIVABLE if payer.startswith("programme:") else Account.PREMIUM_RECEIVABLE
    )
    return _entry(
        key,
        posted_on,
        f"payment received from {payer}",
        [
            _line(Account.CASH, Side.DEBIT, applied + unapplied),
            _line(receivable, Side.CREDIT, applied, payer),
            _line(Account.UNAPPLIED_CASH, Side.CREDIT, unapplied, payer),
        ],
    )


def claim_approved(*, key: str, posted_on: date, claim_ref: str, indemnity: Money) -> JournalEntry:
    """A claim approved : Dr claims expense, Cr claims payable."""
    return _entry(
        key,
        posted_on,
        f"claim {claim_ref} approved",
        [
            _line(Account.CLAIMS_EXPENSE, Side.DEBIT, indemnity),
            _line(Account.CLAIMS_PAYABLE, Side.CREDIT, indemnity),
        ],
    )


def claim_paid(
    *,
    key: str,
    posted_on: date,
    claim_ref: str,
    amount: Money,
    payees: Sequence[tuple[str, Money]] = (),
) -> JournalEntry:
    """A claim paid : Dr claims payable, Cr cash.

    ``payees`` splits the cash by who received it (``bank:<id>`` loss payees first, then
    ``exporter:<id>``), one cash line per payee; they must add up to ``amount``
    (else the entry does not balance) [domain BA-7].
    """
    cash = (
        [_line(Account.CASH, Side.CREDIT, part, party) for party, part in payees]
        if payees
        else [_line(Account.CASH, Side.CREDIT, amount)]
    )
    return _entry(
        key,
        posted_on,
        f"claim {claim_ref} paid",
        [_line(Account.CLAIMS_PAYABLE, Side.DEBIT, amount), *cash],
    )


def recovery_received(
    *,
    key: str,
    posted_on: date,
    claim_ref: str,
    insurer_share: Money,
    insured_share: Money,
) -> JournalEntry:
    """A recovery collected : Dr cash; Cr recoveries (the insurer's
    share) and claims payable (the insured's share, owed back to it).
    """
    return _entry(
        key,
        posted_on,
        f"recovery on claim {claim_ref}",
        [
            _line(Account.CASH, Side.DEBIT, insurer_share + insured_share),
            _line(Account.RECOVERIES, Side.CREDIT, insurer_share),
            _line(Account.CLAIMS_PAYABLE, Side.CREDIT, insured_share),
        ],
    )


def credit_applied(
    *, key: str, posted_on: date, credit_ref: str, notice_ref: str, exporter_id: int, amount: Money
) -> JournalEntry:
    """Part of a credit note applied to an older notice of the same exporter.

    Dr premium receivable (the credit note's credit used), Cr premium receivable (the older
    notice settled): the exporter's balance does not move, its sub-ledger items do.
    """
    party = exporter_party(exporter_id)
    return _entry(
        key,
        posted_on,
        f"{credit_ref} applied to {notice_ref}",
        [
            _line(Account.PREMIUM_RECEIVABLE, Side.DEBIT, amount, party),
            _line(Account.PREMIUM_RECEIVABLE, Side.CREDIT, amount, party),
        ],
    )
