"""Approved answers on /api/v1/ask: served for close variants of their questions, never before triage."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from index.build import build_index
from index.encoders.base import Embedder
from index.ingest.approved import load_approved
from index.ingest.chunking import ChunkSettings
from index.search.library import Library, load_library
from index.search.retriever import Retriever
from service.answers import AnswerComposer
from service.app import create_app
from service.config import Settings
from service.runtime import compose, serve
from service.templates import Templates
from service.triage import load_triage
from tests.conftest import CountingEmbedder

APPROVED_DIR = Path(__file__).resolve().parents[2] / "corpus" / "approved"
ASK = "/api/v1/ask"
# rewordings of an entry's question variants -> the entry that must answer them
CLOSE = {
    "what is dupilumab": "what-is-dupilumab",
    "What's dupilumab?": "what-is-dupilumab",
    "can dupilumab make my hair grow back": "dupilumab-hair-regrowth-case",
    "can an eczema medicine make hair grow back?": "dupilumab-hair-regrowth-case",
    "does ruxolitinib work for alopecia areata": "ruxolitinib-trial-results",
    "what were the ruxolitinib trial results": "ruxolitinib-trial-results",
    "what side effects do JAK inhibitors have": "jak-inhibitor-side-effects",
    "does tofacitinib work for alopecia": "tofacitinib-results",
    "what is alopecia areata?": "what-is-alopecia-areata",
    "Is dupilumab a good option for alopecia totalis?": "dupilumab-advanced-alopecia",
    "how often did patients take ruxolitinib": "ruxolitinib-how-taken",
}
# questions about the same things that the approved answers do not answer
DIFFERENT = [
    "what is ruxolitinib",
    "what is alopecia totalis",
    "how is dupilumab taken",
    "how many patients were in the ruxolitinib trial",
    "does ruxolitinib not work for alopecia",
    "does dupilumab cause alopecia areata",
    "what are the side effects of dupilumab",
    "does biotin work for alopecia areata",
    "can an eczema drug cause hair loss",
]


APPROVER = "approved_by: Dr Test Approver\napproved_on: 2026-01-15\n"


def signed_off_copy(directory: Path) -> Path:
    """The shipped approved answers (all awaiting approval) with an approver and a date filled in."""
    directory.mkdir(parents=True)
    for path in sorted(APPROVED_DIR.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert "approved_by:\napproved_on:\n" in text, f"{path.name} does not ship as awaiting approval"
        (directory / path.name).write_text(text.replace("approved_by:\napproved_on:\n", APPROVER), "utf-8")
    return directory


@pytest.fixture(scope="module")
def approved_index(
    tmp_path_factory: pytest.TempPathFactory,
    seed_index_dir_onnx: Path,
    onnx_embedder: Embedder,
    seed_corpus_dir: Path,
) -> Path:
    tmp = tmp_path_factory.mktemp("approved-index")
    out = tmp / "index"
    # reuses its embeddings: the build only reviews the approved answers
    shutil.copytree(seed_index_dir_onnx, out)
    signed = signed_off_copy(tmp / "approved")
    report = build_index([seed_corpus_dir], out, onnx_embedder, ChunkSettings(), approved_dir=signed)
    assert report.embedded == 0
    assert report.awaiting_approval == []
    return out


@pytest.fixture(scope="module")
def pending_index(
    tmp_path_factory: pytest.TempPathFactory,
    approved_index: Path,
    onnx_embedder: Embedder,
    seed_corpus_dir: Path,
) -> tuple[Path, list[str]]:
    """The approved answers exactly as shipped: reviewed and published, all awaiting approval."""
    out = tmp_path_factory.mktemp("pending-index") / "index"
    shutil.copytree(approved_index, out)
    report = build_index([seed_corpus_dir], out, onnx_embedder, ChunkSettings(), approved_dir=APPROVED_DIR)
    return out, report.awaiting_approval


@pytest.fixture(scope="module")
def approved_library(approved_index: Path) -> Library:
    return load_library(approved_index)


@pytest.fixture(scope="module")
def approved_client(approved_index: Path, onnx_embedder: Embedder) -> Iterator[TestClient]:
    settings = Settings(
        index_dir=approved_index, clinic_name="Riverside Dermatology Demo", answer_cache_entries=0
    )
    with TestClient(create_app(settings, embedder=onnx_embedder)) as client:
        yield client


def ask(client: TestClient, question: str) -> Any:
    response = client.post(ASK, json={"question": question})
    assert response.status_code == 200, response.text
    return response.json()


def test_every_seed_entry_is_published_with_evidence(approved_library: Library) -> None:
    entries = load_approved(APPROVED_DIR)
    assert [e.entry_id for e in approved_library.approved] == [e.entry_id for e in entries]
    for entry in approved_library.approved:
        assert len(entry.sentences) >= 2
        for sentence in entry.sentences:
            e = sentence.evidence
            assert e.doc_id in entry.citations
            assert approved_library.documents[e.doc_id].text[e.start : e.end] == e.quote


@pytest.mark.parametrize(("question", "entry_id"), sorted(CLOSE.items()))
def test_a_close_variant_gets_the_approved_answer(
    approved_client: TestClient, approved_library: Library, question: str, entry_id: str
) -> None:
    body = ask(approved_client, question)
    assert (body["type"], body["approved"], body["approved_id"]) == ("answer", True, entry_id)
    entry = next(e for e in approved_library.approved if e.entry_id == entry_id)
    for sentence in entry.sentences:
        assert sentence.text in body["text"]
    assert f'data-approved-id="{entry_id}"' in body["html"]
    assert body["citations"]
    assert [c["n"] for c in body["citations"]] == list(range(1, len(body["citations"]) + 1))
    for citation in body["citations"]:
        document = approved_library.documents[citation["doc_id"]]
        assert document.text[citation["start"] : citation["end"]] == citation["quote"]
        assert citation["title"] == document.title
    assert "not medical advice" in body["disclaimer"]


@pytest.mark.parametrize("question", DIFFERENT)
def test_a_different_question_gets_passages(approved_client: TestClient, question: str) -> None:
    body = ask(approved_client, question)
    assert body["approved"] is False
    assert body["approved_id"] is None
    assert body["type"] in {"answer", "no_answer", "personal_advice"}


def test_an_unrelated_question_gets_no_approved_answer(approved_client: TestClient) -> None:
    body = ask(approved_client, "what is the capital of France")
    assert (body["type"], body["approved"]) == ("no_answer", False)


@pytest.mark.parametrize(
    "question",
    [
        "What are the side effects of JAK inhibitors? My throat is swelling and I cannot breathe",
        "What is dupilumab? I want to kill myself",
        "Can dupilumab make hair grow back? I have chest pain",
    ],
)
def test_triage_comes_first(approved_client: TestClient, question: str) -> None:
    body = ask(approved_client, question)
    assert (body["type"], body["approved"]) == ("emergency", False)
    assert body["citations"] == []


def test_a_personal_question_gets_no_approved_answer(approved_client: TestClient) -> None:
    body = ask(approved_client, "Should I take dupilumab to make my hair grow back?")
    assert (body["type"], body["approved"]) == ("personal_advice", False)


def test_threshold_calibration(
    approved_library: Library, onnx_embedder: Embedder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Close rewordings score well above the threshold; different questions score below it or fail the rules."""
    threshold = Settings().approved_match_threshold
    variants = [q for e in approved_library.approved for q in e.questions]
    vectors = onnx_embedder.embed(variants)

    def best(question: str) -> float:
        return float(np.max(vectors @ onnx_embedder.embed([question])[0]))

    close = [best(q) for q in CLOSE]
    different = [best(q) for q in DIFFERENT]
    with capsys.disabled():
        print(
            f"\napproved match: close rewordings {min(close):.3f}..{max(close):.3f}, different questions "
            f"{min(different):.3f}..{max(different):.3f} (those above are refused by the word rules), "
            f"threshold {threshold}"
        )
    assert min(close) >= threshold


def composer_over(library: Library, embedder: Embedder) -> AnswerComposer:
    settings = Settings(clinic_name="Demo Clinic")
    return compose(
        settings, load_triage(embedder), Templates(settings.prompts_dir), Retriever(library, embedder)
    )


def test_an_expired_source_stops_the_approved_answer(
    approved_library: Library, onnx_embedder: Embedder
) -> None:
    composer = composer_over(approved_library, onnx_embedder)
    question = "can dupilumab make my hair grow back"
    assert composer.answer(question).approved
    documents = dict(approved_library.documents)
    mgh = "dupilumab-case-report-mgh"
    documents[mgh] = dataclasses.replace(documents[mgh], review_due=dt.date.today() - dt.timedelta(days=1))
    composer = composer_over(dataclasses.replace(approved_library, documents=documents), onnx_embedder)
    answer = composer.answer(question)
    assert not answer.approved
    assert mgh not in answer.doc_ids


def test_answers_awaiting_approval_are_never_served(
    pending_index: tuple[Path, list[str]], onnx_embedder: Embedder
) -> None:
    index_dir, awaiting = pending_index
    library = load_library(index_dir)
    assert sorted(awaiting) == sorted(e.entry_id for e in library.approved)
    assert len(awaiting) == len(list(APPROVED_DIR.glob("*.yaml")))
    settings = Settings(index_dir=index_dir, clinic_name="Demo Clinic", answer_cache_entries=0)
    with TestClient(create_app(settings, embedder=onnx_embedder)) as client:
        for question in CLOSE:
            body = ask(client, question)
            assert body["approved"] is False, question
            assert body["approved_id"] is None


def test_an_approval_dated_in_the_future_is_not_yet_served(
    approved_library: Library, onnx_embedder: Embedder
) -> None:
    composer = composer_over(approved_library, onnx_embedder)
    question = "can dupilumab make my hair grow back"
    assert composer.answer(question).approved
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    entries = [dataclasses.replace(e, approved_on=tomorrow) for e in approved_library.approved]
    composer = composer_over(dataclasses.replace(approved_library, approved=entries), onnx_embedder)
    assert not composer.answer(question).approved


@pytest.mark.parametrize(
    "question",
    [
        "does ruxolitinib work for alopecia areata",  # an approved answer
        "how many patients were in the ruxolitinib trial",  # close to one, refused by the rules: passages
        "what is the capital of France",  # nothing: no answer
        "Should I take dupilumab to make my hair grow back?",  # personal: related leaflets are searched
    ],
)
def test_each_question_is_encoded_once(
    approved_library: Library, onnx_embedder: Embedder, question: str
) -> None:
    """Triage, the approved-answer matcher and retrieval share one vector, through the service's batcher."""
    counting = CountingEmbedder(onnx_embedder)
    settings = Settings(clinic_name="Demo Clinic", query_batch_max=8)
    runtime = serve(
        settings, load_triage(counting), Templates(settings.prompts_dir), counting, approved_library
    )
    try:
        assert runtime.batcher is not None
        counting.seen.clear()  # building embedded the approved variants and warmed up
        runtime.composer.answer(question)
        assert counting.seen == [question]
    finally:
        runtime.close()
