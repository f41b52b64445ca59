"""Collections, notices, claims, payment and recoveries through the services, on both
databases: the whole path of a loss, every refusal writing nothing, and a claim never
paid twice when many payments race.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import Cast, Database
from tests.integration.claims.conftest import (
    AFTER_DUE,
    TODAY,
    Book,
    counts,
    principal,
    run,
    set_claim_terms,
    usd,
)
from tests.integration.claims.documents import accept_documents
from tests.integration.events.helpers import told
from tradecover import claims
from tradecover.claims.indemnity import LossCause
from tradecover.claims.model import ClaimRow, RecoveryRow
from tradecover.claims.recovery import RecoverySource
from tradecover.claims.service import lines_of
from tradecover.collections import service as collections
from tradecover.collections.confirmation import CollectionOutcome
from tradecover.collections.overdue import LossCauseHint
from tradecover.db.engine import transaction
from tradecover.declarations import repository as declarations_repo
from tradecover.declarations import service as declarations
from tradecover.declarations.model import Declaration
from tradecover.declarations.shipment import Shipment, TransportMode
from tradecover.kit.errors import Conflict, DomainError, NotFound, ValidationFailed
from tradecover.ledger.journal import Account
from tradecover.ledger.model import LedgerEntry
from tradecover.ledger.service import trial_balance
from tradecover.reference.payment_terms import PaymentTerms
from tradecover.wiring import store_for


def test_collections_free_the_limit_and_refuse_more_than_invoiced(
    db: Database, cast: Cast, book: Book
) -> None:
    exporter = principal(db, cast.exporter)
    first = book.declarations[0]
    with db.factory() as s:
        # 30,000 fully covered, then 10,000 of the second on the 40,000 limit
        assert declarations_repo.outstanding_minor(s, book.limit_id) == 4_000_000
    run(
        db,
        lambda s: collections.confirm_collection(
            s,
            principal=exporter,
            declaration_id=first,
            outcome=CollectionOutcome.PAID_IN_PART,
            amount=usd(12_000),
            paid_on=TODAY,
            today=TODAY,
        ),
    )
    with db.factory() as s:
        assert declarations_repo.outstanding_minor(s, book.limit_id) == 2_800_000
        assert s.get(Declaration, first).collected_minor == 1_200_000  # type: ignore[union-attr]
    before = counts(db)
    with pytest.raises(ValidationFailed) as exc:
        run(
            db,
            lambda s: collections.confirm_collection(
                s,
                principal=exporter,
                declaration_id=first,
                outcome=CollectionOutcome.PAID_IN_PART,
                amount=usd("18000.01"),
                paid_on=TODAY,
                today=TODAY,
            ),
        )
    assert exc.value.code == "collection_exceeds_invoice"
    other = principal(db, cast.other_exporter)
    with pytest.raises(DomainError) as foreign:
        run(
            db,
            lambda s: collections.confirm_collection(
                s,
                principal=other,
                declaration_id=first,
                outcome=CollectionOutcome.PAID_IN_FULL,
                amount=None,
                paid_on=TODAY,
                today=TODAY,
            ),
        )
    assert foreign.value.status in (403, 404)
    assert counts(db) == before
    with db.factory() as s:
        assert declarations_repo.outstanding_minor(s, book.limit_id) == 2_800_000


def _notice_and_claim(db: Database, cast: Cast, book: Book) -> int:
    exporter = principal(db, cast.exporter)
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
    claim = run(
        db,
        lambda s: claims.file_claim(
            s,
            principal=exporter,
            cause=LossCause.PROTRACTED_DEFAULT,
            today=AFTER_DUE,
            lines=[claims.LineIn(declaration_id=d) for d in book.declarations],
        ),
    )
    assert isinstance(claim, ClaimRow)
    return claim.id


def test_a_loss_from_notice_to_recovery(db: Database, cast: Cast, book: Book) -> None:
    with db.factory() as s:
        assert (
            collections.buyer_frozen(
                s, exporter_org_id=cast.exporter.org_id, buyer_id=book.buyer_id
            )
            is False
        )
    claim_id = _notice_and_claim(db, cast, book)
    with db.factory() as s:
        assert (
            collections.buyer_frozen(
                s, exporter_org_id=cast.exporter.org_id, buyer_id=book.buyer_id
            )
            is True
        )
        claim = s.get(ClaimRow, claim_id)
        assert claim is not None
        # two shipments of 30,000 on one 40,000 limit: min(60,000, 40,000) x 90 %
        assert (claim.loss_minor, claim.indemnity_minor, claim.state) == (
            6_000_000,
            3_600_000,
            "filed",
        )
        assert [(c["name"], c["outcome"]) for c in claim.checks] == [
            ("shipment_declared_on_time", "passed"),
            ("shipment_covered", "passed"),
            ("policy_liability", "passed"),
            ("within_limit_version", "passed"),
            ("premium_paid", "passed"),
            ("notice_filed_on_time", "passed"),
            ("claim_filed_on_time", "passed"),
            ("no_policy_breach", "passed"),
            ("fraud_flag", "passed"),
            ("investment_debt_premiums", "not_applicable"),
            ("whole_turnover_declared", "passed"),
        ]
        assert [(line.covered_minor, line.indemnity_minor) for line in lines_of(s, claim_id)] == [
            (3_000_000, 2_700_000),
            (1_000_000, 900_000),
        ]
    handler = principal(db, cast.claims_handler)
    finance = principal(db, cast.finance)
    run(db, lambda s: claims.start_checks(s, principal=handler, claim_id=claim_id))
    accept_documents(db, cast, claim_id)
    run(db, lambda s: claims.approve(s, principal=handler, claim_id=claim_id, today=AFTER_DUE))
    run(db, lambda s: claims.pay(s, principal=finance, claim_id=claim_id, today=AFTER_DUE))
    recovery = run(
        db,
        lambda s: claims.record_recovery(
            s,
            principal=handler,
            claim_id=claim_id,
            source=RecoverySource.COLLECTION_AGENCY,
            gross=usd(10_000),
            costs=usd(1_000),
            received_on=AFTER_DUE,
        ),
    )
    assert isinstance(recovery, RecoveryRow)
    # insurer share 36,000 / 60,000 = 60 % of the 9,000 net
    assert (recovery.insurer_minor, recovery.insured_minor) == (540_000, 360_000)
    with db.factory() as s:
        assert s.get(ClaimRow, claim_id).state == "paid"  # type: ignore[union-attr]
        tb = trial_balance(s)
        assert tb.is_balanced()
        assert tb.balance(Account.CLAIMS_EXPENSE, "USD") == Decimal(36_000)
        assert tb.balance(Account.RECOVERIES, "USD") == Decimal(-5_400)


def test_bad_claims_are_refused_and_write_nothing(db: Database, cast: Cast, book: Book) -> None:
    exporter = principal(db, cast.exporter)
    first, second = book.declarations
    before = counts(db)
    with pytest.raises(ValidationFailed) as no_notice:
        run(
            db,
            lambda s: claims.file_claim(
                s,
                principal=exporter,
                today=AFTER_DUE,
                cause=LossCause.INSOLVENCY,
                lines=[claims.LineIn(declaration_id=first)],
            ),
        )
    assert no_notice.value.code == "claim_without_notice"
    assert counts(db) == before
    run(
        db,
        lambda s: collections.file_notice(
            s,
            principal=exporter,
            declaration_id=first,
            cause=LossCauseHint.INSOLVENCY,
            today=AFTER_DUE,
        ),
    )
    before = counts(db)
    with pytest.raises(ValidationFailed) as too_much:
        run(
            db,
            lambda s: claims.file_claim(
                s,
                principal=exporter,
                today=AFTER_DUE,
                cause=LossCause.INSOLVENCY,
                lines=[claims.LineIn(declaration_id=first, loss=usd("30000.01"))],
            ),
        )
    assert too_much.value.code == "loss_exceeds_outstanding"
    other = principal(db, cast.other_exporter)
    with pytest.raises(DomainError) as foreign:
        run(
            db,
            lambda s: claims.file_claim(
                s,
                principal=other,
                today=AFTER_DUE,
                cause=LossCause.INSOLVENCY,
                lines=[claims.LineIn(declaration_id=first)],
            ),
        )
    assert foreign.value.status == 404 or isinstance(foreign.value, NotFound)
    assert counts(db) == before
    assert second  # the second shipment stays unclaimed


def test_payment_refusals(db: Database, cast: Cast, book: Book) -> None:
    claim_id = _notice_and_claim(db, cast, book)
    handler = principal(db, cast.claims_handler)
    finance = principal(db, cast.finance)
    with pytest.raises(Conflict) as early:
        run(db, lambda s: claims.pay(s, principal=finance, claim_id=claim_id, today=AFTER_DUE))
    assert early.value.code == "illegal_transition"
    run(
        db,
        lambda s: claims.reject(
            s,
            principal=handler,
            claim_id=claim_id,
            reason="buyer disputes the goods",
            today=AFTER_DUE,
        ),
    )
    before = counts(db)
    with pytest.raises(Conflict) as rejected:
        run(db, lambda s: claims.pay(s, principal=finance, claim_id=claim_id, today=AFTER_DUE))
    assert rejected.value.code == "claim_rejected"
    assert counts(db) == before
    ((_subject, _org, decided),) = told(db, "claim.decided")
    assert (decided["outcome"], decided["indemnity_amount"]) == ("rejected", "0.00")
    assert told(db, "claim.paid") == []  # the refused payments told nothing


def test_four_eyes_above_the_threshold(db: Database, cast: Cast, book: Book) -> None:
    claim_id = _notice_and_claim(db, cast, book)
    handler = principal(db, cast.claims_handler)
    # this policy's own terms: claims above 10,000 need a second approver
    set_claim_terms(db, book.policy_id, waiting_period_days=0, second_approval_above="10000")
    run(db, lambda s: claims.start_checks(s, principal=handler, claim_id=claim_id))
    accept_documents(db, cast, claim_id)
    run(db, lambda s: claims.approve(s, principal=handler, claim_id=claim_id, today=AFTER_DUE))
    with db.factory() as s:
        row = s.get(ClaimRow, claim_id)
        assert row is not None
        assert (row.state, row.approved_by) == ("checking", handler.actor)
    before = counts(db)
    with pytest.raises(DomainError) as same:
        run(db, lambda s: claims.approve(s, principal=handler, claim_id=claim_id, today=AFTER_DUE))
    assert same.value.code == "four_eyes_same_person"
    assert counts(db) == before
    admin = principal(db, cast.admin)
    run(db, lambda s: claims.approve(s, principal=admin, claim_id=claim_id, today=AFTER_DUE))
    with db.factory() as s:
        assert s.get(ClaimRow, claim_id).state == "approved"  # type: ignore[union-attr]


CLIENTS = 16


def test_a_claim_is_never_paid_twice_under_concurrent_and_retried_payments(
    db: Database, cast: Cast, book: Book
) -> None:
    claim_id = _notice_and_claim(db, cast, book)
    handler = principal(db, cast.claims_handler)
    finance = principal(db, cast.finance)
    run(db, lambda s: claims.start_checks(s, principal=handler, claim_id=claim_id))
    accept_documents(db, cast, claim_id)
    run(db, lambda s: claims.approve(s, principal=handler, claim_id=claim_id, today=AFTER_DUE))
    barrier = threading.Barrier(CLIENTS)
    results: list[str] = [""] * CLIENTS

    def pay(i: int) -> None:
        barrier.wait()
        try:
            with transaction(db.factory) as s:
                claims.pay(s, principal=finance, claim_id=claim_id, today=AFTER_DUE)
            results[i] = "paid"
        except DomainError as exc:
            results[i] = exc.code

    threads = [threading.Thread(target=pay, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(results) == ["claim_already_paid"] * (CLIENTS - 1) + ["paid"]
    with pytest.raises(Conflict) as retried:
        run(db, lambda s: claims.pay(s, principal=finance, claim_id=claim_id, today=AFTER_DUE))
    assert retried.value.code == "claim_already_paid"
    with db.factory() as s:
        paid_entries = s.execute(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.key == f"claim:{claim_id}:paid")
        ).scalar_one()
        assert paid_entries == 1
        assert trial_balance(s).balance(Account.CLAIMS_PAYABLE, "USD") == Decimal(0)


def test_after_a_notice_further_shipments_to_the_buyer_are_not_covered(
    db: Database, cast: Cast, book: Book
) -> None:
    exporter = principal(db, cast.exporter)
    run(
        db,
        lambda s: collections.file_notice(
            s,
            principal=exporter,
            declaration_id=book.declarations[0],
            cause=LossCauseHint.INSOLVENCY,
            today=TODAY,
        ),
    )
    with transaction(db.factory) as s:
        row = declarations.attach(
            s,
            principal=exporter,
            channel="api",
            today=TODAY,
            store=store_for(db.engine),
            shipment=Shipment(
                insured_org_id=cast.exporter.org_id,
                policy_id=book.policy_id,
                buyer_id=book.buyer_id,
                payment_terms=PaymentTerms("OA"),
                transport_mode=TransportMode.SEA,
                shipment_date=TODAY,
                due_date=TODAY,
                goods_description="machine tools",
                hs_code="8458.11",
                invoice_number="INV-3",
                currency="USD",
                invoice_amount=Decimal(1_000),
            ),
        )
        assert (row.cover_status, row.reason_code, row.covered_minor) == (
            "not_covered",
            "buyer_in_default",
            0,
        )
