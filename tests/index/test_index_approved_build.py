"""Approved answers at build time: loading, review, refusal of a bad entry, storage with checksums, staleness."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from index.__main__ import _approved_dir, main
from index.build import build_index, corpus_fingerprint, is_stale
from index.config import IndexSettings
from index.encoders.base import Embedder
from index.errors import ApprovedAnswerRejected, CorpusError, IndexCorrupt
from index.ingest.approved import load_approved
from index.ingest.chunking import ChunkSettings
from index.search.library import DATA_FILES, MANIFEST, file_digest, load_library
from tests.conftest import file_digests

DONOVAN = "dupilumab-advanced-aa-donovan"
# verbatim sentences of the seed library: supported whatever the embedder
GOOD = (
    "Dupilumab is a new medication that blocks that IL-4/IL-13 signaling pathway in the body. "
    "In the Harada et al study which involved study of adults with alopecia areata, only 1 of 4 adults had "
    "cosmetically significant regrowth."
)
BAD_SENTENCE = "Dupilumab cures alopecia in 90% of children."


def write_entry(directory: Path, entry_id: str, answer: str, citations: list[str], **extra: object) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    record = {
        "id": entry_id,
        "questions": [f"question about {entry_id}?"],
        "answer": answer,
        "citations": citations,
    }
    path = directory / f"{entry_id}.yaml"
    path.write_text(json.dumps({**record, **extra}), encoding="utf-8")  # JSON is YAML
    return path


def test_build_refuses_an_entry_with_an_unsupported_sentence(
    index_copy: Path, tmp_path: Path, fake_embedder: Embedder, seed_corpus_dir: Path
) -> None:
    approved = tmp_path / "approved"
    write_entry(approved, "good-entry", GOOD, [DONOVAN])
    write_entry(approved, "dupilumab-cures", f"{GOOD.split('. ')[0]}. {BAD_SENTENCE}", [DONOVAN])
    before = file_digests(index_copy)

    with pytest.raises(ApprovedAnswerRejected) as raised:
        build_index([seed_corpus_dir], index_copy, fake_embedder, ChunkSettings(), approved_dir=approved)

    message = str(raised.value)
    assert isinstance(raised.value, CorpusError)
    assert "'dupilumab-cures'" in message
    assert BAD_SENTENCE in message
    assert "good-entry" not in message  # only the entry at fault is named
    assert file_digests(index_copy) == before, "a refused build must leave the previous index as it was"
    assert not [p for p in index_copy.parent.iterdir() if ".building-" in p.name]


def test_build_refuses_an_entry_citing_an_unknown_document(
    index_copy: Path, tmp_path: Path, fake_embedder: Embedder, seed_corpus_dir: Path
) -> None:
    approved = tmp_path / "approved"
    write_entry(approved, "ghost", GOOD, ["no-such-document"])
    with pytest.raises(ApprovedAnswerRejected, match=r"'ghost'.*no-such-document"):
        build_index([seed_corpus_dir], index_copy, fake_embedder, ChunkSettings(), approved_dir=approved)


def test_published_entries_are_stored_with_evidence_and_checksum(
    index_copy: Path, tmp_path: Path, fake_embedder: Embedder, seed_corpus_dir: Path
) -> None:
    approved = tmp_path / "approved"
    write_entry(approved, "good-entry", GOOD, [DONOVAN], approved_by="", approved_on=None)
    report = build_index([seed_corpus_dir], index_copy, fake_embedder, ChunkSettings(), approved_dir=approved)

    assert report.approved == 1
    assert report.awaiting_approval == ["good-entry"]  # no approver or date: published, never served
    manifest = json.loads((index_copy / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == sorted(DATA_FILES)
    assert manifest["files"]["approved.jsonl"]["sha256"] == file_digest(index_copy / "approved.jsonl")
    library = load_library(index_copy)
    (entry,) = library.approved
    assert (entry.entry_id, entry.approved_by, entry.approved_on) == ("good-entry", None, None)
    assert [s.text for s in entry.sentences] == GOOD.replace(". In", ".\nIn").split("\n")
    for sentence in entry.sentences:
        evidence = sentence.evidence
        document = library.documents[evidence.doc_id]
        assert evidence.doc_id == DONOVAN
        assert document.text[evidence.start : evidence.end] == evidence.quote
        chunk = next(c for c in library.chunks if c.chunk_id == evidence.chunk_id)
        assert chunk.start <= evidence.start < chunk.end


def test_evidence_that_no_longer_matches_its_document_is_corrupt(
    index_copy: Path, tmp_path: Path, fake_embedder: Embedder, seed_corpus_dir: Path
) -> None:
    approved = tmp_path / "approved"
    write_entry(approved, "good-entry", GOOD, [DONOVAN])
    build_index([seed_corpus_dir], index_copy, fake_embedder, ChunkSettings(), approved_dir=approved)
    path = index_copy / "approved.jsonl"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["sentences"][0]["evidence"]["start"] += 1
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(IndexCorrupt, match=r"approved\.jsonl does not match its sha256"):
        load_library(index_copy)
    manifest = json.loads((index_copy / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"]["approved.jsonl"] = {"bytes": path.stat().st_size, "sha256": file_digest(path)}
    (index_copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match=r"approved\.jsonl is inconsistent.*good-entry"):
        load_library(index_copy)


def test_an_index_without_approved_answers_has_an_empty_file(seed_index_dir_fake: Path) -> None:
    assert (seed_index_dir_fake / "approved.jsonl").read_bytes() == b""
    assert load_library(seed_index_dir_fake).approved == []


def test_approved_answers_are_part_of_the_fingerprint(
    tmp_path: Path, index_copy: Path, fake_embedder: Embedder, seed_corpus_dir: Path
) -> None:
    approved = tmp_path / "approved"
    path = write_entry(approved, "good-entry", GOOD, [DONOVAN])
    settings = ChunkSettings()
    plain = corpus_fingerprint([seed_corpus_dir], fake_embedder.name, settings)
    with_approved = corpus_fingerprint([seed_corpus_dir], fake_embedder.name, settings, approved)
    assert plain != with_approved
    build_index([seed_corpus_dir], index_copy, fake_embedder, settings, approved_dir=approved)
    assert not is_stale(index_copy, [seed_corpus_dir], fake_embedder.name, settings, approved)
    path.write_text(
        path.read_text(encoding="utf-8").replace("question about", "a question about"), encoding="utf-8"
    )
    assert is_stale(index_copy, [seed_corpus_dir], fake_embedder.name, settings, approved)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            {"id": "x", "questions": ["q?"], "answer": "a.", "citations": ["d"], "author": "n"},
            r"unknown field.*author",
        ),
        ({"id": "x y", "questions": ["q?"], "answer": "a.", "citations": ["d"]}, r"'id' must be"),
        (
            {"id": "x", "questions": [], "answer": "a.", "citations": ["d"]},
            r"'x'.*'questions' must be a non-empty list",
        ),
        ({"id": "x", "questions": ["q?"], "answer": " ", "citations": ["d"]}, r"'answer' must be non-empty"),
        ({"id": "x", "questions": ["q?"], "answer": "a."}, r"'citations' must be a non-empty list"),
        (
            {"id": "x", "questions": ["q?"], "answer": "a.", "citations": ["d"], "approved_on": "soon"},
            r"ISO date",
        ),
    ],
)
def test_invalid_entries_name_the_file_and_field(
    tmp_path: Path, content: dict[str, object], problem: str
) -> None:
    (tmp_path / "entry.yaml").write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"entry\.yaml.*" + problem):
        load_approved(tmp_path)


def test_entries_load_from_single_files_and_lists(tmp_path: Path) -> None:
    entry = {"questions": ["q?"], "answer": "An   answer.\n", "citations": ["d"], "approved_by": None}
    (tmp_path / "a.yaml").write_text(json.dumps({"id": "a", **entry}), encoding="utf-8")
    (tmp_path / "more.yml").write_text(
        json.dumps([{"id": "b", **entry}, {"id": "c", **entry}]), encoding="utf-8"
    )
    loaded = load_approved(tmp_path)
    assert [e.entry_id for e in loaded] == ["a", "b", "c"]
    assert loaded[0].answer == "An answer."
    assert load_approved(tmp_path / "missing") == []
    (tmp_path / "dup.yaml").write_text(json.dumps({"id": "a", **entry}), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"duplicate approved answer id 'a'.*dup\.yaml.*a\.yaml"):
        load_approved(tmp_path)


def test_the_seed_entries_are_valid_and_leave_approval_fields_unknown() -> None:
    entries = load_approved(Path(__file__).resolve().parents[2] / "corpus" / "approved")
    assert 5 <= len(entries) <= 10
    for entry in entries:
        assert entry.approved_by is None, "approvals are for staff to record, never invented"
        assert entry.approved_on is None
        assert entry.questions
        assert entry.citations


def test_cli_rejects_a_missing_approved_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    assert main(["build", "--out", str(tmp_path / "index"), "--approved", str(missing)]) == 2
    assert f"{missing}: no such approved-answers directory" in capsys.readouterr().err
    assert not (tmp_path / "index").exists()


def test_signed_off_needs_a_name_and_a_date_that_has_come(tmp_path: Path) -> None:
    today = dt.date(2026, 6, 1)
    base = load_approved(Path(__file__).resolve().parents[2] / "corpus" / "approved")[0]
    assert not base.signed_off(today)
    assert not dataclasses.replace(base, approved_by="Dr A").signed_off(today)
    assert not dataclasses.replace(base, approved_on=today).signed_off(today)
    assert dataclasses.replace(base, approved_by="Dr A", approved_on=today).signed_off(today)
    tomorrow = today + dt.timedelta(days=1)
    assert not dataclasses.replace(base, approved_by="Dr A", approved_on=tomorrow).signed_off(today)


def test_the_approved_directory_is_found_beside_or_inside_the_corpus(tmp_path: Path) -> None:
    settings = IndexSettings()
    (tmp_path / "corpus" / "library").mkdir(parents=True)
    (tmp_path / "corpus" / "approved").mkdir()
    assert (
        _approved_dir(settings, [tmp_path / "corpus" / "library"], None, False)
        == tmp_path / "corpus" / "approved"
    )
    assert _approved_dir(settings, [tmp_path / "corpus"], None, False) == tmp_path / "corpus" / "approved"
    assert _approved_dir(settings, [tmp_path / "corpus"], None, True) is None
    (tmp_path / "elsewhere").mkdir()
    assert _approved_dir(settings, [tmp_path / "elsewhere"], None, False) is None
