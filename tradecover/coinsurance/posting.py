"""Coinsurance postings (pure): the entry that moves a pooled amount to each insurer's account.

The source entry (a notice billed, a claim paid, a recovery collected) stays whole: the lead
bills, collects and pays the whole for the market [domain CO-8].  The *allocation entry*
then moves the whole out of the pooled account (no party) and into the same account with
each participant's party (``insurer:<org id>``), one line per insurer with its part
[domain CO-6]; it balances because the parts sum to the whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from tradecover.coinsurance.shares import insurer_party
from tradecover.kit.money import Money
from tradecover.ledger import Account, JournalEntry, JournalLine, Side

POOL_SIDE: Mapping[Account, Side] = {
    Account.PREMIUM_INCOME: Side.DEBIT,
    Account.CLAIMS_EXPENSE: Side.CREDIT,
    Account.RECOVERIES: Side.DEBIT,
}
"""The side that takes a positive amount out of each pooled account [domain CO-8]."""


def _signed(
    account: Account, side: Side, minor: int, currency: str, party: str | None
) -> list[JournalLine]:
    if minor == 0:
        return []
    if minor < 0:
        side, minor = side.other, -minor
    return [JournalLine(account, side, Money.from_minor(minor, currency), party)]


def allocation_entry(
    *,
    key: str,
    posted_on: date,
    description: str,
    account: Account,
    currency: str,
    parts: Mapping[int, int],
) -> JournalEntry | None:
    """The entry moving ``sum(parts)`` minor units of ``account`` from the pool to each
    insurer's party (``parts``: organisation id -> its signed part); None when all is zero.
    """
    whole = sum(parts.values())
    pool = POOL_SIDE[account]
    lines = _signed(account, pool, whole, currency, None)
    for org_id, minor in sorted(parts.items()):
        lines += _signed(account, pool.other, minor, currency, insurer_party(org_id))
    if len(lines) < 2:
        return None
    return JournalEntry(key=key, posted_on=posted_on, description=description, lines=tuple(lines))


__all__ = ["POOL_SIDE", "allocation_entry"]
