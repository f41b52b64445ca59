"""Declarations ([rules §5]): the declared shipment, its deadlines and the cover decision.

Pure rules only (no web, no SQL): :class:`Shipment` with :func:`shipment_problems` /
:func:`check_shipment`; deadlines per frequency (:func:`declaration_timing`,
:func:`periods_due_between`, :func:`declared_share_of_turnover`); and THE cover
decision :func:`decide_cover`.
"""

from tradecover.declarations.cover import (
    CountryCoverStatus,
    CoverDecision,
    CoverReason,
    CoverStatus,
    LimitFacts,
    LimitStatus,
    PolicyFacts,
    decide_cover,
)
from tradecover.declarations.deadlines import (
    DEFAULT_RULES,
    DeadlineRules,
    DeclarationPeriod,
    DeclarationTiming,
    compliance_rate,
    declaration_due_date,
    declaration_period,
    declaration_timing,
    declared_share_of_turnover,
    periods_due_between,
    pro_rata_turnover,
)
from tradecover.declarations.shipment import (
    Shipment,
    TransportMode,
    check_shipment,
    shipment_problems,
)

__all__ = [
    "DEFAULT_RULES",
    "CountryCoverStatus",
    "CoverDecision",
    "CoverReason",
    "CoverStatus",
    "DeadlineRules",
    "DeclarationPeriod",
    "DeclarationTiming",
    "LimitFacts",
    "LimitStatus",
    "PolicyFacts",
    "Shipment",
    "TransportMode",
    "check_shipment",
    "compliance_rate",
    "decide_cover",
    "declaration_due_date",
    "declaration_period",
    "declaration_timing",
    "declared_share_of_turnover",
    "periods_due_between",
    "pro_rata_turnover",
    "shipment_problems",
]
