# Two commands do everything (see README.md):
#   make book   build the website into _build/html, and the whole book as one PDF
#               (_build/html/book.pdf, printed by Chromium from a single-page build)
#   make test   build the book, then run every test (data, notebooks, browser)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.requirements-installed
# JupyterLab in .venv: never ask to fetch Jupyter news from the internet (lab_settings.py).
LAB_DEFAULTS := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: book test data execute vendor benchmark clean

$(READY): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	# The helpers (book/egovbook) as a package: importable anywhere, and the build's chart renderer.
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(READY)

$(LAB_DEFAULTS): $(READY) book/_ext/lab_settings.py
	$(BIN)/python book/_ext/lab_settings.py

book: $(READY) $(LAB_DEFAULTS)
	$(BIN)/jupyter-book build . --builder html -n -W --keep-going
	$(BIN)/python book/_ext/print_book.py

# pytest-xdist runs the test files on both cores, each file whole (a notebook's cells share
# one kernel), the longest first (tests/conftest.py). Strict nbval runs the chapters from
# the course pack, unzipped as a student would: one execution checks both that the stored
# outputs match the data and that the pack runs.
test: book
	rm -rf _build/course-pack
	$(BIN)/python -m zipfile -e _build/html/course-pack.zip _build
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder tests _build/course-pack/book

# Rebuild data/*.csv from data/raw/ (deterministic; tests/test_build.py checks it).
data: $(READY)
	cd book && ../$(BIN)/python -m egovbook.build

# Re-run every chapter in place so the stored outputs and the values shown in the prose
# (cell metadata user_expressions, read by jupyterlab-myst) match the data.
execute: $(READY)
	$(BIN)/python book/_ext/execute_notebooks.py book/*.ipynb

# Fetch the Vega builds that Altair asks for from npm into book/_ext/vega_vendor/ (and build
# vega-book, Vega without unused transforms), and axe-core into tests/vendor/axe-core/.
vendor: $(READY)
	$(BIN)/python book/_ext/vendor_assets.py

benchmark: book
	$(BIN)/python tests/benchmark.py

clean:
	rm -rf _build
