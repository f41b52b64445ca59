"""Risk runs as jobs: the states a run goes through, failures, and the Dask path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Database
from tradecover.access.service import system_principal
from tradecover.db.engine import transaction
from tradecover.kit.errors import Conflict
from tradecover.risk import jobs, service
from tradecover.risk.model import RiskRun

distributed = pytest.importorskip("distributed")

SPEC = service.RunSpec(
    source="generated",
    buyers=200,
    book_seed=2,
    n_scenarios=3000,
    seed=4,
    scenarios=("recession",),
    confidence_levels=(0.99,),
)


def _queue(db: Database) -> int:
    with transaction(db.factory) as s:
        return service.create_run(s, principal=system_principal(s), spec=SPEC).id


def _run(db: Database, run_id: int) -> RiskRun:
    with db.factory() as s:
        run = s.get(RiskRun, run_id)
        assert run is not None
        s.expunge(run)
        return run


def _figures(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "elapsed_seconds"}


def test_a_run_on_a_dask_scheduler_gives_the_local_figures(db: Database) -> None:
    local_id, remote_id = _queue(db), _queue(db)
    seen: list[tuple[int, int]] = []
    assert (
        jobs.execute_run(db.factory, local_id, on_progress=lambda d, t: seen.append((d, t)))
        == "finished"
    )
    assert seen[-1] == (6000, 6000)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        status = jobs.execute_run(db.factory, remote_id, dask_address=cluster.scheduler_address)
    assert status == "finished"
    local, remote = _run(db, local_id), _run(db, remote_id)
    assert _figures(local.result) == _figures(remote.result)
    assert (remote.progress_done, remote.progress_total) == (6000, 6000)
    assert remote.started_at is not None and remote.finished_at is not None


def test_an_unexpected_error_ends_the_run_failed(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("worker lost")

    monkeypatch.setattr(jobs, "run_risk", broken)
    run_id = _queue(db)
    assert jobs.execute_run(db.factory, run_id) == "failed"
    run = _run(db, run_id)
    assert (run.status, run.error_code, run.error_message, run.result) == (
        "failed",
        "internal_error",
        "RuntimeError: worker lost",
        None,
    )


def test_a_run_starts_once_and_a_finished_run_cannot_fail(db: Database) -> None:
    run_id = _queue(db)
    assert jobs.execute_run(db.factory, run_id) == "finished"
    with transaction(db.factory) as s, pytest.raises(Conflict):
        service.start_run(s, run_id=run_id)
    with transaction(db.factory) as s, pytest.raises(Conflict):
        service.fail_run(s, run_id=run_id, code="x", message="y")
    assert _run(db, run_id).status == "finished"
