"""Banks financing insured receivables ([domain BA-1]): assignments of policy proceeds.

Pure rules imported eagerly: the assignment's status machine and who moves it, the checks
of its terms, the payment of a claim to the loss payees in priority order, the financing
base.  The use cases that need the database (asking for and moving assignments, the loss
payees a claim payment pays first) load on first use.
"""

from typing import TYPE_CHECKING

from tradecover.financing.assignments import (
    OPEN_STATUSES,
    RATE_QUANTUM,
    AssignmentAction,
    AssignmentInvalid,
    AssignmentParty,
    AssignmentStatus,
    AssignmentTerms,
    LossPayee,
    NotAssignmentParty,
    Payout,
    bank_party,
    check_terms,
    financing_base,
    move,
    pay_in_priority,
)
from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.financing.model import LossPayeeAssignment as LossPayeeAssignment
    from tradecover.financing.model import LossPayeePayout as LossPayeePayout
    from tradecover.financing.service import AssignmentRequest as AssignmentRequest
    from tradecover.financing.service import act as act
    from tradecover.financing.service import count_assignments as count_assignments
    from tradecover.financing.service import get_assignment as get_assignment
    from tradecover.financing.service import list_assignments as list_assignments
    from tradecover.financing.service import loss_payees_on as loss_payees_on
    from tradecover.financing.service import pay_loss_payees as pay_loss_payees
    from tradecover.financing.service import payouts_of as payouts_of
    from tradecover.financing.service import request_assignment as request_assignment

_LAZY = {
    "LossPayeeAssignment": "model",
    "LossPayeePayout": "model",
    "AssignmentRequest": "service",
    "act": "service",
    "count_assignments": "service",
    "get_assignment": "service",
    "list_assignments": "service",
    "loss_payees_on": "service",
    "pay_loss_payees": "service",
    "payouts_of": "service",
    "request_assignment": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "OPEN_STATUSES",
    "RATE_QUANTUM",
    "AssignmentAction",
    "AssignmentInvalid",
    "AssignmentParty",
    "AssignmentStatus",
    "AssignmentTerms",
    "LossPayee",
    "NotAssignmentParty",
    "Payout",
    "bank_party",
    "check_terms",
    "financing_base",
    "move",
    "pay_in_priority",
    *_LAZY,
]
