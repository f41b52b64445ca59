"""Execution of risk runs as jobs: an embedded thread pool by default, Dask when configured.

:func:`execute_run` carries one recorded run from ``queued`` to ``finished`` or
``failed``, each step in its own short transaction so that readers see the status and
progress move.  Any error ends the run ``failed`` with its code and message; a run is
never ``finished`` on error.  :class:`EmbeddedExecutor` runs jobs on daemon threads in
the API process (needs no server); with ``TRADECOVER_DASK_SCHEDULER`` set, the Monte
Carlo scenarios of each run are spread over that Dask cluster instead.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tradecover.db.engine import transaction
from tradecover.kit.errors import DomainError
from tradecover.risk import service
from tradecover.risk.run import run_risk

log = logging.getLogger(__name__)

ProgressHook = Callable[[int, int], None]
#: Least time between two progress writes of one run.
PROGRESS_INTERVAL_S = 0.5
#: Levels at which every run also reports VaR and ES, for the loss distribution chart.
LOSS_CURVE_LEVELS: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.998, 0.999)


def with_curve_levels(levels: tuple[float, ...]) -> tuple[float, ...]:
    """The requested levels plus the loss-curve levels, sorted (computed in one pass)."""
    return tuple(sorted(set(levels) | set(LOSS_CURVE_LEVELS)))


def split_loss_curve(payload: dict[str, Any], levels: tuple[float, ...]) -> dict[str, Any]:
    """Keep the requested ``levels`` in each case's figures; move the whole curve to
    ``loss_curve`` (``[{level, value_at_risk, expected_shortfall}]`` by level).
    """
    keep = {repr(q) for q in levels}
    for case in [payload["base"], *payload["stressed"]]:
        var, es = case["value_at_risk"], case["expected_shortfall"]
        case["loss_curve"] = [
            {"level": float(k), "value_at_risk": var[k], "expected_shortfall": es[k]}
            for k in sorted(var, key=float)
        ]
        for name in ("value_at_risk", "expected_shortfall", "expected_shortfall_standard_error"):
            case[name] = {k: v for k, v in case[name].items() if k in keep}
        case["extras"] = {
            k: v for k, v in case["extras"].items() if "@" not in k or k.split("@", 1)[1] in keep
        }
    payload["spec"]["confidence_levels"] = list(levels)
    return payload


def _dask_client(address: str) -> Any:
    from distributed import Client  # imported only when a cluster is configured

    return Client(address, timeout="10s")  # type: ignore[no-untyped-call]


def execute_run(
    factory: sessionmaker[Session],
    run_id: int,
    *,
    dask_address: str | None = None,
    on_progress: ProgressHook | None = None,
    dask_client: Any | None = None,
) -> str:
    """Execute the recorded run ``run_id``; return its final status.

    ``dask_client`` (a ``distributed.Client``) or ``dask_address`` (a scheduler to connect
    to for this run) spreads the Monte Carlo over a cluster; ``on_progress(done, total)``
    is called beside the progress written on the row (the CLI draws its bar with it).
    """
    with transaction(factory) as s:
        spec = service.RunSpec.from_json(service.start_run(s, run_id=run_id).spec)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if on_progress is not None:
            on_progress(done, total)
        now = time.monotonic()
        if now - last[0] >= PROGRESS_INTERVAL_S or done >= total:
            last[0] = now
            with transaction(factory) as ps:
                service.record_progress(ps, run_id=run_id, done=done, total=total)

    own_client = None
    try:
        with transaction(factory) as s:
            portfolio = service.exposure_source(s, spec).portfolio()
        client = dask_client
        if client is None and dask_address and spec.method == "monte_carlo":
            client = own_client = _dask_client(dask_address)
        lib = replace(
            service.library_spec(spec, portfolio),
            confidence_levels=with_curve_levels(spec.confidence_levels),
        )
        result = run_risk(lib, on_progress=progress, dask_client=client)
        payload = split_loss_curve(result.to_dict(), spec.confidence_levels)
    except DomainError as error:
        return _fail(factory, run_id, error.code, error.message)
    except Exception as error:
        log.exception("risk run %s failed", run_id)
        return _fail(factory, run_id, "internal_error", f"{type(error).__name__}: {error}")
    finally:
        if own_client is not None:
            own_client.close()
    try:
        with transaction(factory) as s:
            service.finish_run(s, run_id=run_id, result=payload)
    except Exception as error:
        log.exception("risk run %s could not be stored", run_id)
        return _fail(factory, run_id, "result_not_stored", f"{type(error).__name__}: {error}")
    return service.FINISHED


def _fail(factory: sessionmaker[Session], run_id: int, code: str, message: str) -> str:
    with transaction(factory) as s:
        service.fail_run(s, run_id=run_id, code=code, message=message)
    return service.FAILED


class EmbeddedExecutor:
    """A small pool of daemon threads in the API process that executes queued runs in order."""

    def __init__(
        self, factory: sessionmaker[Session], *, workers: int = 1, dask_address: str | None = None
    ) -> None:
        """Start ``workers`` daemon threads reading one queue."""
        self.factory, self.dask_address = factory, dask_address
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._threads = [
            threading.Thread(target=self._work, name=f"risk-run-{i}", daemon=True)
            for i in range(workers)
        ]
        for t in self._threads:
            t.start()

    def submit(self, run_id: int) -> None:
        """Queue a recorded run (call it after the transaction that recorded it commits)."""
        self._queue.put(run_id)

    def wait_idle(self) -> None:
        """Block until every submitted run has ended (tests, shutdown)."""
        self._queue.join()

    def shutdown(self) -> None:
        """Stop the threads once the queued runs are done."""
        for _ in self._threads:
            self._queue.put(None)

    def _work(self) -> None:
        while True:
            run_id = self._queue.get()
            try:
                if run_id is None:
                    return
                execute_run(self.factory, run_id, dask_address=self.dask_address)
            except Exception:
                log.exception("risk run %s could not be executed", run_id)
            finally:
                self._queue.task_done()
