"""``tradecover ledger check`` for overseas investment debt insurance ([004]), in SQL.

The premium schedule and the missed-repayment claims are sub-ledgers of their own; this
recomputes from them, to the cent, every entry :mod:`tradecover.ledger.investment_debt`
should have posted and names each difference:

* every period billed (notified, or paid by set-off without a notice) has its ``billed``
  entry for its premium; every period paid in cash its ``paid`` entry; every period paid
  by set-off belongs to exactly one paid claim, whose set-off is the sum of their premiums;
* every approved or paid claim has its ``approved`` entry for its indemnity, every paid
  claim its ``paid`` entry: the indemnity out of claims payable, the net to cash and the
  set-off to the exporter's premium receivable;
* no entry under these keys books anything the sub-ledgers do not explain.

It also gives what the general checks need to add: the premium receivable each exporter
still owes on notified periods, and the claims expense and claims payable per currency.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tradecover.kit.money import Money
from tradecover.ledger.investment_debt import (
    CLAIM_KEY_PREFIX,
    PERIOD_KEY_PREFIX,
    claim_approved_key,
    claim_paid_key,
    period_billed_key,
    period_paid_key,
)


@dataclass
class InvestmentDebtBooks:
    """What the investment-debt sub-ledgers say, and every difference from the ledger."""

    problems: list[str] = field(default_factory=list)
    receivable: dict[tuple[str, str], int] = field(default_factory=dict)
    """(``exporter:<id>``, currency) -> premium still owed on notified periods."""
    claims_expense: dict[str, int] = field(default_factory=dict)
    claims_payable: dict[str, int] = field(default_factory=dict)


def _money(minor: int, currency: str) -> str:
    return str(Money.from_minor(minor, currency))


def _positions(value: Any) -> list[int]:
    if value is None:
        return []
    parsed = json.loads(value) if isinstance(value, str) else value
    return [int(p) for p in parsed or []]


def _add(target: dict[Any, int], key: Any, amount: int) -> None:
    target[key] = target.get(key, 0) + amount


def reconcile_investment_debt(session: Session) -> InvestmentDebtBooks:
    """Compare the investment-debt premium schedules and claims with their entries."""
    books = InvestmentDebtBooks()
    booked: dict[tuple[str, str, str], int] = {}
    for key, account, side, currency, amount in session.execute(
        text(
            "SELECT e.key, l.account, l.side, l.currency, SUM(l.amount_minor) "
            "FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id "
            "WHERE e.key LIKE :periods OR e.key LIKE :claims "
            "GROUP BY e.key, l.account, l.side, l.currency"
        ),
        {"periods": PERIOD_KEY_PREFIX + "%", "claims": CLAIM_KEY_PREFIX + "%"},
    ).all():
        booked[(str(key), f"{account}:{side}", str(currency))] = int(str(amount))

    def compare(what: str, key: str, leg: str, currency: str, want: int) -> None:
        got = booked.pop((key, leg, currency), 0)
        if got != want:
            books.problems.append(
                f"{what}: the ledger says {_money(got, currency)} to {leg}, the "
                f"investment-debt sub-ledger {_money(want, currency)}"
            )

    set_off_by: dict[tuple[int, int], list[int]] = {}
    set_off_premium: dict[int, int] = {}
    claims = session.execute(
        text(
            "SELECT id, policy_id, exporter_org_id, currency, state, indemnity_minor, "
            "set_off_minor, net_paid_minor, set_off_positions FROM investment_debt_claims "
            "ORDER BY id"
        )
    ).all()
    for cid, policy_id, _org, _cur, state, _ind, _set, _net, positions in claims:
        if state == "paid":
            for position in _positions(positions):
                set_off_by.setdefault((int(policy_id), position), []).append(int(cid))
            set_off_premium[int(cid)] = 0
    for pid, policy_id, position, org, cur, status, premium in session.execute(
        text(
            "SELECT p.id, s.policy_id, p.position, o.exporter_org_id, s.currency, p.status, "
            "p.premium_minor FROM investment_debt_periods p JOIN investment_debt_schedules s "
            "ON s.id = p.schedule_id JOIN policies o ON o.id = s.policy_id ORDER BY p.id"
        )
    ).all():
        c, owed, party = str(cur), int(str(premium)), f"exporter:{org}"
        billed = status != "not_issued"
        what = f"premium of policy {policy_id} period {position}"
        for leg in ("premium_receivable:debit", "premium_income:credit"):
            compare(what + " billed", period_billed_key(int(pid)), leg, c, owed if billed else 0)
        by_claims = set_off_by.get((int(policy_id), int(position)), [])
        paid_in_cash = status == "paid" and not by_claims
        for leg in ("cash:debit", "premium_receivable:credit"):
            compare(what + " paid", period_paid_key(int(pid)), leg, c, owed if paid_in_cash else 0)
        if by_claims and status != "paid":
            books.problems.append(f"{what} is set off against claim {by_claims[0]} but not paid")
        if len(by_claims) > 1:
            books.problems.append(f"{what} is set off against claims {by_claims}")
        for cid in by_claims:
            set_off_premium[cid] += owed
        if status == "notified" and owed:
            _add(books.receivable, (party, c), owed)
    for cid, _policy, _org, cur, state, indemnity, set_off, net, _pos in claims:
        c, due = str(cur), int(str(indemnity))
        owed, paid = state in ("approved", "paid"), state == "paid"
        what = f"investment-debt claim {cid}"
        for leg in ("claims_expense:debit", "claims_payable:credit"):
            compare(what + " approval", claim_approved_key(int(cid)), leg, c, due if owed else 0)
        key = claim_paid_key(int(cid))
        compare(what + " payment", key, "claims_payable:debit", c, due if paid else 0)
        compare(what + " payment", key, "cash:credit", c, int(str(net or 0)) if paid else 0)
        compare(
            what + " payment", key, "premium_receivable:credit", c, int(str(set_off)) if paid else 0
        )
        if paid and set_off_premium.get(int(cid), 0) != int(str(set_off)):
            books.problems.append(
                f"{what}: set off {_money(int(str(set_off)), c)}, the premiums of its "
                f"set-off periods add up to {_money(set_off_premium.get(int(cid), 0), c)}"
            )
        _add(books.claims_expense, c, due if owed else 0)
        _add(books.claims_payable, c, due if owed and not paid else 0)
    for (key, leg, currency), amount in sorted(booked.items()):
        books.problems.append(
            f"entry {key} books {_money(amount, currency)} to {leg} that no investment-debt "
            "period or claim explains"
        )
    return books
