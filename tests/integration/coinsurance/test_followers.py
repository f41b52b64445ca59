"""Followers of a coinsured policy, end to end on both backends: a claim above the policy's
threshold waits for each follower's approval before payment [domain CO-11] [domain CO-12];
a single large limit's own shares split the claims under it [domain CO-13]; a follower
reads its share of declarations, claims and money, scoped by its participation
[domain CO-14]; a follower deciding a limit is refused and nothing is written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import Actor, Cast, Database, make_key_actor, make_org
from tests.integration.claims.conftest import AFTER_DUE, Book, principal, run
from tests.integration.claims.documents import accept_documents
from tests.integration.coinsurance.test_coinsurance import URL, body, followers
from tradecover import claims
from tradecover.access import OrganisationKind, Role
from tradecover.audit.model import AuditEntry
from tradecover.claims.indemnity import LossCause
from tradecover.claims.model import ClaimRow
from tradecover.coinsurance.model import (
    CoinsuranceAllocation,
    CoinsuranceClaimApproval,
    CoinsuranceLimitParticipation,
)
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.db.engine import transaction
from tradecover.kit.errors import Conflict
from tradecover.kit.money import Money
from tradecover.limits.model import CreditLimit, LimitApplication
from tradecover.reporting import books_check

LIMIT_URL = "/api/v1/coinsurance/limit-participations"


def _approved_claim(db: Database, cast: Cast, bk: Book) -> int:
    """File a claim on the book's first shipment and have the lead approve it."""
    exporter = principal(db, cast.exporter)
    handler = principal(db, cast.claims_handler)
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
    return row.id


def _pay(db: Database, cast: Cast, claim_id: int) -> str:
    finance = principal(db, cast.finance)
    try:
        run(db, lambda s: claims.pay(s, principal=finance, claim_id=claim_id, today=AFTER_DUE))
    except Conflict as exc:
        return exc.code
    return "paid"


def _answer(client: TestClient, actor: Actor, claim_id: int, **json: Any) -> Any:
    return client.post(
        f"/api/v1/coinsurance/claims/{claim_id}/approval", headers=actor.headers, json=json
    )


def _count(db: Database, model: Any) -> int:
    with db.factory() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_claim_above_the_threshold_waits_for_every_followers_approval(
    db: Database, app_client: TestClient, cast: Cast, claims_book: Book
) -> None:
    pid = claims_book.policy_id
    threshold = f"/api/v1/coinsurance/policies/{pid}/claim-approval-threshold"
    limit = {"threshold": "1000.00", "currency": "USD", "reason": "large claims"}
    # not coinsured yet: a threshold would ask nobody
    r = app_client.put(threshold, headers=cast.underwriter.headers, json=limit)
    assert (r.status_code, r.json()["code"]) == (422, "policy_not_coinsured"), r.text
    lead, a, alpha, beta = followers(db)
    r = app_client.post(URL, headers=cast.underwriter.headers, json=body(pid, lead, a, beta.org_id))
    assert r.status_code == 201, r.text
    for actor, status, code in (
        (alpha, 403, "forbidden"),  # a follower does not set it
        (cast.underwriter, 422, "currency_mismatch"),
    ):
        bad = {**limit, "currency": "EUR"} if code == "currency_mismatch" else limit
        r = app_client.put(threshold, headers=actor.headers, json=bad)
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
    r = app_client.put(threshold, headers=cast.underwriter.headers, json=limit)
    assert r.status_code == 200 and r.json()["threshold"] == "1000.00", r.text
    shares = app_client.get(
        f"/api/v1/coinsurance/policies/{pid}/participations", headers=alpha.headers
    )
    assert shares.json()["claim_approval_threshold"] == "1000.00"

    claim_id = _approved_claim(db, cast, claims_book)
    with db.factory() as s:
        asked = {
            r.org_id: (r.state, r.share_minor)
            for r in s.execute(select(CoinsuranceClaimApproval)).scalars()
        }
        indemnity = s.get(ClaimRow, claim_id).indemnity_minor  # type: ignore[union-attr]
        assert s.execute(
            select(AuditEntry.after).where(
                AuditEntry.action == "coinsurance.claim_approval_requested"
            )
        ).scalar_one()["followers"] == [a, beta.org_id]
    assert indemnity > 100_000
    assert {org: state for org, (state, _) in asked.items()} == {
        a: "pending",
        beta.org_id: "pending",
    }
    assert abs(asked[a][1] - indemnity * Decimal("0.3333")) < 1
    assert _pay(db, cast, claim_id) == "follower_approval_missing"

    # an objection needs a reason; only a follower answers; another claim is not its own
    r = _answer(app_client, alpha, claim_id, answer="object")
    assert (r.status_code, r.json()["code"]) == (422, "reason_required"), r.text
    r = _answer(app_client, cast.claims_handler, claim_id, answer="approve")
    assert (r.status_code, r.json()["code"]) == (403, "forbidden"), r.text
    with transaction(db.factory) as s:
        make_org(s, slug="co-delta", kind=OrganisationKind.COINSURER, region=None)
        delta = make_key_actor(s, org_slug="co-delta", role=Role.COINSURER)
    r = _answer(app_client, delta, claim_id, answer="approve")
    assert (r.status_code, r.json()["code"]) == (404, "not_found"), r.text

    r = _answer(app_client, alpha, claim_id, answer="object", reason="the buyer is solvent")
    assert r.status_code == 200 and r.json()["state"] == "objected", r.text
    r = _answer(app_client, beta, claim_id, answer="approve")
    assert r.status_code == 200 and r.json()["state"] == "approved", r.text
    assert _pay(db, cast, claim_id) == "follower_approval_missing"
    mine = app_client.get("/api/v1/coinsurance/claim-approvals", headers=alpha.headers).json()
    assert [(x["claim_id"], x["state"], x["reason"]) for x in mine] == [
        (claim_id, "objected", "the buyer is solvent")
    ]
    every = app_client.get(
        "/api/v1/coinsurance/claim-approvals", headers=cast.claims_handler.headers
    )
    assert len(every.json()) == 2
    r = _answer(app_client, alpha, claim_id, answer="approve", reason="estate report read")
    assert r.status_code == 200 and r.json()["state"] == "approved", r.text
    r = _answer(app_client, alpha, claim_id, answer="object", reason="changed my mind")
    assert (r.status_code, r.json()["code"]) == (409, "approval_already_given"), r.text
    assert _pay(db, cast, claim_id) == "paid"
    with db.factory() as s:
        actions = set(
            s.execute(
                select(AuditEntry.action).where(AuditEntry.action.like("coinsurance.claim_%"))
            ).scalars()
        )
        assert actions == {
            "coinsurance.claim_threshold_set",
            "coinsurance.claim_approval_requested",
            "coinsurance.claim_objected",
            "coinsurance.claim_approved",
        }
        assert books_check.check(s) == []
    # the follower's own share of the claim, with its answer
    seen = app_client.get("/api/v1/coinsurance/shares/claims", headers=alpha.headers).json()
    assert [(c["claim_id"], c["approval"], c["state"]) for c in seen["items"]] == [
        (claim_id, "approved", "paid")
    ]


def test_a_single_large_limit_has_its_own_shares_and_the_follower_reads_its_book(
    db: Database, app_client: TestClient, cast: Cast, claims_book: Book
) -> None:
    lead, a, alpha, beta = followers(db)
    lid = claims_book.limit_id
    shares: dict[str, Any] = {
        "limit_id": lid,
        "reason": "one buyer too large for one insurer",
        "participations": [
            {"org_id": lead, "role": "lead", "share": "60", "effective_from": "2020-01-01"},
            {"org_id": a, "role": "follower", "share": "40", "effective_from": "2020-01-01"},
        ],
    }
    wrong = {**shares, "participations": shares["participations"][:1]}  # 60 % only
    r = app_client.post(LIMIT_URL, headers=cast.underwriter.headers, json=wrong)
    assert (r.status_code, r.json()["code"]) == (422, "shares_do_not_sum_to_100"), r.text
    r = app_client.post(LIMIT_URL, headers=alpha.headers, json=shares)
    assert (r.status_code, r.json()["code"]) == (403, "forbidden"), r.text
    assert _count(db, CoinsuranceLimitParticipation) == 0
    r = app_client.post(LIMIT_URL, headers=cast.underwriter.headers, json=shares)
    assert r.status_code == 201, r.text
    path = f"/api/v1/coinsurance/limits/{lid}/participations"
    assert len(app_client.get(path, headers=alpha.headers).json()["participations"]) == 2
    r = app_client.get(path, headers=beta.headers)  # not a participant of the limit
    assert (r.status_code, r.json()["code"]) == (404, "not_found")

    claim_id = _approved_claim(db, cast, claims_book)  # no threshold: nobody is asked
    assert _count(db, CoinsuranceClaimApproval) == 0
    assert _pay(db, cast, claim_id) == "paid"
    with db.factory() as s:
        claim = s.get(ClaimRow, claim_id)
        assert claim is not None and claim.paid_minor is not None
        paid = claim.paid_minor
        parts = {
            r.org_id: r.amount_minor for r in s.execute(select(CoinsuranceAllocation)).scalars()
        }
        assert parts == {lead: paid - paid * 40 // 100, a: paid * 40 // 100}
        assert books_check.check(s) == []

    decls = app_client.get("/api/v1/coinsurance/shares/declarations", headers=alpha.headers)
    assert decls.status_code == 200, decls.text
    items = decls.json()["items"]
    assert {d["declaration_id"] for d in items} == set(claims_book.declarations)
    for d in items:
        assert d["share"] == "40" and d["limit_id"] == lid
        assert abs(Decimal(d["premium_share"]) - Decimal(d["premium"]) * Decimal("0.4")) <= Decimal(
            "0.01"
        )
    claimed = app_client.get("/api/v1/coinsurance/shares/claims", headers=alpha.headers).json()
    assert [(c["claim_id"], c["indemnity_share"]) for c in claimed["items"]] == [
        (claim_id, str(Money.from_minor(paid * 40 // 100, "USD").amount))
    ]
    money = app_client.get("/api/v1/coinsurance/shares/payments", headers=alpha.headers).json()
    assert [(m["source"], m["amount"]) for m in money["items"]] == [
        ("claim", str(Money.from_minor(paid * 40 // 100, "USD").amount))
    ]
    # beta shares nothing here; an exporter has no co-insurer's book
    assert (
        app_client.get("/api/v1/coinsurance/shares/declarations", headers=beta.headers).json()[
            "total"
        ]
        == 0
    )
    r = app_client.get("/api/v1/coinsurance/shares/claims", headers=cast.exporter.headers)
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")


def test_a_follower_deciding_a_limit_is_refused_and_nothing_is_written(
    db: Database, app_client: TestClient, cast: Cast, claims_book: Book
) -> None:
    _lead, _a, alpha, _beta = followers(db)
    with db.factory() as s:
        app_id = s.execute(select(func.max(LimitApplication.id))).scalar_one()
    before = [_count(db, m) for m in (LimitApplication, CreditLimit, AuditEntry)]
    attempts = [
        (f"/api/v1/limit-applications/{app_id}/decision", {"outcome": "approved", "amount": "9"}),
        (f"/api/v1/limits/{claims_book.limit_id}/reduce", {"amount": "1000", "reason": "x"}),
        (f"/api/v1/limits/{claims_book.limit_id}/cancel", {"reason": "the follower says so"}),
    ]
    for url, decision in attempts:
        r = app_client.post(url, headers=alpha.headers, json=decision)
        assert (r.status_code, r.json()["code"]) == (403, "forbidden"), (url, r.text)
        assert "the lead insurer decides limits" in r.json()["detail"]
    assert [_count(db, m) for m in (LimitApplication, CreditLimit, AuditEntry)] == before
