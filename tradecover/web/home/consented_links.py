"""Whether a bank's, co-insurer's or programme's home may link to the policies.

Such an organisation reads the policies list under its own purpose and an exporter's
consent [domain CS-14]: without any valid consent the list answers 403, so its home
neither lists the page among its starts nor shows it in the navigation (no link leads to
a refusal).  The question goes to the consent guard, which caches its answer for the
request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tradecover import consents

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tradecover.access import Principal

POLICIES = "/policies"


def policies_closed(session: Session, principal: Principal) -> bool:
    """True when ``principal`` may read no exporter's policies list (no valid consent)."""
    read = consents.read_of(POLICIES, principal.org_kind.value)
    if read is None:
        return False
    answer = consents.readable(session, principal, read.scope, read.purpose, refuse_empty=False)
    return not (answer.everyone or answer.consents)
