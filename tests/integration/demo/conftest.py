"""The small demo book (seed 7, 20 exporters, as of 15 June 2026) that several read-only
tests of the demo look at, seeded once while no other test resets the database.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import Database
from tradecover.db.engine import transaction
from tradecover.demo.seed import SeedSummary, seed_demo_book

AS_OF = date(2026, 6, 15)
SMALL = 20
SMALL_SEED = 7


@pytest.fixture
def small_book(database: Database) -> SeedSummary:
    """The small demo book without its billing (``seed_demo_book``); the tests that take it
    read it only (their sessions never commit).
    """

    def seed() -> SeedSummary:
        with transaction(database.factory) as s:
            return seed_demo_book(s, exporters=SMALL, seed=SMALL_SEED, as_of=AS_OF)

    return database.shared(f"book:{SMALL_SEED}:{SMALL}", seed)
