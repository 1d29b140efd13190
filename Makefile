# The two quick-start commands: `make preview` and `make test`.
STACK ?= dev
CATALOG ?= catalog.yaml
VENV := .venv/bin

.PHONY: setup preview check test lint format bench layer clean

setup:
	@scripts/bootstrap

preview: setup  ## set up, then the main job: offline preview of catalog.yaml
	$(VENV)/seccat validate $(CATALOG)
	$(VENV)/seccat preview --stack $(STACK) --catalog $(CATALOG)

check: setup
	$(VENV)/seccat check --stack $(STACK) --catalog $(CATALOG)

test: setup  ## the whole suite, real OpenBao, PostgreSQL and moto included
	@scripts/ensure-postgres
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/pytest

lint:
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

format:
	$(VENV)/ruff check --fix .
	$(VENV)/ruff format .

layer: setup  ## the rotation functions' pure-Python dependency layer, needed by `pulumi up`
	$(VENV)/python functions/build_layer.py build/lambda-layer

bench: setup
	$(VENV)/python benchmarks/run.py

clean:
	rm -rf .venv .pytest_cache .ruff_cache rendered build
