"""Importing a pure rule (or the kit) loads no SQL, web or settings library, in a fresh process.

The contracts see the import statements; this sees what Python actually loads, parent
packages (the public faces) included.  One interpreter imports the modules one after the
other and looks at ``sys.modules`` after each: a library loaded by any of them is caught at
the first module whose import brought it in.
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.architecture.layering import (
    ROOT,
    contracts,
    ignored_importers,
    layers,
    libraries,
)

# Runs in a fresh interpreter: imports the modules in turn, stops at the first that loads
# a forbidden library.
_PROBE = """
import importlib, sys
forbidden = set(sys.argv[1].split(","))
for name in sys.argv[2:]:
    importlib.import_module(name)
    loaded = sorted(forbidden & {m.split(".")[0] for m in sys.modules})
    if loaded:
        print(f"importing {name} loads {', '.join(loaded)}")
        raise SystemExit(1)
print("ok", len(sys.argv) - 2)
"""


def _pure_modules() -> list[str]:
    # a module whose imports the "pure" contract still ignores is left out until it is fixed
    found = layers()
    return sorted((found.pure | found.kit) - ignored_importers("pure"))


def test_importing_a_pure_module_loads_no_adapter_library() -> None:
    forbidden = libraries(contracts()["pure"]["forbidden_modules"])
    assert {"sqlalchemy", "fastapi", "psycopg", "starlette", "pydantic_settings"} <= forbidden
    modules = _pure_modules()
    run = subprocess.run(
        [sys.executable, "-c", _PROBE, ",".join(sorted(forbidden)), *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert run.stdout.split() == ["ok", str(len(modules))]


def test_the_probe_catches_a_module_that_loads_sqlalchemy() -> None:
    run = subprocess.run(
        [sys.executable, "-c", _PROBE, "sqlalchemy", "tradecover.kit.money", "tradecover.db.base"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 1
    assert run.stdout.strip() == "importing tradecover.db.base loads sqlalchemy"
