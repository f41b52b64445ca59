"""Use cases of policy administration ([domain P-3]): profile,
application, underwriting, issue, endorsements, suspension, renewal, expiry and termination.

Conventions of this module:

* Services never commit; the edge (request, CLI command, job, test) owns the transaction.
* Every state change writes one audit entry in the exporter's organisation chain, with
  ``before``/``after`` snapshots (a ``state`` key) and the reason.  Renewal offers and
  endorsements are recorded on the policy (``entity_type="policy"``) so one history tells
  the whole story of a policy.
* A policy is always changed after ``SELECT ... FOR UPDATE`` on its row (PostgreSQL; on
  SQLite every transaction begins ``IMMEDIATE``) and the ``version`` column makes any
  update that lost a race fail (:class:`~tradecover.kit.errors.Conflict`), so two
  concurrent transitions can never both succeed.
* Renewal: accepting an offer creates the renewal policy at once (ACTIVE, starting the day
  after expiry); the expiring policy stays ACTIVE until its expiry date, because cover
  runs to the end of the term, and :func:`expire_due` moves it to RENEWED (or EXPIRED when
  no renewal was accepted) from the day after expiry.
* A cancellation dated in the future is *scheduled*: the policy stays in force until the
  effective date and :func:`expire_due` cancels it on that date.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tradecover import audit, documents
from tradecover.access import Permission, Principal, organisation_ids_like, organisation_of
from tradecover.kit.errors import NotFound
from tradecover.kit.money import Money
from tradecover.policies._common import (
    APPLICATION_DECLINED,
    APPLICATION_SUBMITTED,
    APPLICATION_UNDERWRITTEN,
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_AMOUNT,
    NUMBER_PREFIX,
    OFFER_ACCEPTED,
    OFFER_DECLINED,
    OFFER_LAPSED,
    OFFER_OPEN,
    RENEWAL_WINDOW_DAYS,
    SIZE_CLASSES,
    SUPPORTED_PRODUCTS,
    Progress,
    Reprice,
    _application,
    _application_snapshot,
    _apply_schedule,
    _check_countries,
    _check_date,
    _check_money,
    _check_schedule,
    _exporter_org,
    _flush,
    _move,
    _offer,
    _policy,
    _policy_number,
    _profile_snapshot,
    _require_insurer,
    _required_text,
    _scope_from_dict,
    _scope_to_dict,
    _text,
    check_money,
    claim_terms_from_dict,
    claim_terms_to_dict,
    policy_record,
    required_text,
    schedule_from_dict,
    schedule_of,
    schedule_to_dict,
    snapshot,
    visible_applications,
    visible_policies,
)
from tradecover.policies.applications import (
    _check_buyers,
    _check_history,
    decline_application,
    get_application,
    get_exporter_profile,
    list_applications,
    submit_application,
    upsert_exporter_profile,
)
from tradecover.policies.documents_pdf import (
    EndorsementText,
    PolicySchedule,
    endorsement_filename,
    endorsement_pdf,
    schedule_filename,
    schedule_pdf,
)
from tradecover.policies.issuance import (
    ENDORSABLE,
    add_endorsement,
    issue,
    list_endorsements,
    quote,
    reinstate,
    revise_schedule,
    suspend,
    underwrite,
    withdraw,
)
from tradecover.policies.lifecycle import PolicyState
from tradecover.policies.model import (
    Endorsement,
    Policy,
)
from tradecover.policies.renewal import (
    _offers,
    accept_renewal,
    decline_renewal,
    due_for_renewal,
    get_renewal_offer,
    list_renewal_offers,
    offer_due_renewals,
    offer_renewal,
    renewal_window_opens,
)
from tradecover.policies.termination import (
    _expire_one,
    _lapse_open_offers,
    _scheduled_cancellation,
    due_to_expire,
    expire_due,
    terminate,
)

if TYPE_CHECKING:
    from tradecover.audit import AuditEntry

# --- reading -------------------------------------------------------------------------------


def get_policy(session: Session, *, principal: Principal, policy_id: int) -> Policy:
    """One policy the caller may see (another organisation's answers 404)."""
    principal.require(Permission.POLICY_READ)
    return _policy(session, principal, policy_id)


def policy_in_view(session: Session, *, principal: Principal, policy_id: int) -> Policy:
    """One policy the caller's organisation may see, for another context's use case that has
    checked its own permission (another organisation's answers 404).
    """
    return _policy(session, principal, policy_id)


def list_policies(
    session: Session,
    *,
    principal: Principal,
    state: PolicyState | None = None,
    exporter_org_id: int | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Policy], int]:
    """Policies, newest first, and how many match; ``search`` matches the number or the
    exporter's name or slug.
    """
    principal.require(Permission.POLICY_READ)
    query = visible_policies(principal, session)
    if exporter_org_id is not None:
        query = query.where(Policy.exporter_org_id == exporter_org_id)
    if state is not None:
        query = query.where(Policy.state == PolicyState(state).value)
    if search and search.strip():
        pattern = f"%{search.strip().lower()}%"
        orgs = organisation_ids_like(pattern)
        query = query.where(
            or_(func.lower(Policy.number).like(pattern), Policy.exporter_org_id.in_(orgs))
        )
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(Policy.id.desc()).limit(limit).offset(offset)).scalars()
    return list(rows), total


def policy_history(session: Session, *, principal: Principal, policy_id: int) -> list[AuditEntry]:
    """Every audit entry about a policy, oldest first."""
    principal.require(Permission.POLICY_READ)
    policy = _policy(session, principal, policy_id)
    return audit.history(
        session, entity_type="policy", entity_id=policy.id, org_id=policy.exporter_org_id
    )


__all__ = [
    "APPLICATION_DECLINED",
    "APPLICATION_SUBMITTED",
    "APPLICATION_UNDERWRITTEN",
    "EARLIEST_DATE",
    "ENDORSABLE",
    "LATEST_DATE",
    "MAX_AMOUNT",
    "NUMBER_PREFIX",
    "OFFER_ACCEPTED",
    "OFFER_DECLINED",
    "OFFER_LAPSED",
    "OFFER_OPEN",
    "RENEWAL_WINDOW_DAYS",
    "SIZE_CLASSES",
    "SUPPORTED_PRODUCTS",
    "Progress",
    "Reprice",
    "_application",
    "_application_snapshot",
    "_apply_schedule",
    "_check_buyers",
    "_check_countries",
    "_check_date",
    "_check_history",
    "_check_money",
    "_check_schedule",
    "_expire_one",
    "_exporter_org",
    "_flush",
    "_lapse_open_offers",
    "_move",
    "_offer",
    "_offers",
    "_policy",
    "_policy_number",
    "_profile_snapshot",
    "_require_insurer",
    "_required_text",
    "_scheduled_cancellation",
    "_scope_from_dict",
    "_scope_to_dict",
    "_text",
    "accept_renewal",
    "add_endorsement",
    "check_money",
    "claim_terms_from_dict",
    "claim_terms_to_dict",
    "decline_application",
    "decline_renewal",
    "due_for_renewal",
    "due_to_expire",
    "expire_due",
    "get_application",
    "get_exporter_profile",
    "get_policy",
    "get_renewal_offer",
    "issue",
    "list_applications",
    "list_endorsements",
    "list_policies",
    "list_renewal_offers",
    "offer_due_renewals",
    "offer_renewal",
    "policy_history",
    "policy_record",
    "quote",
    "reinstate",
    "renewal_window_opens",
    "required_text",
    "revise_schedule",
    "schedule_from_dict",
    "schedule_of",
    "schedule_to_dict",
    "snapshot",
    "submit_application",
    "suspend",
    "terminate",
    "underwrite",
    "upsert_exporter_profile",
    "visible_applications",
    "visible_policies",
    "withdraw",
]


# --- documents -----------------------------------------------------------------------------


def policy_schedule(session: Session, *, principal: Principal, policy_id: int) -> PolicySchedule:
    """The schedule of a policy the caller may see, with its endorsements."""
    policy = get_policy(session, principal=principal, policy_id=policy_id)
    org = organisation_of(session, policy.exporter_org_id)
    rows = session.execute(
        select(Endorsement).where(Endorsement.policy_id == policy.id).order_by(Endorsement.number)
    ).scalars()

    def money(minor: int) -> Money:
        return Money.from_minor(minor, policy.currency)

    return PolicySchedule(
        policy_id=policy.id,
        policy_number=policy.number,
        exporter_name=org.name if org else "",
        product=policy.product,
        inception=policy.inception,
        expiry=policy.expiry,
        maximum_liability=money(policy.maximum_liability_minor),
        expected_turnover=money(policy.expected_turnover_minor),
        indemnity_commercial_pct=policy.indemnity_commercial_pct,
        indemnity_political_pct=policy.indemnity_political_pct,
        declaration_frequency=policy.declaration_frequency,
        base_rate_pct=policy.base_rate_pct,
        dispute_resolution=policy.dispute_resolution,
        dispute_venue=policy.dispute_venue,
        possible_loss_notice_days=policy.possible_loss_notice_days,
        endorsements=tuple(EndorsementText(e.number, e.effective_date, e.text) for e in rows),
    )


def schedule_pdf_of(
    session: Session,
    *,
    principal: Principal,
    policy_id: int,
    locale: str,
    translate: Callable[[str], str],
) -> tuple[str, bytes]:
    """The file name and registered PDF of the schedule of a policy the caller may see
    [domain DOC-1].
    """
    schedule = policy_schedule(session, principal=principal, policy_id=policy_id)
    policy = get_policy(session, principal=principal, policy_id=policy_id)
    issued = documents.issue(
        session,
        kind=documents.DocumentKind.POLICY_SCHEDULE,
        subject_id=policy.id,
        org_id=policy.exporter_org_id,
        locale=locale,
        actor=principal.actor,
        render=lambda number: schedule_pdf(
            schedule,
            locale=locale,
            translate=translate,
            stamp=documents.stamp_lines(number, "", translate),
        ),
    )
    return schedule_filename(schedule), issued.content


def endorsement_pdf_of(
    session: Session,
    *,
    principal: Principal,
    policy_id: int,
    number: int,
    locale: str,
    translate: Callable[[str], str],
) -> tuple[str, bytes]:
    """The file name and registered PDF of endorsement ``number`` of a policy the caller
    may see (``NotFound`` when the policy has no such endorsement) [domain DOC-1].
    """
    schedule = policy_schedule(session, principal=principal, policy_id=policy_id)
    row = session.execute(
        select(Endorsement).where(Endorsement.policy_id == policy_id, Endorsement.number == number)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(
            f"policy {policy_id} has no endorsement {number}", code="endorsement_not_found"
        )
    endorsement = EndorsementText(row.number, row.effective_date, row.text)
    policy = get_policy(session, principal=principal, policy_id=policy_id)
    issued = documents.issue(
        session,
        kind=documents.DocumentKind.ENDORSEMENT,
        subject_id=row.id,
        org_id=policy.exporter_org_id,
        locale=locale,
        actor=principal.actor,
        render=lambda doc_number: endorsement_pdf(
            schedule,
            endorsement,
            locale=locale,
            translate=translate,
            stamp=documents.stamp_lines(doc_number, "", translate),
        ),
    )
    return endorsement_filename(schedule, number), issued.content
