"""Short-term policy administration: exporter profiles, applications, schedules, lifecycle.

Pure rules are imported here eagerly: the schedule (:mod:`~tradecover.policies.schedule`),
the lifecycle (:mod:`~tradecover.policies.lifecycle`), the liability rules
(:mod:`~tradecover.policies.liability`) and the renewal review's metrics
(:mod:`~tradecover.policies.review`).  The use cases and queries other contexts call are
resolved lazily (they need the database).
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports
from tradecover.policies.liability import (
    LiabilityRule,
    LiabilityRuling,
    PolicyStanding,
    Suspension,
    cancelled_from,
    liability_for_shipment,
    standing_from,
)
from tradecover.policies.lifecycle import PolicyEvent, PolicyState, TerminationKind
from tradecover.policies.review import NoActivityYet, ReviewMetrics, ReviewMetricsSource
from tradecover.policies.schedule import (
    DEFAULT_MIN_DECLARED_SHARE,
    ClaimTermsSchedule,
    DeclarationFrequency,
    DisputeResolution,
    InsurableScope,
    LiabilityGuidance,
    PolicySchedule,
    Product,
    liability_guidance,
    min_declared_share_of,
    rate_floating_from_dict,
)

if TYPE_CHECKING:
    from tradecover.policies.model import Policy as Policy
    from tradecover.policies.service import check_money as check_money
    from tradecover.policies.service import claim_terms_from_dict as claim_terms_from_dict
    from tradecover.policies.service import get_policy as get_policy
    from tradecover.policies.service import policy_record as policy_record
    from tradecover.policies.service import required_text as required_text
    from tradecover.policies.service import schedule_of as schedule_of
    from tradecover.policies.standing import standing_of as standing_of

_LAZY = {
    "Policy": "model",
    "check_money": "service",
    "claim_terms_from_dict": "service",
    "get_policy": "service",
    "policy_record": "service",
    "required_text": "service",
    "schedule_of": "service",
    "standing_of": "standing",
}
__getattr__ = lazy_exports(__name__, _LAZY)
__all__ = [
    "DEFAULT_MIN_DECLARED_SHARE",
    "ClaimTermsSchedule",
    "DeclarationFrequency",
    "DisputeResolution",
    "InsurableScope",
    "LiabilityGuidance",
    "LiabilityRule",
    "LiabilityRuling",
    "NoActivityYet",
    "Policy",
    "PolicyEvent",
    "PolicySchedule",
    "PolicyStanding",
    "PolicyState",
    "Product",
    "ReviewMetrics",
    "ReviewMetricsSource",
    "Suspension",
    "TerminationKind",
    "cancelled_from",
    "check_money",
    "claim_terms_from_dict",
    "get_policy",
    "liability_for_shipment",
    "liability_guidance",
    "min_declared_share_of",
    "policy_record",
    "rate_floating_from_dict",
    "required_text",
    "schedule_of",
    "standing_from",
    "standing_of",
]
