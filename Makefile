# Studio Talos: `make film` renders the example film, `make test` runs the tests.
# Both install into .venv first (pip + constraints.txt; torch pinned to the 2.13.0 CPU wheel).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.talos-installed
STORY ?= examples/bronze_heart.yaml

.PHONY: install film test ui bench clean

$(STAMP): pyproject.toml constraints.txt scripts/fix_torchvision.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -c constraints.txt -e '.[test]'
	$(PY) scripts/fix_torchvision.py
	touch $(STAMP)

install: $(STAMP)

film: install
	$(VENV)/bin/talos forge $(STORY)

test: install
	$(VENV)/bin/pytest -q

ui: install
	$(VENV)/bin/talos ui

bench: install
	$(PY) bench/film.py

clean:
	rm -rf .talos renders
