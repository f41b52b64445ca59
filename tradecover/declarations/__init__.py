"""Declarations ([domain D-1]): the declared shipment, its deadlines and the cover decision.

Pure rules only (no web, no SQL): :class:`Shipment` with :func:`shipment_problems` /
:func:`check_shipment`; deadlines per frequency (:func:`declaration_timing`,
:func:`periods_due_between`, :func:`declared_share_of_turnover`); and THE cover
decision :func:`decide_cover`.
"""

from typing import TYPE_CHECKING

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
from tradecover.declarations.whole_turnover import TurnoverMonth, WholeTurnoverReview
from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.declarations.amendment_repository import (
        active_declaration as active_declaration,
    )
    from tradecover.declarations.amendment_repository import (
        active_declarations as active_declarations,
    )
    from tradecover.declarations.amendment_repository import cancel as cancel
    from tradecover.declarations.amendment_repository import (
        declarations_by_id as declarations_by_id,
    )
    from tradecover.declarations.amendment_repository import latest_of as latest_of
    from tradecover.declarations.attachment.repository import AttachmentStore as AttachmentStore
    from tradecover.declarations.exposure_repository import (
        buyers_declared_to,
    )
    from tradecover.declarations.exposure_repository import (
        outstanding_by_limit as outstanding_by_limit,
    )
    from tradecover.declarations.loading_repository import policy_facts as policy_facts
    from tradecover.declarations.model import Declaration as Declaration
    from tradecover.declarations.ports import register_upload_deferrer as register_upload_deferrer
    from tradecover.declarations.receivable_repository import OpenReceivable as OpenReceivable
    from tradecover.declarations.receivable_repository import (
        active_declaration_id as active_declaration_id,
    )
    from tradecover.declarations.receivable_repository import (
        open_receivables as open_receivables,
    )
    from tradecover.declarations.receivable_repository import (
        record_collected as record_collected,
    )
    from tradecover.declarations.receivable_repository import (
        record_collected_many as record_collected_many,
    )
    from tradecover.declarations.receivable_repository import (
        release_reservation as release_reservation,
    )
    from tradecover.declarations.receivable_repository import (
        release_reservations as release_reservations,
    )
    from tradecover.declarations.schemas import ItemProblem as ItemProblem
    from tradecover.declarations.schemas import UploadReportOut as UploadReportOut
    from tradecover.declarations.service import attach as attach
    from tradecover.declarations.service import attach_many as attach_many
    from tradecover.declarations.service import attach_upload as attach_upload
    from tradecover.declarations.service import correct as correct
    from tradecover.declarations.service import correct_many as correct_many
    from tradecover.declarations.status_repository import (
        submit_turnover_return as submit_turnover_return,
    )
    from tradecover.declarations.turnover_repository import (
        months_of_shipments as months_of_shipments,
    )
    from tradecover.declarations.upload import MAX_UPLOAD_BYTES as MAX_UPLOAD_BYTES
    from tradecover.declarations.upload import read_rows as read_rows

_LAZY: dict[str, str] = {
    "AttachmentStore": "attachment.repository",
    "ItemProblem": "schemas",
    "UploadReportOut": "schemas",
    "attach_upload": "service",
    "MAX_UPLOAD_BYTES": "upload",
    "read_rows": "upload",
    "declarations_by_id": "amendment_repository",
    "active_declarations": "amendment_repository",
    "Declaration": "model",
    "active_declaration": "amendment_repository",
    "active_declaration_id": "receivable_repository",
    "OpenReceivable": "receivable_repository",
    "open_receivables": "receivable_repository",
    "record_collected": "receivable_repository",
    "release_reservation": "receivable_repository",
    "record_collected_many": "receivable_repository",
    "release_reservations": "receivable_repository",
    "attach": "service",
    "attach_many": "service",
    "cancel": "amendment_repository",
    "correct": "service",
    "correct_many": "service",
    "latest_of": "amendment_repository",
    "months_of_shipments": "turnover_repository",
    "outstanding_by_limit": "exposure_repository",
    "register_upload_deferrer": "ports",
    "buyers_declared_to": "exposure_repository",
    "policy_facts": "loading_repository",
    "submit_turnover_return": "status_repository",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "DEFAULT_RULES",
    "MAX_UPLOAD_BYTES",
    "AttachmentStore",
    "CountryCoverStatus",
    "CoverDecision",
    "CoverReason",
    "CoverStatus",
    "DeadlineRules",
    "Declaration",
    "DeclarationPeriod",
    "DeclarationTiming",
    "ItemProblem",
    "LimitFacts",
    "LimitStatus",
    "OpenReceivable",
    "PolicyFacts",
    "Shipment",
    "TransportMode",
    "TurnoverMonth",
    "UploadReportOut",
    "WholeTurnoverReview",
    "active_declaration",
    "active_declaration_id",
    "active_declarations",
    "attach",
    "attach_many",
    "attach_upload",
    "buyers_declared_to",
    "cancel",
    "check_shipment",
    "compliance_rate",
    "correct",
    "correct_many",
    "decide_cover",
    "declaration_due_date",
    "declaration_period",
    "declaration_timing",
    "declarations_by_id",
    "declared_share_of_turnover",
    "latest_of",
    "months_of_shipments",
    "open_receivables",
    "outstanding_by_limit",
    "periods_due_between",
    "policy_facts",
    "pro_rata_turnover",
    "read_rows",
    "record_collected",
    "record_collected_many",
    "register_upload_deferrer",
    "release_reservation",
    "release_reservations",
    "shipment_problems",
    "submit_turnover_return",
]
