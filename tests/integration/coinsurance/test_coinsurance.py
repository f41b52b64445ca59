"""Coinsurance end to end, on both backends: participations set through the API and refused
when wrong [domain CO-1] to [domain CO-5]; a premium notice with its subsidy split, a claim
payment and a recovery split across three insurers to the cent [domain CO-6]
[domain CO-7], each insurer's part on its own ledger party [domain CO-8], the ledger check
[domain CO-9]; followers read their own share [domain CO-10].
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import Actor, Cast, Database, make_key_actor, make_org
from tests.integration.billing.helpers import (
    OCT,
    add_programme,
    book,
    declaration_row,
    declare,
    profile,
)
from tests.integration.claims.conftest import AFTER_DUE, Book, principal, run, usd
from tests.integration.claims.documents import accept_documents
from tradecover import access, claims
from tradecover.access import OrganisationKind, Role
from tradecover.audit.model import AuditEntry
from tradecover.billing import jobs
from tradecover.billing.model import NoticeSplit, PremiumNotice
from tradecover.billing.notice import DEFAULT_TERMS
from tradecover.claims.indemnity import LossCause
from tradecover.claims.model import ClaimRow, RecoveryRow
from tradecover.claims.recovery import RecoverySource
from tradecover.coinsurance.model import CoinsuranceAllocation, CoinsuranceParticipation
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.db.engine import transaction
from tradecover.kit.money import Money
from tradecover.ledger import Account, party_balances
from tradecover.reporting import books_check
from tradecover.subsidies.programme import Programme

ISSUE = date(2026, 11, 2)
URL = "/api/v1/coinsurance/participations"


def followers(db: Database) -> tuple[int, int, Actor, Actor]:
    """Two co-insurers, each with an API key: (lead id, ..., their actors)."""
    with transaction(db.factory) as s:
        make_org(s, slug="co-alpha", kind=OrganisationKind.COINSURER, region=None)
        make_org(s, slug="co-beta", kind=OrganisationKind.COINSURER, region=None)
        alpha = make_key_actor(s, org_slug="co-alpha", role=Role.COINSURER)
        beta = make_key_actor(s, org_slug="co-beta", role=Role.COINSURER)
        return access.insurer(s).id, alpha.org_id, alpha, beta


def body(policy_id: int, lead: int, a: int, b: int, **over: Any) -> dict[str, Any]:
    """Three insurers: the lead 33.34 %, two followers 33.33 %, from 2020 on."""
    shares = over.pop("shares", ("33.34", "33.33", "33.33"))
    return {
        "policy_id": policy_id,
        "reason": "large risk shared with the pool",
        "participations": [
            {"org_id": org, "role": role, "share": share, "effective_from": "2020-01-01"}
            for org, role, share in zip(
                (lead, a, b), ("lead", "follower", "follower"), shares, strict=True
            )
        ],
        **over,
    }


def share_three(client: TestClient, cast: Cast, policy_id: int, db: Database) -> tuple[int, ...]:
    lead, a, _alpha, beta = followers(db)
    b = beta.org_id
    r = client.post(URL, headers=cast.underwriter.headers, json=body(policy_id, lead, a, b))
    assert r.status_code == 201, r.text
    return lead, a, b


def counts(db: Database) -> tuple[int, int]:
    with db.factory() as s:
        return (
            s.execute(select(func.count()).select_from(CoinsuranceParticipation)).scalar_one(),
            s.execute(select(func.count()).select_from(AuditEntry)).scalar_one(),
        )


def test_participations_are_set_audited_and_bad_sets_change_nothing(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    pid = book(db, app_client, cast).policy_ids[0]
    lead, a, alpha, beta = followers(db)
    b = beta.org_id
    r = app_client.post(URL, headers=cast.underwriter.headers, json=body(pid, lead, a, b))
    assert r.status_code == 201, r.text
    assert [(p["org_id"], p["role"], p["share"]) for p in r.json()["participations"]] == [
        (lead, "lead", "33.34"),
        (a, "follower", "33.33"),
        (b, "follower", "33.33"),
    ]
    with db.factory() as s:
        entry = s.execute(
            select(AuditEntry).where(AuditEntry.action == "coinsurance.participations_set")
        ).scalar_one()
        assert (entry.entity_id, entry.reason, entry.before) == (
            str(pid),
            "large risk shared with the pool",
            [],
        )
        assert [p["share"] for p in entry.after] == ["33.34", "33.33", "33.33"]
    before = counts(db)
    wrong = {
        "shares_do_not_sum_to_100": body(pid, lead, a, b, shares=("33.34", "33.33", "33.32")),
        "lead_not_issuing_insurer": {
            **body(pid, lead, a, b),
            "participations": [
                {"org_id": a, "role": "lead", "share": "50", "effective_from": "2020-01-01"},
                {"org_id": lead, "role": "follower", "share": "50", "effective_from": "2020-01-01"},
            ],
        },
        "participation_overlaps": {
            **body(pid, lead, a, b),
            "participations": [
                {"org_id": lead, "role": "lead", "share": "50", "effective_from": "2020-01-01"},
                {
                    "org_id": a,
                    "role": "follower",
                    "share": "50",
                    "effective_from": "2020-01-01",
                    "effective_to": "2026-06-30",
                },
                {"org_id": a, "role": "follower", "share": "50", "effective_from": "2026-06-01"},
            ],
        },
        "participant_not_insurer": body(pid, lead, a, cast.exporter.org_id),
    }
    for code, bad in wrong.items():
        r = app_client.put(URL, headers=cast.underwriter.headers, json=bad)
        assert (r.status_code, r.json()["code"]) == (422, code), r.text
    # only insurer underwriters and admins set them; a follower may not
    for actor in (alpha, cast.finance, cast.exporter):
        r = app_client.put(URL, headers=actor.headers, json=body(pid, lead, a, b))
        assert (r.status_code, r.json()["code"]) == (403, "forbidden"), r.text
    assert counts(db) == before
    # the follower reads the policy it shares; a stranger co-insurer gets 404
    shares = f"/api/v1/coinsurance/policies/{pid}/participations"
    seen = app_client.get(shares, headers=alpha.headers)
    assert seen.status_code == 200 and len(seen.json()["participations"]) == 3
    with transaction(db.factory) as s:
        make_org(s, slug="co-gamma", kind=OrganisationKind.COINSURER, region=None)
        gamma = make_key_actor(s, org_slug="co-gamma", role=Role.COINSURER)
    r = app_client.get(shares, headers=gamma.headers)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = app_client.get(shares, headers=cast.other_exporter.headers)
    assert r.status_code == 404


def test_a_notice_with_its_subsidy_split_is_split_to_the_cent_across_three_insurers(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    b = book(db, app_client, cast)
    pid, org, buyer = b.policy_ids[0], b.exporter_org_id, b.buyer_id
    lead, f1, f2 = share_three(app_client, cast, pid, db)
    profile(app_client, cast.exporter, exports="3000000", region="CN-ZJ")
    with transaction(db.factory) as s:
        declare(
            s,
            [
                declaration_row(
                    policy_id=pid, org_id=org, buyer_id=buyer, premium_minor=m, day=day, n=n
                )
                for n, (m, day) in enumerate(
                    [(12345, date(2026, 10, 3)), (1001, date(2026, 10, 31)), (56, OCT)]
                )
            ],
        )
        add_programme(
            s,
            Programme(
                code="ZJ",
                name="Zhejiang export subsidy",
                sponsor="Zhejiang",
                currency="USD",
                share=Decimal("0.5"),
                regions=("CN-ZJ",),
            ),
            slug="zj-fund",
        )
    with transaction(db.factory) as s:
        system = access.system_principal(s)
    jobs.run_month(
        db.factory, principal=system, month="2026-10", issue_date=ISSUE, terms=DEFAULT_TERMS
    )
    with db.factory() as s:
        notice = s.execute(select(PremiumNotice)).scalar_one()
        granted = s.execute(select(NoticeSplit.granted_minor)).scalar_one()
        # 134.02 billed; the programme grants half of each shipment, rounded half-up:
        # 61.73 + 5.01 + 0.28 = 67.02, the exporter owes 67.00
        assert (notice.total_minor, granted, notice.exporter_owed_minor) == (13402, 6702, 6700)
        rows = {
            (r.component, r.org_id): r.amount_minor
            for r in s.execute(select(CoinsuranceAllocation)).scalars()
        }
        # 6700 x 33.34 % = 2233.78, x 33.33 % = 2233.11 twice: 2233 each and one cent left,
        # to the largest remainder (the lead's .78); 6702 x 33.34 % = 2234.4468, x 33.33 %
        # = 2233.7766 twice: two cents left, to the followers' .7766
        assert rows == {
            ("exporter", lead): 2234,
            ("exporter", f1): 2233,
            ("exporter", f2): 2233,
            ("programme:ZJ", lead): 2234,
            ("programme:ZJ", f1): 2234,
            ("programme:ZJ", f2): 2234,
        }
        income = party_balances(s, Account.PREMIUM_INCOME)
        assert {p: -n for (p, _), n in income.items() if p != "None"} == {
            f"insurer:{lead}": 4468,
            f"insurer:{f1}": 4467,
            f"insurer:{f2}": 4467,
        }
        assert income[("None", "USD")] == 0
        assert books_check.check(s) == []


def _paid_claim(db: Database, cast: Cast, bk: Book) -> tuple[int, int]:
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
    recovery = run(
        db,
        lambda s: claims.record_recovery(
            s,
            principal=handler,
            claim_id=row.id,
            source=RecoverySource.ESTATE,
            gross=usd("1000.01"),
            costs=usd(100),
            received_on=AFTER_DUE,
        ),
    )
    assert isinstance(recovery, RecoveryRow)
    return row.id, recovery.id


def test_a_claim_payment_and_its_recovery_are_split_and_the_follower_reads_its_statement(
    db: Database, app_client: TestClient, cast: Cast, claims_book: Book
) -> None:
    lead, f1, f2 = share_three(app_client, cast, claims_book.policy_id, db)
    claim_id, recovery_id = _paid_claim(db, cast, claims_book)
    with db.factory() as s:
        claim = s.get(ClaimRow, claim_id)
        recovery = s.get(RecoveryRow, recovery_id)
        assert claim is not None and recovery is not None
        paid, recovered = claim.paid_minor, recovery.insurer_minor
        rows = {
            (r.source, r.org_id): r.amount_minor
            for r in s.execute(select(CoinsuranceAllocation)).scalars()
        }
        assert sum(v for (src, _), v in rows.items() if src == "claim") == paid
        assert sum(v for (src, _), v in rows.items() if src == "recovery") == recovered
        for source, whole in (("claim", paid), ("recovery", recovered)):
            for org, share in ((lead, "33.34"), (f1, "33.33"), (f2, "33.33")):
                assert abs(Decimal(rows[(source, org)]) - whole * Decimal(share) / 100) < 1
        expense = party_balances(s, Account.CLAIMS_EXPENSE)
        assert expense[(f"insurer:{f1}", "USD")] == rows[("claim", f1)]
        assert books_check.check(s) == []
    alpha = f1
    with transaction(db.factory) as s:
        follower = make_key_actor(s, org_slug="co-alpha", role=Role.COINSURER)
    r = app_client.get(
        "/api/v1/coinsurance/statement",
        headers=follower.headers,
        params={"from": "2000-01-01", "to": "2100-12-31"},
    )
    assert r.status_code == 200, r.text
    assert r.json() == [
        {
            "policy_id": claims_book.policy_id,
            "currency": "USD",
            "premium": "0.00",
            "claims": str(Money.from_minor(rows[("claim", alpha)], "USD").amount),
            "recoveries": str(Money.from_minor(rows[("recovery", alpha)], "USD").amount),
        }
    ]
    r = app_client.get(
        "/api/v1/coinsurance/statement",
        headers=cast.exporter.headers,
        params={"from": "2000-01-01", "to": "2100-12-31"},
    )
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
