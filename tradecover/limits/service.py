"""Use cases of credit limits: apply, decide (four eyes), change, notify, track, utilise.

Every change that adds exposure reserves it first on the country row, then on the buyer
aggregate row, with conditional updates (:mod:`tradecover.limits.repository`), then
writes the limit row guarded by its version number: the same order everywhere, so two
underwriters never deadlock and never over-commit.  Amounts reserved are US dollars
(:mod:`tradecover.limits.fx`); thresholds of :class:`LimitRules` are US dollars too.
Services never commit: the edge owns the transaction.

This module gathers the use cases, written one module per seam: shared caps and reads
(:mod:`tradecover.limits.common.service`), applications and decisions
(:mod:`tradecover.limits.applications.service`,
:mod:`tradecover.limits.applications.deciding`), changes and notices
(:mod:`tradecover.limits.changes.service`), tracking
(:mod:`tradecover.limits.tracking.service`), thresholds (:mod:`tradecover.limits.rules`).
The large-limit watch list is a read model of :mod:`tradecover.reporting`.
"""

from __future__ import annotations

from tradecover.limits.applications.deciding import decide, second_approval
from tradecover.limits.applications.recording import app_snapshot
from tradecover.limits.applications.service import apply, get_application, list_applications
from tradecover.limits.changes.service import (
    acknowledge,
    change_by_insurer,
    list_notifications,
)
from tradecover.limits.common.service import (
    AggregateView,
    CountryView,
    aggregate_history,
    country_view,
    get_aggregate,
    get_limit,
    limit_decision_pdf_of,
    limit_history,
    list_limits,
    override_aggregate,
    versions_of,
)
from tradecover.limits.rules import (
    DECIDED,
    PENDING,
    PENDING_SECOND,
    LimitRules,
)
from tradecover.limits.tracking.service import (
    BulkResult,
    BulkScope,
    LimitUtilisation,
    bulk_action,
    idle_limits,
    limits_in_scope,
    revoke_idle,
    utilisation,
)

__all__ = [
    "DECIDED",
    "PENDING",
    "PENDING_SECOND",
    "AggregateView",
    "BulkResult",
    "BulkScope",
    "CountryView",
    "LimitRules",
    "LimitUtilisation",
    "acknowledge",
    "aggregate_history",
    "app_snapshot",
    "apply",
    "bulk_action",
    "change_by_insurer",
    "country_view",
    "decide",
    "get_aggregate",
    "get_application",
    "get_limit",
    "idle_limits",
    "limit_decision_pdf_of",
    "limit_history",
    "limits_in_scope",
    "list_applications",
    "list_limits",
    "list_notifications",
    "override_aggregate",
    "revoke_idle",
    "second_approval",
    "utilisation",
    "versions_of",
]
