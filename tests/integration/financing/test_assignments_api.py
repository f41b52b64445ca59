"""Bank financing end to end through the API, on both backends: a bank asks to be a
policy's loss payee, the exporter approves, the insurer acknowledges, every step audited
[domain BA-2] [domain BA-3]; bad terms answer 4xx and write nothing [domain BA-4]
[domain BA-5]; the bank reads its financing base and its assigned policy's shipments,
limits and claims only under the exporter's consent [domain BA-8] [domain BA-9]; a claim
pays the loss payees first in priority order up to their caps, the ledger names each
payee's cash and ``ledger check`` proves it to the cent [domain BA-6] [domain BA-7].
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from tests.conftest import Actor, Cast, Database, make_key_actor, make_org
from tests.integration.claims.conftest import AFTER_DUE, TODAY, Book, principal, run
from tests.integration.claims.documents import accept_documents
from tradecover import claims
from tradecover.access import OrganisationKind, Role
from tradecover.audit.model import AuditEntry
from tradecover.claims.indemnity import LossCause
from tradecover.claims.model import ClaimRow
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.consents import ConsentStatus, Purpose, Scope
from tradecover.consents.model import Consent
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration
from tradecover.financing.model import LossPayeeAssignment, LossPayeePayout
from tradecover.kit.dates import utc_now
from tradecover.ledger import Account, party_balances
from tradecover.reporting import books_check

URL = "/api/v1/financing/assignments"


def ask(policy_id: int, **over: Any) -> dict[str, Any]:
    return {
        "policy_id": policy_id,
        "priority": 1,
        "cap": "5000.00",
        "effective_from": TODAY.isoformat(),
        "advance_rate": "0.8",
        "reason": "working capital line on the insured receivables",
        **over,
    }


def second_bank(db: Database) -> Actor:
    with transaction(db.factory) as s:
        make_org(s, slug="bank-two", kind=OrganisationKind.BANK, region=None)
        return make_key_actor(s, org_slug="bank-two", role=Role.BANK)


def counts(db: Database) -> tuple[int, int]:
    with db.factory() as s:
        return (
            s.execute(select(func.count()).select_from(LossPayeeAssignment)).scalar_one(),
            s.execute(select(func.count()).select_from(AuditEntry)).scalar_one(),
        )


def consent(db: Database, exporter: int, bank: int) -> None:
    now = utc_now()
    with transaction(db.factory) as s:
        s.add(
            Consent(
                grantor_org_id=exporter,
                grantee_org_id=bank,
                scopes=[
                    Scope.SHIPMENT_CORE.value,
                    Scope.BUYER_IDENTITY.value,
                    Scope.PAYMENT_EXPERIENCE.value,
                ],
                purposes=[Purpose.FINANCING.value],
                expires_at=now + timedelta(days=30),
                status=ConsentStatus.AUTHORISED.value,
                requested_by="test",
                requested_at=now,
            )
        )


def revoke_all(db: Database) -> None:
    with transaction(db.factory) as s:
        s.execute(update(Consent).values(status=ConsentStatus.REVOKED.value))


def activate(client: TestClient, cast: Cast, assignment_id: int) -> None:
    reason = {"reason": "agreed with the bank"}
    r = client.post(f"{URL}/{assignment_id}/approve", headers=cast.exporter.headers, json=reason)
    assert (r.status_code, r.json()["status"]) == (200, "approved"), r.text
    r = client.post(
        f"{URL}/{assignment_id}/acknowledge", headers=cast.underwriter.headers, json=reason
    )
    assert (r.status_code, r.json()["status"]) == (200, "active"), r.text


def pay_claim(db: Database, cast: Cast, bk: Book) -> int:
    exporter = principal(db, cast.exporter)
    handler, finance = principal(db, cast.claims_handler), principal(db, cast.finance)
    decl = bk.declarations[0]
    run(
        db,
        lambda s: collections.file_notice(
            s,
            principal=exporter,
            declaration_id=decl,
            cause=LossCauseHint.INSOLVENCY,
            today=AFTER_DUE,
        ),
    )
    row = run(
        db,
        lambda s: claims.file_claim(
            s,
            principal=exporter,
            today=AFTER_DUE,
            cause=LossCause.INSOLVENCY,
            lines=[claims.LineIn(declaration_id=decl)],
        ),
    )
    assert isinstance(row, ClaimRow)
    run(db, lambda s: claims.start_checks(s, principal=handler, claim_id=row.id))
    accept_documents(db, cast, row.id)
    run(db, lambda s: claims.approve(s, principal=handler, claim_id=row.id, today=AFTER_DUE))
    run(db, lambda s: claims.pay(s, principal=finance, claim_id=row.id, today=AFTER_DUE))
    return row.id


def test_the_bank_asks_the_exporter_approves_the_insurer_acknowledges_and_bad_terms_change_nothing(
    db: Database, app_client: TestClient, cast: Cast, claims_book: Book
) -> None:
    pid = claims_book.policy_id
    # a bank names only a policy of an exporter that consented to its financing reads
    r = app_client.post(URL, headers=cast.bank.headers, json=ask(pid))
    assert (r.status_code, r.json()["code"]) == (404, "not_found"), r.text
    consent(db, cast.exporter.org_id, cast.bank.org_id)
    r = app_client.post(URL, headers=cast.bank.headers, json=ask(pid))
    assert (r.status_code, r.json()["status"], r.json()["cap"]) == (201, "requested", "5000.00")
    aid = r.json()["id"]
    other = second_bank(db)
    consent(db, cast.exporter.org_id, other.org_id)
    before = counts(db)
    wrong: list[tuple[Actor, dict[str, Any], int, str]] = [
        (cast.bank, ask(pid, cap="5000000.01", priority=2), 422, "cap_exceeds_liability"),
        (other, ask(pid, cap="4995000.01", priority=2), 422, "caps_exceed_liability"),
        (other, ask(pid), 422, "priority_overlaps"),
        (other, ask(pid, currency="EUR", priority=2), 422, "currency_mismatch"),
        (other, ask(pid, advance_rate="1.5", priority=2), 422, "invalid_request"),
        (cast.exporter, ask(pid, priority=2), 403, "not_assignment_party"),
        (cast.underwriter, ask(pid, priority=2), 403, "not_assignment_party"),
        (other, ask(999_999, priority=2), 404, "not_found"),
    ]
    for actor, body, status, code in wrong:
        r = app_client.post(URL, headers=actor.headers, json=body)
        assert (r.status_code, r.json()["code"]) == (status, code), (code, r.text)
    # only the exporter approves, only the insurer acknowledges, and in that order
    reason = {"reason": "checked"}
    for actor, move, status, code in [
        (cast.bank, "approve", 403, "not_assignment_party"),
        (cast.underwriter, "approve", 403, "not_assignment_party"),
        (cast.underwriter, "acknowledge", 409, "assignment_not_open"),
        (cast.exporter, "acknowledge", 403, "not_assignment_party"),
        (cast.finance, "acknowledge", 403, "forbidden"),
        (cast.other_exporter, "approve", 404, "not_found"),
        (other, "withdraw", 404, "not_found"),
    ]:
        r = app_client.post(f"{URL}/{aid}/{move}", headers=actor.headers, json=reason)
        assert (r.status_code, r.json()["code"]) == (status, code), (move, r.text)
    assert counts(db) == before
    activate(app_client, cast, aid)
    with db.factory() as s:
        trail = s.execute(
            select(AuditEntry.action, AuditEntry.before, AuditEntry.after)
            .where(AuditEntry.entity_type == "loss_payee_assignment")
            .order_by(AuditEntry.id)
        ).all()
    assert [t[0] for t in trail] == [
        "financing.assignment_requested",
        "financing.assignment_approved",
        "financing.assignment_acknowledged",
    ]
    assert [(t[1] or {}).get("status") for t in trail] == [None, "requested", "approved"]
    assert [t[2]["status"] for t in trail] == ["requested", "approved", "active"]
    # the parties read it; a stranger does not
    assert app_client.get(f"{URL}/{aid}", headers=cast.bank.headers).json()["status"] == "active"
    assert len(app_client.get(URL, headers=cast.exporter.headers).json()) == 1
    assert app_client.get(URL, headers=other.headers).json() == []
    assert app_client.get(f"{URL}/{aid}", headers=other.headers).status_code == 404
    # a released assignment frees its priority
    r = app_client.post(f"{URL}/{aid}/end", headers=cast.bank.headers, json=reason)
    assert (r.status_code, r.json()["status"]) == (200, "ended"), r.text
    r = app_client.post(URL, headers=other.headers, json=ask(pid))
    assert r.status_code == 201, r.text


def test_the_bank_reads_its_financing_base_under_the_exporters_consent_and_is_paid_first(
    db: Database, app_client: TestClient, cast: Cast, claims_book: Book
) -> None:
    pid = claims_book.policy_id
    other = second_bank(db)
    consent(db, cast.exporter.org_id, cast.bank.org_id)
    consent(db, cast.exporter.org_id, other.org_id)
    first = app_client.post(URL, headers=cast.bank.headers, json=ask(pid, cap="5000.00"))
    second = app_client.post(
        URL, headers=other.headers, json=ask(pid, cap="10000.00", priority=2, advance_rate="0.5")
    )
    a1, a2 = first.json()["id"], second.json()["id"]
    activate(app_client, cast, a1)
    activate(app_client, cast, a2)
    # without the exporter's consent the bank reads nothing of it
    revoke_all(db)
    for path in ("/api/v1/financing/base", f"{URL}/{a1}/shipments", f"{URL}/{a1}/claims"):
        r = app_client.get(path, headers=cast.bank.headers)
        assert (r.status_code, r.json()["code"]) == (403, "consent_required"), path
    consent(db, cast.exporter.org_id, cast.bank.org_id)
    # one shipment falls overdue: it is deducted from the base
    with transaction(db.factory) as s:
        s.execute(
            update(Declaration)
            .where(Declaration.id == claims_book.declarations[1])
            .values(due_date=TODAY - timedelta(days=1))
        )
        rows = s.execute(
            select(Declaration.id, Declaration.covered_minor - Declaration.collected_minor)
            .where(Declaration.policy_id == pid)
            .order_by(Declaration.id)
        ).all()
    outstanding = sum(int(r[1]) for r in rows)
    overdue = int(rows[1][1])
    r = app_client.get("/api/v1/financing/base", headers=cast.bank.headers)
    assert r.status_code == 200, r.text
    (line,) = r.json()
    want = max(0, int(Decimal(outstanding) * Decimal("0.8")) - overdue)
    assert (line["assignment_id"], line["shipments"]) == (a1, 2)
    assert Decimal(line["covered_outstanding"]) * 100 == outstanding
    assert Decimal(line["overdue"]) * 100 == overdue
    assert Decimal(line["financing_base"]) * 100 == want
    shipments = app_client.get(f"{URL}/{a1}/shipments", headers=cast.bank.headers).json()
    assert [s["overdue"] for s in shipments] == [True, False]
    limits = app_client.get(f"{URL}/{a1}/limits", headers=cast.bank.headers).json()
    assert [x["limit_id"] for x in limits] == [claims_book.limit_id]
    policies = app_client.get("/api/v1/financing/policies", headers=cast.bank.headers).json()
    assert [p["assignment_id"] for p in policies] == [a1]
    # the other bank holds no consent: refused; the insurer reads both under the contract
    r = app_client.get("/api/v1/financing/base", headers=other.headers)
    assert (r.status_code, r.json()["code"]) == (403, "consent_required")
    seen = app_client.get("/api/v1/financing/base", headers=cast.underwriter.headers).json()
    assert sorted(x["assignment_id"] for x in seen) == [a1, a2]
    claim_id = pay_claim(db, cast, claims_book)
    with db.factory() as s:
        claim = s.get(ClaimRow, claim_id)
        assert claim is not None and claim.paid_minor is not None
        paid = claim.paid_minor
        payouts = {
            p.assignment_id: p.amount_minor for p in s.execute(select(LossPayeePayout)).scalars()
        }
        # 5,000.00 to the first bank, 10,000.00 to the second, the rest to the exporter
        assert paid > 1_500_000
        assert payouts == {a1: 500_000, a2: 1_000_000}
        cash = party_balances(s, Account.CASH)
        assert cash[(f"bank:{cast.bank.org_id}", "USD")] == -500_000
        assert cash[(f"bank:{other.org_id}", "USD")] == -1_000_000
        assert cash[(f"exporter:{cast.exporter.org_id}", "USD")] == -(paid - 1_500_000)
        assert s.get(LossPayeeAssignment, a1).paid_minor == 500_000  # type: ignore[union-attr]
        assert books_check.check(s) == []
        actions = s.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "financing.loss_payee_paid")
        ).scalar_one()
        assert actions == 2
    r = app_client.get(f"{URL}/{a1}/claims", headers=cast.bank.headers)
    assert r.status_code == 200, r.text
    assert [(c["claim_id"], c["paid_to_bank"]) for c in r.json()] == [(claim_id, "5000.00")]
    # a payout that disagrees with the ledger is named by the check
    with transaction(db.factory) as s:
        s.execute(
            update(LossPayeePayout)
            .where(LossPayeePayout.assignment_id == a1)
            .values(amount_minor=499_999)
        )
        problems = books_check.check(s)
        assert any(f"assignment {a1}" in p for p in problems), problems
        assert any(f"claim {claim_id}" in p for p in problems), problems
        s.rollback()
