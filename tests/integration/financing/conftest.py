"""The claims tests' book (a policy, a limit, two declared shipments) as ``claims_book``."""

from __future__ import annotations

from tests.integration.claims.conftest import book as claims_book

__all__ = ["claims_book"]
