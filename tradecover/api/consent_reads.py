"""The read guard of the API edge [domain CS-6] [domain CS-8]: every ``GET`` of a
route that returns exporter data (``tradecover.consents.EXPORTER_READS``) by another
organisation passes the consent guard for the route's scope and purpose before the route
runs (:func:`begin`, as the caller is authenticated), and is recorded in the access log
after it (:func:`end`: one multi-row insert in the request's own transaction, before its
commit and so before the response).  A refused read answers 403 ``consent_required``
naming the scope, and is itself recorded (in a transaction of its own).

The guard's set-based answer is left on the session: the services that filter by exporter
(``consents.readable``) find it there and ask the database no second time.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tradecover import consents
from tradecover.access import OrganisationKind, Principal
from tradecover.api import problems
from tradecover.kit.errors import PermissionDenied

API = "/api/"
"""The prefix of the API's routes (the others are the dashboard's pages)."""


class PageNotRead(PermissionDenied):
    """A page of exporter data that the reader's organisation kind never reads (HTTP 403,
    the dashboard's "not allowed" page) [domain CS-15].
    """

    default_code = "forbidden"


def _reads_page(principal: Principal, path: str) -> bool:
    """Whether ``principal``'s kind reads the page ``path`` [domain CS-15]: any page for
    the insurer and pages of no exporter's data for everyone; a page of exporter data
    for a bank, co-insurer or programme only when its kind reads it under consent.
    """
    if principal.is_insurer or consents.read_of(path) is None:
        return True
    return path in consents.CONSENTED_READS.get(principal.org_kind.value, frozenset())


def begin(request: Request, session: Session, principal: Principal) -> None:
    """Guard a read of exporter data by another organisation before the route runs (called
    once the caller is known, by the API's caller dependency and the dashboard's viewer):
    403 ``consent_required`` without a consent, else open the read context whose records
    the access log will list, under the purpose the reader's kind reads the route with
    [domain CS-14] [domain CS-15].  A no-op for other routes, other methods, an exporter
    reading its own data and a second call in the same request.
    """
    if request.method != "GET" or principal.org_kind is OrganisationKind.EXPORTER:
        return
    guard_on = getattr(request.app.state, "consent_guard", True)
    if getattr(request.state, "consent_guarded", False) or not guard_on:
        return
    request.state.consent_guarded = True
    path = str(getattr(request.scope.get("route"), "path", ""))
    if not path.startswith(API) and not _reads_page(principal, path):
        raise PageNotRead(f"a {principal.org_kind.value} organisation does not read {path}")
    read = consents.read_of(path, principal.org_kind.value)
    if read is None:
        return
    context = consents.start_reading(session, principal, read.scope, read.purpose, path)
    context.readable = consents.readable(session, principal, read.scope, read.purpose)
    consents.open_read(session, context.readable)


def end(session: Session) -> None:
    """Write the access-log entries of the request's read in its transaction (just before
    its commit, so the read and its log commit together) [domain CS-8].
    """
    entries = consents.finish_reading(session)
    if entries:
        consents.record_reads(session, entries, relaxed=True)


def _record_refusal(request: Request, exc: consents.ConsentRequired) -> None:
    factory = request.app.state.session_factory
    path = getattr(request.scope.get("route"), "path", request.url.path)
    with factory() as session:
        consents.record_reads(session, [consents.refused_read(session, exc, path)])
        session.commit()


def install(app: FastAPI) -> None:
    """Answer a refused read 403 ``consent_required`` and record it in the access log (in
    a transaction of its own: the request's was rolled back); on a page, the dashboard's
    403 page naming the scope.  A page its reader's kind never reads: the "not allowed"
    page.  ``app.state.consent_guard`` is True; only a benchmark's baseline turns it off
    (neither a setting nor the environment can).
    """
    app.state.consent_guard = True

    @app.exception_handler(consents.ConsentRequired)
    async def _refused(request: Request, exc: consents.ConsentRequired) -> Response:
        await run_in_threadpool(_record_refusal, request, exc)
        # the dashboard's 403 page names the scope and purpose too [domain CS-15]
        request.state.refused_read = (exc.scope.value, exc.purpose.value)
        page = getattr(request.app.state, "problem_page", None)
        if page is not None and not request.url.path.startswith(API):
            answer: Response = page(request, status=403, code=exc.code)
            return answer
        return problems.for_client(request, problems.response_for(exc))

    @app.exception_handler(PageNotRead)
    async def _not_read(request: Request, exc: PageNotRead) -> Response:
        page = getattr(request.app.state, "problem_page", None)
        if page is None:
            return problems.response_for(exc)
        answer: Response = page(request, status=403, code=exc.code)
        return answer
