# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# The networks extra asks for torch>=2.13; unpinned, pip may pick a CUDA build of
# several GB.  The test install pins the CPU wheel (on the build machines it lies on
# disk: pip's find-links).  Elsewhere: make test TORCH='torch --index-url https://download.pytorch.org/whl/cpu'
TORCH ?= torch==2.13.0

.PHONY: run test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet $(TORCH) -e '.[test,networks]'
	touch $@

run: $(STAMP)
	$(BIN)/kramers verify --quick

# One test process per core (pytest-xdist), each test file whole in one process, so that a
# file's fixtures and kernels are built once: make test TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= auto

test: $(TEST_STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(BIN)/kramers bench

clean:
	rm -rf $(VENV) build *.egg-info
