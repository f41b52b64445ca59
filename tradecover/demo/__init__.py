"""The demo book: a deterministic, realistic set of exporters, buyers and policies."""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.demo.seed import DEMO_PASSWORD as DEMO_PASSWORD
    from tradecover.demo.seed import DEMO_USERS as DEMO_USERS
    from tradecover.demo.seed import SeedSummary as SeedSummary
    from tradecover.demo.seed import seed_demo as seed_demo
    from tradecover.demo.seed import seed_demo_book as seed_demo_book

_LAZY: dict[str, str] = {
    "DEMO_PASSWORD": "seed",
    "DEMO_USERS": "seed",
    "SeedSummary": "seed",
    "seed_demo": "seed",
    "seed_demo_book": "seed",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "SeedSummary",
    "seed_demo",
    "seed_demo_book",
]
