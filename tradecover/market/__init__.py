"""The market: commercial insurers beside the state insurer of last resort.

A risk is classified marketable or non-marketable by a versioned rule set (the EU
short-term export credit rule ships first); marketable risk goes to the commercial insurers
first, and to the insurer of last resort only once their declines are recorded.  The pure
rules are :mod:`tradecover.market.rules`; the use cases :mod:`tradecover.market.service`.
Underwriting asks the market before the insurer of last resort takes a risk: importing this
package registers the guard with the policies' port (:mod:`tradecover.market.policy_hooks`,
[domain MK-11]).  Double insurance, commercial risk with a commercial insurer and political
risk with the state insurer on one policy, is :mod:`tradecover.market.carriers` (pure) and
:mod:`tradecover.market.carrier_repository` (use cases the engines call as they post money).
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports
from tradecover.market import policy_hooks  # noqa: F401  (importing it registers the guard)
from tradecover.market.carriers import (
    CAUSES,
    COMMERCIAL,
    POLITICAL,
    RISK_CLASSES,
    Carrier,
    CarrierLimitExceeded,
    DoubleInsuranceInvalid,
    split_by_rate,
    validate_carriers,
)
from tradecover.market.rules import (
    MARKETABLE,
    NON_MARKETABLE,
    Classification,
    Risk,
    Rule,
    RuleSet,
    check_routing,
    classify,
    classify_destinations,
    parse_rule_set,
    shipped_rule_set,
)

if TYPE_CHECKING:
    from tradecover.market.carrier_repository import CarrierSplit as CarrierSplit
    from tradecover.market.carrier_repository import PolicyInsurers as PolicyInsurers
    from tradecover.market.carrier_repository import allocate_to_carriers as allocate_to_carriers
    from tradecover.market.carrier_repository import policy_insurers as policy_insurers
    from tradecover.market.carrier_repository import (
        refuse_double_insured as refuse_double_insured,
    )
    from tradecover.market.service import check_underwriting as check_underwriting
    from tradecover.market.service import classify_on_submission as classify_on_submission

_LAZY = {
    "CarrierSplit": "carrier_repository",
    "PolicyInsurers": "carrier_repository",
    "allocate_to_carriers": "carrier_repository",
    "policy_insurers": "carrier_repository",
    "refuse_double_insured": "carrier_repository",
    "check_underwriting": "service",
    "classify_on_submission": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "CAUSES",
    "COMMERCIAL",
    "MARKETABLE",
    "NON_MARKETABLE",
    "POLITICAL",
    "RISK_CLASSES",
    "Carrier",
    "CarrierLimitExceeded",
    "CarrierSplit",
    "Classification",
    "DoubleInsuranceInvalid",
    "PolicyInsurers",
    "Risk",
    "Rule",
    "RuleSet",
    "allocate_to_carriers",
    "check_routing",
    "check_underwriting",
    "classify",
    "classify_destinations",
    "classify_on_submission",
    "parse_rule_set",
    "policy_insurers",
    "refuse_double_insured",
    "shipped_rule_set",
    "split_by_rate",
    "validate_carriers",
]
