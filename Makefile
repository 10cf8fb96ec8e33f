# kamlab: every target bootstraps .venv from pyproject.toml + constraints.txt first.
# Needs only Python 3.11 and pip on the machine (PyPI reachable).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kamlab-installed
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# JupyterLab refuses to start as root unless told; containers often run as root.
LAB_FLAGS := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: install test test-pandas2 test-spark reports browser-test lab datasets notebooks benchmarks clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,lab]'
	touch $(STAMP)

install: $(STAMP)

# The whole suite: unit, property, published-number and oracle tests, and nbval
# re-executing every notebook against its committed outputs.
test: install
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval --nbval-current-env tests $(wildcard notebooks/*.ipynb)

# The library's tests on the oldest pandas kamlab supports (2.2), in a second
# environment (.venv-pandas2, every other version as in constraints.txt); the
# notebooks' committed outputs are pandas 3's, so nbval is left out. Not part of
# `make test`: it adds an install (about 2 minutes) and a second run of the suite.
VENV2 := .venv-pandas2
test-pandas2:
	test -x $(VENV2)/bin/python || $(PYTHON) -m venv $(VENV2)
	sed 's/^pandas==.*/pandas==2.2.3/' constraints.txt > $(VENV2)/constraints.txt
	$(VENV2)/bin/python -m pip install --quiet --upgrade pip
	$(VENV2)/bin/python -m pip install --quiet -c $(VENV2)/constraints.txt -e '.[test]'
	$(VENV2)/bin/python -m pytest -n $(JOBS) --dist loadfile tests --ignore tests/test_analyst_flow.py --ignore tests/test_course.py

# The Spark query of kamlab.outofcore.spark in local mode, against the pandas and
# DuckDB paths on the same file. Opt-in, not part of `make test`: it installs a
# Java runtime (Debian's default-jre-headless, if no `java` is on the PATH) and
# the spark extra (PySpark: a 456 MB download, 490 MB in .venv, about a minute)
# into .venv; the tests take about 40 s. Without them tests/test_spark.py skips.
test-spark: install
	command -v java >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y default-jre-headless; }
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[spark]'
	$(BIN)/python -m pytest -q tests/test_spark.py

# Execute the report matrix (reports/reports.yml) with papermill and write HTML.
reports: install
	$(BIN)/kamlab report --jobs $(JOBS)

# Open reports/index.html and every report in the system Chromium (Debian's
# package, installed if missing; driven by playwright, no browser download):
# images decoded, links resolve, titles and parameter headers present.
# Screenshots go to reports/screenshots/.
browser-test: reports
	command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }
	$(BIN)/python tests/browser_check.py reports

lab: install
	$(BIN)/jupyter lab $(LAB_FLAGS) notebooks

# Regenerate the committed synthetic datasets (byte-identical for the same seeds).
datasets: install
	$(BIN)/python -m kamlab.synth --write datasets

# Re-execute every notebook in place from its default parameters, so the
# committed outputs are what nbval expects. Run after changing kamlab.
notebooks: install
	for nb in notebooks/[0-9]*.ipynb; do \
	  $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=600 "$$nb" || exit 1; \
	done

benchmarks: install
	for b in benchmarks/*.py; do $(BIN)/python "$$b" || exit 1; done

# Remove what kamlab generated: the matrix reports, their executed notebooks and
# bundles, screenshots (`kamlab clean`; one-off reports on your own data and any
# other file in reports/ are kept), then the environment and test caches.
clean:
	if [ -x $(BIN)/kamlab ]; then $(BIN)/kamlab clean; else echo "no $(VENV): reports/ left as it is"; fi
	rm -rf $(VENV) $(VENV2) .pytest_cache .hypothesis
