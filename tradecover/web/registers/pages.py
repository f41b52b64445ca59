"""Dashboard pages of two registers, as tables people can work with (ADR 0035).

* ``/buyers``: the buyer register (an exporter its own buyers, the insurer every one),
  by name, with its country, registration number and sector;
* ``/audit``: the audit log (an organisation its own chain, insurer staff every chain),
  newest first, for the roles that read it (``audit:read``).

Both are sorted, filtered, searched and keyset-paged by the table kit, and export the
filtered list with ``?format=csv`` or ``?format=xlsx``.  Same conventions as
:mod:`tradecover.web.kit`: every read goes through the read models of
:mod:`tradecover.reporting.lists`, which check the permission and scope the rows.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tradecover.access import Permission
from tradecover.kit.errors import DomainError
from tradecover.reporting import lists
from tradecover.web import tables
from tradecover.web.kit import (
    N_,
    SessionDep,
    choose_locale,
    error_page,
    permitted_viewer,
    render_page,
)

router = APIRouter(include_in_schema=False)


def _buyer_cells(batch: list[Any]) -> list[tuple[Any, ...]]:
    return [(b.id, b.legal_name, b.country, b.registration_number, b.sector) for b in batch]


def _audit_cells(batch: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (e.id, e.occurred_at, e.actor, e.action, e.entity_type, e.entity_id, e.reason)
        for e in batch
    ]


@router.get("/buyers", response_model=None)
def buyers_page(request: Request, session: SessionDep) -> Response:
    """The buyers the viewer may see, by name (search by name, registration number or
    LEI; filter by country and sector).
    """
    viewer = permitted_viewer(request, session, Permission.BUYER_READ)
    if isinstance(viewer, Response):
        return viewer
    locale = choose_locale(request, viewer)
    try:
        table = tables.read_table(request, tables.BUYERS)
        fmt = tables.export_format(request)
        if fmt is not None:
            rows = lists.BUYERS.export(session, viewer.principal, table)
            return tables.export_response(tables.BUYERS, fmt, rows, _buyer_cells)
        found = lists.BUYERS.page(session, viewer.principal, table)
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    hint = (
        N_("A buyer joins the register when a credit limit is applied for on it.")
        if not viewer.principal.is_insurer
        else ""
    )
    return render_page(
        request,
        locale,
        "registers/buyers.html",
        {
            "buyers": found.rows,
            "table": tables.view(
                request,
                tables.BUYERS,
                table,
                found,
                empty_message=N_("No buyers yet."),
                empty_hint=hint,
            ),
        },
        viewer=viewer,
    )


@router.get("/audit", response_model=None)
def audit_page(request: Request, session: SessionDep) -> Response:
    """The audit log the viewer may read, newest first (search by who, action or record;
    filter by action and record type).
    """
    viewer = permitted_viewer(request, session, Permission.AUDIT_READ)
    if isinstance(viewer, Response):
        return viewer
    locale = choose_locale(request, viewer)
    try:
        table = tables.read_table(request, tables.AUDIT)
        fmt = tables.export_format(request)
        if fmt is not None:
            rows = lists.AUDIT.export(session, viewer.principal, table)
            return tables.export_response(tables.AUDIT, fmt, rows, _audit_cells)
        found = lists.AUDIT.page(session, viewer.principal, table)
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    return render_page(
        request,
        locale,
        "registers/audit.html",
        {
            "entries": found.rows,
            "table": tables.view(
                request,
                tables.AUDIT,
                table,
                found,
                empty_message=N_("Nothing has been recorded yet."),
            ),
        },
        viewer=viewer,
    )
