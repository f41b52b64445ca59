"""Premium subsidy programmes ([001]): eligibility and the premium split, pure rules.

:class:`Programme`, :func:`decide_eligibility` (with the rule that applied) and
:func:`split_premium` / :func:`subsidise`, which never exceed a share, cap or budget and
always add up to the premium to the cent.  The use cases that need the database
(:func:`create_programme`, :func:`get_programme`, :func:`grant`, ...) load on first use.
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports
from tradecover.subsidies.programme import (
    CapKind,
    EligibilityDecision,
    EligibilityRule,
    ExporterFacts,
    Programme,
    ShipmentFacts,
    SizeTier,
    Split,
    SubsidyUsage,
    decide_eligibility,
    split_premium,
    subsidise,
)

if TYPE_CHECKING:
    from tradecover.subsidies.service import Grant as Grant
    from tradecover.subsidies.service import Request as Request
    from tradecover.subsidies.service import Usage as Usage
    from tradecover.subsidies.service import all_programmes as all_programmes
    from tradecover.subsidies.service import apply_usage as apply_usage
    from tradecover.subsidies.service import create_programme as create_programme
    from tradecover.subsidies.service import exporter_decision as exporter_decision
    from tradecover.subsidies.service import exporter_facts as exporter_facts
    from tradecover.subsidies.service import exporters_facts as exporters_facts
    from tradecover.subsidies.service import get_programme as get_programme
    from tradecover.subsidies.service import grant as grant
    from tradecover.subsidies.service import list_programmes as list_programmes
    from tradecover.subsidies.service import plan_grants as plan_grants
    from tradecover.subsidies.service import programme_of as programme_of
    from tradecover.subsidies.service import programmes_of as programmes_of
    from tradecover.subsidies.service import readable_programmes as readable_programmes
    from tradecover.subsidies.service import to_programme as to_programme

_LAZY = {
    "Grant": "service",
    "Request": "service",
    "Usage": "service",
    "all_programmes": "service",
    "apply_usage": "service",
    "create_programme": "service",
    "exporter_decision": "service",
    "exporter_facts": "service",
    "exporters_facts": "service",
    "get_programme": "service",
    "grant": "service",
    "list_programmes": "service",
    "plan_grants": "service",
    "programme_of": "service",
    "programmes_of": "service",
    "readable_programmes": "service",
    "to_programme": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "CapKind",
    "EligibilityDecision",
    "EligibilityRule",
    "ExporterFacts",
    "Grant",
    "Programme",
    "Request",
    "ShipmentFacts",
    "SizeTier",
    "Split",
    "SubsidyUsage",
    "Usage",
    "all_programmes",
    "apply_usage",
    "create_programme",
    "decide_eligibility",
    "exporter_decision",
    "exporter_facts",
    "exporters_facts",
    "get_programme",
    "grant",
    "list_programmes",
    "plan_grants",
    "programme_of",
    "programmes_of",
    "readable_programmes",
    "split_premium",
    "subsidise",
    "to_programme",
]
