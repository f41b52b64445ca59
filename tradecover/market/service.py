"""Use cases of the market: replace the rule set, register market insurers, classify a
risk, record a commercial insurer's decline, route a risk to an insurer, and the guard that
underwriting asks before the insurer of last resort takes a risk ([domain MK-11]).

Every change is audited in the caller's transaction (never committed here); a refusal
raises before anything is written.  Insurer staff underwrite (``policy:underwrite``); an
insurer admin (``org:admin``) replaces the rule set and registers the market insurers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover import access, audit
from tradecover.access import OrganisationKind, Permission, Principal
from tradecover.access import insurer as platform_insurer
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tradecover.market import repository
from tradecover.market.model import (
    MarketClassification,
    MarketDecline,
    MarketInsurer,
    MarketPolicyIssuer,
    MarketRouting,
    MarketRuleSet,
)
from tradecover.market.rules import (
    MARKETABLE,
    Classification,
    Risk,
    RuleSet,
    check_routing,
    classify,
    classify_destinations,
    parse_rule_set,
    shipped_rule_set,
)
from tradecover.policies import STAGE_ISSUE, SubmittedApplication, UnderwritingStep

SUBJECT_KINDS = frozenset({"policy_application", "limit_application"})
INSURER_KINDS = frozenset({OrganisationKind.INSURER, OrganisationKind.COINSURER})
MAX_REASON = 1000


def _staff(principal: Principal, permission: Permission) -> None:
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer's staff do this", code="forbidden")
    principal.require(permission)


def rule_set_in_force(session: Session) -> RuleSet:
    """The newest stored rule set, else the shipped EU rule set ([domain MK-6])."""
    row = repository.latest_rule_set(session)
    if row is None:
        return shipped_rule_set()
    return parse_rule_set(row.body, version=row.version)


def replace_rule_set(session: Session, *, principal: Principal, body: Any) -> MarketRuleSet:
    """Store a new version of the rule set (insurer admin): it applies to every later
    classification; earlier ones keep the version that decided them ([domain MK-6]).
    """
    _staff(principal, Permission.ORG_ADMIN)
    before = rule_set_in_force(session)
    version = max(repository.highest_version(session) or 0, before.version) + 1
    parsed = parse_rule_set(body, version=version)
    stored = dict(body)
    stored["version"] = version
    row = MarketRuleSet(
        version=version,
        name=parsed.name,
        body=stored,
        created_by=principal.actor,
        created_at=utc_now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action="market.rule_set.replaced",
        entity_type="market_rule_set",
        entity_id=row.id,
        reason=f"rule set version {before.version} replaced by {version}",
        before={"name": before.name, "version": before.version},
        after=stored,
    )
    return row


def register_insurer(
    session: Session, *, principal: Principal, org_id: int, last_resort: bool
) -> MarketInsurer:
    """Register an insurer organisation on the market, commercial or the insurer of last
    resort (at most one) ([domain MK-7]).
    """
    _staff(principal, Permission.ORG_ADMIN)
    org = access.organisation_of(session, org_id)
    if org is None or org.kind not in INSURER_KINDS:
        raise ValidationFailed(
            f"organisation {org_id} is not an insurer or co-insurer organisation",
            code="not_an_insurer",
            field="org_id",
        )
    if repository.insurer_of(session, org_id) is not None:
        raise Conflict(f"organisation {org_id} is already registered", code="insurer_registered")
    if last_resort and any(i.last_resort for i in repository.insurers(session)):
        raise Conflict(
            "the market has an insurer of last resort already",
            code="last_resort_registered",
            field="last_resort",
        )
    row = MarketInsurer(
        org_id=org_id,
        last_resort=last_resort,
        last_resort_slot=1 if last_resort else None,
        registered_by=principal.actor,
        registered_at=utc_now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action="market.insurer.registered",
        entity_type="market_insurer",
        entity_id=row.id,
        after={"org_id": org_id, "last_resort": last_resort},
    )
    return row


def snapshot(row: MarketClassification) -> dict[str, object]:
    """What the audit log keeps of a classification."""
    return {
        "exporter_org_id": row.exporter_org_id,
        "subject": f"{row.subject_kind}:{row.subject_id}",
        "buyer_country": row.buyer_country,
        "risk_period_days": row.risk_period_days,
        "risk_types": row.risk_types,
        "export_turnover": f"{row.export_turnover} {row.turnover_currency}",
        "outcome": row.outcome,
        "rule_id": row.rule_id,
        "rule_domain": row.rule_domain,
        "citation": row.citation,
        "rule_set_version": row.rule_set_version,
    }


def classify_risk(
    session: Session,
    *,
    principal: Principal,
    exporter_org_id: int,
    subject_kind: str,
    subject_id: int,
    risk: Risk,
) -> MarketClassification:
    """Classify a policy or limit application's risk with the rule set in force and keep
    the decision with its rule, version and citation ([domain MK-1]..[domain MK-6]).
    """
    _staff(principal, Permission.POLICY_UNDERWRITE)
    if subject_kind not in SUBJECT_KINDS:
        raise ValidationFailed(
            "subject_kind is policy_application or limit_application",
            code="invalid_subject_kind",
            field="subject_kind",
        )
    org = access.organisation_of(session, exporter_org_id)
    if org is None or org.kind is not OrganisationKind.EXPORTER:
        raise ValidationFailed(
            f"organisation {exporter_org_id} is not an exporter",
            code="not_an_exporter",
            field="exporter_org_id",
        )
    decision = classify(risk, rule_set_in_force(session))
    actor = principal.actor
    return _record(session, exporter_org_id, subject_kind, subject_id, risk, decision, actor)


def _record(
    session: Session,
    exporter_org_id: int,
    subject_kind: str,
    subject_id: int,
    risk: Risk,
    decision: Classification,
    actor: str,
    *,
    on_submission: bool = False,
) -> MarketClassification:
    row = MarketClassification(
        exporter_org_id=exporter_org_id,
        subject_kind=subject_kind,
        subject_id=subject_id,
        buyer_country=risk.buyer_country,
        risk_period_days=risk.risk_period_days,
        risk_types=sorted(risk.risk_types),
        export_turnover=risk.export_turnover.amount,
        turnover_currency=risk.export_turnover.currency,
        outcome=decision.outcome,
        rule_id=decision.rule.id,
        rule_domain=decision.rule.domain,
        citation=decision.rule.citation,
        rule_set_name=decision.rule_set_name,
        rule_set_version=decision.rule_set_version,
        decided_by=actor,
        decided_at=utc_now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        org_id=exporter_org_id,
        actor=actor,
        action="market.classified",
        entity_type="market_classification",
        entity_id=row.id,
        reason=("on submission: " if on_submission else "")
        + f"{decision.rule.id}: {decision.rule.citation}",
        after=snapshot(row),
    )
    return row


DOMESTIC_PRODUCT = "domestic_trade_credit"
"""Domestic trade credit covers commercial risk only ([domain DT-1])."""


def classify_on_submission(session: Session, submitted: SubmittedApplication) -> None:
    """Classify a policy application's risk as it is submitted ([domain MK-16]).

    Only when the market has an insurer of last resort; the risk is the exporter's annual
    export turnover, the longest credit period and every destination (the first
    non-marketable one decides).  An application the rule set cannot classify (a turnover
    in another currency than the rule's, no destination, no credit period) stays
    unclassified, as before: insurer staff classify it through the API.  Recorded and
    audited as :func:`classify_risk` records, by the submitter.
    """
    if not any(i.last_resort for i in repository.insurers(session)):
        return
    types = (
        frozenset({"commercial"})
        if submitted.product == DOMESTIC_PRODUCT
        else frozenset({"commercial", "political"})
    )
    risks = [
        Risk(
            buyer_country=country,
            risk_period_days=submitted.max_credit_days,
            risk_types=types,
            export_turnover=submitted.export_turnover,
        )
        for country in submitted.destination_countries
    ]
    if not risks:
        return
    try:
        risk, decision = classify_destinations(risks, rule_set_in_force(session))
    except DomainError:
        return
    _record(
        session,
        submitted.exporter_org_id,
        "policy_application",
        submitted.application_id,
        risk,
        decision,
        submitted.actor,
        on_submission=True,
    )


def _classification(
    session: Session, classification_id: int, *, lock: bool = False
) -> MarketClassification:
    row = repository.classification(session, classification_id, lock=lock)
    if row is None:
        raise NotFound(
            f"no classification {classification_id}",
            code="classification_not_found",
            field="classification_id",
        )
    return row


def _text(reason: str) -> str:
    text = (reason or "").strip()
    if not text or len(text) > MAX_REASON or "\x00" in text:
        raise ValidationFailed(
            f"a decline needs its reason (1-{MAX_REASON} characters)",
            code="reason_required",
            field="reason",
        )
    return text


def record_decline(
    session: Session,
    *,
    principal: Principal,
    classification_id: int,
    insurer_org_id: int,
    declined_on: date,
    reason: str,
    today: date,
) -> MarketDecline:
    """Record that a commercial insurer declined a classified risk, with the date and the
    reason ([domain MK-10]): insurer staff, or the declining insurer itself.
    """
    if principal.org_id != insurer_org_id:
        _staff(principal, Permission.POLICY_UNDERWRITE)
    why = _text(reason)
    if declined_on > today:
        raise ValidationFailed(
            "a decline cannot be dated in the future", code="date_in_future", field="declined_on"
        )
    row = _classification(session, classification_id, lock=True)
    insurer = repository.insurer_of(session, insurer_org_id)
    if insurer is None or insurer.last_resort:
        raise ValidationFailed(
            f"organisation {insurer_org_id} is not a commercial insurer of the market",
            code="not_a_commercial_insurer",
            field="insurer_org_id",
        )
    if any(d.insurer_org_id == insurer_org_id for d in repository.declines(session, row.id)):
        raise Conflict(
            f"insurer {insurer_org_id} has declined classification {row.id} already",
            code="decline_recorded",
            field="insurer_org_id",
        )
    decline = MarketDecline(
        classification_id=row.id,
        insurer_org_id=insurer_org_id,
        declined_on=declined_on,
        reason=why,
        recorded_by=principal.actor,
        recorded_at=utc_now(),
    )
    session.add(decline)
    session.flush()
    audit.record(
        session,
        org_id=row.exporter_org_id,
        actor=principal.actor,
        action="market.declined",
        entity_type="market_classification",
        entity_id=row.id,
        reason=why,
        after={"insurer_org_id": insurer_org_id, "declined_on": declined_on.isoformat()},
    )
    return decline


def route(
    session: Session, *, principal: Principal, classification_id: int, insurer_org_id: int
) -> MarketRouting:
    """Send a classified risk to a market insurer, if the routing rule allows it
    ([domain MK-8], [domain MK-9]); ``market_declines_missing`` (422) otherwise.
    """
    _staff(principal, Permission.POLICY_UNDERWRITE)
    row = _classification(session, classification_id, lock=True)
    insurer = repository.insurer_of(session, insurer_org_id)
    if insurer is None:
        raise ValidationFailed(
            f"organisation {insurer_org_id} is not an insurer of the market",
            code="not_a_market_insurer",
            field="insurer_org_id",
        )
    taken = repository.routing(session, row.id)
    if taken is not None:
        raise Conflict(
            f"classification {row.id} went to insurer {taken.insurer_org_id} already",
            code="already_routed",
            details={"insurer_org_id": taken.insurer_org_id},
        )
    commercial = frozenset(i.org_id for i in repository.insurers(session) if not i.last_resort)
    declined = frozenset(d.insurer_org_id for d in repository.declines(session, row.id))
    basis = check_routing(
        marketable=row.outcome == "marketable",
        to_last_resort=insurer.last_resort,
        commercial_insurers=commercial,
        declined_by=declined,
    )
    routing = MarketRouting(
        classification_id=row.id,
        insurer_org_id=insurer_org_id,
        basis=basis,
        routed_by=principal.actor,
        routed_at=utc_now(),
    )
    session.add(routing)
    session.flush()
    audit.record(
        session,
        org_id=row.exporter_org_id,
        actor=principal.actor,
        action="market.routed",
        entity_type="market_classification",
        entity_id=row.id,
        reason=f"{basis} ({row.outcome}, rule {row.rule_id})",
        before={"routed_to": None},
        after={"routed_to": insurer_org_id, "basis": basis, "declined_by": sorted(declined)},
    )
    return routing


def get_classification(
    session: Session, *, principal: Principal, classification_id: int
) -> tuple[MarketClassification, list[MarketDecline], MarketRouting | None]:
    """A classification with its declines and routing (insurer staff)."""
    _staff(principal, Permission.POLICY_READ)
    row = _classification(session, classification_id)
    return row, repository.declines(session, row.id), repository.routing(session, row.id)


def list_classifications(
    session: Session, *, principal: Principal, exporter_org_id: int | None = None
) -> list[MarketClassification]:
    """The latest classifications, newest first (insurer staff)."""
    _staff(principal, Permission.POLICY_READ)
    return repository.classifications(session, exporter_org_id=exporter_org_id)


def list_insurers(session: Session, *, principal: Principal) -> list[MarketInsurer]:
    """The market insurers (insurer staff)."""
    _staff(principal, Permission.POLICY_READ)
    return repository.insurers(session)


def current_rule_set(session: Session, *, principal: Principal) -> RuleSet:
    """The rule set in force (insurer staff)."""
    _staff(principal, Permission.POLICY_READ)
    return rule_set_in_force(session)


def check_underwriting(session: Session, step: UnderwritingStep) -> None:
    """The market's guard on underwriting and issuing a policy ([domain MK-11]).

    Nothing to check while the market has no insurer of last resort, or for a policy without
    an application.  The insurer taking the risk is the one its classification was routed
    to, else the platform's insurer.  When that is the insurer of last resort, the
    application's risk must be classified (``market_classification_missing``, 422) and, if
    marketable, declined by every commercial insurer (``market_declines_missing``, 422,
    naming the missing declines) ([domain MK-8]).  On issue, the insurer the policy was
    issued for and the basis are recorded and audited.
    """
    insurers = repository.insurers(session)
    last = next((i.org_id for i in insurers if i.last_resort), None)
    if last is None or step.application_id is None:
        return
    row = repository.classification_of(
        session, subject_kind="policy_application", subject_id=step.application_id
    )
    taken = repository.routing(session, row.id) if row is not None else None
    if taken is not None:
        issuer, basis = taken.insurer_org_id, taken.basis
    else:
        issuer = platform_insurer(session).id
        if issuer != last:
            basis = "commercial_insurer"
        elif row is None:
            raise ValidationFailed(
                f"application {step.application_id} has no market classification: the insurer "
                "of last resort takes a risk only once it is classified",
                code="market_classification_missing",
                field="application_id",
            )
        else:
            basis = check_routing(
                marketable=row.outcome == MARKETABLE,
                to_last_resort=True,
                commercial_insurers=frozenset(i.org_id for i in insurers if not i.last_resort),
                declined_by=frozenset(
                    d.insurer_org_id for d in repository.declines(session, row.id)
                ),
            )
    if step.stage != STAGE_ISSUE or step.policy_id is None:
        return
    record = MarketPolicyIssuer(
        policy_id=step.policy_id,
        insurer_org_id=issuer,
        classification_id=row.id if row is not None else None,
        basis=basis,
        recorded_by=step.actor,
        recorded_at=utc_now(),
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        org_id=step.exporter_org_id,
        actor=step.actor,
        action="market.policy_issuer",
        entity_type="policy",
        entity_id=step.policy_id,
        reason=f"{basis} (classification {row.id if row is not None else '-'})",
        after={"insurer_org_id": issuer, "basis": basis},
    )


def issuer_of(session: Session, policy_id: int) -> MarketPolicyIssuer | None:
    """The insurer a policy was issued for on the market, or None."""
    return session.execute(
        select(MarketPolicyIssuer).where(MarketPolicyIssuer.policy_id == policy_id)
    ).scalar_one_or_none()
