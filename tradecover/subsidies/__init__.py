"""Premium subsidy programmes ([001]): eligibility and the premium split, pure rules.

:class:`Programme`, :func:`decide_eligibility` (with the rule that applied) and
:func:`split_premium` / :func:`subsidise`, which never exceed a share, cap or budget and
always add up to the premium to the cent.
"""

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

__all__ = [
    "CapKind",
    "EligibilityDecision",
    "EligibilityRule",
    "ExporterFacts",
    "Programme",
    "ShipmentFacts",
    "SizeTier",
    "Split",
    "SubsidyUsage",
    "decide_eligibility",
    "split_premium",
    "subsidise",
]
