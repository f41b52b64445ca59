"""The verification page: is the document I hold genuine? ([domain DOC-3]).

``GET /verify`` shows the form (``number`` prefilled from the link printed on every
registered PDF); ``POST /verify`` takes the number and the file, or its SHA-256, and
answers genuine, not genuine or unknown number, naming only the kind and the date of issue
of a genuine document, never its contents.  No sign-in is needed: whoever holds a document
(a bank, a buyer, an auditor) may check it, and learns nothing they do not already hold.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from tradecover import documents
from tradecover.kit.errors import DomainError
from tradecover.web.kit import SessionDep, choose_locale, current_viewer, render_page

router = APIRouter(include_in_schema=False)

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
"""The largest file the page hashes (a registered letter is far smaller)."""


def _page(
    request: Request,
    session: SessionDep,
    form: dict[str, str],
    *,
    verdict: documents.Verdict | None = None,
    problem: DomainError | None = None,
) -> Response:
    viewer = current_viewer(request, session)
    context: dict[str, Any] = {
        "form": form,
        "verdict": verdict,
        "kind_label": documents.KIND_LABELS.get(verdict.kind) if verdict and verdict.kind else None,
        "problem": problem,
    }
    status = 200 if problem is None else problem.status
    return render_page(
        request,
        choose_locale(request, viewer),
        "documents/verify.html",
        context,
        viewer=viewer,
        status=status,
    )


@router.get("/verify", response_model=None)
def verify_form(
    request: Request,
    session: SessionDep,
    number: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """The verification form, the document number prefilled from the printed link."""
    return _page(request, session, {"number": number or "", "sha256": ""})


@router.post("/verify", response_model=None)
def verify(
    request: Request,
    session: SessionDep,
    number: Annotated[str, Form(max_length=40)] = "",
    sha256: Annotated[str, Form(max_length=80)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Check a number against the uploaded file (or the SHA-256 typed): genuine, not
    genuine or unknown number; a malformed number or hash re-renders the form with the field
    named and 422 [domain DOC-3].
    """
    content = file.file.read(MAX_DOCUMENT_BYTES + 1) if file is not None else b""
    form = {"number": number, "sha256": sha256}
    try:
        verdict = documents.verify(
            session, number=number, content=content or None, sha256=sha256 or None
        )
    except DomainError as problem:
        return _page(request, session, form, problem=problem)
    return _page(request, session, form, verdict=verdict)
