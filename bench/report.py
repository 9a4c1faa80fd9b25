"""Markdown tables of the benchmark results, the JSON files in bench/results, and bench/results/LATEST.md.

Every renderer takes the JSON-ready dict its benchmark writes, so LATEST.md is always rebuilt from the
latest result files, whichever benchmark ran last.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.machine import REPO
from bench.renderers import (
    render_eval,
    render_fault,
    render_index_build,
    render_load,
    render_medicationqa,
    render_peer,
    render_seed_heldout,
    render_triage,
)

RESULTS = REPO / "bench" / "results"
LATEST = RESULTS / "LATEST.md"
MEDQUAD_CREDIT = (
    "MedQuAD: Ben Abacha & Demner-Fushman, BMC Bioinformatics 20:511 (2019), CC BY 4.0; "
    "text from NIH sites (GARD, GHR, NIDDK, NINDS, NHLBI, CDC, Cancer.gov, NIHSeniorHealth, MedlinePlus)."
)
COMMANDS = {
    "index_build": "make bench-index   # python -m bench.index_build --fresh",
    "eval": "make eval          # python -m bench.eval [--sample 2000]",
    "load": "make bench         # python -m bench.load [--seconds 20], then python -m bench.peer",
    "peer": "python -m bench.peer [--limit N] [--sample 2000]",
    "triage": "make eval          # python -m bench.triage_eval [--candidates]",
    "medicationqa": "make eval          # python -m bench.medicationqa_eval [--split tune]",
    "seed_heldout": "make eval          # python -m bench.seed_heldout_eval",
    "fault": "make fault         # python -m bench.fault [--seconds 15] [--max-examples 100]",
}


def machine_line(machine: dict[str, Any] | None) -> str:
    if not machine:
        return "machine: unknown"
    packages = ", ".join(f"{name} {version}" for name, version in machine.get("packages", {}).items())
    return (
        f"machine: {machine.get('cpu')}, {machine.get('cores')} cores, {machine.get('memory_gib')} GiB RAM; "
        f"Python {machine.get('python')} on {machine.get('platform')}; {packages}"
    )


def write_result(name: str, result: dict[str, Any]) -> Path:
    """bench/results/<name>.json, then LATEST.md rebuilt from every result file present."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_latest()
    return path


def publish(name: str, result: dict[str, Any], rendered: str) -> Path:
    """Print a benchmark's rendered result, write bench/results/<name>.json and rebuild LATEST.md."""
    print()
    print(rendered)
    path = write_result(name, result)
    print(f"\nwritten to {path} and {path.with_name('LATEST.md')}")
    return path


def _read(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_latest() -> Path:
    sections = ["# Benchmark results (latest run of each)\n"]
    renderers = (
        ("index_build", "Index build (all of MedQuAD)", render_index_build),
        ("eval", "Retrieval quality", render_eval),
        (
            "seed_heldout",
            "Retrieval quality: held-out patient questions on the seed library",
            render_seed_heldout,
        ),
        ("medicationqa", "Retrieval on patients' own wording: MedicationQA", render_medicationqa),
        ("triage", "Safety triage", render_triage),
        ("load", "/ask under load", render_load),
        ("fault", "Load and faults (issue #13)", render_fault),
        ("peer", "Peer comparison: txtai", render_peer),
    )
    for name, heading, render in renderers:
        result = _read(name)
        if result is None:
            continue
        sections.append(f"## {heading}\n")
        sections.append(f"Reproduce: `{COMMANDS[name]}`  \n{machine_line(result.get('machine'))}\n")
        sections.append(render(result) + "\n")
    sections.append(f"_{MEDQUAD_CREDIT}_\n")
    LATEST.write_text("\n".join(sections), encoding="utf-8")
    return LATEST
