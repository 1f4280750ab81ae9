# Two commands do everything on a fresh machine (Debian/Ubuntu, Python 3.11, git, make):
#   make book   set up .venv, provision the data, execute every notebook, build the HTML
#   make test   the same set-up, then lib's unit tests, nbval on every notebook, the book build
# Also: make bench (writes _build/bench.json), make execute NB=path/to/notebook.ipynb (re-execute
# one notebook in place), make nbval NB=path/to/notebook.ipynb (check one notebook reproduces).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Progress bars are for people at a notebook; builds and tests run quiet (see lib/training.py).
export BOOK_PROGRESS := 0

.PHONY: setup data book test bench execute nbval clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

data: setup
	$(PY) -m lib.data

book: data
	$(VENV)/bin/jupyter-book build . --all -W -n --keep-going
	@echo "The book is built: open $(CURDIR)/_build/html/index.html"

test: data
	$(PY) -m pytest tests chapters templates --nbval --nbval-current-env \
		--nbval-cell-timeout=600 -p no:cacheprovider --durations=10

bench: data
	$(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) -m lib.bench --out _build/bench.json

execute: setup
	@test -n "$(NB)" || { echo "usage: make execute NB=chapters/<part>/<notebook>.ipynb"; exit 2; }
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=600 "$(NB)"

nbval: data
	@test -n "$(NB)" || { echo "usage: make nbval NB=chapters/<part>/<notebook>.ipynb"; exit 2; }
	$(PY) -m pytest --nbval --nbval-current-env -p no:cacheprovider "$(NB)"

clean:
	rm -rf _build
