"""Two concurrent transitions of one policy can never both succeed (row lock + version)."""

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders.policies import active, draft
from tests.conftest import Cast, Database
from tradecover.access import service as access
from tradecover.access.principal import Principal
from tradecover.db.engine import transaction
from tradecover.kit.dates import business_today
from tradecover.kit.errors import DomainError
from tradecover.policies import service
from tradecover.policies.lifecycle import PolicyState, TerminationKind
from tradecover.policies.model import Policy

THREADS = 8


def _race(db: Database, work: Callable[[Session, Principal], object]) -> list[str]:
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        try:
            with transaction(db.factory) as s:
                work(s, access.system_principal(s))
            result = "ok"
        except DomainError as error:
            result = error.code
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_concurrent_issue_succeeds_once(app_client: TestClient, cast: Cast, db: Database) -> None:
    pid = draft(app_client, cast)["id"]
    app_client.post(f"/api/v1/policies/{pid}/quote", headers=cast.underwriter.headers)
    outcomes = _race(
        db, lambda s, p: service.issue(s, principal=p, policy_id=pid, today=business_today())
    )
    assert sorted(outcomes) == ["illegal_transition"] * (THREADS - 1) + ["ok"]
    with db.factory() as s:
        policy = s.get(Policy, pid)
        assert policy is not None
        assert policy.state == PolicyState.ACTIVE.value
        history = service.policy_history(s, principal=access.system_principal(s), policy_id=pid)
    assert [e.action for e in history].count("policy.issued") == 1


@pytest.mark.parametrize(
    "kind", [TerminationKind.INSURER_CANCELLATION, TerminationKind.RESCISSION_FOR_FRAUD]
)
def test_concurrent_terminate_and_suspend(
    app_client: TestClient, cast: Cast, db: Database, kind: TerminationKind
) -> None:
    pid = active(app_client, cast)["id"]
    counter = iter(range(THREADS))
    counter_lock = threading.Lock()

    def work(s: Session, p: Principal) -> object:
        with counter_lock:
            n = next(counter)
        if n % 2:
            return service.suspend(s, principal=p, policy_id=pid, reason="arrears")
        return service.terminate(
            s,
            principal=p,
            policy_id=pid,
            kind=kind,
            reason="race",
            effective_date=None,
            today=business_today(),
        )

    outcomes = _race(db, work)
    # at most one terminate wins; a suspend may win first and then one terminate still can
    with db.factory() as s:
        history = service.policy_history(s, principal=access.system_principal(s), policy_id=pid)
        policy = s.get(Policy, pid)
        assert policy is not None
        final = policy.state
    actions = [e.action for e in history]
    ended = (
        "policy.rescinded" if kind is TerminationKind.RESCISSION_FOR_FRAUD else "policy.cancelled"
    )
    assert actions.count(ended) == 1
    assert actions.count("policy.suspended") <= 1
    assert outcomes.count("ok") == actions.count(ended) + actions.count("policy.suspended")
    assert final == ("rescinded" if kind is TerminationKind.RESCISSION_FOR_FRAUD else "cancelled")
    assert set(outcomes) <= {"ok", "illegal_transition"}


def test_concurrent_endorsements_get_distinct_numbers(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    pid = active(app_client, cast)["id"]
    day = business_today() + timedelta(days=1)
    outcomes = _race(
        db,
        lambda s, p: service.add_endorsement(
            s, principal=p, policy_id=pid, text="clause", effective_date=day
        ),
    )
    assert outcomes == ["ok"] * THREADS
    with db.factory() as s:
        numbers = sorted(
            e.number
            for e in service.list_endorsements(
                s, principal=access.system_principal(s), policy_id=pid
            )
        )
    assert numbers == list(range(1, THREADS + 1))
