"""Approved answers: clinic-authored questions and answers, verified sentence by sentence against the library.

Staff write them in `corpus/approved/*.yaml`, each file one entry (a mapping) or a list of entries:

    id: what-is-dupilumab               # letters, digits, ".", "_" and "-"
    questions:                          # the ways patients ask it
      - What is dupilumab?
    answer: >                           # faithful paraphrases or quotes of the cited documents
      Dupilumab is a medication that blocks the IL-4/IL-13 signalling pathway.
    citations: [dupilumab-advanced-aa-donovan]   # document ids the answer is drawn from
    approved_by:                        # who approved it; empty = awaiting approval, never shown to patients
    approved_on:                        # ISO date (YYYY-MM-DD) of the approval; empty = awaiting approval

The index build reviews every sentence of every answer (`index.review`) and refuses to publish an entry with
an unsupported or mismatched sentence; published entries are stored with their evidence in `approved.jsonl`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from index.errors import CorpusError

SUFFIXES = (".yaml", ".yml")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_FIELDS = {"id", "questions", "answer", "citations", "approved_by", "approved_on"}


@dataclass(frozen=True)
class Evidence:
    """A verbatim passage of a document: `document.text[start:end] == quote`, inside chunk `chunk_id`."""

    doc_id: str
    chunk_id: str
    quote: str
    start: int
    end: int
    score: float = 0.0  # how closely it supports the sentence, in [0, 1]

    def to_record(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "score": self.score,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Evidence:
        return cls(
            str(record["doc_id"]),
            str(record["chunk_id"]),
            str(record["quote"]),
            int(record["start"]),
            int(record["end"]),
            float(record.get("score", 0.0)),
        )


@dataclass(frozen=True)
class ApprovedSentence:
    """One sentence of an approved answer and the passage that supports it."""

    text: str
    evidence: Evidence


@dataclass(frozen=True)
class ApprovedEntry:
    entry_id: str
    questions: tuple[str, ...]
    answer: str
    citations: tuple[str, ...]
    approved_by: str | None = None
    approved_on: dt.date | None = None
    source_path: str | None = None
    sentences: tuple[ApprovedSentence, ...] = ()  # filled in by the build's review

    def signed_off(self, today: dt.date) -> bool:
        """Whether a named person approved this answer on a date that has come: only then may patients see it."""
        return bool(self.approved_by) and self.approved_on is not None and self.approved_on <= today

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.entry_id,
            "questions": list(self.questions),
            "answer": self.answer,
            "citations": list(self.citations),
            "approved_by": self.approved_by,
            "approved_on": self.approved_on.isoformat() if self.approved_on else None,
            "source_path": self.source_path,
            "sentences": [{"text": s.text, "evidence": s.evidence.to_record()} for s in self.sentences],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ApprovedEntry:
        approved_on = record.get("approved_on")
        return cls(
            entry_id=str(record["id"]),
            questions=tuple(str(q) for q in record["questions"]),
            answer=str(record["answer"]),
            citations=tuple(str(c) for c in record["citations"]),
            approved_by=record.get("approved_by"),
            approved_on=dt.date.fromisoformat(approved_on) if approved_on else None,
            source_path=record.get("source_path"),
            sentences=tuple(
                ApprovedSentence(str(s["text"]), Evidence.from_record(s["evidence"]))
                for s in record["sentences"]
            ),
        )


def approved_files(directory: Path) -> list[Path]:
    """The YAML files of an approved-answers directory, in a stable order (none when it does not exist)."""
    if not directory.is_dir():
        return []
    return [p for p in sorted(directory.rglob("*")) if p.is_file() and p.suffix.lower() in SUFFIXES]


def load_approved(directory: Path) -> list[ApprovedEntry]:
    """Every entry under `directory`. Invalid fields and duplicate ids are errors naming the file."""
    entries: list[ApprovedEntry] = []
    seen: dict[str, str] = {}
    for path in approved_files(directory):
        for entry in _load_file(path):
            if entry.entry_id in seen:
                raise CorpusError(
                    f"duplicate approved answer id {entry.entry_id!r} in {path} and {seen[entry.entry_id]}"
                )
            seen[entry.entry_id] = str(path)
            entries.append(entry)
    return entries


def _load_file(path: Path) -> list[ApprovedEntry]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CorpusError(f"{path}: cannot read approved answers: {exc}") from exc
    items: Iterable[object] = data if isinstance(data, list) else [] if data is None else [data]
    return [
        _entry(item, f"{path}[{n}]" if isinstance(data, list) else str(path)) for n, item in enumerate(items)
    ]


def _entry(item: object, where: str) -> ApprovedEntry:
    if not isinstance(item, dict):
        raise CorpusError(f"{where}: an approved answer must be a mapping with {sorted(_FIELDS)}")
    unknown = sorted(set(map(str, item)) - _FIELDS)
    if unknown:
        raise CorpusError(f"{where}: unknown field(s) {unknown}; allowed: {sorted(_FIELDS)}")
    entry_id = item.get("id")
    if not isinstance(entry_id, str) or not _ID.fullmatch(entry_id):
        raise CorpusError(f"{where}: 'id' must be letters, digits, '.', '_' or '-' (got {entry_id!r})")
    where = f"{where} (approved answer {entry_id!r})"
    answer = item.get("answer")
    if not isinstance(answer, str) or not answer.strip():
        raise CorpusError(f"{where}: 'answer' must be non-empty text")
    approved_by = item.get("approved_by")
    if approved_by is not None and not isinstance(approved_by, str):
        raise CorpusError(f"{where}: 'approved_by' must be text or empty")
    return ApprovedEntry(
        entry_id=entry_id,
        questions=_texts(item.get("questions"), "questions", where),
        answer=" ".join(answer.split()),
        citations=_texts(item.get("citations"), "citations", where),
        approved_by=(approved_by or "").strip() or None,
        approved_on=_date(item.get("approved_on"), where),
        source_path=where.split(" (approved answer", 1)[0],
    )


def _texts(value: object, name: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise CorpusError(f"{where}: {name!r} must be a non-empty list")
    if not all(isinstance(v, str) and v.strip() for v in value):
        raise CorpusError(f"{where}: every item of {name!r} must be non-empty text")
    return tuple(" ".join(str(v).split()) for v in value)


def _date(value: object, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise CorpusError(f"{where}: 'approved_on' is not an ISO date (YYYY-MM-DD): {value!r}") from exc
