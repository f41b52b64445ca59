"""HTTP routes of the market: the rule set, market insurers, classifications, declines
and routings ([domain MK-6]..[domain MK-10]); a policy's risk carriers and who insures it
([domain MK-12], [domain MK-15]).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tradecover import policies
from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import IdPath
from tradecover.kit.dates import business_today
from tradecover.kit.money import Money
from tradecover.market import carrier_repository, service
from tradecover.market.carrier_schemas import CarriersIn, PolicyInsurersOut
from tradecover.market.carriers import CAUSES
from tradecover.market.rules import Risk
from tradecover.market.schemas import (
    ClassificationIn,
    ClassificationOut,
    DeclineIn,
    DeclineOut,
    InsurerIn,
    InsurerOut,
    RoutingIn,
    RoutingOut,
    RuleSetIn,
    RuleSetOut,
)

router = APIRouter(prefix="/api/v1/market", tags=["market"])


@router.get("/rule-set", response_model=RuleSetOut, summary="The classification rule set in force")
def get_rule_set(session: SessionDep, principal: PrincipalDep) -> RuleSetOut:
    """The rule set that classifies new risks, its version and every rule's citation."""
    return RuleSetOut.of(service.current_rule_set(session, principal=principal))


@router.put("/rule-set", response_model=RuleSetOut, summary="Replace the rule set (admin)")
def put_rule_set(body: RuleSetIn, session: SessionDep, principal: PrincipalDep) -> RuleSetOut:
    """Store the next version; a rule set that could not be applied answers 422
    ``invalid_rule_set`` naming the field, and nothing is written.
    """
    service.replace_rule_set(session, principal=principal, body=body.data())
    return RuleSetOut.of(service.rule_set_in_force(session))


@router.post("/insurers", response_model=InsurerOut, status_code=201, summary="Register")
def post_insurer(body: InsurerIn, session: SessionDep, principal: PrincipalDep) -> InsurerOut:
    """Register an insurer organisation: commercial, or the insurer of last resort."""
    return InsurerOut.of(
        service.register_insurer(
            session, principal=principal, org_id=body.org_id, last_resort=body.last_resort
        )
    )


@router.get("/insurers", response_model=list[InsurerOut], summary="The market insurers")
def get_insurers(session: SessionDep, principal: PrincipalDep) -> list[InsurerOut]:
    """Commercial insurers and the insurer of last resort."""
    return [InsurerOut.of(i) for i in service.list_insurers(session, principal=principal)]


@router.post(
    "/classifications",
    response_model=ClassificationOut,
    status_code=201,
    summary="Classify a risk marketable or non-marketable",
)
def post_classification(
    body: ClassificationIn, session: SessionDep, principal: PrincipalDep
) -> ClassificationOut:
    """Classify with the rule set in force; the decision keeps its rule, version, citation."""
    risk = Risk(
        buyer_country=body.buyer_country,
        risk_period_days=body.risk_period_days,
        risk_types=frozenset(body.risk_types),
        export_turnover=Money.of(body.export_turnover, body.turnover_currency),
    )
    return ClassificationOut.of(
        service.classify_risk(
            session,
            principal=principal,
            exporter_org_id=body.exporter_org_id,
            subject_kind=body.subject_kind,
            subject_id=body.subject_id,
            risk=risk,
        )
    )


@router.get("/classifications", response_model=list[ClassificationOut], summary="Classifications")
def get_classifications(
    session: SessionDep,
    principal: PrincipalDep,
    exporter_org_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> list[ClassificationOut]:
    """The latest 100 classifications, newest first, optionally of one exporter."""
    rows = service.list_classifications(
        session, principal=principal, exporter_org_id=exporter_org_id
    )
    return [ClassificationOut.of(r) for r in rows]


@router.get(
    "/classifications/{classification_id}",
    response_model=ClassificationOut,
    summary="One classification with its declines and routing",
)
def get_classification(
    classification_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> ClassificationOut:
    """The decision, the recorded declines and where the risk went."""
    row, declines, routing = service.get_classification(
        session, principal=principal, classification_id=classification_id
    )
    return ClassificationOut.of(row, declines, routing)


@router.post("/declines", response_model=DeclineOut, status_code=201, summary="Record a decline")
def post_decline(body: DeclineIn, session: SessionDep, principal: PrincipalDep) -> DeclineOut:
    """A commercial insurer declined the risk: the evidence the last resort needs."""
    return DeclineOut.of(
        service.record_decline(
            session,
            principal=principal,
            classification_id=body.classification_id,
            insurer_org_id=body.insurer_org_id,
            declined_on=body.declined_on,
            reason=body.reason,
            today=business_today(),
        )
    )


@router.post("/routings", response_model=RoutingOut, status_code=201, summary="Route a risk")
def post_routing(body: RoutingIn, session: SessionDep, principal: PrincipalDep) -> RoutingOut:
    """Send the risk to an insurer; a marketable risk offered to the insurer of last
    resort without every commercial insurer's decline answers 422
    ``market_declines_missing`` and nothing is written.
    """
    return RoutingOut.of(
        service.route(
            session,
            principal=principal,
            classification_id=body.classification_id,
            insurer_org_id=body.insurer_org_id,
        )
    )


def _causes() -> dict[str, list[str]]:
    """Each risk class's causes of loss."""
    return {risk_class: list(causes) for risk_class, causes in CAUSES.items()}


@router.put(
    "/policies/{policy_id}/carriers",
    response_model=PolicyInsurersOut,
    summary="Make a policy double-insured",
)
def put_carriers(
    policy_id: IdPath, body: CarriersIn, session: SessionDep, principal: PrincipalDep
) -> PolicyInsurersOut:
    """Commercial risk with a commercial insurer, political risk with the insurer of last
    resort, each with its own rate and limit; carriers that break the rule answer 422 with
    the rule's code, an issued or coinsured policy 409, and nothing is written.
    """
    policy = policies.get_policy(session, principal=principal, policy_id=policy_id)
    carrier_repository.set_carriers(
        session,
        principal=principal,
        policy_id=policy.id,
        carriers=body.carriers(policy.currency),
        reason=body.reason,
    )
    view = carrier_repository.policy_insurers(session, principal=principal, policy_id=policy.id)
    return PolicyInsurersOut.of(view, _causes())


@router.get(
    "/policies/{policy_id}/insurers",
    response_model=PolicyInsurersOut,
    summary="Who insures a policy",
)
def get_policy_insurers(
    policy_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> PolicyInsurersOut:
    """The insurer the policy was issued for and, when double-insured, each carrier's risk
    class, causes, rate, limit, premium, claims and remaining limit, together.
    """
    view = carrier_repository.policy_insurers(session, principal=principal, policy_id=policy_id)
    return PolicyInsurersOut.of(view, _causes())
