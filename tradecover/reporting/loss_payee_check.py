"""The loss payee part of ``tradecover ledger check`` [domain BA-7]: who received each claim
payment, to the cent.

A read model across the financing, claims and ledger tables:

* each assignment's running total of payouts equals its payout rows, and never exceeds its
  cap;
* a claim's payouts never exceed what was paid on it;
* the cash lines of a claim's payment entry (``claim:<id>:paid``) name each loss payee
  (``bank:<id>``) with exactly its payout, and the exporter with the rest, whenever a loss
  payee was paid (a payment without loss payees keeps its one unnamed cash line).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tradecover.kit.money import Money


def _rows(session: Session, sql: str) -> list[Any]:
    return list(session.execute(text(sql)).all())


def _money(minor: int, currency: str) -> str:
    return f"{Money.from_minor(minor, currency).amount} {currency}"


def loss_payee_problems(session: Session) -> list[str]:
    """Every way the loss payee payouts disagree with the books; empty when they agree."""
    problems: list[str] = []
    for aid, cur, cap, paid, total in _rows(
        session,
        (
            "SELECT a.id, a.currency, a.cap_minor, a.paid_minor, "
            "COALESCE(SUM(p.amount_minor), 0) FROM loss_payee_assignments a "
            "LEFT JOIN loss_payee_payouts p ON p.assignment_id = a.id "
            "GROUP BY a.id, a.currency, a.cap_minor, a.paid_minor ORDER BY a.id"
        ),
    ):
        c, paid_i, total_i = str(cur), int(str(paid)), int(str(total))
        if paid_i != total_i:
            problems.append(
                f"assignment {aid}: paid {_money(paid_i, c)} but its payouts sum to "
                f"{_money(total_i, c)}"
            )
        if total_i > int(str(cap)):
            problems.append(
                f"assignment {aid}: payouts of {_money(total_i, c)} exceed its cap of "
                f"{_money(int(str(cap)), c)}"
            )
    payouts: dict[int, dict[str, int]] = {}
    for cid, bank, amount in _rows(
        session, "SELECT claim_id, bank_org_id, amount_minor FROM loss_payee_payouts"
    ):
        parties = payouts.setdefault(int(str(cid)), {})
        key = f"bank:{bank}"
        parties[key] = parties.get(key, 0) + int(str(amount))
    if not payouts:
        return problems
    claims = {
        int(str(cid)): (str(cur), int(str(paid or 0)), int(str(org)))
        for cid, cur, paid, org in _rows(
            session, "SELECT id, currency, paid_minor, exporter_org_id FROM claims"
        )
    }
    booked: dict[int, dict[str, int]] = {}
    for key, party, amount in _rows(
        session,
        (
            "SELECT e.key, l.party, SUM(l.amount_minor) FROM ledger_lines l "
            "JOIN ledger_entries e ON e.id = l.entry_id WHERE e.key LIKE 'claim:%' "
            "AND l.account = 'cash' AND l.side = 'credit' GROUP BY e.key, l.party"
        ),
    ):
        parts = str(key).split(":")
        if len(parts) != 3 or parts[2] != "paid":
            continue
        cid = int(parts[1])
        if cid in payouts:
            lines = booked.setdefault(cid, {})
            lines[str(party)] = lines.get(str(party), 0) + int(str(amount))
    for cid, parties in sorted(payouts.items()):
        cur, paid, exporter = claims.get(cid, ("", 0, 0))
        to_banks = sum(parties.values())
        if to_banks > paid:
            problems.append(
                f"claim {cid}: loss payees received {_money(to_banks, cur)}, more than the "
                f"{_money(paid, cur)} paid"
            )
            continue
        want = dict(parties)
        if paid > to_banks:
            want[f"exporter:{exporter}"] = paid - to_banks
        got = booked.get(cid, {})
        if got != want:
            problems.append(
                f"claim {cid}: the payment entry's cash lines {sorted(got.items())} differ "
                f"from its payees {sorted(want.items())}"
            )
    return problems
