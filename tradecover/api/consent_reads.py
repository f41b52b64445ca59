"""The read guard of the API edge [domain CS-6] [domain CS-8]: every ``GET`` of a
route that returns exporter data (``tradecover.consents.EXPORTER_READS``) by another
organisation passes the consent guard for the route's scope and purpose before the route
runs, and is recorded in the access log after it.  A refused read answers 403
``consent_required`` naming the scope, and is itself recorded.

The guard's set-based answer is left on the session: the services that filter by exporter
(``consents.readable``) find it there and ask the database no second time.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import BackgroundTasks, FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tradecover import consents
from tradecover.access import OrganisationKind
from tradecover.api import problems
from tradecover.api.deps import SessionDep, principal_of_request


def _flush_when_due(request: Request) -> None:
    state = request.app.state
    consents.flush_access_log(state.session_factory, due_only=True, bind=state.engine)


def guard_reads(request: Request, session: SessionDep, tasks: BackgroundTasks) -> Iterator[None]:
    """Guard and log a read of exporter data by another organisation (a no-op for other
    routes, other methods and an exporter reading its own data).
    """
    path = str(getattr(request.scope.get("route"), "path", ""))
    read = consents.read_of(path) if request.method == "GET" else None
    if read is None:
        yield
        return
    principal = principal_of_request(request, session)
    if principal.org_kind is OrganisationKind.EXPORTER:
        yield
        return
    context = consents.start_reading(session, principal, read.scope, read.purpose, path)
    context.readable = consents.readable(session, principal, read.scope, read.purpose)
    tasks.add_task(_flush_when_due, request)
    yield
    consents.submit_reads(_engine_of(session), consents.finish_reading(session))


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def _record_refusal(request: Request, exc: consents.ConsentRequired) -> None:
    factory = request.app.state.session_factory
    path = getattr(request.scope.get("route"), "path", request.url.path)
    with factory() as session:
        consents.submit_reads(_engine_of(session), [consents.refused_read(session, exc, path)])
    consents.flush_access_log(factory, due_only=True, bind=request.app.state.engine)


def install(app: FastAPI) -> None:
    """Answer a refused read 403 ``consent_required`` and record it in the access log (in
    a transaction of its own: the request's was rolled back); flush the log on shutdown.
    """

    @app.exception_handler(consents.ConsentRequired)
    async def _refused(request: Request, exc: consents.ConsentRequired) -> Response:
        await run_in_threadpool(_record_refusal, request, exc)
        return problems.for_client(request, problems.response_for(exc))

    def _flush_all() -> None:
        consents.flush_access_log(app.state.session_factory)

    app.router.on_shutdown.append(_flush_all)
