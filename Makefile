# The two quick-start commands: `make preview` and `make test`.
STACK ?= dev
CATALOG ?= catalog.yaml
VENV := .venv/bin
# `make test` runs the suite on this many pytest-xdist workers (CI machines have 2 cores)
TEST_WORKERS ?= 2
# the uv that scripts/bootstrap found or installed (build_layer.py runs `uv`)
UV_PATH := $(CURDIR)/.bootstrap/bin:$(PATH)

.PHONY: setup setup-dev preview check test lint format bench layer pack clean

setup:  ## .venv with the runtime dependencies only (uv installed privately if missing)
	@scripts/bootstrap

setup-dev:  ## .venv with the runtime and dev dependencies (tests, linters, servers)
	@scripts/bootstrap --dev

preview: setup  ## set up, then the main job: offline preview of catalog.yaml
	$(VENV)/seccat validate $(CATALOG)
	$(VENV)/seccat preview --stack $(STACK) --catalog $(CATALOG)

check: setup
	$(VENV)/seccat check --stack $(STACK) --catalog $(CATALOG)

test: setup-dev  ## the whole suite, real OpenBao, PostgreSQL and moto included (and Mermaid's parser)
	@scripts/ensure-postgres
	@scripts/ensure-mermaid
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/pytest -n $(TEST_WORKERS) --dist loadgroup

lint: setup-dev
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

format: setup-dev
	$(VENV)/ruff check --fix .
	$(VENV)/ruff format .

layer: setup  ## the rotation functions' pure-Python dependency layer, needed by `pulumi up`
	PATH="$(UV_PATH)" $(VENV)/python functions/build_layer.py build/lambda-layer

pack: setup  ## the policy pack's vendored seccat modules and its locked requirements (commit both)
	$(VENV)/python -m seccat.pack_vendor
	PATH="$(UV_PATH)" uv export --frozen --only-group policy-pack --no-emit-project \
		--format requirements-txt --quiet --output-file policies/requirements.txt

SIZES ?= 100,1000,10000
bench: setup  ## engine breakdown, then seccat check vs checkov side by side (checkov's venv made on first use)
	$(VENV)/python benchmarks/run.py --sizes $(SIZES)
	$(VENV)/python benchmarks/side_by_side.py --sizes $(SIZES)

clean:
	rm -rf .venv .bootstrap .pytest_cache .ruff_cache rendered build tests/mermaid/node_modules policies/venv
