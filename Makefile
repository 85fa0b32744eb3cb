# The README's two commands: `make demo` and `make test`. Both create .venv from scratch if needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench clean

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
	$(BIN)/labelwise audit --demo

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n 2 --timeout=600

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_find_label_issues.py
	$(BIN)/python benchmarks/bench_aggregate.py
	$(BIN)/python benchmarks/bench_agreement.py
	$(BIN)/python benchmarks/bench_poison.py
	$(BIN)/python benchmarks/bench_noisy_training.py
	$(BIN)/python benchmarks/bench_report_review.py
	$(BIN)/python benchmarks/bench_evaluate.py

clean:
	rm -rf $(VENV) labelwise-out
