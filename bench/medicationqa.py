"""MedicationQA as a retrieval test on real patients' wording, with MedQuAD's sections as distractors.

Each MedicationQA row is a consumer's question (verbatim, typos and all) and the trusted passage that answers
it. The rows are ingested as documents beside MedQuAD; each question is asked and the row's own document is
the expected result (**strict**). A few questions were asked twice with two answers, and a few answers are
the same text under two ids: **lenient** also accepts those rows.

The rows are split once, by a seeded shuffle of their ids, into a *tune* half (what fusion settings and
thresholds may be chosen on) and a *report* half (what the targets are decided on). Questions are grouped by
their text before splitting, so the same question never lands in both halves.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.machine import SHARED
from bench.medquad import iter_records
from bench.metrics import normalise_title

MEDICATIONQA = SHARED / "data" / "medicationqa.jsonl"
SPLIT_SEED = 29
SPLITS = ("tune", "report")
KS = (1, 5, 10)
DEPTH = 10


@dataclass(frozen=True)
class Question:
    row_id: str  # the MedicationQA row whose passage answers it
    text: str  # the consumer's question, verbatim
    question_type: str
    split: str  # "tune" or "report"
    lenient: frozenset[str]  # row ids also accepted: the same question's other answers, identical passages


def load_rows(path: Path = MEDICATIONQA) -> list[dict[str, Any]]:
    return list(iter_records(path))


def split_of(rows: Sequence[dict[str, Any]], seed: int = SPLIT_SEED) -> dict[str, str]:
    """Row id -> "tune" or "report": half of the distinct question texts each, seeded."""
    texts = sorted({normalise_title(row["question"]) for row in rows})
    random.Random(seed).shuffle(texts)
    tune = set(texts[: len(texts) // 2])
    return {row["id"]: "tune" if normalise_title(row["question"]) in tune else "report" for row in rows}


def questions(rows: Sequence[dict[str, Any]], seed: int = SPLIT_SEED) -> list[Question]:
    by_question: dict[str, set[str]] = {}
    by_text: dict[str, set[str]] = {}
    for row in rows:
        by_question.setdefault(normalise_title(row["question"]), set()).add(row["id"])
        by_text.setdefault(normalise_title(row["text"]), set()).add(row["id"])
    splits = split_of(rows, seed)
    return [
        Question(
            row_id=row["id"],
            text=" ".join(row["question"].split()),
            question_type=row.get("question_type") or "",
            split=splits[row["id"]],
            lenient=frozenset(
                by_question[normalise_title(row["question"])] | by_text[normalise_title(row["text"])]
            ),
        )
        for row in rows
    ]


def library_records(
    medquad: Path, rows: Iterable[dict[str, Any]], distractors: int = 0, seed: int = SPLIT_SEED
) -> list[dict[str, Any]]:
    """MedQuAD sections (all, or a seeded sample of `distractors` of them) and every MedicationQA passage as
    corpus records (id, title, url, source, text)."""
    sections = list(iter_records(medquad))
    if 0 < distractors < len(sections):
        sections = random.Random(seed).sample(sorted(sections, key=lambda r: r["id"]), distractors)
    records = []
    for record in [*sections, *rows]:
        records.append({key: record.get(key) for key in ("id", "title", "url", "source", "text")})
    return records


def write_corpus(records: Sequence[dict[str, Any]], out: Path) -> Path:
    """The records as one JSONL corpus file (what `index build` ingests); rewritten only when it changed."""
    text = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not out.is_file() or out.read_text(encoding="utf-8") != text:
        tmp = out.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    return out


def naive_text(record: dict[str, Any]) -> str:
    """A whole document as the naive baselines see it: "title. text"."""
    title = " ".join((record.get("title") or "").split())
    return f"{title}. {record['text']}" if title else record["text"]
