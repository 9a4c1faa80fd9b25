"""The answer composer: threshold calibration, expired documents, passage selection."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from index.search.library import Library
from index.search.retriever import Retriever
from service.answers import AnswerComposer
from service.config import Settings
from service.runtime import compose
from service.templates import Templates
from service.triage import load_triage

IN_LIBRARY = [
    "can an eczema drug make hair grow back",
    "does ruxolitinib work for alopecia areata",
    "what is IL-13",
    "side effects of JAK inhibitors",
    "how long until hair comes back on dupilumab",
    "what happened when the girl stopped dupilumab",
    "how many patients were in the ruxolitinib trial",
    "what is alopecia totalis",
    "is tofacitinib less successful than ruxolitinib",
    "does dupilumab help children with alopecia universalis",
]
OUTSIDE = [
    "what is the capital of France",
    "which laptop should I buy",
    "recipe for chocolate cake",
    "best football team in England",
    "how do I reset my password",
    "what time does the train to Leeds leave",
    "how to change a car tyre",
    "who wrote Hamlet",
]


@pytest.fixture(scope="module")
def composer(seed_retriever_onnx: Retriever) -> AnswerComposer:
    settings = Settings(clinic_name="Demo Clinic")
    retriever = seed_retriever_onnx
    return compose(settings, load_triage(retriever.embedder), Templates(settings.prompts_dir), retriever)


def test_threshold_separates_library_questions_from_the_rest(
    composer: AnswerComposer, seed_retriever_onnx: Retriever, capsys: pytest.CaptureFixture[str]
) -> None:
    threshold = composer.settings.relevance_threshold
    inside = [seed_retriever_onnx.search(q, 3)[0].score for q in IN_LIBRARY]
    outside = [max(h.score for h in seed_retriever_onnx.search(q, 3)) for q in OUTSIDE]
    with capsys.disabled():
        print(
            f"\nrelevance: library questions {min(inside):.3f}..{max(inside):.3f}, "
            f"off-library {min(outside):.3f}..{max(outside):.3f}, threshold {threshold}"
        )
    assert min(inside) >= threshold > max(outside)
    assert all(composer.answer(q).type == "answer" for q in IN_LIBRARY)
    assert all(composer.answer(q).type == "no_answer" for q in OUTSIDE)


def test_passages_are_few_distinct_and_above_threshold(composer: AnswerComposer) -> None:
    answer = composer.answer("does ruxolitinib work for alopecia areata")
    assert 1 <= len(answer.citations) <= 3
    assert all(c.score >= composer.settings.relevance_threshold for c in answer.citations)
    spans = [(c.doc_id, c.start, c.end) for c in answer.citations]
    for i, (doc_a, start_a, end_a) in enumerate(spans):
        for doc_b, start_b, end_b in spans[i + 1 :]:
            assert doc_a != doc_b or end_a <= start_b or end_b <= start_a, "overlapping passages quoted twice"


def test_expired_documents_are_never_cited(composer: AnswerComposer, seed_library_onnx: Library) -> None:
    expired_id = "ruxolitinib-pilot-belgravia"
    past = dt.date.today() - dt.timedelta(days=1)
    documents = dict(seed_library_onnx.documents)
    documents[expired_id] = dataclasses.replace(documents[expired_id], review_due=past)
    library = dataclasses.replace(seed_library_onnx, documents=documents)
    retriever = Retriever(library, composer.retriever.embedder)  # type: ignore[union-attr]
    expired = compose(composer.settings, composer.triage, composer.templates, retriever)
    before = composer.answer("ruxolitinib twice a day for three-to-six months")
    assert expired_id in {c.doc_id for c in before.citations}
    after = expired.answer("ruxolitinib twice a day for three-to-six months")
    assert expired_id not in {c.doc_id for c in after.citations}


@pytest.mark.parametrize(
    "question",
    [
        "how is zorblaxitinib dosed?",  # made up
        "what are the side effects of baricitinib?",  # real, not in the seed library
        "does ibuprofen work as well as ruxolitinib for alopecia?",  # one of two named is missing
    ],
)
def test_a_medicine_no_document_names_gets_no_answer(composer: AnswerComposer, question: str) -> None:
    answer = composer.answer(question)
    assert answer.type == "no_answer"
    assert answer.citations == []
    assert "Demo Clinic" in answer.text
    assert answer.disclaimer in answer.text


@pytest.mark.parametrize(
    "question",
    ["How often was ruxolitinib taken in the study?", "how often was ruxolitnib taken in the study?"],
)
def test_a_medicine_the_library_names_is_answered_even_with_a_slip(
    composer: AnswerComposer, question: str
) -> None:
    answer = composer.answer(question)
    assert answer.type == "answer"
    assert any("ruxolitinib" in c.quote.lower() for c in answer.citations)
