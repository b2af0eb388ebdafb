# Two commands do all set-up on a fresh machine (Python >= 3.11 and make):
#   make run    open briefing on the offline demo (make run ARGS= for your own feeds)
#   make test   lint, type-check, check the architecture, run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?= --demo
# Modules the benchmarks import or start, not benchmarks themselves.
BENCH_HELPERS := benchmarks/feedserver.py benchmarks/thread_data.py

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/briefing $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -n 2 -q

bench: $(STAMP)
	for script in $(filter-out $(BENCH_HELPERS),$(wildcard benchmarks/*.py)); do \
		$(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
