# Two commands do everything (see README.md):
#   make book   build the website into _build/html
#   make test   build the book, then run every test (data, notebooks, browser)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.requirements-installed

.PHONY: book test data execute vendor benchmark clean

$(READY): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(READY)

book: $(READY)
	$(BIN)/jupyter-book build . --builder html -n -W --keep-going

test: book
	$(BIN)/python -m pytest

# Rebuild data/*.csv from data/raw/ (deterministic; tests/test_build.py checks it).
data: $(READY)
	cd book && ../$(BIN)/python -m egovbook.build

# Re-run every chapter in place so the stored outputs and the values shown in the prose
# (cell metadata user_expressions, read by jupyterlab-myst) match the data.
execute: $(READY)
	$(BIN)/python book/_ext/execute_notebooks.py book/*.ipynb

# Fetch the Vega builds that Altair asks for from npm into book/_ext/vega_vendor/.
vendor: $(READY)
	$(BIN)/python book/_ext/vendor_assets.py

benchmark: book
	$(BIN)/python tests/benchmark.py

clean:
	rm -rf _build
