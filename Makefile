# Two commands on a fresh machine: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Extra pip options for torch, e.g. TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
TORCH_PIP_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
INDEX_DIR ?= var/index
# MedQuAD sections beside MedicationQA's passages in `make eval` (0 = all 16k: about an hour to embed on 2 cores)
MQA_DISTRACTORS ?= 4000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test lint typecheck index bench bench-index eval fault triage-model browser-deps clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# torch first, pinned: an unpinned torch pulls a multi-GB CUDA build
	$(PY) -m pip install --quiet torch==2.13.0 $(TORCH_PIP_ARGS)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

index: $(STAMP)
	$(PY) -m index build --if-stale --out $(INDEX_DIR)

run: index
	@$(PY) -m service --host $(HOST) --port $(PORT) --index $(INDEX_DIR) --workers $(WORKERS)

browser-deps:
	@bash scripts/browser-deps.sh

test: $(STAMP) browser-deps
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check index service tests bench
	$(VENV)/bin/ruff format --check index service tests bench
	$(VENV)/bin/mypy

bench-index: $(STAMP)
	$(PY) -m bench.index_build --fresh

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
	$(PY) -m pip install --quiet -e '.[fault]'
	$(PY) -m bench.fault

bench: $(STAMP)
	$(PY) -m bench.load --workers 2
	$(PY) -m bench.peer

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
