"""Use cases of risk runs: record a run, read runs, move a run through its states.

A run is a job: :func:`create_run` validates the whole spec up front and records it
``queued`` (a bad spec records nothing); :mod:`tradecover.risk.jobs` executes it and
moves it ``running`` -> ``finished`` or ``failed`` through :func:`start_run`,
:func:`record_progress`, :func:`finish_run` and :func:`fail_run`.  Services never commit:
the edge (request, CLI command, job step) owns the transaction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Permission, Principal
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, ValidationFailed
from tradecover.risk import repository
from tradecover.risk.exposures import ExposureSource, GeneratedExposures
from tradecover.risk.history import as_percent, sinosure_2015_2020
from tradecover.risk.model import RiskRun
from tradecover.risk.portfolio import ExposureBasis, Portfolio
from tradecover.risk.repository import BookExposures
from tradecover.risk.run import METHODS, Method, RiskRunSpec
from tradecover.risk.stress import SCENARIOS

Source = Literal["book", "generated"]
SOURCES: tuple[str, ...] = ("book", "generated")
#: Actor recorded on the state changes the job makes.
JOB_ACTOR = "system:risk-jobs"
QUEUED, RUNNING, FINISHED, FAILED = "queued", "running", "finished", "failed"


@dataclass(frozen=True)
class RunSpec:
    """What a risk run computes, as stored on the run (JSON-safe)."""

    source: Source = "book"
    basis: ExposureBasis = "outstanding"
    method: Method = "monte_carlo"
    confidence_levels: tuple[float, ...] = (0.99, 0.995, 0.999)
    scenarios: tuple[str, ...] = ()
    n_scenarios: int = 20_000
    seed: int = 0
    importance_sampling: bool = True
    buyers: int | None = None
    book_seed: int = 0
    top_n: int = 10

    def to_json(self) -> dict[str, Any]:
        """The spec as stored in ``risk_runs.spec``."""
        data = asdict(self)
        data["confidence_levels"] = list(self.confidence_levels)
        data["scenarios"] = list(self.scenarios)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSpec:
        """Read a stored spec back."""
        values = dict(data)
        values["confidence_levels"] = tuple(values.get("confidence_levels") or ())
        values["scenarios"] = tuple(values.get("scenarios") or ())
        return cls(**values)

    def cases(self) -> int:
        """Base case plus one per stress scenario."""
        return 1 + len(self.scenarios)


_PROBE = Portfolio.from_arrays(pd=[0.01], ead=[1.0], countries=["US"], sectors=["probe"])


def check_spec(spec: RunSpec, *, max_obligor_scenarios: int | None = None) -> None:
    """Validate every input before anything is recorded; raise naming the field."""
    if spec.source not in SOURCES:
        raise ValidationFailed(
            f"unknown source {spec.source!r}; use book or generated",
            code="unknown_source",
            field="source",
        )
    if spec.basis not in ("outstanding", "limit"):
        raise ValidationFailed(
            f"unknown exposure basis {spec.basis!r}", code="unknown_basis", field="basis"
        )
    if spec.method not in METHODS:
        raise ValidationFailed(
            f"unknown method {spec.method!r}; use one of {', '.join(METHODS)}",
            code="unknown_method",
            field="method",
        )
    library_spec(spec, _PROBE).validate()  # levels, seed, n, scenarios: the library's rules
    if spec.source == "generated":
        if spec.buyers is None:
            raise ValidationFailed(
                "a generated book needs a number of buyers", code="buyers_required", field="buyers"
            )
        GeneratedExposures(buyers=spec.buyers, seed=spec.book_seed)
        work = spec.buyers * spec.n_scenarios * spec.cases()
        if (
            spec.method == "monte_carlo"
            and max_obligor_scenarios is not None
            and work > max_obligor_scenarios
        ):
            raise ValidationFailed(
                f"buyers x n_scenarios x cases = {work} exceeds {max_obligor_scenarios}; "
                "run it from the CLI on a Dask cluster",
                code="run_too_large",
                field="n_scenarios",
            )
    elif spec.buyers is not None:
        raise ValidationFailed(
            "buyers is only for a generated book", code="buyers_not_allowed", field="buyers"
        )


def library_spec(spec: RunSpec, portfolio: Portfolio) -> RiskRunSpec:
    """The calculation library's spec for ``spec`` on ``portfolio``."""
    return RiskRunSpec(
        portfolio=portfolio,
        method=spec.method,
        confidence_levels=spec.confidence_levels,
        scenarios=spec.scenarios,
        seed=spec.seed,
        n_scenarios=spec.n_scenarios,
        importance_sampling=spec.importance_sampling,
        top_n=spec.top_n,
    )


def exposure_source(session: Session, spec: RunSpec) -> ExposureSource:
    """The exposure source the spec names: the insurer's book or a generated one."""
    if spec.source == "generated":
        assert spec.buyers is not None
        return GeneratedExposures(buyers=spec.buyers, seed=spec.book_seed, basis=spec.basis)
    return BookExposures(session, basis=spec.basis)


def create_run(
    session: Session,
    *,
    principal: Principal,
    spec: RunSpec,
    max_obligor_scenarios: int | None = None,
) -> RiskRun:
    """Record a ``queued`` run of ``spec`` for the caller's organisation (risk managers)."""
    principal.require(Permission.RISK_RUN)
    check_spec(spec, max_obligor_scenarios=max_obligor_scenarios)
    now = utc_now()
    run = repository.add_run(
        session,
        RiskRun(
            org_id=principal.org_id,
            spec=spec.to_json(),
            status=QUEUED,
            progress_done=0,
            progress_total=0,
            created_by=principal.actor,
            created_at=now,
        ),
    )
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action="risk_run.created",
        entity_type="risk_run",
        entity_id=run.id,
        after={"status": QUEUED, "spec": run.spec},
        at=now,
    )
    return run


def get_run(session: Session, *, principal: Principal, run_id: int) -> RiskRun:
    """One run of the caller's organisation."""
    principal.require(Permission.RISK_READ)
    return repository.run_of(session, org_id=principal.org_id, run_id=run_id)


def list_runs(
    session: Session, *, principal: Principal, limit: int = 50, offset: int = 0
) -> tuple[list[RiskRun], int]:
    """The caller's organisation's runs, newest first, and their number."""
    principal.require(Permission.RISK_READ)
    return repository.runs_of(session, org_id=principal.org_id, limit=limit, offset=offset)


def _job_run(session: Session, run_id: int) -> RiskRun:
    run = session.get(RiskRun, run_id)
    if run is None:
        raise ValidationFailed(f"no risk run {run_id}", code="risk_run_not_found", field="run_id")
    return run


def start_run(session: Session, *, run_id: int) -> RiskRun:
    """``queued`` -> ``running``; a run already started is a :class:`Conflict`."""
    run = _job_run(session, run_id)
    if run.status != QUEUED:
        raise Conflict(f"risk run {run_id} is {run.status}", code="risk_run_not_queued")
    run.status, run.started_at = RUNNING, utc_now()
    audit.record(
        session,
        org_id=run.org_id,
        actor=JOB_ACTOR,
        action="risk_run.started",
        entity_type="risk_run",
        entity_id=run.id,
        before={"status": QUEUED},
        after={"status": RUNNING},
        at=run.started_at,
    )
    return run


def record_progress(session: Session, *, run_id: int, done: int, total: int) -> None:
    """Store how far a running run has got (not audited: no business state changes)."""
    run = _job_run(session, run_id)
    if run.status == RUNNING:
        run.progress_done, run.progress_total = max(0, done), max(0, total)


def finish_run(session: Session, *, run_id: int, result: dict[str, Any]) -> RiskRun:
    """``running`` -> ``finished`` with the result."""
    run = _job_run(session, run_id)
    if run.status != RUNNING:
        raise Conflict(f"risk run {run_id} is {run.status}", code="risk_run_not_running")
    run.status, run.result, run.finished_at = FINISHED, result, utc_now()
    run.progress_done = run.progress_total = max(run.progress_total, run.progress_done, 1)
    audit.record(
        session,
        org_id=run.org_id,
        actor=JOB_ACTOR,
        action="risk_run.finished",
        entity_type="risk_run",
        entity_id=run.id,
        before={"status": RUNNING},
        after={"status": FINISHED},
        at=run.finished_at,
    )
    return run


def fail_run(session: Session, *, run_id: int, code: str, message: str) -> RiskRun:
    """Any state but ``finished`` -> ``failed`` with the error (never ``finished``)."""
    run = _job_run(session, run_id)
    if run.status == FINISHED:
        raise Conflict(f"risk run {run_id} is finished", code="risk_run_finished")
    before = run.status
    run.status, run.result, run.finished_at = FAILED, None, utc_now()
    run.error_code, run.error_message = code[:64], message[:4000]
    audit.record(
        session,
        org_id=run.org_id,
        actor=JOB_ACTOR,
        action="risk_run.failed",
        entity_type="risk_run",
        entity_id=run.id,
        before={"status": before},
        after={"status": FAILED, "error_code": run.error_code},
        at=run.finished_at,
    )
    return run


@dataclass(frozen=True)
class ScenarioInfo:
    """A shipped stress scenario, as listed to users."""

    name: str
    description: str
    shocks: list[str] = field(default_factory=list)


def scenarios() -> list[ScenarioInfo]:
    """The shipped stress scenarios, by name."""
    return [
        ScenarioInfo(name=s.name, description=s.description, shocks=[repr(x) for x in s.shocks])
        for s in sorted(SCENARIOS.values(), key=lambda s: s.name)
    ]


def portfolio_history() -> list[dict[str, Any]]:
    """[000]'s yearly table (USD 100 million) with the loss ratios computed and printed."""
    rows = []
    for published in sorted(sinosure_2015_2020(), key=lambda p: p.figures.year):
        row = published.figures.to_dict()
        row["loss_ratio"] = str(published.figures.loss_ratio)
        row["published_loss_ratio_pct"] = str(published.published_loss_ratio_pct)
        row["loss_ratio_pct"] = str(as_percent(published.figures.loss_ratio))
        rows.append(row)
    return rows
