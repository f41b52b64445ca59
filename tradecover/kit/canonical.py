"""Canonical JSON: the one deterministic text of a value, for hashes and stored JSON."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def json_default(value: Any) -> Any:
    """How tradecover writes what JSON has no type for: Decimals and dates as strings."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, Decimals and dates as strings."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), default=json_default, ensure_ascii=False
    )
