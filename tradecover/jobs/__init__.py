"""Jobs: bulk work answered 202 at once, run by workers fed over NATS JetStream.

The use cases need the database and NATS and are resolved lazily
(:mod:`tradecover.kit.public_face`).
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.jobs.dispatch import JobWorker as JobWorker
    from tradecover.jobs.dispatch import Queue as Queue
    from tradecover.jobs.dispatch import publish as publish
    from tradecover.jobs.kinds import check_insurer_admin as check_insurer_admin
    from tradecover.jobs.kinds import check_upload as check_upload
    from tradecover.jobs.kinds import declarations_upload as declarations_upload
    from tradecover.jobs.model import Job as Job
    from tradecover.jobs.service import get_job as get_job
    from tradecover.jobs.service import recent_jobs as recent_jobs
    from tradecover.jobs.service import register_kind as register_kind
    from tradecover.jobs.service import submit_job as submit_job

_LAZY = {
    "JobWorker": "dispatch",
    "Job": "model",
    "Queue": "dispatch",
    "publish": "dispatch",
    "get_job": "service",
    "check_insurer_admin": "kinds",
    "check_upload": "kinds",
    "declarations_upload": "kinds",
    "recent_jobs": "service",
    "register_kind": "service",
    "submit_job": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)
__all__ = [
    "Job",
    "JobWorker",
    "Queue",
    "check_insurer_admin",
    "check_upload",
    "declarations_upload",
    "get_job",
    "publish",
    "recent_jobs",
    "register_kind",
    "submit_job",
]
