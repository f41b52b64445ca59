"""``tradecover --help`` loads no context: the groups load on first use, their help lines pinned."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradecover.cli.lazy import Lazy, load
from tradecover.cli.main import SUBCOMMANDS, app

HEAVY = ("sqlalchemy", "fastapi", "numpy", "dask", "alembic", "pydantic", "uvicorn")

_PROBE = """
import json, sys
sys.argv = ["tradecover", "--help"]
from tradecover.cli.main import main
try:
    main()
except SystemExit as done:
    code = done.code
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def test_help_imports_no_heavy_library() -> None:
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, check=True
    )
    listing, _, last = done.stdout.rstrip().rpartition("\n")
    report = json.loads(last)
    assert report["code"] == 0
    assert not set(HEAVY) & set(report["modules"])
    for item in SUBCOMMANDS:
        assert item.name in listing


@pytest.mark.parametrize("lazy", SUBCOMMANDS, ids=lambda lazy: lazy.name)
def test_help_line_is_the_groups_own(lazy: Lazy) -> None:
    command = load(lazy)
    assert command.name == lazy.name
    assert (command.help or "").splitlines()[0].strip() == lazy.help


def test_a_lazy_group_runs_and_prints_its_help() -> None:
    result = CliRunner().invoke(app, ["db", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "upgrade" in result.output
    result = CliRunner().invoke(app, ["no-such-group"])
    assert result.exit_code == 2
