# salesops: `make run` installs everything and opens the app on the demo database;
# `make test` installs everything (chromium included) and runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB := data/salesops.db

.PHONY: install browser run demo test test-unit test-fast lint typecheck fmt bench bench-browser clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's chromium (Playwright's own browser download cannot work here).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian chromium for the browser tests…"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

$(DB): | $(STAMP)
	$(BIN)/salesops demo --url sqlite:///$(abspath $(DB))

demo: install
	$(BIN)/salesops demo

run: install $(DB)
	$(BIN)/streamlit run app.py

# The whole suite: lint, types, then every tier (unit, integration on SQLite and PostgreSQL,
# cli, app pages, browser).
test: install browser lint typecheck
	$(BIN)/python -m pytest

# Pure functions only, no database and no Prophet fits: seconds, run it on every change.
test-unit: install
	$(BIN)/python -m pytest tests/unit -m "not slow" -q

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not e2e"

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
# bench/bench_browser.py; about 3 minutes per repeat and database).
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
	$(BIN)/python bench/bench_import.py --url sqlite:///$(abspath data/bench_import.db)

bench-browser: install browser $(BENCH_DB)
	$(BIN)/python bench/bench_browser.py --url $(BENCH_URL)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
