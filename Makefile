# Two commands on a fresh machine: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3.11
# `make lock` resolves with this Python: the oldest 3.11 at hand, so the pins install on every later one
# (on this machine Debian's 3.11.2: soupsieve 4, for one, needs 3.11.5)
LOCK_PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) $(PYTHON))
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Extra pip options for torch alone, e.g. TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
TORCH_PIP_ARGS ?=
# Every dependency pinned (made by `make lock`); runtime.txt is its torch-free ONNX serving subset (Dockerfile)
CONSTRAINTS := requirements/constraints.txt
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
INDEX_DIR ?= var/index
# MedQuAD sections beside MedicationQA's passages in `make eval` (0 = all 16k: about an hour to embed on 2 cores)
MQA_DISTRACTORS ?= 4000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install lock run test check-fast lint typecheck index bench bench-deps bench-index bench-publish eval fault triage-model browser-deps clean

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip -c $(CONSTRAINTS)
	@# torch first, pinned and alone: an unpinned torch pulls a multi-GB CUDA build. Its own requirements
	@# are installed, at the locked versions, by the next line.
	$(PY) -m pip install --quiet --no-deps torch==2.13.0 $(TORCH_PIP_ARGS)
	@# torch: the export of the ONNX graph, the reference backend and the tests' real model; dev: the tools
	$(PY) -m pip install --quiet -c $(CONSTRAINTS) -e '.[torch,dev]'
	$(PY) -m pip check
	@touch $(STAMP)

install: $(STAMP)

# Regenerate requirements/constraints.txt and requirements/runtime.txt from pyproject.toml's ranges, in
# throwaway venvs (torch==2.13.0 first); commit both. See scripts/lock.sh.
lock:
	PYTHON=$(LOCK_PYTHON) TORCH_PIP_ARGS="$(TORCH_PIP_ARGS)" bash scripts/lock.sh

index: $(STAMP)
	@# corpus/ imports into the library store (CLINIC_LIBRARY_URL); the index is built from the store
	CLINIC_INDEX_DIR=$(INDEX_DIR) $(PY) -m index publish --if-stale

run: index
	@$(PY) -m service --host $(HOST) --port $(PORT) --index $(INDEX_DIR) --workers $(WORKERS)

browser-deps:
	@bash scripts/browser-deps.sh

test: $(STAMP) browser-deps
	$(PY) -m pytest

# The suite without the real model, the browser tests and the one slow test (retraining the triage
# classifier): under a minute. tests/conftest.py marks the model tests; `make test` runs everything.
check-fast: $(STAMP)
	$(PY) -m pytest -m "not model and not browser and not slow"

lint: $(STAMP)
	bash scripts/check-lock.sh
	$(VENV)/bin/ruff check index service tests bench
	$(VENV)/bin/ruff format --check index service tests bench
	$(VENV)/bin/mypy

bench-index: $(STAMP)
	$(PY) -m bench.index_build --fresh

# Publishing one uploaded leaflet on the seed library, end to end on the real service (issue #15)
bench-publish: $(STAMP)
	$(PY) -m bench.publish_time

eval: $(STAMP)
	$(PY) -m bench.eval
	$(PY) -m bench.seed_heldout_eval
	$(PY) -m bench.triage_eval
	$(PY) -m bench.medicationqa_eval --distractors $(MQA_DISTRACTORS)

# Retrain the triage classifier from service/triage/data (deterministic; commit the result)
triage-model: $(STAMP)
	$(PY) -m service.triage train

# Load and faults on loopback (issue #13): schemathesis, flood, malformed input, a killed worker, an index swap
fault: $(STAMP)
	$(PY) -m pip install --quiet -c $(CONSTRAINTS) -e '.[fault]'
	$(PY) -m bench.fault

bench: $(STAMP)
	$(PY) -m bench.load --workers 2
	$(PY) -m bench.peer

# txtai, the peer of `make bench` (bench.peer skips it when it is not installed), at the locked versions
bench-deps: $(STAMP)
	$(PY) -m pip install --quiet -c $(CONSTRAINTS) -e '.[bench]'

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
