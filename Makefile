# The two README commands. Each creates .venv (Python 3.12) and installs tuopin if needed.
PYTHON ?= $(shell command -v python3.12 || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
SCENARIO ?= scenarios/jingzhou_2015_2018.toml
REPLICATES ?= 20

.PHONY: forecast test baseline bench install app docs

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) tools/solara_assets.py  # the interactive page's browser assets, from the npm registry
	touch $@

forecast: $(VENV)/.installed
	$(VENV)/bin/tuopin run $(SCENARIO) --replicates $(REPLICATES) --workers 2

test: $(VENV)/.installed
	$(PY) -m pytest || [ $$? -eq 5 ]  # 5: no tests collected

baseline: $(VENV)/.installed  # rewrite tests/baseline/ after a change meant to move the numbers
	$(PY) tools/update_baseline.py

bench: $(VENV)/.installed
	$(PY) benchmarks/bench_model.py

app: $(VENV)/.installed
	$(VENV)/bin/tuopin app

docs: $(VENV)/.installed  # the documentation site (user guide and API reference from the docstrings) into site/
	$(VENV)/bin/mkdocs build --strict
