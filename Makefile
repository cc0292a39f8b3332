# The two set-up-and-run commands of the README. Each creates .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: report test bench cassettes derive clean chromium node

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

## The main job: the suite against the embedded emulator, both vendors, HTML + JSON + JUnit in reports/.
report: $(STAMP)
	$(BIN)/conformance run --report-dir reports

## The project's own tests.
test: $(STAMP) chromium node
	$(BIN)/ruff check conformance tests
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist worksteal -q

## The figures (not tests), written into docs/figures.md, each between its marker comments: the suite per vendor
## at 150, 2,000 and 10,000 instances (requests, discovery and checks apart, wall time, verdict), the default
## run, the replay, then the fixture's start-up and the emulator's throughput; the page names the machine.
FIGURES := docs/figures.md
bench: $(STAMP)
	$(BIN)/python -m conformance.suite.bench --repeat 3 --scale --write $(FIGURES)
	$(BIN)/python -m conformance.suite.bench --repeat 3 --write $(FIGURES)
	$(BIN)/python -m conformance.suite.bench --repeat 3 --write $(FIGURES) -- --replay
	$(BIN)/python -m conformance.emulator.bench --write $(FIGURES)

## Re-record the reference cassettes (both vendors, against the embedded emulator).
cassettes: $(STAMP)
	rm -rf cassettes/alibaba cassettes/tencent
	$(BIN)/conformance run --record --instances 60 --cassette-dir cassettes --report-dir reports

## Rewrite schemas/ from the vendor documents.
derive: $(STAMP)
	$(BIN)/python -m conformance.spec.derive

clean:
	rm -rf $(VENV) reports/*.html reports/*.json reports/*.xml tests/node/node_modules

## Debian's chromium, for the test that opens the HTML report in a real browser (root and apt, as in CI).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing and cannot be installed here: the browser test will skip"; fi; }

## Debian's nodejs and npm, then the vendors' Node SDKs pinned in tests/node/package-lock.json, for the tests that
## drive them with their defaults (tests/test_node_sdks.py); curl for the --no-auth test (tests/test_control_api.py).
## Without them those tests skip, saying why.
NODE_MODULES := tests/node/node_modules/.installed
node:
	@{ command -v node && command -v npm && command -v curl; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm curl >/dev/null; \
	  else echo "node, npm or curl is missing and cannot be installed here: the tests needing them will skip"; fi; }
	@if command -v npm >/dev/null 2>&1; then $(MAKE) -s --no-print-directory $(NODE_MODULES); fi

$(NODE_MODULES): tests/node/package.json tests/node/package-lock.json
	cd tests/node && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@
