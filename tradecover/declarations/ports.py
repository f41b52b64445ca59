"""Where the declarations context hands work to adapters it must not import.

A declarations upload above the size threshold runs later, as a job; the jobs context lives
beside declarations, so declarations cannot import it without a cycle.  The composition
root (:mod:`tradecover.wiring`) registers the handover once at start-up with
:func:`register_upload_deferrer`; the upload route calls :func:`defer_upload`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tradecover.access import Principal
    from tradecover.config import Settings


class UploadDeferrer(Protocol):
    """Accept an upload as a job in the caller's transaction; its id and the sending to
    the workers, to run after the commit.
    """

    def __call__(
        self,
        session: Session,
        principal: Principal,
        *,
        filename: str,
        data: bytes,
        settings: Settings,
    ) -> tuple[str, Callable[[], Awaitable[None]]]:
        """The job's id and the sending to the workers."""
        ...


class NoUploadDeferrer(RuntimeError):
    """No handover for large uploads was registered (the composition root did not run)."""


_deferrer: list[UploadDeferrer] = []


def register_upload_deferrer(deferrer: UploadDeferrer) -> None:
    """Register the one handover of large uploads (a second registration replaces it)."""
    _deferrer[:] = [deferrer]


def defer_upload(
    session: Session, principal: Principal, *, filename: str, data: bytes, settings: Settings
) -> tuple[str, Callable[[], Awaitable[None]]]:
    """Hand a large upload over to run later; the job's id and the sending to run after
    the commit.
    """
    if not _deferrer:
        raise NoUploadDeferrer("no handover for large uploads is registered")
    return _deferrer[0](session, principal, filename=filename, data=data, settings=settings)
