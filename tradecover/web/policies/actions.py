"""The policy page's actions: issue, endorse, renew, suspend, reinstate, cancel, rescind
([domain P-14]).

Each action is a form posted to ``/policies/{id}/actions/{action}``; it runs the policies
use case in a savepoint of the request's transaction (:func:`tradecover.web.forms.in_savepoint`):
on success the page is shown again with what was done, on a domain error it is shown with
the message, the field it names and the error's 4xx status, and nothing is written.  The
page offers only the actions :func:`tradecover.policies.lifecycle.open_actions` opens to
the reader's role in the policy's state.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from tradecover import policies, pricing, reporting
from tradecover.access import PERMISSIONS, Principal
from tradecover.api.pagination import IdPath
from tradecover.kit.dates import business_today
from tradecover.kit.errors import DomainError, NotFound, ValidationFailed
from tradecover.policies import (
    NON_RENEWAL_NOTICE_DAYS,
    PolicyAction,
    PolicyState,
    TerminationKind,
    open_actions,
)
from tradecover.policies.lifecycle import RENEWAL_WINDOW_DAYS
from tradecover.web.forms import form_date, in_savepoint
from tradecover.web.kit import SessionDep, current_viewer, to_sign_in

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tradecover.policies import Policy

router = APIRouter(include_in_schema=False)


def actions_for(principal: Principal, policy: Policy, today: date) -> tuple[PolicyAction, ...]:
    """The actions the page offers ``principal`` on ``policy`` today."""
    return open_actions(
        PolicyState(policy.state),
        permissions=frozenset(p.value for p in PERMISSIONS[principal.role]),
        insurer=principal.is_insurer,
        renewal_window_open=policy.expiry - timedelta(days=RENEWAL_WINDOW_DAYS) <= today,
        auto_renew=bool(policy.auto_renew),
        notice_in_time=(policy.expiry - today).days >= NON_RENEWAL_NOTICE_DAYS,
    )


def may_accept_offer(principal: Principal, policy: Policy) -> bool:
    """Whether the page offers ``principal`` to accept an open renewal offer of ``policy``."""
    needed = "policy:underwrite" if principal.is_insurer else "policy:accept"
    granted = {p.value for p in PERMISSIONS[principal.role]}
    return needed in granted and policy.state == PolicyState.ACTIVE.value


def _optional_date(value: str, field: str) -> date | None:
    return form_date(value.strip(), field) if value.strip() else None


def _run(
    session: Session,
    principal: Principal,
    policy_id: int,
    action: PolicyAction,
    *,
    reason: str,
    text: str,
    effective_date: str,
) -> None:
    today = business_today()
    if action is PolicyAction.QUOTE:
        policies.quote(session, principal=principal, policy_id=policy_id)
    elif action is PolicyAction.WITHDRAW:
        policies.withdraw(session, principal=principal, policy_id=policy_id, reason=reason)
    elif action is PolicyAction.ISSUE:
        policies.issue(session, principal=principal, policy_id=policy_id, today=today)
    elif action is PolicyAction.ENDORSE:
        policies.add_endorsement(
            session,
            principal=principal,
            policy_id=policy_id,
            text=text,
            effective_date=form_date(effective_date.strip(), "effective_date"),
        )
    elif action is PolicyAction.SUSPEND:
        policies.suspend(
            session, principal=principal, policy_id=policy_id, reason=reason, today=today
        )
    elif action is PolicyAction.REINSTATE:
        policies.reinstate(
            session, principal=principal, policy_id=policy_id, reason=reason, today=today
        )
    elif action is PolicyAction.OFFER_RENEWAL:
        policies.offer_renewal(
            session,
            principal=principal,
            policy_id=policy_id,
            today=today,
            metrics_source=reporting.RenewalReviewMetrics(session),
            reprice=pricing.renewal_repricer(session, years_insured=policies.renewal_chain_length),
        )
    else:
        kind = {
            PolicyAction.CANCEL: (
                TerminationKind.INSURER_CANCELLATION
                if principal.is_insurer
                else TerminationKind.INSURED_CANCELLATION
            ),
            PolicyAction.NON_RENEWAL: TerminationKind.NON_RENEWAL,
            PolicyAction.RESCIND: TerminationKind.RESCISSION_FOR_FRAUD,
        }[action]
        policies.terminate(
            session,
            principal=principal,
            policy_id=policy_id,
            kind=kind,
            reason=reason,
            effective_date=_optional_date(effective_date, "effective_date"),
            today=today,
        )


@router.post("/policies/{policy_id}/actions/{action}", response_model=None)
def policy_action(
    policy_id: IdPath,
    action: str,
    request: Request,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=1000)] = "",
    text: Annotated[str, Form(max_length=4000)] = "",
    effective_date: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Take one action on a policy from its page and show the page again."""
    from tradecover.web.policies.pages import render_policy

    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    principal = viewer.principal

    def work() -> None:
        try:
            chosen = PolicyAction(action)
        except ValueError:
            raise ValidationFailed(
                "this action does not exist", code="unknown_action", field="action"
            ) from None
        _run(
            session,
            principal,
            policy_id,
            chosen,
            reason=reason,
            text=text,
            effective_date=effective_date,
        )

    problem: DomainError | None = in_savepoint(session, work)
    return render_policy(
        request,
        session,
        viewer,
        policy_id,
        done=None if problem else action,
        problem=problem,
        typed={"reason": reason, "text": text, "effective_date": effective_date},
    )


@router.post("/policies/{policy_id}/renewal-offers/{offer_id}/accept", response_model=None)
def accept_offer(
    policy_id: IdPath, offer_id: IdPath, request: Request, session: SessionDep
) -> Response:
    """Accept an open renewal offer of the policy from its page: the renewal is issued."""
    from tradecover.web.policies.pages import render_policy

    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    principal = viewer.principal

    def work() -> None:
        offer = policies.get_renewal_offer(session, principal=principal, offer_id=offer_id)
        if offer.policy_id != policy_id:
            raise NotFound("no such renewal offer on this policy", code="not_found")
        policies.accept_renewal(
            session, principal=principal, offer_id=offer_id, today=business_today()
        )

    problem = in_savepoint(session, work)
    return render_policy(
        request,
        session,
        viewer,
        policy_id,
        done=None if problem else "accept_renewal",
        problem=problem,
    )
