"""Credit limits: aggregate limits, applications and decisions, versions and utilisation.

Pure rules only here ([rules §4], [002] sections 六 and 七); persistence, API and
pages build on them.
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports
from tradecover.limits.aggregate import (
    AggregateLimit,
    AggregateOverride,
    clear_override,
    override_aggregate,
    room_left,
    suggested_bank_aggregate,
    suggested_buyer_aggregate,
)
from tradecover.limits.decision import (
    AutoRule,
    CountryStatus,
    DecisionOutcome,
    ExpectedShipments,
    LimitConditions,
    LimitDecision,
    LimitRequest,
    PolicyTerms,
    ReasonCode,
    RequestType,
    Route,
    check_decider,
    check_four_eyes,
    decide_limit,
    requires_second_approval,
    size_to_credit_cycle,
    underwriter_decision,
    validate_request,
)
from tradecover.limits.utilisation import (
    DEFAULT_IDLE_DAYS,
    Utilisation,
    WatchReason,
    WatchThresholds,
    is_idle,
    is_under_used,
    utilisation,
    watch_list_reasons,
)
from tradecover.limits.versions import (
    LimitVersion,
    cover_limit_for_shipment,
    next_version,
    version_in_force,
)

if TYPE_CHECKING:
    from tradecover.limits.applications.service import apply as apply
    from tradecover.limits.applications.service import decide as decide
    from tradecover.limits.exposure_repository import LimitExposure as LimitExposure
    from tradecover.limits.exposure_repository import (
        active_limit_exposures as active_limit_exposures,
    )
    from tradecover.limits.exposure_repository import any_active_limit as any_active_limit
    from tradecover.limits.fx import USD_PER_UNIT as USD_PER_UNIT
    from tradecover.limits.rules import LimitRules as LimitRules

_LAZY: dict[str, str] = {
    "LimitExposure": "exposure_repository",
    "LimitRules": "rules",
    "USD_PER_UNIT": "fx",
    "active_limit_exposures": "exposure_repository",
    "any_active_limit": "exposure_repository",
    "apply": "applications.service",
    "decide": "applications.service",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "DEFAULT_IDLE_DAYS",
    "USD_PER_UNIT",
    "AggregateLimit",
    "AggregateOverride",
    "AutoRule",
    "CountryStatus",
    "DecisionOutcome",
    "ExpectedShipments",
    "LimitConditions",
    "LimitDecision",
    "LimitExposure",
    "LimitRequest",
    "LimitRules",
    "LimitVersion",
    "PolicyTerms",
    "ReasonCode",
    "RequestType",
    "Route",
    "Utilisation",
    "WatchReason",
    "WatchThresholds",
    "active_limit_exposures",
    "any_active_limit",
    "apply",
    "check_decider",
    "check_four_eyes",
    "clear_override",
    "cover_limit_for_shipment",
    "decide",
    "decide_limit",
    "is_idle",
    "is_under_used",
    "next_version",
    "override_aggregate",
    "requires_second_approval",
    "room_left",
    "size_to_credit_cycle",
    "suggested_bank_aggregate",
    "suggested_buyer_aggregate",
    "underwriter_decision",
    "utilisation",
    "validate_request",
    "version_in_force",
    "watch_list_reasons",
]
