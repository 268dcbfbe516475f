# agentops-gen: `make demo` sets up and renders the examples; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SPECS ?= slo_specs
OUT ?= out

.PHONY: demo setup test tools lint bench check clean fuzz fuzz-tests

$(BIN)/agentops-gen: pyproject.toml agentops_gen/*.py agentops_gen/*/*.py $(shell find templates -type f)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet ".[test]"
	touch $@

setup: $(BIN)/agentops-gen

demo: setup
	$(BIN)/agentops-gen render $(SPECS) --out $(OUT)
	$(BIN)/agentops-gen render $(SPECS) --out $(OUT) --check
	@echo "rendered $(SPECS) into $(OUT)/"

# promtool and amtool come from Debian's prometheus and prometheus-alertmanager packages.
tools:
	@if ! command -v promtool >/dev/null || ! command -v amtool >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null; \
	fi
	@promtool --version | head -1
	@amtool --version | head -1

# Three pytest-xdist workers for two CPUs: the real-server tests mostly wait (a `for: 2m` alert takes two
# minutes of wall time), and the third worker keeps both CPUs busy meanwhile. tests/conftest.py orders
# the run (the long wait, promtool runs, real servers, the rest) and turns loadscope into "a module with
# a module fixture is one unit, any other test its own"; --no-loadscope-reorder keeps the order.
test: setup tools
	$(BIN)/python -m pytest -q -n 3 --dist loadscope --no-loadscope-reorder
	$(BIN)/agentops-gen render $(SPECS) --out $(OUT) --check

# Thousands of mutated specs (tests/test_fuzz.py; `make test` runs 200). Replay one failing case with
# `make fuzz FUZZ_SEED=<seed> FUZZ_ONLY=<number>`; FUZZ_STRICT=1 also fails on KNOWN_UNFIXED kinds.
FUZZ_SEED ?= 1
FUZZ_CASES ?= 3000
FUZZ_ONLY ?=
FUZZ_TEST_RULES ?= 20
fuzz: setup tools
	FUZZ_SEED=$(FUZZ_SEED) FUZZ_CASES=$(FUZZ_CASES) FUZZ_ONLY=$(FUZZ_ONLY) FUZZ_TEST_RULES=$(FUZZ_TEST_RULES) FUZZ_TEST_BYTES=0 \
	  $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/test_fuzz.py -k fuzzed

# Generated promtool tests of many random valid specs (tests/spec_fuzz.py); CI does not need it.
FUZZ_TESTS ?= 30
fuzz-tests: setup tools
	FUZZ_TESTS=$(FUZZ_TESTS) $(BIN)/python -m pytest -q tests/test_spec_fuzz.py -k test_random_specs

lint: setup
	$(BIN)/ruff check agentops_gen tests bench
	$(BIN)/mypy agentops_gen
	$(BIN)/agentops-gen lint $(SPECS)

bench: setup tools
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
