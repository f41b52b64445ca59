from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.feeds import IdentifierScheme
from tradecover.feeds.record import Refusal
from tradecover.feeds.values import identifier, parse_amount, payment_terms_days


@given(
    st.decimals(
        allow_nan=False,
        allow_infinity=False,
        places=4,
        min_value=Decimal("-1e12"),
        max_value=Decimal("1e12"),
    )
)
def test_any_plain_decimal_text_reads_back_exactly(value: Decimal) -> None:
    assert parse_amount(format(value, "f")) == value


@given(st.text(alphabet="0123456789.,eE+- _", min_size=1, max_size=12))
def test_amount_text_is_either_exact_or_refused(text: str) -> None:
    try:
        value = parse_amount(text)
    except Refusal as refusal:
        code: str | None = refusal.reason.code
        value = None
    else:
        code = None
    assert code in (None, "amount_malformed")
    if value is not None:
        assert value == Decimal(text.strip())
        assert "e" not in text.lower() and "," not in text


@pytest.mark.parametrize("text", ["1e3", "1,000.00", "NaN", "Infinity", "１００", "0x10"])
def test_amounts_in_other_notations_are_refused(text: str) -> None:
    with pytest.raises(Refusal):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Net 30", 30),
        ("30 days net", 30),
        ("Betalning inom 30 dagar", 30),
        ("Paiement à 45 jours", 45),
        ("Zahlbar innerhalb 14 Tagen", 14),
        ("As per contract clause X.123", None),
        (None, None),
    ],
)
def test_payment_terms_days(text: str | None, days: int | None) -> None:
    assert payment_terms_days(text) == days


@pytest.mark.parametrize(
    ("scheme", "raw", "value", "valid"),
    [
        (IdentifierScheme.VAT, "DE 123 456 788", "DE123456788", True),
        (IdentifierScheme.VAT, "DE123456789", "DE123456789", False),
        (IdentifierScheme.VAT, "US12-3456789", "US123456789", None),
        (IdentifierScheme.EORI, "GB123456727000", "GB123456727000", True),
        (IdentifierScheme.EORI, "FR-12345", "FR12345", None),
        (IdentifierScheme.EORI, "1234", "1234", False),
        (IdentifierScheme.LEI, "529900T8BM49AURSDO55", "529900T8BM49AURSDO55", True),
        (IdentifierScheme.GLN, "4000000000007", "4000000000007", False),
    ],
)
def test_identifiers_are_compacted_and_checked(
    scheme: IdentifierScheme, raw: str, value: str, valid: bool | None
) -> None:
    found = identifier(scheme, raw)
    assert (found.value, found.valid) == (value, valid)


FEED_ADAPTERS = frozenset({"model", "service", "api", "schemas", "cli", "attach_bridge", "worker"})
"""The feed stream's adapters (tables, use cases, routes, CLI, the attachment bridge, the
worker) and ``*_repository`` modules: the only feed modules that load SQLAlchemy, FastAPI
or NATS."""


def test_importing_every_feed_module_loads_no_database_web_or_broker_library() -> None:
    code = (
        "import pkgutil, importlib, sys, tradecover.feeds as f\n"
        "for m in pkgutil.iter_modules(f.__path__):\n"
        f"    if m.name not in {sorted(FEED_ADAPTERS)!r} and not m.name.endswith('_repository'):\n"
        "        importlib.import_module('tradecover.feeds.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in "
        "('sqlalchemy', 'fastapi', 'starlette', 'nats', 'alembic', 'psycopg'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
