"""The home of each role: the page that answers its first question.

An exporter finds whether it can ship to a buyer (its limits searched by the buyer's name
or registration number, with the grade and the amount still available), what it owes
after the subsidy, its claims and the shipments waiting for its confirmation.  An
underwriter sees the queue of limit applications by age and amount and how much of the
limits is used; the risk manager, the claims handler and finance theirs
(:mod:`tradecover.web.home.insurer_homes`); a co-insurer its share of the book and its
statement (:mod:`~tradecover.web.home.follower_home`), a subsidy programme its subsidies
owed and budget used (:mod:`~tradecover.web.home.programme_home`).  Every other role
lands on a start page of what it does here, so nobody lands on a page it may not see.
Charts come with the same figures as a table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from tradecover import coinsurance
from tradecover.access import Permission, Role
from tradecover.api.pagination import IdPath
from tradecover.feeds import awaiting_confirmation
from tradecover.kit.dates import business_today, utc_now
from tradecover.kit.errors import DomainError
from tradecover.kit.money import Money
from tradecover.reporting import homes
from tradecover.web.charts import bar_chart
from tradecover.web.forms import form_choice, in_savepoint
from tradecover.web.home import bank_home, follower_home, insurer_homes, programme_home
from tradecover.web.home.starts import start_links
from tradecover.web.kit import (
    SessionDep,
    Viewer,
    choose_locale,
    current_viewer,
    may,
    redirect,
    render_page,
    to_sign_in,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(include_in_schema=False)

SEARCH_MAX = 100
"""Longest buyer search the exporter's home accepts (characters)."""


@router.get("/", response_model=None)
def home(
    request: Request,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=SEARCH_MAX)] = None,
) -> Response:
    """The signed-in person's home (visitors go to the sign-in page)."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return redirect("/sign-in")
    return _home(request, session, viewer, q)


def _home(
    request: Request,
    session: Session,
    viewer: Viewer,
    q: str | None = None,
    problem: DomainError | None = None,
    answered: dict[str, Any] | None = None,
) -> Response:
    locale = choose_locale(request, viewer)
    role = viewer.principal.role
    if role is Role.EXPORTER:
        template, context = "home/exporter.html", _exporter(session, viewer, q)
    elif role is Role.UNDERWRITER:
        template, context = "home/underwriter.html", _underwriter(session)
    elif role is Role.RISK_MANAGER:
        template, context = "home/risk_manager.html", insurer_homes.risk_manager(session, locale)
    elif role is Role.CLAIMS_HANDLER:
        template = "home/claims_handler.html"
        context = insurer_homes.claims_handler(session, viewer.principal)
    elif role is Role.FINANCE:
        template, context = (
            "home/finance.html",
            insurer_homes.finance(session, viewer.principal, locale),
        )
    elif role is Role.COINSURER:
        template, context = "home/coinsurer.html", follower_home.follower(session, viewer.principal)
    elif role is Role.PROGRAMME:
        template = "home/programme.html"
        context = programme_home.programme(session, viewer.principal)
    elif role is Role.BANK:
        template, context = bank_home.TEMPLATE, bank_home.bank(session, viewer.principal)
    else:
        template, context = "home/start.html", {}
    closed = {Permission.POLICY_READ} if context.get("policies_closed") else set()
    context["starts"] = start_links(role, lambda p: may(viewer, p) and p not in closed)
    context["problem"] = problem
    context["answered"] = answered or {"claim_id": None, "reason": "", "done": False}
    status = problem.status if problem else 200
    return render_page(request, locale, template, context, viewer=viewer, status=status)


@router.post("/coinsurance/claims/{claim_id}/approval", response_model=None)
def claim_approval_form(
    claim_id: IdPath,
    request: Request,
    session: SessionDep,
    answer: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """A follower approves or objects (with a reason) to a claim waiting for its approval,
    from its home [domain CO-12]; a refusal shows the home again with the field and the
    4xx status, nothing written.
    """
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)

    def work() -> None:
        chosen = form_choice(
            coinsurance.FollowerAnswer,
            answer,
            field="answer",
            message="please choose to approve or to object",
        )
        coinsurance.answer_claim(
            session,
            principal=viewer.principal,
            claim_id=claim_id,
            answer=chosen,
            reason=reason or None,
        )

    problem = in_savepoint(session, work)
    answered = {"claim_id": claim_id, "reason": reason, "done": problem is None}
    return _home(request, session, viewer, problem=problem, answered=answered)


def _money(minor: int, currency: str) -> Money:
    return Money.from_minor(minor, currency)


def _exporter(session: Session, viewer: Viewer, search: str | None) -> dict[str, Any]:
    org_id = viewer.principal.org_id
    today = business_today()
    cover = homes.buyer_cover(session, org_id=org_id, search=search)
    owed = homes.premium_owed(session, org_id=org_id, today=today)
    claims = homes.claim_standings(session, org_id=org_id)
    waiting = (
        awaiting_confirmation(session, principal=viewer.principal, today=today, limit=200)
        if may(viewer, Permission.DECLARATION_READ)
        else []
    )
    chart_rows = cover[:10]  # buyer_cover lists the largest available amounts first
    return {
        "search": search or "",
        "cover": [
            {
                "row": c,
                "approved": _money(c.approved_minor, c.currency),
                "outstanding": _money(c.outstanding_minor, c.currency),
                "available": _money(c.available_minor, c.currency),
            }
            for c in cover
        ],
        "cover_chart": bar_chart(
            [(c.buyer_name, c.available_minor / 100) for c in chart_rows],
            label="available cover by buyer",
        )
        if chart_rows
        else None,
        "owed": [
            {
                "row": o,
                "owed": _money(o.owed_minor, o.currency),
                "overdue": _money(o.overdue_minor, o.currency),
            }
            for o in owed
        ],
        "claims": [
            {
                "row": c,
                "loss": _money(c.loss_minor, c.currency),
                "indemnity": _money(c.indemnity_minor, c.currency),
            }
            for c in claims
        ],
        "waiting": len(waiting),
        "waiting_at_risk": sum(1 for w in waiting if w.standing is not None),
    }


def _underwriter(session: Session) -> dict[str, Any]:
    queue = homes.limit_queue_by_age(session, now=utc_now())
    use = homes.limit_use_bands(session)
    return {
        "queue": [
            {
                "band": b,
                "amounts": [_money(minor, cur) for cur, minor in sorted(b.amounts.items())],
            }
            for b in queue
        ],
        "queue_total": sum(b.count for b in queue),
        "queue_chart": bar_chart(
            [(_band(b.from_days, b.to_days, "d"), float(b.count)) for b in queue],
            label="limit applications waiting, by age in days",
        ),
        "use": use,
        "use_chart": bar_chart(
            [(_band(u.from_pct, u.to_pct, "%"), float(u.count)) for u in use],
            label="active limits by utilisation",
        ),
    }


def _band(low: int, high: int | None, unit: str) -> str:
    return f"{low}+{unit}" if high is None else f"{low}-{high}{unit}"
