# borderdata — `make` alone prints this help. Every target that needs Python builds
# the virtual environment first, so `make report` and `make test` work from nothing.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS ?= dev,scale
TEST_JOBS ?= 2
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
export PYTHONHASHSEED := 0
export SOURCE_DATE_EPOCH := 0
export MPLBACKEND := Agg

.DEFAULT_GOAL := help
.PHONY: help install data check report docs test test-unit test-notebooks lint format lab bench bench-pathological baseline browser fuzz clean

help: ## show this help
	@echo "borderdata: numbers in border-security news, with receipts"
	@echo
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-19s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@echo "Building $(VENV) (pip install -e '.[$(EXTRAS)]'; log in $(VENV)/install.log)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[$(EXTRAS)]' > $(VENV)/install.log 2>&1 \
		|| { tail -n 30 $(VENV)/install.log; exit 1; }
	@touch $@

install: $(STAMP) ## build .venv with the project and its tools (rebuilt when pyproject.toml changes)

data: $(STAMP) ## read seeds/ and data/raw/, write data/processed/{documents,facts,claims}.csv
	$(BIN)/borderdata data

check: $(STAMP) ## fact-check an article against the corpus: make check A=path/to/article.txt (table + reports/check-<name>.html)
	@test -n "$(A)" || { echo "usage: make check A=path/to/article.txt"; exit 2; }
	@mkdir -p reports
	$(BIN)/borderdata check "$(A)" --out "reports/check-$(basename $(notdir $(A))).html"

report: $(STAMP) ## data step if stale, then the notebooks into reports/ (swapped in whole); P="mass_unit=lb currency=USD" sets parameters (checked first)
	$(BIN)/borderdata report $(if $(P),$(foreach kv,$(P),-p $(subst =, ,$(kv))))

docs: $(STAMP) ## refresh docs/*.png (the README's charts) and docs/pages/*.png (full-page screenshots, 1280 px wide) from the seeds alone
	$(BIN)/borderdata report --docs

test: $(STAMP) ## unit tests and doctests (incl. report runs, chart images, browser check) on TEST_JOBS workers, nbval beside them
	@notebooks_log=$$(mktemp); \
	$(MAKE) --no-print-directory test-notebooks > "$$notebooks_log" 2>&1 & notebooks=$$!; \
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder tests src --doctest-modules; unit=$$?; \
	wait $$notebooks; nbval=$$?; \
	echo "--- nbval (make test-notebooks, run beside the unit tests):"; cat "$$notebooks_log"; rm -f "$$notebooks_log"; \
	test $$unit -eq 0 && test $$nbval -eq 0

test-unit: $(STAMP) ## unit tests and doctests only (no notebook or browser runs)
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder tests src --doctest-modules --ignore=tests/test_report.py --ignore=tests/test_browser.py \
		--ignore=tests/test_check_browser.py

test-notebooks: $(STAMP) ## nbval: re-run the notebooks on the seeds' tables (temp folder) and compare with their stored outputs
	@if [ -n "$(NOTEBOOKS)" ]; then \
		$(BIN)/python -m pytest -q -p no:cacheprovider --nbval --nbval-current-env \
			--nbval-sanitize-with notebooks/sanitize.cfg $(NOTEBOOKS); \
	else echo "no notebooks yet: nothing for nbval to check"; fi

lint: $(STAMP) ## ruff check, format check, and mypy type check of src/
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: $(STAMP) ## ruff format and autofix
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

lab: $(STAMP) ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab --notebook-dir=notebooks $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

bench: $(STAMP) ## engines' throughput and memory, extraction vs a bare scan, one check against the 16x corpus (benchmarks/*.md)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/extraction.py
	$(BIN)/python benchmarks/check.py

bench-pathological: $(STAMP) ## hostile inputs (regex bait, HTML bait, gzip bomb, 20 MB one-line article, repeated claims...) at 1x/2x/4x: time and peak memory (writes benchmarks/pathological.md)
	$(BIN)/python benchmarks/pathological.py

baseline: $(STAMP) ## refresh every baseline in one go: notebook outputs (nbval, on the seeds' tables) and chart images (tests/baseline_images)
	$(BIN)/borderdata report --baseline
	BORDERDATA_UPDATE_BASELINES=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_charts.py -k baseline

browser: $(STAMP) ## install Debian chromium if missing, then check a rendered report in it
	@command -v chromium >/dev/null || { echo "installing chromium"; apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	$(BIN)/python -m pytest tests/test_browser.py tests/test_check_browser.py -q -rs

fuzz: $(STAMP) ## long property-based run of the number reader and extractor
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests -k "property" -q

clean: ## remove generated tables, reports, caches (with this project's check cache in the user's cache) and .venv
	@if [ -x $(BIN)/python ]; then rm -rf "$$($(BIN)/python -c 'from borderdata.config import outside_cache_dir; print(outside_cache_dir())')"; fi
	rm -rf $(VENV) reports .pytest_cache .ruff_cache .mypy_cache .hypothesis data/processed/*.csv data/processed/*.parquet data/processed/.cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
