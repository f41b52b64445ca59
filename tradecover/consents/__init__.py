"""Consents: what an exporter lets another organisation read of its data, for what, until
when; the one guard every read of exporter data passes; the access log of those reads.

The public face other contexts and the edges use.  Pure names (the scopes, purposes and
status machine of :mod:`.rules`, the receipts of :mod:`.receipts`, the route map of
:mod:`.reads`) load eagerly; the guard (:func:`require`, :func:`readable`), the access log
and the use cases need the database and load on first use.  See docs/domain/consents.md.
"""

from typing import TYPE_CHECKING

from tradecover.consents.fields import (
    MINIMUM_FIELDS,
    POOL_MIN_CONTRIBUTORS,
    BuyerExperience,
    PooledExperience,
    SharedField,
    effective_withheld,
    overdue_reports_from_pool,
    parse_withheld,
    sharing_summary,
)
from tradecover.consents.reads import (
    CONSENTED_READS,
    EXPORTER_READS,
    OTHER_PAGES,
    OTHER_READS,
    PAGE_READS,
    PURPOSE_OF_KIND,
    Read,
    read_of,
)
from tradecover.consents.receipts import Receipt, receipt_json, receipt_odrl
from tradecover.consents.rules import (
    CONTRACT_PURPOSES,
    CONTRACT_SCOPES,
    ConsentStatus,
    Party,
    Purpose,
    Scope,
    contract_covers,
)
from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.consents.access_log import AccessRead as AccessRead
    from tradecover.consents.access_log import DeliveryRead as DeliveryRead
    from tradecover.consents.access_log import finish_reading as finish_reading
    from tradecover.consents.access_log import reads_of as reads_of
    from tradecover.consents.access_log import record_deliveries as record_deliveries
    from tradecover.consents.access_log import record_export as record_export
    from tradecover.consents.access_log import record_reads as record_reads
    from tradecover.consents.access_log import refused_read as refused_read
    from tradecover.consents.access_log import start_reading as start_reading
    from tradecover.consents.guard import ConsentRequired as ConsentRequired
    from tradecover.consents.guard import Readable as Readable
    from tradecover.consents.guard import may_receive as may_receive
    from tradecover.consents.guard import may_see as may_see
    from tradecover.consents.guard import open_read as open_read
    from tradecover.consents.guard import readable as readable
    from tradecover.consents.guard import receive_basis as receive_basis
    from tradecover.consents.guard import require as require
    from tradecover.consents.guard import visible as visible
    from tradecover.consents.model import Consent as Consent
    from tradecover.consents.pool_repository import contribute as contribute
    from tradecover.consents.pool_repository import contributions_of as contributions_of
    from tradecover.consents.pool_repository import pool_consents as pool_consents
    from tradecover.consents.pool_repository import pooled_experience as pooled_experience
    from tradecover.consents.pool_repository import withdraw_from_pool as withdraw_from_pool
    from tradecover.consents.retention_repository import PurgeDue as PurgeDue
    from tradecover.consents.retention_repository import purge as purge
    from tradecover.consents.service import authorise as authorise
    from tradecover.consents.service import consents_of as consents_of
    from tradecover.consents.service import get_consent as get_consent
    from tradecover.consents.service import receipt_of as receipt_of
    from tradecover.consents.service import reject as reject
    from tradecover.consents.service import request_consent as request_consent
    from tradecover.consents.service import revoke as revoke
    from tradecover.consents.service import status_now as status_now
    from tradecover.consents.sharing_repository import set_sharing as set_sharing
    from tradecover.consents.sharing_repository import sharing_of as sharing_of
    from tradecover.consents.sharing_repository import withheld_fields as withheld_fields
    from tradecover.consents.visibility_repository import Visibility as Visibility
    from tradecover.consents.visibility_repository import visibility_of as visibility_of

_LAZY = {
    "AccessRead": "access_log",
    "DeliveryRead": "access_log",
    "record_deliveries": "access_log",
    "finish_reading": "access_log",
    "reads_of": "access_log",
    "refused_read": "access_log",
    "start_reading": "access_log",
    "record_reads": "access_log",
    "record_export": "access_log",
    "ConsentRequired": "guard",
    "Readable": "guard",
    "readable": "guard",
    "open_read": "guard",
    "visible": "guard",
    "may_see": "guard",
    "may_receive": "guard",
    "receive_basis": "guard",
    "require": "guard",
    "Consent": "model",
    "authorise": "service",
    "consents_of": "service",
    "get_consent": "service",
    "receipt_of": "service",
    "reject": "service",
    "request_consent": "service",
    "revoke": "service",
    "status_now": "service",
    "contribute": "pool_repository",
    "contributions_of": "pool_repository",
    "pool_consents": "pool_repository",
    "pooled_experience": "pool_repository",
    "withdraw_from_pool": "pool_repository",
    "PurgeDue": "retention_repository",
    "purge": "retention_repository",
    "set_sharing": "sharing_repository",
    "sharing_of": "sharing_repository",
    "withheld_fields": "sharing_repository",
    "Visibility": "visibility_repository",
    "visibility_of": "visibility_repository",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "CONTRACT_PURPOSES",
    "CONTRACT_SCOPES",
    "CONSENTED_READS",
    "EXPORTER_READS",
    "OTHER_PAGES",
    "PAGE_READS",
    "PURPOSE_OF_KIND",
    "MINIMUM_FIELDS",
    "POOL_MIN_CONTRIBUTORS",
    "OTHER_READS",
    "BuyerExperience",
    "ConsentStatus",
    "Party",
    "PooledExperience",
    "Purpose",
    "Read",
    "Receipt",
    "Scope",
    "SharedField",
    "contract_covers",
    "effective_withheld",
    "overdue_reports_from_pool",
    "parse_withheld",
    "read_of",
    "receipt_json",
    "receipt_odrl",
    "sharing_summary",
    *_LAZY,
]
