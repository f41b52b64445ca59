"""Credit limits: aggregate limits, applications and decisions, versions and utilisation.

Pure rules only here ([domain L-1], [002] sections 六 and 七); persistence, API and
pages build on them.
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports
from tradecover.limits import buyer_hooks  # noqa: F401  (importing it registers with buyers' ports)
from tradecover.limits.aggregate import (
    AggregateLimit,
    AggregateOverride,
    clear_override,
    override_aggregate,
    room_left,
    suggested_bank_aggregate,
    suggested_buyer_aggregate,
)
from tradecover.limits.checks import (
    check_decider,
    check_four_eyes,
    requires_second_approval,
    validate_request,
)
from tradecover.limits.decision import decide_limit, underwriter_decision
from tradecover.limits.fx import CAP_CURRENCY, USD_PER_UNIT, from_usd, to_usd
from tradecover.limits.request import (
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
)
from tradecover.limits.sizing import size_to_credit_cycle
from tradecover.limits.under_use import Exposure
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
    from tradecover.limits.applications.deciding import decide as decide
    from tradecover.limits.applications.service import apply as apply
    from tradecover.limits.changes.service import change_by_insurer as change_by_insurer
    from tradecover.limits.common.service import get_limit as get_limit
    from tradecover.limits.common.service import limit_decision_pdf_of as limit_decision_pdf_of
    from tradecover.limits.common.service import refresh_buyer_aggregate as refresh_buyer_aggregate
    from tradecover.limits.exposure_repository import LimitExposure as LimitExposure
    from tradecover.limits.exposure_repository import (
        active_limit_exposures as active_limit_exposures,
    )
    from tradecover.limits.exposure_repository import any_active_limit as any_active_limit
    from tradecover.limits.model import BuyerAggregateChange as BuyerAggregateChange
    from tradecover.limits.model import CreditLimit as CreditLimit
    from tradecover.limits.model import LimitNotification as LimitNotification
    from tradecover.limits.repository import active_limits_on_buyers as active_limits_on_buyers
    from tradecover.limits.repository import buyer_carries_limits as buyer_carries_limits
    from tradecover.limits.repository import limit_versions as limit_versions
    from tradecover.limits.rules import LimitRules as LimitRules

_LAZY: dict[str, str] = {
    "buyer_carries_limits": "repository",
    "refresh_buyer_aggregate": "common.service",
    "change_by_insurer": "changes.service",
    "get_limit": "common.service",
    "limit_decision_pdf_of": "common.service",
    "CreditLimit": "model",
    "LimitNotification": "model",
    "BuyerAggregateChange": "model",
    "LimitExposure": "exposure_repository",
    "LimitRules": "rules",
    "active_limit_exposures": "exposure_repository",
    "active_limits_on_buyers": "repository",
    "any_active_limit": "exposure_repository",
    "apply": "applications.service",
    "decide": "applications.deciding",
    "limit_versions": "repository",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "CAP_CURRENCY",
    "DEFAULT_IDLE_DAYS",
    "USD_PER_UNIT",
    "AggregateLimit",
    "AggregateOverride",
    "AutoRule",
    "BuyerAggregateChange",
    "CountryStatus",
    "CreditLimit",
    "DecisionOutcome",
    "ExpectedShipments",
    "Exposure",
    "LimitConditions",
    "LimitDecision",
    "LimitExposure",
    "LimitNotification",
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
    "active_limits_on_buyers",
    "any_active_limit",
    "apply",
    "buyer_carries_limits",
    "change_by_insurer",
    "check_decider",
    "check_four_eyes",
    "clear_override",
    "cover_limit_for_shipment",
    "decide",
    "decide_limit",
    "from_usd",
    "get_limit",
    "is_idle",
    "is_under_used",
    "limit_decision_pdf_of",
    "limit_versions",
    "next_version",
    "override_aggregate",
    "refresh_buyer_aggregate",
    "requires_second_approval",
    "room_left",
    "size_to_credit_cycle",
    "suggested_bank_aggregate",
    "suggested_buyer_aggregate",
    "to_usd",
    "underwriter_decision",
    "utilisation",
    "validate_request",
    "version_in_force",
    "watch_list_reasons",
]
