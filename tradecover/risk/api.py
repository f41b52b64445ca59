"""HTTP routes of risk runs: start a run (a job), follow it, list runs, scenarios, history."""

from __future__ import annotations

import threading

from fastapi import APIRouter, BackgroundTasks, Request

from tradecover.api.deps import PrincipalDep, SessionDep, get_settings
from tradecover.api.pagination import IdPath, Page, PageDep
from tradecover.risk import service
from tradecover.risk.jobs import EmbeddedExecutor
from tradecover.risk.schemas import PortfolioYearOut, RiskRunIn, RiskRunOut, ScenarioOut

router = APIRouter(prefix="/api/v1/risk", tags=["risk"])
_executor_lock = threading.Lock()


def executor(request: Request) -> EmbeddedExecutor:
    """The app's embedded executor of risk runs, started on first use."""
    state = request.app.state
    with _executor_lock:
        found: EmbeddedExecutor | None = getattr(state, "risk_executor", None)
        if found is None:
            found = EmbeddedExecutor(
                state.session_factory, dask_address=get_settings(request).dask_scheduler
            )
            state.risk_executor = found
    return found


@router.post("/runs", status_code=202, response_model=RiskRunOut, summary="Start a risk run")
def start_run(
    body: RiskRunIn,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    principal: PrincipalDep,
) -> RiskRunOut:
    """Validate the spec, record the run ``queued`` and execute it as a job (risk managers).

    A bad spec answers 422 naming the field and records nothing.  Follow the run with
    ``GET /api/v1/risk/runs/{run_id}``.
    """
    run = service.create_run(
        session,
        principal=principal,
        spec=body.to_spec(),
        max_obligor_scenarios=get_settings(request).risk_max_obligor_scenarios,
    )
    jobs = executor(request)
    background.add_task(jobs.submit, run.id)  # after the response, so after the commit
    return RiskRunOut.of(run)


@router.get("/runs", response_model=Page[RiskRunOut], summary="Risk runs, newest first")
def list_runs(session: SessionDep, principal: PrincipalDep, page: PageDep) -> Page[RiskRunOut]:
    """The organisation's runs without their results."""
    runs, total = service.list_runs(
        session, principal=principal, limit=page.limit, offset=page.offset
    )
    return Page[RiskRunOut](
        items=[RiskRunOut.of(r, with_result=False) for r in runs],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/runs/{run_id}", response_model=RiskRunOut, summary="One risk run")
def get_run(run_id: IdPath, session: SessionDep, principal: PrincipalDep) -> RiskRunOut:
    """Status, progress and, once finished, the figures (or the error of a failed run)."""
    return RiskRunOut.of(service.get_run(session, principal=principal, run_id=run_id))


@router.get("/scenarios", response_model=list[ScenarioOut], summary="Shipped stress scenarios")
def list_scenarios(principal: PrincipalDep) -> list[ScenarioOut]:
    """Names to pass in a run's ``scenarios``."""
    return [ScenarioOut.of(s) for s in service.scenarios()]


@router.get(
    "/portfolio-history",
    response_model=list[PortfolioYearOut],
    summary="Yearly portfolio figures of the state insurer",
)
def portfolio_history(principal: PrincipalDep) -> list[PortfolioYearOut]:
    """Insured amount, premium, claims paid and loss ratio by year (USD 100 million)."""
    return [PortfolioYearOut.model_validate(r) for r in service.portfolio_history()]
