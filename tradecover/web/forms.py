"""What every dashboard form handler shares: running its write in a savepoint.

A form's write runs in a savepoint of the request's transaction; a domain error rolls
back exactly that write and comes back to the handler, which re-renders the page with the
message and the error's 4xx status (never a 500, never a partial write).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from tradecover.kit.errors import DomainError


def in_savepoint(session: Session, work: Callable[[], object]) -> DomainError | None:
    """Run ``work()`` in a savepoint; on a domain error roll it back and return the error."""
    savepoint = session.begin_nested()
    try:
        work()
        savepoint.commit()
    except DomainError as error:
        savepoint.rollback()
        return error
    return None
