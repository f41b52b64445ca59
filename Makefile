# tradecover: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export TRADECOVER_DATABASE_URL ?= sqlite:///var/tradecover.db

.PHONY: run test install lint typecheck pytest browser bench clean translations

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate the embedded SQLite database, load the demo book, start the
## embedded nats-server (unless TRADECOVER_NATS_URL names a cluster) and a feed attachment
## worker, print the address and the demo sign-ins, serve on :8000 (the worker stops with
## the server); the seed prints each step as it goes
run: install
	$(BIN)/tradecover db upgrade
	$(BIN)/tradecover demo seed --if-empty
	$(BIN)/tradecover feeds server --detach
	$(BIN)/tradecover feeds worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/tradecover demo sign-ins --url http://127.0.0.1:8000; \
	  $(BIN)/tradecover serve --host 127.0.0.1 --port 8000

## make test: ruff check, ruff format --check, the import contracts (.importlinter), mypy --strict and the whole pytest suite
test: install browser
	$(BIN)/ruff check tradecover tests benchmarks
	$(BIN)/ruff format --check tradecover tests benchmarks
	$(BIN)/lint-imports --no-cache --no-logo
	@# mypy (one core, half a minute) runs beside pytest, filling the cores pytest leaves idle
	@# while its tests wait; both exit codes count and mypy's report is printed after pytest's.
	@# Bytecode is written (PYTHONDONTWRITEBYTECODE emptied) so that pytest's two workers and
	@# the subprocesses of the tests reuse each other's compiled and assertion-rewritten modules.
	@mkdir -p var; \
	$(BIN)/mypy tradecover tests > var/mypy.log 2>&1 & typing=$$!; \
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n 2 --dist loadgroup -p no:cacheprovider $(PYTEST_ARGS); \
	tests=$$?; wait $$typing; typed=$$?; \
	echo "--- mypy tradecover tests (run beside pytest): exit $$typed"; cat var/mypy.log; \
	echo "--- pytest: exit $$tests"; \
	test $$tests -eq 0 && test $$typed -eq 0

## Debian's chromium and chromedriver for the end-to-end tests (installed when root)
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then \
	  echo "chromium present"; \
	elif [ "$$(id -u)" = "0" ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk; \
	else \
	  echo "chromium/chromedriver missing: run 'sudo apt-get install chromium chromium-driver'" >&2; exit 1; \
	fi

translations: install
	$(BIN)/python -m tradecover.web.catalog_check
	$(BIN)/pybabel compile -d tradecover/web/locale

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
