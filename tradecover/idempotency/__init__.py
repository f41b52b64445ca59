"""Idempotency keys: a client that retries a write never causes its effect twice.

The public face of the one protocol every keyed route uses: :func:`hold` the key in the
effect's transaction, run the effect, :func:`store` the answer (or :func:`answer_once`, which
does the three); the PostgreSQL attachment store sends the same statements pipelined
(:func:`hold_statements`, :func:`judge`, :func:`store_statement`).
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.idempotency.service import LOCK_SQL as LOCK_SQL
    from tradecover.idempotency.service import MAX_KEY_LENGTH as MAX_KEY_LENGTH
    from tradecover.idempotency.service import STORE_SQL as STORE_SQL
    from tradecover.idempotency.service import Answer as Answer
    from tradecover.idempotency.service import HeldKey as HeldKey
    from tradecover.idempotency.service import Replayed as Replayed
    from tradecover.idempotency.service import answer_once as answer_once
    from tradecover.idempotency.service import check_key as check_key
    from tradecover.idempotency.service import fingerprint as fingerprint
    from tradecover.idempotency.service import hold as hold
    from tradecover.idempotency.service import hold_statements as hold_statements
    from tradecover.idempotency.service import judge as judge
    from tradecover.idempotency.service import store as store
    from tradecover.idempotency.service import store_statement as store_statement

_LAZY = {
    "LOCK_SQL": "service",
    "MAX_KEY_LENGTH": "service",
    "STORE_SQL": "service",
    "Answer": "service",
    "HeldKey": "service",
    "Replayed": "service",
    "answer_once": "service",
    "check_key": "service",
    "fingerprint": "service",
    "hold": "service",
    "hold_statements": "service",
    "judge": "service",
    "store": "service",
    "store_statement": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)
__all__ = sorted(_LAZY)
