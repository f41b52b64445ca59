"""``tradecover ledger check``: the books against every sub-ledger, to the cent.

A read model across the ledger, billing, subsidies, claims and investment-debt tables
(which is why it lives on the read side, not in the ledger, that billing and claims post
into):

* the trial balance is zero per currency, and every entry balances per currency;
* every notice reconciles to its declarations to the cent, by recomputing membership:
  each part's count and signed sum from the declarations, the notice's total from its
  parts, every billed month per policy from the declarations active at its last cutoff
  (nothing billed twice, nothing missed); exporter share + programme grants = total; and
  the notice has its entry;
* the sub-ledgers equal the general ledger: premium receivable per exporter = what the
  exporter's notices still owe, subsidy receivable per programme = what the programme's
  grants still owe, unapplied cash per payer = its payments' unapplied parts;
* stored running totals equal their lines: paid amounts = allocations, a payment's applied
  part = its allocations, programme usage = its grants;
* investment-debt premium periods and claims equal their entries
  (:func:`tradecover.ledger.reconcile_investment_debt`);
* every coinsurance split reconciles to its source and its allocation entry
  (:mod:`tradecover.reporting.coinsurance_check`), and every double insurance split to its
  source and its allocation entry (:mod:`tradecover.reporting.carriers_check`);
* every claim paid to loss payees names each payee's cash to the cent
  (:mod:`tradecover.reporting.loss_payee_check`).

Every problem is named; an empty list means the books are right.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from tradecover.billing.model import RUN_COMPLETED, BillingRun
from tradecover.billing.notice import month_end
from tradecover.billing.repository import active_at, member, sign
from tradecover.db.base import UTCDateTime
from tradecover.kit.money import Money
from tradecover.ledger import (
    Account,
    InvestmentDebtBooks,
    party_balances,
    reconcile_investment_debt,
)
from tradecover.reporting.carriers_check import carrier_problems
from tradecover.reporting.coinsurance_check import coinsurance_problems
from tradecover.reporting.loss_payee_check import loss_payee_problems


def _money(minor: int, currency: str) -> str:
    return str(Money.from_minor(int(minor), currency))


def _compare(
    problems: list[str],
    what: str,
    ledger: dict[tuple[str, str], int],
    expected: dict[tuple[str, str], int],
) -> None:
    for key in sorted(set(ledger) | set(expected)):
        got, want = ledger.get(key, 0), expected.get(key, 0)
        if got != want:
            party, currency = key
            problems.append(
                f"{what} of {party}: the ledger says {_money(got, currency)}, "
                f"the sub-ledger {_money(want, currency)}"
            )


def _rows(session: Session, sql: str) -> list[Any]:
    return list(session.execute(text(sql)).all())


def check(session: Session) -> list[str]:
    """Every way the books are wrong; empty when everything reconciles to the cent."""
    problems: list[str] = []
    for currency, net in _rows(
        session,
        (
            "SELECT currency, SUM(CASE WHEN side = 'debit' THEN amount_minor "
            "ELSE -amount_minor END) FROM ledger_lines GROUP BY currency"
        ),
    ):
        if int(str(net)) != 0:
            problems.append(
                f"trial balance in {currency} is off by {_money(int(str(net)), str(currency))}"
            )
    for key, currency, net in _rows(
        session,
        (
            "SELECT e.key, l.currency, SUM(CASE WHEN l.side = 'debit' THEN l.amount_minor "
            "ELSE -l.amount_minor END) FROM ledger_lines l JOIN ledger_entries e "
            "ON e.id = l.entry_id GROUP BY e.key, l.currency HAVING SUM(CASE WHEN "
            "l.side = 'debit' THEN l.amount_minor ELSE -l.amount_minor END) <> 0"
        ),
    ):
        problems.append(
            f"entry {key} does not balance in {currency} "
            f"(by {_money(int(str(net)), str(currency))})"
        )
    problems += _notice_problems(session)
    investment_debt = reconcile_investment_debt(session)
    problems += investment_debt.problems
    problems += _subledger_problems(session, investment_debt)
    problems += _running_total_problems(session)
    problems += _claims_problems(session, investment_debt)
    problems += coinsurance_problems(session)
    problems += carrier_problems(session)
    problems += loss_payee_problems(session)
    return problems


def _notice_problems(session: Session) -> list[str]:
    problems = _membership_problems(session)
    for nid, cur, total, count, parts, members in _rows(
        session,
        (
            "SELECT n.id, n.currency, n.total_minor, n.line_count, "
            "COALESCE(SUM(t.amount_minor), 0), COALESCE(SUM(t.line_count), 0) "
            "FROM premium_notices n LEFT JOIN premium_notice_parts t ON t.notice_id = n.id "
            "GROUP BY n.id, n.currency, n.total_minor, n.line_count "
            "HAVING n.total_minor <> COALESCE(SUM(t.amount_minor), 0) "
            "OR n.line_count <> COALESCE(SUM(t.line_count), 0)"
        ),
    ):
        c = str(cur)
        problems.append(
            f"notice {nid} does not reconcile: total {_money(int(str(total)), c)}, its parts "
            f"{_money(int(str(parts)), c)}; {count} lines stated, {members} in its parts"
        )
    for nid, cur, total, owed, granted in _rows(
        session,
        (
            "SELECT n.id, n.currency, n.total_minor, n.exporter_owed_minor, "
            "COALESCE((SELECT SUM(s.granted_minor) FROM notice_splits s "
            "WHERE s.notice_id = n.id), 0) FROM premium_notices n WHERE n.exporter_owed_minor "
            "+ COALESCE((SELECT SUM(s.granted_minor) FROM notice_splits s "
            "WHERE s.notice_id = n.id), 0) <> n.total_minor"
        ),
    ):
        c = str(cur)
        problems.append(
            f"notice {nid}: the exporter's {_money(int(str(owed)), c)} and the programmes' "
            f"{_money(int(str(granted)), c)} are not its total {_money(int(str(total)), c)}"
        )
    for nid, cur, total, booked in _rows(
        session,
        (
            "SELECT n.id, n.currency, n.total_minor, COALESCE(SUM(CASE WHEN l.side = 'credit' "
            "THEN l.amount_minor ELSE -l.amount_minor END), 0) "
            "FROM premium_notices n LEFT JOIN ledger_entries e ON e.key = "
            + _concat("'notice:'", "n.id", session)
            + " LEFT JOIN ledger_lines l ON l.entry_id = e.id AND l.account = 'premium_income' "
            "GROUP BY n.id, n.currency, n.total_minor HAVING COALESCE(SUM(CASE WHEN "
            "l.side = 'credit' THEN l.amount_minor ELSE -l.amount_minor END), 0) "
            "<> n.total_minor"
        ),
    ):
        c = str(cur)
        problems.append(
            f"notice {nid}: premium income booked {_money(int(str(booked)), c)}, "
            f"the notice bills {_money(int(str(total)), c)}"
        )
    return problems


def _membership_problems(session: Session) -> list[str]:
    """Recompute every part from the declarations, and every billed month from scratch.

    1. Each part's stored count and signed sum = its members now (membership is a pure
       function of the declarations' timestamps, so it never drifts).
    2. For every month a completed run billed, as of the last cutoff a completed run
       billed or adjusted it at: per policy, the parts up to that cutoff add up to the
       premium of the declarations then active, so every declaration is billed exactly
       once and none was missed.
    """
    problems: list[str] = []
    for pid, nid, cur, count, amount, members, signed in _rows(
        session,
        (
            "SELECT t.id, t.notice_id, n.currency, t.line_count, t.amount_minor, "
            "COUNT(d.id), COALESCE(SUM(" + sign("t.cutoff") + " * d.premium_minor), 0) "
            "FROM premium_notice_parts t JOIN premium_notices n ON n.id = t.notice_id "
            "LEFT JOIN declarations d ON d.policy_id = t.policy_id AND d.currency = n.currency "
            "AND d.declaration_date >= t.period_start AND d.declaration_date <= t.period_end "
            "AND d.premium_minor > 0 AND "
            + member("t.cutoff", "t.since")
            + " GROUP BY t.id, t.notice_id, n.currency, t.line_count, t.amount_minor "
            "HAVING t.line_count <> COUNT(d.id) OR t.amount_minor <> "
            "COALESCE(SUM(" + sign("t.cutoff") + " * d.premium_minor), 0)"
        ),
    ):
        c = str(cur)
        problems.append(
            f"notice {nid} part {pid} does not reconcile to its declarations: "
            f"{count} lines of {_money(int(str(amount)), c)} stored, the declarations give "
            f"{members} of {_money(int(str(signed)), c)}"
        )
    runs = [
        (m if isinstance(m, date) else date.fromisoformat(str(m)), c)
        for m, c in session.execute(
            select(BillingRun.month, BillingRun.cutoff).where(BillingRun.status == RUN_COMPLETED)
        )
    ]
    for month in sorted({m for m, _ in runs}):
        last = max(c for m, c in runs if m >= month)
        params = {"start": month, "end": month_end(month), "last": last}
        expected = {
            int(p): int(v)
            for p, v in session.execute(
                text(
                    "SELECT d.policy_id, SUM(d.premium_minor) FROM declarations d JOIN policies p "
                    "ON p.id = d.policy_id WHERE d.currency = p.currency AND d.premium_minor > 0 "
                    "AND d.declaration_date >= :start AND d.declaration_date <= :end AND "
                    + active_at(":last")
                    + " GROUP BY d.policy_id"
                ).bindparams(bindparam("last", type_=UTCDateTime())),
                params,
            )
        }
        billed = {
            int(p): int(v)
            for p, v in session.execute(
                text(
                    "SELECT t.policy_id, SUM(t.amount_minor) FROM premium_notice_parts t "
                    "WHERE t.period_start = :start AND t.cutoff <= :last GROUP BY t.policy_id"
                ).bindparams(bindparam("last", type_=UTCDateTime())),
                params,
            )
        }
        for policy_id in sorted(set(expected) | set(billed)):
            want, got = expected.get(policy_id, 0), billed.get(policy_id, 0)
            if want != got:
                problems.append(
                    f"policy {policy_id}, {month:%Y-%m}: its notices bill {got} minor units, "
                    f"its declarations active at {last.isoformat()} bear {want}"
                )
    return problems


def _concat(left: str, right: str, session: Session) -> str:
    if session.get_bind().dialect.name == "postgresql":
        return f"({left} || {right}::text)"
    return f"({left} || CAST({right} AS TEXT))"


def _subledger_problems(session: Session, investment_debt: InvestmentDebtBooks) -> list[str]:
    problems: list[str] = []
    # a credit note's credit applied to an older notice moves the older notice's paid part
    # and leaves the exporter's balance as it was (its allocations add back)
    exporters = {
        (f"exporter:{o}", str(c)): int(str(v))
        for o, c, v in _rows(
            session,
            (
                "SELECT n.exporter_org_id, n.currency, SUM(n.exporter_owed_minor - "
                "n.exporter_paid_minor + COALESCE((SELECT SUM(a.amount_minor) "
                "FROM credit_allocations a "
                "WHERE a.credit_notice_id = n.id), 0)) FROM premium_notices n "
                "GROUP BY n.exporter_org_id, n.currency"
            ),
        )
    }
    for key, owed in investment_debt.receivable.items():  # periods notified, not yet paid
        exporters[key] = exporters.get(key, 0) + owed
    _compare(
        problems,
        "premium receivable",
        party_balances(session, Account.PREMIUM_RECEIVABLE),
        {k: v for k, v in exporters.items() if v},
    )
    programmes = {
        (f"programme:{code}", str(c)): int(str(v))
        for code, c, v in _rows(
            session,
            (
                "SELECT p.code, n.currency, SUM(s.granted_minor - s.paid_minor) "
                "FROM notice_splits s "
                "JOIN subsidy_programmes p ON p.id = s.programme_id JOIN premium_notices n "
                "ON n.id = s.notice_id GROUP BY p.code, n.currency"
            ),
        )
    }
    _compare(
        problems,
        "subsidy receivable",
        party_balances(session, Account.SUBSIDY_RECEIVABLE),
        {k: v for k, v in programmes.items() if v},
    )
    unapplied: dict[tuple[str, str], int] = {}
    for kind, payer, c, v in _rows(
        session,
        (
            "SELECT y.payer_kind, CASE WHEN y.payer_kind = 'programme' THEN p.code ELSE "
            + _concat("''", "y.payer_id", session)
            + " END, y.currency, "
            "SUM(y.unapplied_minor) FROM payments y LEFT JOIN subsidy_programmes p "
            "ON y.payer_kind = 'programme' AND p.id = y.payer_id "
            "GROUP BY y.payer_kind, p.code, y.payer_id, y.currency"
        ),
    ):
        if int(str(v)):
            unapplied[(f"{kind}:{payer}", str(c))] = int(str(v))
    ledger_unapplied = {
        k: -v for k, v in party_balances(session, Account.UNAPPLIED_CASH).items() if v
    }
    _compare(problems, "unapplied cash", ledger_unapplied, unapplied)
    return problems


def _running_total_problems(session: Session) -> list[str]:
    problems: list[str] = []
    for nid, paid, alloc in _rows(
        session,
        (
            "SELECT n.id, n.exporter_paid_minor, COALESCE((SELECT SUM(a.amount_minor) FROM "
            "payment_allocations a WHERE a.notice_id = n.id AND a.split_id IS NULL), 0) + "
            "COALESCE((SELECT SUM(c.amount_minor) FROM credit_allocations c "
            "WHERE c.notice_id = n.id), 0) FROM premium_notices n WHERE n.exporter_paid_minor "
            "<> COALESCE((SELECT SUM(a.amount_minor) FROM payment_allocations a WHERE "
            "a.notice_id = n.id AND a.split_id IS NULL), 0) + COALESCE((SELECT "
            "SUM(c.amount_minor) FROM credit_allocations c WHERE c.notice_id = n.id), 0)"
        ),
    ):
        problems.append(
            f"notice {nid}: exporter paid {paid} minor units stored, allocations add up to {alloc}"
        )
    problems += _credit_problems(session)
    for sid, nid, paid, alloc in _rows(
        session,
        (
            "SELECT s.id, s.notice_id, s.paid_minor, COALESCE((SELECT SUM(a.amount_minor) "
            "FROM payment_allocations a WHERE a.split_id = s.id), 0) FROM notice_splits s "
            "WHERE s.paid_minor <> COALESCE((SELECT SUM(a.amount_minor) FROM "
            "payment_allocations a WHERE a.split_id = s.id), 0)"
        ),
    ):
        problems.append(
            f"notice {nid} split {sid}: programme paid {paid} minor units "
            f"stored, allocations add up to {alloc}"
        )
    for pid, applied, alloc in _rows(
        session,
        (
            "SELECT y.id, y.applied_minor, COALESCE((SELECT SUM(a.amount_minor) FROM "
            "payment_allocations a WHERE a.payment_id = y.id), 0) FROM payments y WHERE "
            "y.applied_minor <> COALESCE((SELECT SUM(a.amount_minor) FROM payment_allocations "
            "a WHERE a.payment_id = y.id), 0)"
        ),
    ):
        problems.append(
            f"payment {pid}: applied {applied} minor units stored, allocations add up to {alloc}"
        )
    for code, used, granted in _rows(
        session,
        (
            "SELECT p.code, p.used_minor, COALESCE((SELECT SUM(s.granted_minor) FROM "
            "notice_splits s WHERE s.programme_id = p.id), 0) FROM subsidy_programmes p "
            "WHERE p.used_minor <> COALESCE((SELECT SUM(s.granted_minor) FROM notice_splits s "
            "WHERE s.programme_id = p.id), 0)"
        ),
    ):
        problems.append(
            f"programme {code}: usage {used} minor units stored, its grants add up to {granted}"
        )
    return problems


def _credit_problems(session: Session) -> list[str]:
    """Credit allocations: from a credit note, within its credit, to a notice of its
    policy and currency, each booked once (``credit:<id>``) for its amount.
    """
    problems: list[str] = []
    for cid, owed, used in _rows(
        session,
        (
            "SELECT n.id, n.exporter_owed_minor, SUM(a.amount_minor) FROM credit_allocations a "
            "JOIN premium_notices n ON n.id = a.credit_notice_id GROUP BY n.id, "
            "n.exporter_owed_minor HAVING SUM(a.amount_minor) > -n.exporter_owed_minor"
        ),
    ):
        problems.append(
            f"credit note {cid}: {used} minor units applied, it credits only "
            f"{max(0, -int(str(owed)))}"
        )
    for aid, cid, nid in _rows(
        session,
        (
            "SELECT a.id, a.credit_notice_id, a.notice_id FROM credit_allocations a "
            "JOIN premium_notices c ON c.id = a.credit_notice_id JOIN premium_notices n "
            "ON n.id = a.notice_id WHERE c.policy_id <> n.policy_id "
            "OR c.currency <> n.currency"
        ),
    ):
        problems.append(
            f"credit allocation {aid}: credit note {cid} and notice {nid} are not "
            "of the same policy and currency"
        )
    for aid, amount, booked in _rows(
        session,
        (
            "SELECT a.id, a.amount_minor, COALESCE(SUM(l.amount_minor), 0) FROM "
            "credit_allocations a LEFT JOIN ledger_entries e ON e.key = "
            + _concat("'credit:'", "a.id", session)
            + " LEFT JOIN ledger_lines l ON "
            "l.entry_id = e.id AND l.account = 'premium_receivable' AND l.side = 'debit' "
            "GROUP BY a.id, a.amount_minor HAVING COALESCE(SUM(l.amount_minor), 0) "
            "<> a.amount_minor"
        ),
    ):
        problems.append(f"credit allocation {aid} of {amount} minor units is booked as {booked}")
    return problems


def _claims_problems(session: Session, investment_debt: InvestmentDebtBooks) -> list[str]:
    """The claims sub-ledger against the general ledger, to the cent.

    Per claim: the approval entry (``claim:<id>:approved``) books its indemnity as claims
    expense once it is owed; the payment entry (``claim:<id>:paid``) pays out exactly what
    the claim says was paid; each recovery entry (``claim:<id>:recovery:<rid>``) credits
    the insurer's share to recoveries and the insured's to claims payable.  Per currency:
    the claims accounts' balances equal the sub-ledger's totals (no stray lines).
    """
    booked: dict[tuple[str, str, str], int] = {}
    for key, account, side, currency, amount in _rows(
        session,
        (
            "SELECT e.key, l.account, l.side, l.currency, SUM(l.amount_minor) "
            "FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id "
            "WHERE e.key LIKE 'claim:%' GROUP BY e.key, l.account, l.side, l.currency"
        ),
    ):
        booked[(str(key), f"{account}:{side}", str(currency))] = int(str(amount))
    problems: list[str] = []

    def compare(what: str, key: str, leg: str, currency: str, want: int) -> None:
        got = booked.pop((key, leg, currency), 0)
        if got != want:
            problems.append(
                f"{what}: the ledger says {_money(got, currency)}, the claims "
                f"sub-ledger {_money(want, currency)}"
            )

    expense: dict[str, int] = {}
    payable: dict[str, int] = {}
    income: dict[str, int] = {}
    for cid, cur, indemnity, state, paid_on, paid in _rows(
        session,
        (
            "SELECT id, currency, indemnity_minor, state, paid_on, paid_minor FROM claims "
            "ORDER BY id"
        ),
    ):
        c, owed = (
            str(cur),
            state in ("approved", "paid") or (state == "closed" and paid_on is not None),
        )
        due, out = (int(str(indemnity)) if owed else 0), int(str(paid or 0))
        compare(f"claim {cid} approval", f"claim:{cid}:approved", "claims_expense:debit", c, due)
        compare(f"claim {cid} approval", f"claim:{cid}:approved", "claims_payable:credit", c, due)
        compare(f"claim {cid} payment", f"claim:{cid}:paid", "cash:credit", c, out)
        compare(f"claim {cid} payment", f"claim:{cid}:paid", "claims_payable:debit", c, out)
        expense[c] = expense.get(c, 0) + due
        payable[c] = payable.get(c, 0) + due - out
    for rid, cid, cur, insurer, insured in _rows(
        session,
        (
            "SELECT id, claim_id, currency, insurer_minor, insured_minor FROM claim_recoveries "
            "ORDER BY id"
        ),
    ):
        c, key = str(cur), f"claim:{cid}:recovery:{rid}"
        mine, theirs = int(str(insurer)), int(str(insured))
        compare(f"recovery {rid} of claim {cid}", key, "recoveries:credit", c, mine)
        compare(f"recovery {rid} of claim {cid}", key, "claims_payable:credit", c, theirs)
        compare(f"recovery {rid} of claim {cid}", key, "cash:debit", c, mine + theirs)
        income[c] = income.get(c, 0) + mine
        payable[c] = payable.get(c, 0) + theirs
    for currency, amount in investment_debt.claims_expense.items():
        expense[currency] = expense.get(currency, 0) + amount
    for currency, amount in investment_debt.claims_payable.items():
        payable[currency] = payable.get(currency, 0) + amount
    for (key, leg, currency), amount in sorted(booked.items()):
        problems.append(
            f"entry {key} books {_money(amount, currency)} to {leg} that no claim "
            "or recovery explains"
        )
    for account, expected, factor in (
        (Account.CLAIMS_EXPENSE, expense, 1),
        (Account.CLAIMS_PAYABLE, payable, -1),
        (Account.RECOVERIES, income, -1),
    ):
        balances: dict[str, int] = {}
        for (_party, currency), net in party_balances(session, account).items():
            balances[currency] = balances.get(currency, 0) + factor * net
        for currency in sorted(set(balances) | set(expected)):
            got, want = balances.get(currency, 0), expected.get(currency, 0)
            if got != want:
                problems.append(
                    f"{account.value} in {currency}: the ledger says "
                    f"{_money(got, currency)}, the claims sub-ledger "
                    f"{_money(want, currency)}"
                )
    return problems
