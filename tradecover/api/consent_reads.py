"""The read guard of the API edge [domain CS-6] [domain CS-8]: every ``GET`` of a
route that returns exporter data (``tradecover.consents.EXPORTER_READS``) by another
organisation passes the consent guard for the route's scope and purpose before the route
runs (:func:`begin`, as the caller is authenticated), and is recorded in the access log
after it (:func:`end`, before the request's commit; written by :func:`flush_when_due`).
A refused read answers 403 ``consent_required`` naming the scope, and is itself recorded.

The guard's set-based answer is left on the session: the services that filter by exporter
(``consents.readable``) find it there and ask the database no second time.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tradecover import consents
from tradecover.access import OrganisationKind, Principal
from tradecover.api import problems


def begin(request: Request, session: Session, principal: Principal) -> None:
    """Guard a read of exporter data by another organisation before the route runs (called
    once the caller is known): 403 ``consent_required`` without a consent, else open the
    read context whose records the access log will list.  A no-op for other routes, other
    methods and an exporter reading its own data.
    """
    if request.method != "GET" or principal.org_kind is OrganisationKind.EXPORTER:
        return
    path = str(getattr(request.scope.get("route"), "path", ""))
    read = consents.read_of(path)
    if read is None:
        return
    context = consents.start_reading(session, principal, read.scope, read.purpose, path)
    context.readable = consents.readable(session, principal, read.scope, read.purpose)


def end(session: Session) -> None:
    """Queue the access-log entries of the request's read (before its commit)."""
    entries = consents.finish_reading(session)
    if entries:
        consents.submit_reads(_engine_of(session), entries)


def flush_when_due(request: Request) -> None:
    """Write the queued access log when a batch is due (after the request's commit)."""
    state = request.app.state
    consents.flush_access_log(state.session_factory, due_only=True, bind=state.engine)


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
