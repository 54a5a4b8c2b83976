# Two entry points for people: `make demo` and `make test`. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest schema messages audit clean

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/haven demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# One run: haven, benchmarks and tests (pyproject.toml [tool.mypy]).
typecheck: $(STAMP)
	$(BIN)/mypy

# axe-core for the browser accessibility tests comes from npm (pinned by package-lock.json);
# without npm those tests skip with a notice (under CI=true they fail).
pytest: $(STAMP)
	@[ -d tests/web/node/node_modules/axe-core ] || ! command -v npm >/dev/null || \
		npm ci --prefix tests/web/node --no-audit --no-fund --silent
	$(BIN)/pytest -n 2 -q

# Regenerate the published JSON Schema of the policy pack format.
schema: $(STAMP)
	$(BIN)/haven policy schema > docs/policy-pack.schema.json

# Extract the web app's UI text and merge it into the Dutch catalogue (then translate the new
# entries in haven/web/locale/nl/LC_MESSAGES/web.po; a test fails while any is missing).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o haven/web/locale/web.pot --no-location --sort-output --project Haven .
	$(BIN)/pybabel update -i haven/web/locale/web.pot -d haven/web/locale -D web -l nl --no-fuzzy-matching --omit-header

# Known vulnerabilities in the pinned dependencies (needs the PyPI JSON API; --strict fails
# when a package could not be checked, so an unreachable advisory source is not a pass).
audit: $(STAMP)
	$(BIN)/pip-audit -r constraints.txt --disable-pip --no-deps --strict --progress-spinner off

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
