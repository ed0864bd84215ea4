# Mirrors the two commands in README.md.
VENV ?= .venv

.PHONY: app test lint bench wheel

app:  ## install and start the app on the built-in example scenario
	python3 -m venv $(VENV) && $(VENV)/bin/pip install -e . && $(VENV)/bin/streamlit run app.py

test:  ## install with dev extras and run the test suite
	python3 -m venv $(VENV) && $(VENV)/bin/pip install -e ".[dev]" && $(VENV)/bin/python -m pytest

lint:
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

bench:
	for b in benchmarks/bench_*.py; do $(VENV)/bin/python $$b || exit 1; done

wheel:  ## dist/breakeven-*.whl with the catalogs, examples and app inside (a fresh build/: no stale files)
	rm -rf build && $(VENV)/bin/pip wheel . -w dist --no-deps
