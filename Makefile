# Two commands do all the set-up on a fresh machine:
#   make demo   creates .venv if missing, installs, runs the end-to-end demo
#   make test   the same bootstrap, then the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lab check clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m grader demo

test: $(STAMP)
	$(PY) -m pytest

check: $(STAMP)
	@for d in $$($(PY) -c "from grader.notebooks import discover_days; print(' '.join(discover_days()))"); do \
		$(PY) -m grader check $$d || exit 1; done

# JupyterLab on a fresh student release of Day 1 (an existing workspace is kept).
lab: $(STAMP)
	$(PY) -m grader lab

clean:
	rm -rf .nbgrader build .pytest_cache
