# Two commands do all the set-up on a fresh machine:
#   make demo   creates .venv if missing, installs, runs the end-to-end demo
#   make test   the same bootstrap, then the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lab formgrader check clean venv sysdeps hub node

# System packages the judge (bubblewrap) and the browser test (chromium) use:
# installed with apt-get when missing and we are root; otherwise a note.
SYSDEPS := bwrap:bubblewrap chromium:chromium pdftotext:poppler-utils
sysdeps:
	@missing=""; for pair in $(SYSDEPS); do \
		command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "note: missing system packages:$$missing (sudo apt-get install$$missing)"; fi; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(STAMP)

# The classroom hub's proxy (npm's configurable-http-proxy), into node_modules/ here.
NODE_STAMP := node_modules/.installed
node: $(NODE_STAMP)
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else echo "note: npm is missing: the classroom hub needs Node.js (sudo apt-get install nodejs npm)"; fi

demo: $(STAMP) sysdeps
	$(PY) -m grader demo

test: $(STAMP) sysdeps node
	$(PY) -m pytest

check: $(STAMP)
	@for d in $$($(PY) -c "from grader.days import built_days; print(' '.join(d.name for d in built_days()))"); do \
		$(PY) -m grader check $$d || exit 1; done

# JupyterLab on a fresh student release of every built day (existing day folders are kept).
# `make lab LANG=cs`: the Czech edition, in <root>/lab_cs (any other LANG, such as the
# environment's locale, means the English one).
lab: $(STAMP) sysdeps
	$(PY) -m grader lab $(if $(filter cs,$(LANG)),--lang cs)

# The classroom: JupyterHub serving the course to OS accounts (run as root; see README).
hub: $(STAMP) sysdeps node
	$(PY) -m grader hub

# The instructor's JupyterLab with nbgrader's formgrader on .nbgrader/ (manual grading).
formgrader: $(STAMP)
	$(PY) -m grader formgrader

clean:
	rm -rf .nbgrader build .pytest_cache
