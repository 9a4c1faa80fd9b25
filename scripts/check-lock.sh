#!/usr/bin/env bash
# Checks the lock files against each other (run by `make lint` and `make lock`): every pin of runtime.txt is
# a pin of constraints.txt, torch is pinned to the version the Makefile and Dockerfile install, and the serving
# set has no torch in it.
set -euo pipefail
cd "$(dirname "$0")/.."
constraints=requirements/constraints.txt
runtime=requirements/runtime.txt
status=0
pins() { grep -vE '^\s*(#|$)' "$1" | tr '[:upper:]_' '[:lower:]-'; }
missing=$(comm -23 <(pins "$runtime" | sort) <(pins "$constraints" | sort))
if [ -n "$missing" ]; then
    echo "$runtime pins what $constraints does not (run make lock):" >&2
    echo "$missing" >&2
    status=1
fi
if ! grep -qx 'torch==2.13.0' "$constraints"; then
    echo "$constraints must pin torch==2.13.0 (the CPU build the Makefile and Dockerfile install)" >&2
    status=1
fi
if pins "$runtime" | grep -E '^(torch|sentence-transformers|transformers|onnx|onnxscript)=='; then
    echo "$runtime must not hold torch or the export's packages" >&2
    status=1
fi
if pins "$constraints" | grep -vE '^[a-z0-9][a-z0-9.-]*==[^ ]+$'; then
    echo "$constraints: every line must be name==version" >&2
    status=1
fi
exit $status
