"""``tradecover ledger check`` reconciles the claims sub-ledger with the general ledger to
the cent: claims approved and paid, recoveries shared; any tampering is named."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tests.conftest import Cast, Database
from tests.integration.claims.conftest import AFTER_DUE, Book, principal, run, usd
from tests.integration.claims.documents import accept_documents
from tradecover import claims
from tradecover.claims.indemnity import LossCause
from tradecover.claims.model import ClaimRow, RecoveryRow
from tradecover.claims.recovery import RecoverySource
from tradecover.cli.main import app
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.config import get_settings
from tradecover.db.engine import transaction
from tradecover.reporting import books_check


def _books(db: Database, cast: Cast, book: Book) -> tuple[int, int, int]:
    """A paid claim with a recovery, and an approved one still unpaid: (paid, recovery,
    approved)."""
    exporter = principal(db, cast.exporter)
    handler, finance = principal(db, cast.claims_handler), principal(db, cast.finance)
    ids = []
    for decl in book.declarations:
        run(
            db,
            lambda s, d=decl: collections.file_notice(  # type: ignore[misc]
                s,
                principal=exporter,
                declaration_id=d,
                cause=LossCauseHint.INSOLVENCY,
                today=AFTER_DUE,
            ),
        )
        row = run(
            db,
            lambda s, d=decl: claims.file_claim(  # type: ignore[misc]
                s,
                principal=exporter,
                today=AFTER_DUE,
                cause=LossCause.INSOLVENCY,
                lines=[claims.LineIn(declaration_id=d)],
            ),
        )
        assert isinstance(row, ClaimRow)
        run(
            db,
            lambda s, c=row.id: claims.start_checks(  # type: ignore[misc]
                s, principal=handler, claim_id=c
            ),
        )
        accept_documents(db, cast, row.id)
        run(
            db,
            lambda s, c=row.id: claims.approve(  # type: ignore[misc]
                s, principal=handler, claim_id=c, today=AFTER_DUE
            ),
        )
        ids.append(row.id)
    paid, approved = ids
    run(db, lambda s: claims.pay(s, principal=finance, claim_id=paid, today=AFTER_DUE))
    recovery = run(
        db,
        lambda s: claims.record_recovery(
            s,
            principal=handler,
            claim_id=paid,
            source=RecoverySource.ESTATE,
            gross=usd("1000.01"),
            costs=usd(100),
            received_on=AFTER_DUE,
        ),
    )
    assert isinstance(recovery, RecoveryRow)
    return paid, recovery.id, approved


def _problems(db: Database) -> list[str]:
    with db.factory() as s:
        return books_check.check(s)


def _tamper(db: Database, sql: str, **params: object) -> None:
    with transaction(db.factory) as s:
        for statement in sql.split(";"):
            s.execute(text(statement), params)


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_clean_claims_books_reconcile(db: Database, cast: Cast, book: Book, cli: CliRunner) -> None:
    _books(db, cast, book)
    assert _problems(db) == []
    result = cli.invoke(app, ["ledger", "check"])
    assert result.exit_code == 0, result.output


TAMPERING: list[
    tuple[
        str,
        Callable[[int, int, int], tuple[str, dict[str, object]]],
        Callable[[int, int, int], list[str]],
    ]
] = [
    (
        "the claim's indemnity (and payment) raised by a cent after booking",
        lambda p, r, a: (
            "UPDATE claims SET indemnity_minor = indemnity_minor + :cents, "
            "paid_minor = paid_minor + :cents WHERE id = :p",
            {"cents": 1, "p": p},
        ),
        lambda p, r, a: (
            [
                f"claim {p} approval: the ledger says 27000.00 USD, the claims "
                "sub-ledger 27000.01 USD"
            ]
            * 2
            + [
                f"claim {p} payment: the ledger says 27000.00 USD, the claims sub-ledger "
                "27000.01 USD"
            ]
            * 2
            + [
                "claims_expense in USD: the ledger says 54000.00 USD, the claims sub-ledger "
                "54000.01 USD"
            ]
        ),
    ),
    (
        "a second payment entry slipped in under another key",
        lambda p, r, a: (
            "INSERT INTO ledger_entries (key, posted_on, description, created_at) "
            f"SELECT 'claim:{p}:paid-again', posted_on, description, created_at "
            f"FROM ledger_entries WHERE key = 'claim:{p}:paid';"
            "INSERT INTO ledger_lines (entry_id, account, side, currency, "
            "amount_minor) SELECT e.id, l.account, l.side, l.currency, "
            "l.amount_minor FROM ledger_entries e, ledger_lines l JOIN "
            "ledger_entries o ON o.id = l.entry_id WHERE e.key = "
            f"'claim:{p}:paid-again' AND o.key = 'claim:{p}:paid'",
            {},
        ),
        lambda p, r, a: [
            f"entry claim:{p}:paid-again books 27000.00 USD to cash:credit that "
            "no claim or recovery explains",
            f"entry claim:{p}:paid-again books 27000.00 USD to "
            "claims_payable:debit that no claim or recovery explains",
            "claims_payable in USD: the ledger says 90.00 USD, the claims sub-ledger 27090.00 USD",
        ],
    ),
    (
        "a recovery's split moved a cent to the insured",
        lambda p, r, a: (
            "UPDATE claim_recoveries SET insurer_minor = insurer_minor - 1, "
            "insured_minor = insured_minor + 1 WHERE id = :r",
            {"r": r},
        ),
        lambda p, r, a: [
            f"recovery {r} of claim {p}: the ledger says 810.01 USD, the claims "
            "sub-ledger 810.00 USD",
            f"recovery {r} of claim {p}: the ledger says 90.00 USD, the claims "
            "sub-ledger 90.01 USD",
            "claims_payable in USD: the ledger says 27090.00 USD, the claims "
            "sub-ledger 27090.01 USD",
            "recoveries in USD: the ledger says 810.01 USD, the claims sub-ledger 810.00 USD",
        ],
    ),
    (
        "an approved claim marked unpaid after its payment was booked",
        lambda p, r, a: (
            "UPDATE claims SET state = 'approved', paid_on = NULL, paid_minor = NULL WHERE id = :p",
            {"p": p},
        ),
        lambda p, r, a: [
            f"claim {p} payment: the ledger says 27000.00 USD, the claims sub-ledger 0.00 USD",
            f"claim {p} payment: the ledger says 27000.00 USD, the claims sub-ledger 0.00 USD",
            "claims_payable in USD: the ledger says 27090.00 USD, the claims "
            "sub-ledger 54090.00 USD",
        ],
    ),
    (
        "an approval booked twice as much expense",
        lambda p, r, a: (
            "INSERT INTO ledger_lines (entry_id, account, side, currency, "
            "amount_minor) SELECT id, 'claims_expense', 'debit', 'USD', 100 "
            f"FROM ledger_entries WHERE key = 'claim:{a}:approved'",
            {},
        ),
        lambda p, r, a: [
            f"claim {a} approval: the ledger says 27001.00 USD, the claims sub-ledger 27000.00 USD",
            "claims_expense in USD: the ledger says 54001.00 USD, the claims "
            "sub-ledger 54000.00 USD",
        ],
    ),
]


@pytest.mark.parametrize(("what", "tamper", "expected"), TAMPERING, ids=[t[0] for t in TAMPERING])
def test_tampering_with_the_claims_books_is_named(
    db: Database,
    cast: Cast,
    book: Book,
    cli: CliRunner,
    what: str,
    tamper: Callable[[int, int, int], tuple[str, dict[str, object]]],
    expected: Callable[[int, int, int], list[str]],
) -> None:
    paid, recovery, approved = _books(db, cast, book)
    sql, params = tamper(paid, recovery, approved)
    _tamper(db, sql, **params)
    problems = [
        p for p in _problems(db) if "trial balance" not in p and "does not balance" not in p
    ]
    assert problems == expected(paid, recovery, approved), what
    result = cli.invoke(app, ["ledger", "check"])
    assert result.exit_code != 0
