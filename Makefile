# Everything a fresh machine needs: Python 3.10+ with venv, and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup serve site test schema validate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, pinned: its CPU build lies on local disk; a bare 'torch' could pull a CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[site,bib,dev,impl]'
	touch $(STAMP)

setup: $(STAMP)

serve: $(STAMP)   ## build the site from the shipped catalog and serve it on http://127.0.0.1:8000
	$(BIN)/sokkit serve

site: $(STAMP)    ## build the site into site/
	$(BIN)/sokkit build

test: $(STAMP)    ## run the test suite
	$(BIN)/python -m pytest -q

validate: $(STAMP)
	$(BIN)/sokkit validate

schema: $(STAMP)
	$(BIN)/sokkit schema

clean:
	rm -rf $(VENV) site
