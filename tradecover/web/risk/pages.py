"""Dashboard pages of portfolio risk, for risk managers: the run list with the form that
starts a run and [000]'s yearly table, and a run's page with its charts.

Charts are inline SVG drawn here on the server (no JavaScript, nothing from a CDN);
their headings are translated by the templates, the SVG itself holds only numbers and
names.  Every read and write goes through :mod:`tradecover.risk.service`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import Response

from tradecover.access.roles import PERMISSIONS, Permission
from tradecover.api.pagination import MAX_ID
from tradecover.kit.errors import DomainError, ValidationFailed
from tradecover.risk import service
from tradecover.risk.api import executor
from tradecover.risk.run import METHODS
from tradecover.web.charts import bar_chart, line_chart
from tradecover.web.kit import (
    SessionDep,
    choose_locale,
    current_viewer,
    error_page,
    redirect,
    render_page,
    to_sign_in,
)

router = APIRouter(include_in_schema=False)


def run_charts(result: dict[str, Any]) -> dict[str, Any]:
    """Every chart of a finished run's page."""
    cases = [result["base"], *result["stressed"]]
    curve_levels = [c["level"] for c in result["base"].get("loss_curve", [])]
    series: list[tuple[str, list[float]]] = []
    dashed = set()
    for case in cases:
        curve = case.get("loss_curve", [])
        series.append((f"VaR {case['scenario']}", [c["value_at_risk"] for c in curve]))
        series.append((f"ES {case['scenario']}", [c["expected_shortfall"] for c in curve]))
        dashed.add(f"ES {case['scenario']}")
    contributions = result["base"]["contributions"]

    def ranked(values: dict[str, float]) -> list[tuple[str, float]]:
        return sorted(values.items(), key=lambda kv: -kv[1])[:12]

    return {
        "loss": line_chart(
            series,
            [f"{q * 100:g}%" for q in curve_levels],
            label="loss distribution",
            dashed=frozenset(dashed),
        ),
        "buyers": bar_chart(
            [(b["buyer_id"], b["contribution"]) for b in contributions["top_buyers"]],
            label="by buyer",
        ),
        "countries": bar_chart(ranked(contributions["by_country"]), label="by country"),
        "sectors": bar_chart(ranked(contributions["by_sector"]), label="by sector"),
        "concentration": {
            c["dimension"]: bar_chart(
                [(t["name"], t["share"]) for t in c["top"]], label=c["dimension"], percent=True
            )
            for c in result["concentration"]
        },
    }


def _history_context() -> dict[str, Any]:
    rows = service.portfolio_history()
    chart = line_chart(
        [("loss ratio", [float(r["loss_ratio"]) for r in rows])],
        [str(r["year"]) for r in rows],
        label="loss ratio",
        percent=True,
    )
    return {"history": rows, "history_chart": chart}


def _can(viewer_role: Any, permission: Permission) -> bool:
    return permission in PERMISSIONS[viewer_role]


@router.get("/risk", response_model=None)
def risk_home(request: Request, session: SessionDep) -> Response:
    """The organisation's runs, the form that starts one, and the yearly portfolio table."""
    return _home(request, session)


def _home(
    request: Request,
    session: SessionDep,
    *,
    error: str | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    try:
        runs, _total = service.list_runs(session, principal=viewer.principal, limit=50)
    except DomainError:
        return error_page(request, locale, viewer, 403)
    defaults = {
        "source": "book",
        "basis": "outstanding",
        "method": "monte_carlo",
        "buyers": "",
        "n_scenarios": "20000",
        "seed": "0",
        "scenarios": [],
    }
    return render_page(
        request,
        locale,
        "risk/runs.html",
        {
            "runs": runs,
            "error": error,
            "form": {**defaults, **(form or {})},
            "methods": METHODS,
            "scenario_names": [s.name for s in service.scenarios()],
            "can_run": _can(viewer.principal.role, Permission.RISK_RUN),
            **_history_context(),
        },
        viewer=viewer,
        status=422 if error else 200,
    )


@router.post("/risk/runs", response_model=None)
def start_run(
    request: Request,
    session: SessionDep,
    background: BackgroundTasks,
    source: Annotated[str, Form(max_length=16)] = "book",
    basis: Annotated[str, Form(max_length=16)] = "outstanding",
    method: Annotated[str, Form(max_length=32)] = "monte_carlo",
    buyers: Annotated[str, Form(max_length=12)] = "",
    n_scenarios: Annotated[str, Form(max_length=12)] = "20000",
    seed: Annotated[str, Form(max_length=20)] = "0",
    scenarios: Annotated[list[str] | None, Form(max_length=20)] = None,
) -> Response:
    """Start a run from the form; a refusal shows the form again with the field."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    form = {
        "source": source,
        "basis": basis,
        "method": method,
        "buyers": buyers,
        "n_scenarios": n_scenarios,
        "seed": seed,
        "scenarios": scenarios or [],
    }
    try:
        spec = service.RunSpec(
            source=source,  # type: ignore[arg-type]
            basis=basis,  # type: ignore[arg-type]
            method=method,  # type: ignore[arg-type]
            scenarios=tuple(scenarios or ()),
            n_scenarios=_int(n_scenarios, "n_scenarios"),
            seed=_int(seed, "seed"),
            buyers=_int(buyers, "buyers") if buyers.strip() else None,
            book_seed=0,
        )
        run = service.create_run(
            session,
            principal=viewer.principal,
            spec=spec,
            max_obligor_scenarios=request.app.state.settings.risk_max_obligor_scenarios,
        )
    except DomainError as exc:
        session.rollback()
        if exc.status == 403:
            return error_page(request, choose_locale(request, viewer), viewer, 403)
        where = f"{exc.field}: " if exc.field else ""
        return _home(request, session, error=f"{where}{exc.message}", form=form)
    background.add_task(executor(request).submit, run.id)
    return redirect(f"/risk/runs/{run.id}")


def _int(text: str, field: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValidationFailed(
            f"{field} must be a whole number", code="not_a_number", field=field
        ) from None


@router.get("/risk/runs/{run_id}", response_model=None)
def run_page(run_id: int, request: Request, session: SessionDep) -> Response:
    """A run: status and progress, then figures base vs stressed and every chart."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    if not 1 <= run_id <= MAX_ID:
        return error_page(request, locale, viewer, 404)
    try:
        run = service.get_run(session, principal=viewer.principal, run_id=run_id)
    except DomainError as exc:
        return error_page(request, locale, viewer, 403 if exc.status == 403 else 404)
    result = run.result if run.status == service.FINISHED else None
    cases = [result["base"], *result["stressed"]] if result else []
    levels = list(result["base"]["value_at_risk"]) if result else []
    return render_page(
        request,
        locale,
        "risk/run.html",
        {
            "run": run,
            "result": result,
            "cases": cases,
            "levels": levels,
            "charts": run_charts(result) if result else None,
            "amount": lambda v: f"{float(v):,.0f}",
        },
        viewer=viewer,
    )
