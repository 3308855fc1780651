# The two commands the README gives: `make build` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
# constraints.txt pins every transitive dependency to the set the tests ran with
INSTALL = $(PIP) install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: build test install install-test lint clean bench predictions

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(INSTALL) -e .
	@touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml constraints.txt
	$(INSTALL) -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make build: create .venv, install, build and validate dataset/, regenerate the committed
## predictions (`make predictions`: a new article or a re-cleaned text changes them; when they
## change the release is rebuilt, since the card's leaderboard scores them), refresh the
## DATASHEET.md tables
PREDICTION_FILES := benchmark/predictions/*.jsonl
build: install
	$(BIN)/trisec build
	@before="$$(cat $(PREDICTION_FILES) | sha256sum)"; \
	$(MAKE) --no-print-directory predictions && \
	if [ "$$before" != "$$(cat $(PREDICTION_FILES) | sha256sum)" ]; then \
	echo "benchmark/predictions/ changed: rebuilding the release to score them"; \
	$(BIN)/trisec build; fi
	$(BIN)/trisec docs

lint: install-test
	$(BIN)/ruff check src tests scripts

## make test: create .venv with test extras, lint, check dataset/ is fresh, run the suite
test: install-test lint
	$(BIN)/trisec build --check
	$(BIN)/python -m pytest -q

## make predictions: regenerate every committed file in benchmark/predictions/ from dataset/
## (rule baseline; spaCy models retrained, 6 models of ~20 s CPU each, into models/spacy/);
## run after anything that changes the published text, then `make build` and commit
predictions: install
	$(BIN)/trisec predict --baseline rules --split test -o benchmark/predictions/rules.jsonl
	$(BIN)/trisec predict --baseline rules --split all -o benchmark/predictions/rules.all.jsonl
	$(BIN)/trisec train spacy --folds test --folds loo --predict-to benchmark/predictions/

## make bench: throughput benchmark (synthetic crawls of 1,000 and 10,000 pages), table + JSON
bench: install-test
	$(BIN)/python scripts/bench.py --out bench-results.json

clean:
	rm -rf $(VENV) .pytest_cache
