"""A claim's life is told to the exporter, each event in the transaction of its step:
filed, decided (approved or rejected), paid, a recovery shared; on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.conftest import Cast, Database
from tests.integration.claims.conftest import AFTER_DUE, Book, principal, run, usd
from tests.integration.claims.documents import accept_documents
from tests.integration.events.helpers import in_one_transaction, rows_of, told
from tradecover import claims
from tradecover.claims.indemnity import LossCause
from tradecover.claims.model import ClaimRow, RecoveryRow
from tradecover.claims.recovery import RecoverySource
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.ledger.model import LedgerEntry


def test_a_claims_life_is_told_with_each_step(db: Database, cast: Cast, book: Book) -> None:
    exporter = principal(db, cast.exporter)
    handler = principal(db, cast.claims_handler)
    finance = principal(db, cast.finance)
    org = cast.exporter.org_id
    for decl in book.declarations:
        run(
            db,
            lambda s, d=decl: collections.file_notice(  # type: ignore[misc]
                s,
                principal=exporter,
                declaration_id=d,
                cause=LossCauseHint.PROTRACTED_DEFAULT,
                today=AFTER_DUE,
            ),
        )

    def file(s: Session) -> int:
        return claims.file_claim(
            s,
            principal=exporter,
            cause=LossCause.PROTRACTED_DEFAULT,
            today=AFTER_DUE,
            lines=[claims.LineIn(declaration_id=d) for d in book.declarations],
        ).id

    claim_id = in_one_transaction(db, "claim.filed", file, rows_of(ClaimRow))
    subject = f"claim:{claim_id}"
    assert told(db, "claim.filed") == [
        (
            subject,
            org,
            {
                "claim_id": claim_id,
                "policy_id": book.policy_id,
                "buyer_id": book.buyer_id,
                "claimed_amount": "60000.00",
                "currency": "USD",
            },
        )
    ]
    run(db, lambda s: claims.start_checks(s, principal=handler, claim_id=claim_id))
    accept_documents(db, cast, claim_id)
    in_one_transaction(
        db,
        "claim.decided",
        lambda s: claims.approve(s, principal=handler, claim_id=claim_id, today=AFTER_DUE),
        rows_of(LedgerEntry),
    )
    assert told(db, "claim.decided")[0][2] == {
        "claim_id": claim_id,
        "policy_id": book.policy_id,
        "outcome": "approved",
        "indemnity_amount": "36000.00",
        "currency": "USD",
    }
    in_one_transaction(
        db,
        "claim.paid",
        lambda s: claims.pay(s, principal=finance, claim_id=claim_id, today=AFTER_DUE),
        rows_of(LedgerEntry),
    )
    assert told(db, "claim.paid")[0][2]["paid_amount"] == "36000.00"
    in_one_transaction(
        db,
        "recovery.shared",
        lambda s: claims.record_recovery(
            s,
            principal=handler,
            claim_id=claim_id,
            source=RecoverySource.COLLECTION_AGENCY,
            gross=usd(10_000),
            costs=usd(1_000),
            received_on=AFTER_DUE,
        ),
        rows_of(RecoveryRow),
    )
    assert told(db, "recovery.shared") == [
        (
            subject,
            org,
            {
                "claim_id": claim_id,
                "recovered_amount": "9000.00",
                "exporter_share": "3600.00",
                "insurer_share": "5400.00",
                "currency": "USD",
            },
        )
    ]
