# Two commands do everything on a fresh machine (Debian/Ubuntu, Python 3.11, Node.js/npm, git, make):
#   make book   set up .venv and node_modules, provision the data, execute every notebook, build the HTML
#   make test   the same set-up (and Chromium, see browser), then lib's unit tests, nbval on every
#               notebook, the book build, and every page of it checked in headless Chromium
# Also: make unit (lib's unit tests alone, about 2 min), make page NB=path/to/notebook.ipynb (the
# page executed on three CPU code paths, with the spread of every number against its tolerance),
# make lint (ruff check and format --check; part of make test), make bench (writes
# _build/bench.json), make execute NB=path/to/notebook.ipynb (re-execute one notebook in place),
# make nbval NB=path/to/notebook.ipynb (check one notebook reproduces), make test-portable (make
# test as on another processor: see CONTRIBUTING, Reproducibility), make pdf (the book as one PDF,
# _build/pdf/book.pdf), make test-install (lib installed from pyproject.toml alone into a clean
# venv, about 6 min), make version (writes the pyproject version into the notebooks' Colab install
# line and CITATION.cff).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# npm ci rewrites this file on every install
NODE_STAMP := node_modules/.package-lock.json
# Progress bars are for people at a notebook; builds and tests run quiet (see lib/training.py).
export BOOK_PROGRESS := 0

.PHONY: setup data browser postgres book test unit page test-portable lint bench execute nbval pdf test-install version clean

setup: $(STAMP) $(NODE_STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

# MathJax, served by the built site so that math renders offline (see _ext/site_assets.py)
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund

# The browser test needs Debian's Chromium: installed here when missing and we may (root with apt).
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	  else \
	    echo "NOTE: Chromium is not installed: make test will SKIP the browser test (install Debian's chromium)"; \
	  fi; }

# The tuning page's cluster test (tests/understanding/test_distributed_study_postgres.py) starts a
# throwaway PostgreSQL server: Debian's server is installed here when missing and we may.
postgres:
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; \
	  else \
	    echo "NOTE: PostgreSQL is not installed: make test will SKIP the shared-study test on a database server (install Debian's postgresql)"; \
	  fi; }

data: setup
	$(PY) -m lib.data

book: data
	$(VENV)/bin/jupyter-book build . --all -W -n --keep-going
	@echo "The book is built: open $(CURDIR)/_build/html/index.html"

# A cell fails only when it hangs: the timeout is far above any cell's time on a slow machine or on
# ATen's generic kernels (the ensemble of 1-uncertainty/03 took over 600 s there), not a budget.
CELL_TIMEOUT := 1800
test: lint data browser postgres
	$(PY) -m pytest tests chapters templates --nbval --nbval-current-env \
		--nbval-cell-timeout=$(CELL_TIMEOUT) -p no:cacheprovider --durations=10 -rs

# lib's unit tests (and the book's static checks) alone: no notebook, no book build; about 2 minutes.
unit: setup
	$(PY) -m pytest tests -m "not after_notebooks" -p no:cacheprovider -q --durations=5

# One page, on this machine's defaults (stored in place) and on two emulated CPU code paths, each
# with its own model cache; prints every number that moved, its declared and a proposed tolerance.
page: data
	@test -n "$(NB)" || { echo "usage: make page NB=chapters/<part>/<notebook>.ipynb"; exit 2; }
	$(PY) -m tools.page "$(NB)"

# make test as another processor runs it: ATen's generic (non-vectorised) CPU kernels and MKL's
# compatible code path, and oneDNN's convolutions one instruction set down, with a model cache of its
# own, so that every cached model is retrained on that code path. The stored outputs, recorded
# with this machine's defaults, must still pass.
# The run leaves its outputs in _build/portable-outputs; then the other way round: those outputs as
# the reference and the stored ones as the re-run must pass too (nothing executed again).
PORTABLE_DATA := $(CURDIR)/_build/portable-data
# oneDNN's convolutions one instruction set below this machine's (its kernels differ from ATen's)
ONEDNN_ISA_DOWN := $(shell grep -q avx512f /proc/cpuinfo 2>/dev/null && echo AVX2 || echo SSE41)
PORTABLE_OUTPUTS := $(CURDIR)/_build/portable-outputs
test-portable:
	rm -rf $(PORTABLE_OUTPUTS)
	ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE ONEDNN_MAX_CPU_ISA=$(ONEDNN_ISA_DOWN) \
		BOOK_DATA_DIR=$(PORTABLE_DATA) BOOK_NBVAL_SAVE_EXECUTED=$(PORTABLE_OUTPUTS) $(MAKE) test
	@status=0; for nb in $$(cd $(PORTABLE_OUTPUTS) && find . -name '*.ipynb' | sort); do \
	  $(PY) -m tests.nbval_tolerance --check $(PORTABLE_OUTPUTS)/$$nb $$nb --tolerances $$nb || status=1; \
	done; exit $$status

# ruff (pinned in requirements.txt), configured in pyproject.toml; the notebooks' code cells too
LINT_PATHS := lib benchmarks tests tools conftest.py _ext chapters templates
lint: setup
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)

bench: data
	$(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) -m pytest -q -p no:cacheprovider tests/benchmarks/test_rl.py  # the SB3 settings match ours
	$(PY) -m benchmarks --out _build/bench.json

execute: setup
	@test -n "$(NB)" || { echo "usage: make execute NB=chapters/<part>/<notebook>.ipynb"; exit 2; }
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=$(CELL_TIMEOUT) "$(NB)"

nbval: data
	@test -n "$(NB)" || { echo "usage: make nbval NB=chapters/<part>/<notebook>.ipynb"; exit 2; }
	$(PY) -m pytest --nbval --nbval-current-env --nbval-cell-timeout=$(CELL_TIMEOUT) -p no:cacheprovider "$(NB)"

# The whole book as one PDF from the stored outputs (nothing executed): a single-page HTML build
# printed by headless Chromium (see tools/build_pdf.py); then its checks (tests/test_pdf.py).
pdf: setup browser
	@command -v pdftotext >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends poppler-utils; \
	  else \
	    echo "NOTE: poppler-utils is not installed: the checks of the PDF will be SKIPPED (install Debian's poppler-utils)"; \
	  fi; }
	$(PY) -m tools.build_pdf
	$(PY) -m pytest -q -p no:cacheprovider tests/test_pdf.py

# lib installed from pyproject.toml alone into a clean venv, every part run (tests/test_install.py).
test-install: setup
	BOOK_TEST_INSTALL=1 $(PY) -m pytest -q -p no:cacheprovider -rs --durations=1 tests/test_install.py

# After changing the version in pyproject.toml: the Colab install lines and CITATION.cff follow it.
version: setup
	$(PY) tools/sync_version.py

clean:
	rm -rf _build
