"""The ``tradecover policies`` commands against the test database."""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.builders.policies import expiring_inception
from tests.conftest import Cast, Database
from tradecover.cli.main import app
from tradecover.config import get_settings
from tradecover.policies.model import Policy, RenewalOffer


@pytest.fixture
def cli(db: Database, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, ["policies", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_lifecycle(cli: CliRunner, db: Database) -> None:
    inception = expiring_inception(15)
    out = _ok(
        cli,
        "apply",
        "--exporter",
        "acme-exports",
        "--currency",
        "USD",
        "--turnover",
        "9000000",
        "--terms",
        "OA,DA",
        "--countries",
        "DE,US",
        "--hs",
        "84",
        "--inception",
        inception.isoformat(),
    )
    assert "application 1 submitted for acme-exports" in out
    out = _ok(cli, "underwrite", "1", "--max-liability", "3000000", "--excluded", "RU")
    assert "draft policy 1" in out
    assert "33.3% of expected turnover, within" in out
    assert "policy 1 quoted" in _ok(cli, "quote", "1")
    assert f"policy ST-{inception.year}-000001 issued (active)" in _ok(cli, "issue", "1")
    assert "endorsement 1 added to policy 1" in _ok(cli, "endorse", "1", "--text", "LC only")
    assert "suspended" in _ok(cli, "suspend", "1", "--reason", "arrears")
    assert "active" in _ok(cli, "reinstate", "1", "--reason", "paid")
    assert "1 renewal offers made" in _ok(cli, "renew-due")
    assert "0 renewal offers made" in _ok(cli, "renew-due")
    out = _ok(cli, "accept-renewal", "1")
    assert "renewal policy ST-" in out
    with db.factory() as s:
        old = s.get(Policy, 1)
        assert old is not None
        expiry = old.expiry
        offer = s.get(RenewalOffer, 1)
        assert offer is not None
        assert offer.status == "accepted"
        # the CLI reprices like the API (a term without declarations keeps its rate)
        assert offer.explanation["method"] == "unchanged"
        assert "no declarations or premium recorded" in offer.explanation["note"]
    after = (expiry + timedelta(days=1)).isoformat()
    assert "1 policies ended" in _ok(cli, "expire-due", "--today", after)
    assert "0 policies ended" in _ok(cli, "expire-due", "--today", after)
    listed = _ok(cli, "list")
    assert "renewed" in listed
    assert "active" in listed
    shown = _ok(cli, "show", "1")
    assert "(renewed)" in shown
    assert "endorsement 1 from" in shown
    assert "renewal offer 1: accepted" in shown


def test_cli_terminate_and_errors(cli: CliRunner, db: Database) -> None:
    _ok(cli, "apply", "--exporter", "acme-exports", "--currency", "USD", "--turnover", "1000000")
    _ok(cli, "underwrite", "1", "--max-liability", "400000")
    refused = cli.invoke(app, ["policies", "issue", "1"])
    assert refused.exit_code == 5
    assert "illegal_transition" in refused.output
    _ok(cli, "quote", "1")
    _ok(cli, "issue", "1")
    out = _ok(cli, "terminate", "1", "--kind", "rescission_for_fraud", "--reason", "forgery")
    assert "rescinded (rescission_for_fraud, effective)" in out
    missing = cli.invoke(app, ["policies", "show", "99"])
    assert missing.exit_code == 3
    bad = cli.invoke(
        app,
        ["policies", "apply", "--exporter", "acme-exports", "--currency", "XYZ", "--turnover", "1"],
    )
    assert bad.exit_code == 4
    assert "unknown_currency" in bad.output
    with db.factory() as s:
        assert s.get(Policy, 1) is not None
        assert s.get(Policy, 2) is None


def test_profile_set_and_show_round_trip(
    db: Database, cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    source = tmp_path / "profile.json"
    source.write_text(
        json.dumps(
            {
                "legal_name": "Acme Exports Co., Ltd.",
                "region": "CN-ZJ",
                "size_class": "small",
                "cross_border_ecommerce": True,
                "currency": "USD",
                "previous_year_exports": "6200000",
                "export_history": [{"year": 2025, "amount": "6200000"}],
                "products": ["84"],
                "destination_countries": ["DE"],
                "main_buyers": [],
            }
        )
    )
    runner = CliRunner()
    saved = runner.invoke(app, ["policies", "profile-set", "acme-exports", "--file", str(source)])
    shown = runner.invoke(app, ["policies", "profile-show", "acme-exports"])
    source.write_text(
        json.dumps(
            {
                "legal_name": "x",
                "size_class": "giant",
                "currency": "USD",
                "previous_year_exports": "1",
            }
        )
    )
    bad = runner.invoke(app, ["policies", "profile-set", "acme-exports", "--file", str(source)])
    get_settings.cache_clear()
    assert saved.exit_code == 0, saved.output
    assert json.loads(shown.stdout)["previous_year_exports"]["amount"] == "6200000.00"
    assert json.loads(shown.stdout)["cross_border_ecommerce"] is True
    assert bad.exit_code == 4


def test_cli_domestic_policy(cli: CliRunner, db: Database) -> None:
    # [domain DT-1], [domain DT-4], [domain DT-5]: the one application form, the domestic
    # table by default, the product's own wording
    base = ["apply", "--exporter", "acme-exports", "--turnover", "50000000"]
    domestic = ["--currency", "CNY", "--product", "domestic_trade_credit"]
    abroad = cli.invoke(app, ["policies", *base, *domestic, "--countries", "DE"])
    assert abroad.exit_code != 0 and "domestic_buyer_foreign" in abroad.output
    out = _ok(cli, *base, *domestic)
    assert "application 1 submitted for acme-exports" in out
    assert "draft policy 1" in _ok(cli, "underwrite", "1", "--max-liability", "20000000")
    _ok(cli, "quote", "1")
    assert "policy DT-" in _ok(cli, "issue", "1")
    shown = " ".join(_ok(cli, "show", "1").split())  # the console wraps long lines
    assert "Domestic trade credit insurance" in shown
    assert "political risks are not covered" in shown
    assert "DT-2026" in shown
