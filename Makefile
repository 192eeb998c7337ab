# Quartier developer commands. `make help` lists them.
#
#   make run    the whole system with demo data on http://127.0.0.1:8000: server and worker
#   make test   every check and the whole test suite (SQLite, then PostgreSQL + Redis)

VENV ?= .venv
PYTHON ?= python3
MANAGE := $(VENV)/bin/python manage.py
# Touched after a successful install: the install re-runs only when pyproject.toml changes.
STAMP := $(VENV)/.quartier-installed

.DEFAULT_GOAL := help
.PHONY: help venv messages assets-check run test worker lint fmt

## help    list the targets
help:
	@echo 'usage: make TARGET'
	@sed -n 's/^## /  /p' $(MAKEFILE_LIST)

## venv    create .venv and install the dependencies and dev tools listed in pyproject.toml,
##         and compile the translations (needs gettext's msgfmt)
venv: $(STAMP) messages

## messages compile the gettext catalogues in locale/ where a .po changed
messages:
	$(PYTHON) scripts/compile_messages.py

## assets-check  verify the vendored front-end files against assets.lock.json (offline)
assets-check:
	$(PYTHON) scripts/vendor_assets.py --check

# pyproject.toml declares no package (packages = []), so the dependency lists are read out of
# it and installed directly: no build step, nothing written into the source tree.
$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"]["dev"]))' > $(VENV)/requirements.txt
	@echo "Installing the dependencies into $(VENV) (about a minute the first time)..."
	$(VENV)/bin/python -m pip install --disable-pip-version-check --progress-bar on -r $(VENV)/requirements.txt
	touch $(STAMP)

## run     migrate the SQLite database in var/, load the demo data, then serve
##         http://127.0.0.1:8000 and run the background worker together (Ctrl-C stops both)
##         (in development mode: DJANGO_DEBUG=true unless set otherwise)
run: export DJANGO_DEBUG ?= true
run: venv
	mkdir -p var
	$(MANAGE) run 127.0.0.1:8000

## test    ruff, mypy, migrations and API schema checks, then pytest on SQLite and on PostgreSQL
##         (PYTEST_ARGS="-x -k booking" is passed to both pytest runs)
test: venv
	VENV=$(VENV) bash scripts/test $(PYTEST_ARGS)

## worker  run the background task worker (django-tasks-db) against the same database
worker: venv
	$(MANAGE) worker

## lint    ruff check, ruff format --check and mypy
lint: export DJANGO_DEBUG ?= true
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

## fmt     sort imports and format the code in place
fmt: venv
	$(VENV)/bin/ruff check --select I --fix .
	$(VENV)/bin/ruff format .
