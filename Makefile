# salesops: `make run` installs the runtime dependencies, builds the demo database on first
# run and serves the app (it prints the URL; a browser opens where one exists);
# `make test` installs everything (test tools and chromium included) and runs the whole suite.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
RUNTIME_STAMP := $(VENV)/.runtime-stamp
DB := data/salesops.db
PORT ?= 8501
# Python caches each module's compiled bytecode in __pycache__ (ignored by git). Where the
# environment turns that off (PYTHONDONTWRITEBYTECODE), every test process and app start
# compiles every module again: the unit tier took 35 s instead of 21 s.
unexport PYTHONDONTWRITEBYTECODE
# Test processes (pytest-xdist): one per core on the 2-core CI machine. Each process builds its
# own demo databases; a file's tests stay on one process (--dist loadfile).
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile
# pip's lines that show progress: one per package collected, then the summary.
PIP_PROGRESS := grep --line-buffered -E '^(Collecting|Successfully installed|ERROR)' | sed -u 's/^/  /'

.PHONY: install browser run demo test test-unit test-fast lint typecheck fmt bench bench-browser clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP) $(RUNTIME_STAMP)

# What the app needs to run, and nothing for tests: progress is printed package by package.
$(RUNTIME_STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || { echo "Creating the virtual environment in $(VENV)…"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing the app's runtime dependencies (first run: a minute or two)…"
	@$(BIN)/pip install --disable-pip-version-check -r requirements.txt | $(PIP_PROGRESS)
	@$(BIN)/pip install --disable-pip-version-check --quiet --no-deps -e .
	@touch $(RUNTIME_STAMP)
	@echo "Dependencies installed."

install: $(STAMP)

# Browser tests drive Debian's chromium (Playwright's own browser download cannot work here).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian chromium for the browser tests…"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

$(DB): | $(RUNTIME_STAMP)
	@echo "Building the demo company in $(DB) (first run only)…"
	@$(BIN)/salesops demo --url sqlite:///$(abspath $(DB))

demo: install
	$(BIN)/salesops demo

run: $(RUNTIME_STAMP) $(DB)
	@echo "Starting salesops: open http://localhost:$(PORT) in your browser (Ctrl+C stops it)."
	@$(BIN)/streamlit run app.py --server.port $(PORT) --browser.gatherUsageStats false

# The whole suite: lint, types, then every tier (unit, integration on SQLite and PostgreSQL,
# cli, app pages, browser).
test: install browser lint typecheck
	$(PYTEST)

# Pure functions only, no database and no Prophet fits: seconds, run it on every change.
test-unit: install
	$(PYTEST) tests/unit -m "not slow" -q

test-fast: install
	$(PYTEST) -m "not slow and not e2e"

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# Benchmarks at the large demo scale (1M opportunities, 3M leads): building it takes minutes.
BENCH_DB := data/large.db
BENCH_URL := sqlite:///$(abspath $(BENCH_DB))

$(BENCH_DB): | $(STAMP)
	$(BIN)/salesops demo --scale large --url $(BENCH_URL)

# `make bench`: the fast, meaningful set (minutes). `make bench BASELINES=1` adds the slow
# baselines the rollups are compared with (KPI pushdown on base tables, read-everything
# pandas: 7+ minutes on SQLite). `make bench-browser`: every page in chromium (see
# bench/bench_browser.py; about 3 minutes per repeat and database; with Streamlit's floor).
comma := ,
KPI_APPROACHES := rollup,page$(if $(BASELINES),$(comma)pushdown$(comma)naive)
KPI_RESULTS := bench/results/kpis-large-$(if $(BASELINES),baselines,rollup).json

bench: install $(BENCH_DB)
	$(BIN)/python bench/bench_kpis.py --url $(BENCH_URL) --approaches $(KPI_APPROACHES) \
		--out $(KPI_RESULTS)
	$(BIN)/python bench/bench_forecast.py --url $(BENCH_URL)
	$(BIN)/python bench/bench_forecast_datasets.py
	$(BIN)/python bench/bench_territory.py --url $(BENCH_URL)
	$(BIN)/python bench/bench_time.py --url $(BENCH_URL)
	$(BIN)/python bench/bench_review.py --url $(BENCH_URL)
	$(BIN)/python bench/bench_quality.py --url $(BENCH_URL)
	$(BIN)/python bench/bench_import.py --url sqlite:///$(abspath data/bench_import.db)

bench-browser: install browser $(BENCH_DB)
	$(BIN)/python bench/bench_browser.py --url $(BENCH_URL) --floor

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
