# civicbill — two commands: `make demo` and `make test`. Everything else is a building block.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_ACCOUNTS ?= 2000
DEMO_PASSWORD ?= civicbill-demo-2026
export DEMO_PASSWORD

.PHONY: demo test venv migrate seed serve lint typecheck test-unit test-browser worker clean

$(BIN)/civicbill: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

venv: $(BIN)/civicbill

migrate: venv
	@mkdir -p var
	$(BIN)/civicbill migrate --no-input

seed: migrate
	$(BIN)/civicbill demo-city --accounts $(DEMO_ACCOUNTS) --seed 1 --reset
	$(BIN)/civicbill demo-users

## make demo: fresh machine -> venv, install, migrate, seeded demo city, serve on 127.0.0.1:$(PORT)
demo: seed
	@echo ""
	@echo "civicbill demo: http://127.0.0.1:$(PORT)/"
	@echo "  sign in as csr, technician, supervisor, field, auditor or admin"
	@echo "  password: $(DEMO_PASSWORD)   (set DEMO_PASSWORD to choose another)"
	@echo ""
	$(BIN)/civicbill runserver 127.0.0.1:$(PORT)

## make test: fresh machine -> venv, install, lint, type check, the whole suite (browser tests included)
test: venv lint typecheck
	@mkdir -p var
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check civicbill tests benchmarks
	$(BIN)/ruff format --check civicbill tests benchmarks
	$(BIN)/lint-imports

typecheck: venv
	$(BIN)/mypy civicbill

test-unit: venv
	$(BIN)/pytest -m "not browser"

test-browser: venv
	$(BIN)/pytest -m browser

## make worker: run background tasks (billing runs, imports) from the database queue
worker: migrate
	$(BIN)/civicbill db_worker

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
