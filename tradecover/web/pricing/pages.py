"""Dashboard pages of pricing: the rate table (matrix, history, editor for the insurer),
the short-term and investment-debt quote pages, and the pricing lab chart.

Same conventions as :mod:`tradecover.web.kit`: server-rendered, in the reader's
language, signed-in people only; every read and write goes through the pricing service.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from tradecover.access.roles import PERMISSIONS, Permission
from tradecover.kit.errors import DomainError, NotFound
from tradecover.pricing import (
    LabRow,
    compare_full_and_partial_cover,
    parse_quote_request,
    quote_investment_debt,
    render_lab_chart,
    service,
    simulate_adverse_selection,
)
from tradecover.pricing.investment_debt import CoverComparisonRow
from tradecover.pricing.rate_table import TERMS_ORDER
from tradecover.pricing.schemas import ShortTermQuoteIn
from tradecover.web import i18n
from tradecover.web.kit import (
    N_,
    SessionDep,
    choose_locale,
    current_viewer,
    error_page,
    redirect,
    render_page,
    to_sign_in,
)

router = APIRouter(include_in_schema=False)

SAMPLE_LOAN = {
    "currency": "USD",
    "rate": "0.0085",
    "drawdown_periods": [
        {"drawn": "6000000", "interest": "180000"},
        {"drawn": "4000000", "interest": "420000"},
    ],
    "repayment_periods": [
        {"principal": "2500000", "interest": "600000"},
        {"principal": "2500000", "interest": "450000"},
        {"principal": "2500000", "interest": "300000"},
        {"principal": "2500000", "interest": "150000"},
    ],
}


LAB_CHART_WORDS: dict[str, str] = {
    "title": N_("Flat rate vs risk-based rates over renewal rounds"),
    "heading": N_("Adverse selection: one flat rate vs risk-based rates"),
    "insured_count": N_("Exporters insured"),
    "loss_ratio": N_("Loss ratio"),
    "premium_volume": N_("Premium volume"),
    "renewal_round": N_("Renewal round"),
    "flat": N_("Flat pricing"),
    "risk_based": N_("Risk-based pricing"),
}
"""The lab chart's words, translated into the page's language."""


@lru_cache(maxsize=1)
def _lab_rows() -> tuple[LabRow, ...]:
    return tuple(simulate_adverse_selection())


@lru_cache(maxsize=8)
def _lab_chart(locale: str = i18n.DEFAULT_LOCALE) -> tuple[str, tuple[dict[str, Any], ...]]:
    rows = _lab_rows()
    words = {key: i18n.gettext(locale, text) for key, text in LAB_CHART_WORDS.items()}
    return render_lab_chart(rows, words=words), tuple(r.to_dict() for r in rows)


def _table_context(session: SessionDep, code: str) -> dict[str, Any]:
    history = service.versions(session, code=code)
    current = service.current_version(session, code=code)
    table = service.table_of(current)
    matrix = [
        (
            c if table.country_classes else "—",  # one row for every country [domain DT-4]
            [(TERMS_ORDER[t].value, [r * 100 for r in rates]) for t, rates in enumerate(by_terms)],
        )
        for c, by_terms in enumerate(table.base if table.country_classes else table.base[:1])
    ]
    return {
        "code": code,
        "table": table,
        "current": current,
        "history": history,
        "bands": [b.label for b in table.bands],
        "matrix": matrix,
        "body_json": json.dumps(current.body, indent=2, ensure_ascii=False),
    }


@router.get("/pricing", response_model=None)
def pricing_home() -> Response:
    """The pricing section starts at the default rate table."""
    return redirect(f"/pricing/rate-tables/{service.DEFAULT_TABLE_CODE}")


@router.get("/pricing/rate-tables/{code}", response_model=None)
def rate_table_page(code: str, request: Request, session: SessionDep) -> Response:
    """The base matrix of the current version, the version history and, for the insurer's
    underwriters and risk managers, the editor that saves a new version.
    """
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    try:
        context = _table_context(session, code[:64])
    except (NotFound, DomainError):
        return error_page(request, locale, viewer, 404)
    can_edit = (
        viewer.principal.is_insurer
        and Permission.RATE_TABLE_EDIT in PERMISSIONS[viewer.principal.role]
    )
    return render_page(
        request,
        locale,
        "pricing/rate_table.html",
        {**context, "can_edit": can_edit, "error": None, "saved": None},
        viewer=viewer,
    )


@router.post("/pricing/rate-tables/{code}", response_model=None)
def save_rate_table(
    code: str,
    request: Request,
    session: SessionDep,
    body: Annotated[str, Form(max_length=200_000)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
    status: Annotated[str, Form(max_length=16)] = "active",
) -> Response:
    """Save the edited table as a new version; a refusal shows the error and the field."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    try:
        data = json.loads(body)
        row = service.add_rate_table_version(
            session,
            principal=viewer.principal,
            code=code[:64],
            body=data,
            reason=reason,
            status=status,
        )
    except (json.JSONDecodeError, RecursionError) as error:
        context = _table_context(session, code[:64])
        return render_page(
            request,
            locale,
            "pricing/rate_table.html",
            {
                **context,
                "can_edit": True,
                "saved": None,
                "body_json": body,
                "error": f"body: {error}",
            },
            viewer=viewer,
            status=422,
        )
    except DomainError as error:
        session.rollback()
        if error.status == 403:
            return error_page(request, locale, viewer, 403)
        context = _table_context(session, code[:64])
        where = f"{error.field}: " if error.field else ""
        return render_page(
            request,
            locale,
            "pricing/rate_table.html",
            {
                **context,
                "can_edit": True,
                "saved": None,
                "body_json": body,
                "error": f"{where}{error.message}",
            },
            viewer=viewer,
            status=422,
        )
    return redirect(f"/pricing/rate-tables/{row.code}")


@router.get("/pricing/quote/short-term", response_model=None)
def short_term_quote_page(
    request: Request,
    session: SessionDep,
    country: Annotated[str | None, Query(max_length=2)] = None,
    terms: Annotated[str | None, Query(max_length=2)] = None,
    days: Annotated[str | None, Query(max_length=6)] = None,
    indemnity: Annotated[str | None, Query(max_length=12)] = None,
    grade: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """The quote form and, once filled in, the rate with its explanation."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    form = {
        "country": (country or "TR").upper(),
        "terms": terms or "OA",
        "days": days or "90",
        "indemnity": indemnity or "90",
        "grade": grade or "",
    }
    quote, error = None, None
    if country is not None:
        try:
            body = ShortTermQuoteIn(
                country=form["country"],
                payment_terms=form["terms"],
                credit_days=int(form["days"]),
                indemnity_percentage=form["indemnity"],
                buyer_grade=form["grade"] or None,
            )
            quote = service.quote_short_term(
                session, principal=viewer.principal, request=body.to_request()
            )
        except DomainError as exc:
            error = f"{exc.field}: {exc.message}" if exc.field else exc.message
        except ValueError as exc:
            error = str(exc).splitlines()[0]
    return render_page(
        request,
        locale,
        "pricing/quote_short_term.html",
        {
            "form": form,
            "quote": quote,
            "error": error,
            "terms_options": [t.value for t in TERMS_ORDER],
            "percent": lambda r: (Decimal(r) * 100).normalize(),
        },
        viewer=viewer,
        status=422 if error else 200,
    )


@router.get("/pricing/quote/investment-debt", response_model=None)
def investment_debt_page(request: Request, session: SessionDep) -> Response:
    """The loan form, prefilled with an example."""
    return _investment_debt(request, session, json.dumps(SAMPLE_LOAN, indent=2))


@router.post("/pricing/quote/investment-debt", response_model=None)
def investment_debt_quote(
    request: Request, session: SessionDep, loan: Annotated[str, Form(max_length=200_000)] = ""
) -> Response:
    """The period schedule and [004] Table 2: full vs partial cover."""
    return _investment_debt(request, session, loan, quote_it=True)


def _investment_debt(
    request: Request, session: SessionDep, loan: str, *, quote_it: bool = False
) -> Response:
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    quote, error = None, None
    comparison: tuple[CoverComparisonRow, ...] = ()
    if quote_it:
        try:
            parsed = parse_quote_request(json.loads(loan))
            quote = quote_investment_debt(parsed)
            comparison = compare_full_and_partial_cover(parsed)
        except (json.JSONDecodeError, RecursionError) as exc:
            error = f"JSON: {exc}"
        except DomainError as exc:
            error = f"{exc.field}: {exc.message}" if exc.field else exc.message
    return render_page(
        request,
        locale,
        "pricing/quote_investment_debt.html",
        {"loan": loan, "quote": quote, "comparison": comparison, "error": error},
        viewer=viewer,
        status=422 if error else 200,
    )


@router.get("/pricing/lab", response_model=None)
def lab_page(request: Request, session: SessionDep) -> Response:
    """A flat rate vs risk-based rates over renewal rounds: adverse selection made visible."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    chart, rows = _lab_chart(locale)
    return render_page(
        request,
        locale,
        "pricing/lab.html",
        {"chart": Markup(chart), "rows": rows},  # noqa: S704 - our own SVG
        viewer=viewer,
    )
