"""Webhooks: organisations' endpoints, signed deliveries of the outbox's events, retries.

Pure names (signatures, the retry schedule, the SSRF rules) are imported eagerly; the use
cases, which need the database, lazily (:mod:`tradecover.kit.public_face`).
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports
from tradecover.webhooks.retry import RETRY_WINDOW, backoff, next_attempt
from tradecover.webhooks.signing import SignatureRefused, new_secret, sign, verify
from tradecover.webhooks.targets import TargetRefused, check_address, parse_url

if TYPE_CHECKING:
    from tradecover.webhooks.service import attempts_of as attempts_of
    from tradecover.webhooks.service import create_endpoint as create_endpoint
    from tradecover.webhooks.service import delete_endpoint as delete_endpoint
    from tradecover.webhooks.service import get_endpoint as get_endpoint
    from tradecover.webhooks.service import list_deliveries as list_deliveries
    from tradecover.webhooks.service import list_endpoints as list_endpoints
    from tradecover.webhooks.service import replay as replay
    from tradecover.webhooks.service import rotate_secret as rotate_secret
    from tradecover.webhooks.service import update_endpoint as update_endpoint
    from tradecover.webhooks.worker import WebhookWorker as WebhookWorker
    from tradecover.webhooks.worker import WorkerOptions as WorkerOptions

_LAZY = {
    "attempts_of": "service",
    "create_endpoint": "service",
    "delete_endpoint": "service",
    "get_endpoint": "service",
    "list_deliveries": "service",
    "list_endpoints": "service",
    "replay": "service",
    "rotate_secret": "service",
    "update_endpoint": "service",
    "WebhookWorker": "worker",
    "WorkerOptions": "worker",
}
__getattr__ = lazy_exports(__name__, _LAZY)
__all__ = [
    "RETRY_WINDOW",
    "SignatureRefused",
    "TargetRefused",
    "WebhookWorker",
    "WorkerOptions",
    "attempts_of",
    "backoff",
    "check_address",
    "create_endpoint",
    "delete_endpoint",
    "get_endpoint",
    "list_deliveries",
    "list_endpoints",
    "new_secret",
    "next_attempt",
    "parse_url",
    "replay",
    "rotate_secret",
    "sign",
    "update_endpoint",
    "verify",
]
