# The README's two commands: `make demo` and `make test`. Both create .venv from scratch if needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-quick test-durations bench lint docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-core: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed-core

demo: $(VENV)/.installed-core
	$(BIN)/labelwise audit --demo --force

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n 2 --timeout=600

# While developing: every test but those marked slow (by hand, or recorded slow in tests/durations.json).
test-quick: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n 2 --timeout=600 -m "not slow"

# Re-record tests/durations.json (run on a quiet machine): which tests test-quick leaves out.
test-durations: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n 2 --timeout=600 --record-durations tests/durations.json

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_find_label_issues.py
	$(BIN)/python benchmarks/bench_aggregate.py
	$(BIN)/python benchmarks/bench_aggregate.py --large
	$(BIN)/python benchmarks/bench_agreement.py
	$(BIN)/python benchmarks/bench_poison.py
	$(BIN)/python benchmarks/bench_noisy_training.py
	$(BIN)/python benchmarks/bench_report_review.py
	$(BIN)/python benchmarks/bench_scale.py
	$(BIN)/python benchmarks/bench_weak.py
	$(BIN)/python benchmarks/bench_checks.py --detect --speed 10000 100000 --scale 1000000 --scale-index hnswlib,faiss-sq8
	$(BIN)/python benchmarks/bench_tasks.py
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_default_model.py --seeds 0 1 2 --timing --audit-cli
	$(BIN)/python benchmarks/bench_evaluate.py

# Lint and types: ruff (lint + format check) and mypy over src/.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

# The documentation site (MkDocs + mkdocstrings), warnings as errors; the docstring examples run
# as doctests in tests/test_docs.py.
docs: $(VENV)/.installed-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) labelwise-out site
