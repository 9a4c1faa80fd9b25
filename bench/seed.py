"""The seed library's patient questions (bench/questions_seed.yaml): loading, validation and scoring."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.metrics import Rank, first_rank, mrr, recall_at_k, share
from index.ingest.documents import Document
from index.search.retriever import Retriever

QUESTIONS = Path(__file__).with_name("questions_seed.yaml")
DEPTH = 10  # passages retrieved per question
SHOWN = 3  # passages the service shows at most


class QuestionsError(ValueError):
    """The questions file is malformed or a phrase is not in its document."""


@dataclass(frozen=True)
class SeedQuestion:
    text: str
    expected_doc: str
    expected_phrase: str
    also_docs: tuple[str, ...] = ()
    also_phrases: tuple[str, ...] = ()

    @property
    def accepted_docs(self) -> set[str]:
        return {self.expected_doc, *self.also_docs}

    @property
    def phrases(self) -> tuple[str, ...]:
        return (self.expected_phrase, *self.also_phrases)

    def answered_by(self, texts: Iterable[str]) -> bool:
        """Whether one of `texts` holds the expected phrase (or an also_phrase), whitespace squashed."""
        shown = [squash(text) for text in texts]
        return any(squash(p) in text for p in self.phrases for text in shown)


def squash(text: str) -> str:
    return " ".join(text.split())


def load_questions(documents: Mapping[str, Document], path: Path = QUESTIONS) -> list[SeedQuestion]:
    """Questions whose documents exist and whose phrase occurs verbatim in the expected document."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise QuestionsError(f"{path}: expected a non-empty list under 'questions'")
    questions = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: question {number}"
        question = _question(entry, where)
        for doc_id in question.accepted_docs:
            if doc_id not in documents:
                raise QuestionsError(f"{where}: no document {doc_id!r} in the seed library")
        if squash(question.expected_phrase) not in squash(documents[question.expected_doc].text):
            raise QuestionsError(
                f"{where}: phrase {question.expected_phrase!r} is not in the cleaned text of {question.expected_doc}"
            )
        for phrase in question.also_phrases:
            if not any(squash(phrase) in squash(documents[d].text) for d in question.accepted_docs):
                raise QuestionsError(f"{where}: also_phrase {phrase!r} is in none of the accepted documents")
        questions.append(question)
    return questions


def _question(entry: Any, where: str) -> SeedQuestion:
    if not isinstance(entry, dict):
        raise QuestionsError(f"{where}: expected a mapping with q, expected_doc, expected_phrase")
    for key in ("q", "expected_doc", "expected_phrase"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise QuestionsError(f"{where}: {key!r} must be non-empty text")
    also = _text_list(entry, "also_docs", where)
    phrases = _text_list(entry, "also_phrases", where)
    return SeedQuestion(
        entry["q"].strip(), entry["expected_doc"], entry["expected_phrase"], tuple(also), tuple(phrases)
    )


def _text_list(entry: dict[str, Any], key: str, where: str) -> list[str]:
    value = entry.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise QuestionsError(f"{where}: {key} must be a list of non-empty texts")
    return value


@dataclass
class SeedScores:
    ranks: list[Rank]
    phrase_hits: list[bool]
    questions: list[SeedQuestion]

    def summary(self) -> dict[str, float]:
        return {
            "hit@1": round(recall_at_k(self.ranks, 1), 4),
            "hit@3": round(recall_at_k(self.ranks, 3), 4),
            "mrr@10": round(mrr(self.ranks, DEPTH), 4),
            "phrase_hit@3": round(share(self.phrase_hits), 4),
        }

    def phrase_misses(self) -> list[str]:
        return [q.text for q, hit in zip(self.questions, self.phrase_hits, strict=True) if not hit]


def score_questions(retriever: Retriever, questions: Sequence[SeedQuestion], mode: str) -> SeedScores:
    scores = SeedScores([], [], list(questions))
    for question in questions:
        hits = retriever.search(question.text, DEPTH, mode=mode)
        scores.ranks.append(first_rank((h.chunk.doc_id for h in hits), question.accepted_docs))
        scores.phrase_hits.append(question.answered_by(h.chunk.text for h in hits[:SHOWN]))
    return scores
