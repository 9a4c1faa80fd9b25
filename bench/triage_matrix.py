"""The safety triage's confusion matrix over the labelled cases of tests/service/triage_cases.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bench.machine import REPO
from service.triage import Triage, TriageKind

CASES = REPO / "tests" / "service" / "triage_cases.yaml"
LABELS = [kind.value for kind in TriageKind]  # emergency, personal_advice, retrieval


def confusion(pairs: list[tuple[str, str]], labels: list[str]) -> dict[str, dict[str, int]]:
    """{expected: {predicted: count}} with every label present in both dimensions."""
    matrix = {e: dict.fromkeys(labels, 0) for e in labels}
    for expected, predicted in pairs:
        matrix[expected][predicted] += 1
    return matrix


def triage_matrix(cases_path: Path = CASES) -> dict[str, Any]:
    if not cases_path.is_file():
        return {"skipped": f"{cases_path} is missing"}
    cases = yaml.safe_load(cases_path.read_text(encoding="utf-8"))["cases"]
    triage = Triage.from_file()
    pairs = []
    self_harm_missed = 0
    for case in cases:
        result = triage(case["text"])
        pairs.append((case["expect"], result.kind.value))
        if case.get("category") == "self_harm" and not result.is_self_harm:
            self_harm_missed += 1
    matrix = confusion(pairs, LABELS)
    correct = sum(matrix[label][label] for label in LABELS)
    emergency = matrix[TriageKind.EMERGENCY.value]
    return {
        "cases": len(pairs),
        "labels": LABELS,
        "matrix": matrix,
        "accuracy": round(correct / len(pairs), 4) if pairs else 0.0,
        "emergencies_missed": sum(emergency.values()) - emergency[TriageKind.EMERGENCY.value],
        "self_harm_not_flagged_as_self_harm": self_harm_missed,
    }
