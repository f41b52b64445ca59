"""Journal entries of overseas investment debt insurance ([004]): pure builders.

An investment-debt policy's premium is billed period by period (a premium notice per
period of insurance), not from declarations, so its entries carry keys of their own:

====================================  ================================================
key                                   lines
====================================  ================================================
``investment_debt:period:<id>:billed``  Dr premium receivable (exporter), Cr premium
                                        income: the period's premium, when its notice
                                        goes out (or when it is set off un-notified)
``investment_debt:period:<id>:paid``    Dr cash, Cr premium receivable (exporter): the
                                        premium paid by the insured
``investment_debt_claim:<id>:approved`` Dr claims expense, Cr claims payable: the
                                        indemnity
``investment_debt_claim:<id>:paid``     Dr claims payable (the indemnity); Cr cash (what
                                        the insured receives) and Cr premium receivable
                                        (exporter; the premium set off, [004] 2.2)
====================================  ================================================

A zero amount moves no money: its builder returns ``None`` (nothing to post).
"""

from __future__ import annotations

from datetime import date

from tradecover.kit.money import Money
from tradecover.ledger.journal import (
    Account,
    JournalEntry,
    JournalLine,
    Side,
    claim_approved,
    exporter_party,
    payment_received,
    premium_billed,
)

PERIOD_KEY_PREFIX = "investment_debt:period:"
CLAIM_KEY_PREFIX = "investment_debt_claim:"


def period_billed_key(period_id: int) -> str:
    """Key of the entry billing one period's premium."""
    return f"{PERIOD_KEY_PREFIX}{period_id}:billed"


def period_paid_key(period_id: int) -> str:
    """Key of the entry of one period's premium paid in cash."""
    return f"{PERIOD_KEY_PREFIX}{period_id}:paid"


def claim_approved_key(claim_id: int) -> str:
    """Key of the entry of an approved missed-repayment claim."""
    return f"{CLAIM_KEY_PREFIX}{claim_id}:approved"


def claim_paid_key(claim_id: int) -> str:
    """Key of the entry of a paid missed-repayment claim."""
    return f"{CLAIM_KEY_PREFIX}{claim_id}:paid"


def period_billed(
    *, period_id: int, posted_on: date, period_ref: str, exporter_id: int, premium: Money
) -> JournalEntry | None:
    """A period's premium billed: Dr premium receivable (exporter), Cr premium income."""
    if premium.is_zero():
        return None
    return premium_billed(
        key=period_billed_key(period_id),
        posted_on=posted_on,
        notice_ref=period_ref,
        exporter_id=exporter_id,
        exporter_owes=premium,
        programme_owes={},
    )


def period_paid(
    *, period_id: int, posted_on: date, exporter_id: int, premium: Money
) -> JournalEntry | None:
    """A period's premium paid by the insured: Dr cash, Cr premium receivable (exporter)."""
    if premium.is_zero():
        return None
    return payment_received(
        key=period_paid_key(period_id),
        posted_on=posted_on,
        payer=exporter_party(exporter_id),
        applied=premium,
        unapplied=Money.zero(premium.currency),
    )


def indemnity_approved(*, claim_id: int, posted_on: date, indemnity: Money) -> JournalEntry | None:
    """A claim approved: Dr claims expense, Cr claims payable (the indemnity)."""
    if indemnity.is_zero():
        return None
    return claim_approved(
        key=claim_approved_key(claim_id),
        posted_on=posted_on,
        claim_ref=f"ID-{claim_id}",
        indemnity=indemnity,
    )


def indemnity_paid(
    *, claim_id: int, posted_on: date, exporter_id: int, indemnity: Money, set_off: Money
) -> JournalEntry | None:
    """A claim paid with premium set off against it ([004] 2.2).

    Dr claims payable (the whole indemnity); Cr cash (indemnity - set-off, what the
    insured receives) and Cr premium receivable of the exporter (the set-off: premium
    received out of the indemnity).
    """
    if indemnity.is_zero():
        return None
    net = indemnity - set_off
    lines = [JournalLine(Account.CLAIMS_PAYABLE, Side.DEBIT, indemnity)]
    if not net.is_zero():
        lines.append(JournalLine(Account.CASH, Side.CREDIT, net))
    if not set_off.is_zero():
        lines.append(
            JournalLine(
                Account.PREMIUM_RECEIVABLE, Side.CREDIT, set_off, exporter_party(exporter_id)
            )
        )
    return JournalEntry(
        key=claim_paid_key(claim_id),
        posted_on=posted_on,
        description=f"claim ID-{claim_id} paid, premium {set_off} set off",
        lines=tuple(lines),
    )
