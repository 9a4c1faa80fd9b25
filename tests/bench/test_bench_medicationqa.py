"""MedicationQA's split and corpus helpers and the naive baselines, on small made-up rows: no model, no data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # `bench` is not an installed package; `python -m pytest` has it already
    sys.path.insert(0, str(REPO))

from bench.baselines import NaiveBaselines, cached_vectors  # noqa: E402
from bench.medicationqa import library_records, naive_text, questions, split_of, write_corpus  # noqa: E402

ROWS = [
    {"id": f"mqa-{i}", "question": q, "text": t, "title": f"Answer {i}", "question_type": "usage"}
    for i, (q, t) in enumerate(
        [
            ("how does rivastigmine work", "Rivastigmine is a cholinesterase inhibitor."),
            ("How does  Rivastigmine work", "It raises acetylcholine in the brain."),
            ("is it safe to take ibuprofen with warfarin", "Ibuprofen raises the risk of bleeding."),
            ("what is metformin for", "Metformin lowers blood sugar."),
            ("can i drink alcohol on metronidazole", "Avoid alcohol while taking metronidazole."),
            ("what does lisinopril treat", "Metformin lowers blood sugar."),
            ("how long does amoxicillin stay in your system", "Amoxicillin leaves within a day."),
            ("why is my tongue black", "Bismuth can darken the tongue."),
        ]
    )
]


def test_split_is_by_question_text_and_reproducible() -> None:
    splits = split_of(ROWS)
    assert set(splits.values()) <= {"tune", "report"}
    assert splits == split_of(list(reversed(ROWS)))
    # the same question, differently spaced and cased, never lands in both halves
    assert splits["mqa-0"] == splits["mqa-1"]
    halves = [sum(1 for s in splits.values() if s == half) for half in ("tune", "report")]
    assert min(halves) >= 2


def test_lenient_accepts_the_same_question_and_identical_passages() -> None:
    by_id = {q.row_id: q for q in questions(ROWS)}
    assert by_id["mqa-0"].lenient == {"mqa-0", "mqa-1"}
    assert by_id["mqa-3"].lenient == {"mqa-3", "mqa-5"}  # the same passage under two ids
    assert by_id["mqa-2"].lenient == {"mqa-2"}
    assert by_id["mqa-1"].text == "How does Rivastigmine work"


def test_library_records_sample_distractors_and_keep_every_row(tmp_path: Path) -> None:
    medquad = tmp_path / "medquad.jsonl"
    medquad.write_text(
        "".join(
            json.dumps({"id": f"mq-{i}", "title": f"Topic {i}", "url": "", "source": "x", "text": "t"}) + "\n"
            for i in range(20)
        )
    )
    records = library_records(medquad, ROWS, distractors=5)
    ids = [r["id"] for r in records]
    assert sum(1 for i in ids if i.startswith("mq-")) == 5
    assert [i for i in ids if i.startswith("mqa-")] == [r["id"] for r in ROWS]
    assert ids == [r["id"] for r in library_records(medquad, ROWS, distractors=5)]
    assert len(library_records(medquad, ROWS)) == 20 + len(ROWS)
    corpus = write_corpus(records, tmp_path / "corpus" / "mqa.jsonl")
    before = corpus.stat().st_mtime_ns
    write_corpus(records, corpus)
    assert corpus.stat().st_mtime_ns == before  # unchanged text is not rewritten
    assert [json.loads(line)["id"] for line in corpus.read_text().splitlines()] == ids


def test_naive_text_prefixes_the_title() -> None:
    assert naive_text({"title": " Metformin\n", "text": "Lowers sugar."}) == "Metformin. Lowers sugar."
    assert naive_text({"title": None, "text": "Lowers sugar."}) == "Lowers sugar."


def test_fuse_is_reciprocal_rank_with_stable_ties() -> None:
    assert NaiveBaselines.fuse(["a", "b", "c"], ["b", "a", "d"]) == ["a", "b", "c", "d"]
    assert NaiveBaselines.fuse(["b", "a"], ["a", "b"]) == ["a", "b"]  # equal scores: id order
    assert NaiveBaselines.fuse(["x"], ["y", "x"]) == ["x", "y"]


def test_naive_bm25_and_dense_rank_documents() -> None:
    texts = [naive_text(r) for r in ROWS]
    ids = [r["id"] for r in ROWS]
    vectors = np.eye(len(ROWS), dtype=np.float32)
    baselines = NaiveBaselines(ids, texts, vectors)
    bm25 = baselines.bm25(["alcohol metronidazole", "the of and"])
    assert bm25[0][0] == "mqa-4"
    assert bm25[1] == []  # only stopwords: nothing to rank
    dense = baselines.dense(vectors[[6, 2]], depth=3)
    assert [ranking[0] for ranking in dense] == ["mqa-6", "mqa-2"]
    assert all(len(ranking) == 3 for ranking in dense)
    with pytest.raises(ValueError, match="one id"):
        NaiveBaselines(ids[:-1], texts, vectors)


class CountingEmbedder:
    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        self.calls += 1
        return np.asarray([[len(t), 1.0] for t in texts], dtype=np.float32)


def test_cached_vectors_recompute_only_when_a_text_changes(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    cache = tmp_path / "vectors.npy"
    first = cached_vectors(embedder, ["a", "bb"], cache)  # type: ignore[arg-type]
    again = cached_vectors(embedder, ["a", "bb"], cache)  # type: ignore[arg-type]
    assert embedder.calls == 1
    np.testing.assert_array_equal(first, again)
    changed = cached_vectors(embedder, ["a", "bbb"], cache)  # type: ignore[arg-type]
    assert embedder.calls == 2
    assert changed[1, 0] == 3.0
