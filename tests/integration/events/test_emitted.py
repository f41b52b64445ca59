"""Every business event is recorded in the transaction of the change that causes it, for
the exporter's organisation: rolled back with it, absent when the change is refused; on
SQLite and PostgreSQL.  (Claims: ``tests/integration/claims/test_claim_events.py``.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.builders.buyers import add_buyer
from tests.builders.declarations import TODAY, World, shipment
from tests.builders.limits import add_limit
from tests.builders.policies import expiring_inception, make_policy
from tests.builders.principals import exporter_principal
from tests.conftest import Cast, Database
from tests.integration.events.helpers import in_one_transaction, rows_of, told
from tradecover.access.service import system_principal
from tradecover.audit.model import AuditEntry
from tradecover.billing import jobs, payments
from tradecover.billing.model import Payment, PremiumNotice
from tradecover.billing.notice import DEFAULT_TERMS
from tradecover.db.engine import transaction
from tradecover.declarations import service as declarations
from tradecover.declarations.attachment.service import attach_batch
from tradecover.declarations.model import Declaration
from tradecover.feeds import service as feeds
from tradecover.feeds.model import ReceivedDocument
from tradecover.feeds.stream.envelope import Envelope, FeedSource
from tradecover.kit.errors import DomainError
from tradecover.kit.money import Money
from tradecover.limits.changes.service import change_by_insurer
from tradecover.limits.model import CreditLimit, CreditLimitVersion
from tradecover.limits.request import RequestType
from tradecover.policies import lifecycle
from tradecover.policies import termination as policy_ends
from tradecover.policies.issuance import reinstate, suspend
from tradecover.policies.model import Policy, RenewalOffer
from tradecover.wiring import store_for


def _world(db: Database, cast: Cast) -> World:
    """An issued policy of the exporter (about 300 days left), a buyer with a 100,000 USD
    limit from its inception.
    """
    start = expiring_inception(300)
    with transaction(db.factory) as s:
        policy_id = make_policy(s, exporter_org_id=cast.exporter.org_id, inception=start).id
        buyer_id = add_buyer(s, org_id=cast.exporter.org_id)
        limit_id, version_id = add_limit(
            s,
            org_id=cast.exporter.org_id,
            policy_id=policy_id,
            buyer_id=buyer_id,
            amount=100_000,
            effective_from=start,
        )
        limit = s.get(CreditLimit, limit_id)
        assert limit is not None
        limit.committed_usd_minor = limit.amount_minor  # as the decision reserved it
    return World(policy_id, cast.exporter.org_id, buyer_id, limit_id, version_id, start)


def test_limit_cuts_and_cancellations_are_told_with_them(db: Database, cast: Cast) -> None:
    w = _world(db, cast)

    def cut(amount: str, kind: RequestType = RequestType.REDUCTION) -> Callable[[Session], object]:
        def work(s: Session) -> object:
            return change_by_insurer(
                s,
                principal=system_principal(s),
                limit_id=w.limit_id,
                kind=kind,
                amount=Money.of(amount, "USD"),
                reason="buyer's payment record worsened",
                today=TODAY,
            )

        return work

    in_one_transaction(db, "limit.reduced", cut("60000"), rows_of(CreditLimitVersion))
    with pytest.raises(DomainError), transaction(db.factory) as s:
        cut("90000")(s)  # not a reduction: refused, nothing told
    assert [(subject, org, p["amount"]) for subject, org, p in told(db, "limit.reduced")] == [
        (f"credit_limit:{w.limit_id}", w.org_id, "60000.00")
    ]
    in_one_transaction(
        db, "limit.cancelled", cut("0", RequestType.CANCELLATION), rows_of(CreditLimitVersion)
    )
    ((_subject, _org, cancelled),) = told(db, "limit.cancelled")
    assert cancelled["limit_id"] == w.limit_id and cancelled["effective_from"] == str(TODAY)


def test_attachment_tells_attached_refused_and_corrected_set_based(
    db: Database, cast: Cast
) -> None:
    w = _world(db, cast)
    exporter = exporter_principal(db, cast)
    store = store_for(db.engine)
    with transaction(db.factory) as s:
        unlimited = add_buyer(s, org_id=w.org_id, name="Lyon Outils SARL", country="DE")

    def attach(s: Session) -> list[int]:
        outcomes = attach_batch(
            store,
            s,
            principal=exporter,
            shipments=[
                shipment(w, invoice_number="INV-1"),
                shipment(w, invoice_number="INV-2", buyer_id=unlimited),  # no limit
                shipment(w, invoice_number="INV-3", currency="EUR"),  # refused: writes nothing
            ],
            channel="api",
            today=TODAY,
        )
        return [o.declaration.id for o in outcomes if o.declaration is not None]

    first, second = in_one_transaction(db, "declaration.attached", attach, rows_of(Declaration))
    ((subject, org, attached),) = told(db, "declaration.attached")
    assert (subject, org) == (f"declaration:{first}", w.org_id)
    assert attached == {
        "declaration_id": first,
        "policy_id": w.policy_id,
        "buyer_id": w.buyer_id,
        "insured_amount": "10000.00",
        "covered_amount": "10000.00",
        "currency": "USD",
    }
    ((subject, org, refused),) = told(db, "declaration.refused")
    assert (subject, org, refused["declaration_id"]) == (f"declaration:{second}", w.org_id, second)
    assert refused["reasons"] == ["no_limit"]

    def correct(s: Session) -> int:
        return declarations.correct(
            s,
            principal=exporter,
            declaration_id=first,
            shipment=shipment(w, invoice_number="INV-1", invoice_amount=Decimal("8000.00")),
            reason="invoice amount was wrong",
            today=TODAY,
            store=store,
        ).id

    amended = in_one_transaction(db, "declaration.corrected", correct, rows_of(Declaration))
    ((subject, _org, corrected),) = told(db, "declaration.corrected")
    assert subject == f"declaration:{first}"
    assert corrected == {"declaration_id": first, "policy_id": w.policy_id, "amendment_id": amended}
    assert told(db, "declaration.attached")[-1][2]["declaration_id"] == amended


def test_a_policys_life_is_told(db: Database, cast: Cast) -> None:
    start = date(2025, 6, 1)
    org = cast.exporter.org_id
    issued = in_one_transaction(
        db,
        "policy.issued",
        lambda s: make_policy(s, exporter_org_id=org, inception=start).id,
        rows_of(Policy),
    )
    assert told(db, "policy.issued") == [
        (
            f"policy:{issued}",
            org,
            {
                "policy_id": issued,
                "policy_number": f"ST-2025-{issued:06d}",
                "effective_on": "2025-06-01",
                "reason": None,
            },
        )
    ]

    def suspended(s: Session) -> int:
        insurer = system_principal(s)
        suspend(
            s,
            principal=insurer,
            policy_id=issued,
            reason="premium in arrears",
            today=date(2025, 9, 1),
        )
        return 0

    in_one_transaction(db, "policy.suspended", suspended, rows_of(AuditEntry))
    assert told(db, "policy.suspended")[0][2]["effective_on"] == "2025-09-01"
    with transaction(db.factory) as s:
        reinstate(s, principal=system_principal(s), policy_id=issued, reason="paid")
        renewal = date(2026, 6, 1)  # the day after the first policy's term
        other = make_policy(s, exporter_org_id=org, inception=renewal).id
        s.add(
            RenewalOffer(
                policy_id=issued,
                status="accepted",
                review_metrics={},
                proposed_terms={},
                explanation={},
                offered_at=s.get(Policy, issued).issued_at,  # type: ignore[union-attr]
                offered_by="user:underwriter",
                renewal_policy_id=other,
            )
        )
    with transaction(db.factory) as s:
        expiry = s.get(Policy, issued).expiry  # type: ignore[union-attr]
    in_one_transaction(
        db,
        "policy.renewed",
        lambda s: policy_ends.expire_due(
            s, principal=system_principal(s), today=expiry + timedelta(days=1)
        ),
        rows_of(AuditEntry),
    )
    assert told(db, "policy.renewed")[0][2]["effective_on"] == str(expiry + timedelta(days=1))
    in_one_transaction(
        db,
        "policy.terminated",
        lambda s: policy_ends.terminate(
            s,
            principal=system_principal(s),
            policy_id=other,
            kind=lifecycle.TerminationKind.INSURER_CANCELLATION,
            reason="serious breach",
            effective_date=None,
            today=date(2026, 7, 1),
        ),
        rows_of(AuditEntry),
    )
    assert told(db, "policy.terminated") == [
        (
            f"policy:{other}",
            org,
            {
                "policy_id": other,
                "policy_number": f"ST-2026-{other:06d}",
                "effective_on": "2026-07-01",
                "reason": "serious breach",
            },
        )
    ]


def test_notices_issued_paid_and_overdue_are_told(db: Database, cast: Cast) -> None:
    w = _world(db, cast)
    with transaction(db.factory) as s:
        attach_batch(
            store_for(db.engine),
            s,
            principal=exporter_principal(db, cast),
            shipments=[shipment(w)],
            channel="api",
            today=TODAY,
        )
        insurer = system_principal(s)
    month = f"{TODAY:%Y-%m}"
    jobs.run_month(
        db.factory,
        principal=insurer,
        month=month,
        issue_date=(TODAY.replace(day=1) + timedelta(days=32)).replace(day=1),
        terms=DEFAULT_TERMS,
    )
    with db.factory() as s:
        notice = s.scalars(select(PremiumNotice)).one()
        notice_id, owed, due = notice.id, notice.exporter_owed_minor, notice.due_date
    ((subject, org, issued),) = told(db, "notice.issued")
    assert (subject, org) == (f"premium_notice:{notice_id}", w.org_id)
    assert (issued["month"], issued["due_date"]) == (month, str(due))
    overdue_on = due + timedelta(days=1)
    with transaction(db.factory) as s:
        assert jobs.tell_overdue(s, today=due) == 0  # not yet past due
    with db.factory() as s:
        assert jobs.tell_overdue(s, today=overdue_on) == 1
        s.rollback()
    assert told(db, "notice.overdue") == []
    for _ in range(2):  # told once
        with transaction(db.factory) as s:
            jobs.tell_overdue(s, today=overdue_on)
    ((_subject, _org, overdue),) = told(db, "notice.overdue")
    assert overdue["outstanding_amount"] == str(Money.from_minor(owed, "USD").amount)
    in_one_transaction(
        db,
        "notice.paid",
        lambda s: payments.record_payment(
            s,
            principal=system_principal(s),
            payer_kind="exporter",
            payer_id=w.org_id,
            amount=Money.from_minor(owed, "USD"),
            received_on=overdue_on,
            reference="BANK-1",
        ),
        rows_of(Payment),
    )
    ((_subject, _org, paid),) = told(db, "notice.paid")
    assert (paid["notice_id"], paid["paid_on"]) == (notice_id, str(overdue_on))


def test_a_quarantined_document_is_told(db: Database, cast: Cast) -> None:
    envelope = Envelope.new(
        source=FeedSource.UBL,
        exporter_org_id=cast.exporter.org_id,
        content=b"<Invoice/>",
        filename="inv.xml",
    )

    def receive(s: Session) -> int:
        received = feeds.receive(
            s,
            envelope,
            attach=lambda *_a, **_k: pytest.fail("a quarantined document attaches nothing"),
        )
        assert received.row_id is not None
        return received.row_id

    row_id = in_one_transaction(db, "document.quarantined", receive, rows_of(ReceivedDocument))
    assert told(db, "document.quarantined") == [
        (
            f"received_document:{row_id}",
            cast.exporter.org_id,
            {"document_id": row_id, "claim_id": None, "reason": "source_not_connected"},
        )
    ]
