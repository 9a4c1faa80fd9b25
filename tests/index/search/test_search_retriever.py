"""Retrieval quality on the seed library with the real model, in patients' own words."""

from __future__ import annotations

import pytest

from index.search.retriever import Retriever

MGH = "dupilumab-case-report-mgh"
REFINED = "dupilumab-new-hope-refinedmd"
DONOVAN = "dupilumab-advanced-aa-donovan"
JAK = "jak-inhibitors-trials-news"
BELGRAVIA = "ruxolitinib-pilot-belgravia"

# question -> the documents that answer it. Two seed pages report the same dupilumab case (MGH, RefinedMD)
# and two the same ruxolitinib trial (JAK news, Belgravia); a question answered by both accepts both.
QUESTIONS: list[tuple[str, frozenset[str]]] = [
    ("why did the girl have to stop her eczema injections for two months?", frozenset({MGH})),
    ("what other medicines did the teenager try for her eczema before the injections?", frozenset({MGH})),
    ("when did she start the weekly dupilumab shots?", frozenset({MGH})),
    ("what are vellus hairs?", frozenset({MGH})),
    ("who is the doctor running the hair research unit at Harvard?", frozenset({MGH})),
    ("what happened to the girl's hair when she stopped the drug", frozenset({MGH, REFINED})),
    ("which magazine reported that an eczema drug grew hair?", frozenset({REFINED})),
    ("could my doctor prescribe dupilumab off-label for my alopecia?", frozenset({REFINED})),
    ("how old was the girl when she went bald?", frozenset({MGH, REFINED})),
    ("what did her hair look like seven months later?", frozenset({MGH, REFINED})),
    ("can my eczema injection make my hair grow back?", frozenset({MGH, REFINED, DONOVAN})),
    ("does dupilumab work for children with total hair loss?", frozenset({DONOVAN})),
    ("is dupilumab a good first choice for alopecia universalis?", frozenset({DONOVAN})),
    ("what percentage of adults with alopecia totalis regrew hair on dupilumab?", frozenset({DONOVAN})),
    ("can dupilumab cause alopecia areata?", frozenset({DONOVAN})),
    ("what hair care habits make my hair less likely to fall out?", frozenset({DONOVAN})),
    # Donovan names IL-4/IL-13; MGH and RefinedMD describe it as the immune pathway overactive in eczema
    ("what pathway does dupilumab block?", frozenset({DONOVAN, MGH, REFINED})),
    ("how many people in the ruxolitinib study got their hair back", frozenset({JAK, BELGRAVIA})),
    ("side effects of the JAK pills", frozenset({JAK, BELGRAVIA})),
    ("how well did tofacitinib work in the trial?", frozenset({JAK})),
    ("will JAK inhibitors help with male pattern baldness?", frozenset({JAK})),
    ("does the hair fall out again after stopping ruxolitinib?", frozenset({JAK})),
    ("what are JAK inhibitors already approved for?", frozenset({JAK})),
    ("how many Americans have alopecia areata?", frozenset({JAK})),
    ("how often do you take ruxolitinib tablets in the study?", frozenset({BELGRAVIA})),
    ("what is the brand name of ruxolitinib?", frozenset({BELGRAVIA})),
    ("what is the difference between alopecia totalis and universalis?", frozenset({BELGRAVIA})),
    ("is there a ruxolitinib cream?", frozenset({BELGRAVIA})),
    ("what treatment can I get for patchy hair loss now?", frozenset({BELGRAVIA})),
    ("where can children with alopecia get support?", frozenset({BELGRAVIA})),
    ("how does inflammation cause hair loss in alopecia areata?", frozenset({BELGRAVIA})),
    ("when might ruxolitinib be available for alopecia?", frozenset({BELGRAVIA})),
]
OFF_LIBRARY = [
    "what is the capital of France?",
    "which laptop should I buy?",
    "how do I bake sourdough bread?",
    "how do I change a flat tyre?",
    "what time does the football match start tonight?",
]
MIN_HIT_AT_1 = 0.85


def test_hit_at_1_on_patient_questions(seed_retriever: Retriever, capsys: pytest.CaptureFixture[str]) -> None:
    misses = []
    for question, expected in QUESTIONS:
        hits = seed_retriever.search(question, 3)
        assert hits, question
        if hits[0].chunk.doc_id not in expected:
            misses.append(
                f"  {question!r}: got {hits[0].chunk.doc_id}, expected {' or '.join(sorted(expected))}"
            )
    rate = 1 - len(misses) / len(QUESTIONS)
    with capsys.disabled():
        print(
            f"\nretrieval hit@1 on the seed library: {rate:.3f} ({len(QUESTIONS) - len(misses)}/{len(QUESTIONS)})"
        )
        for miss in misses:
            print(miss)
    assert rate >= MIN_HIT_AT_1, "\n".join(misses)


def test_off_library_questions_score_below_every_library_question(
    seed_retriever: Retriever, capsys: pytest.CaptureFixture[str]
) -> None:
    def best_score(
        question: str,
    ) -> float:  # the best `score` among the top 5 passages, as a gate would see it
        return max((hit.score for hit in seed_retriever.search(question, 5)), default=0.0)

    on = {question: best_score(question) for question, _ in QUESTIONS}
    off = {question: best_score(question) for question in OFF_LIBRARY}
    with capsys.disabled():
        print(
            f"\nbest score in top 5, library questions:     {min(on.values()):.3f} .. {max(on.values()):.3f}"
        )
        print(
            f"best score in top 5, off-library questions: {min(off.values()):.3f} .. {max(off.values()):.3f}"
        )
    lowest_on = min(on, key=on.__getitem__)
    for question, score in off.items():
        assert score < on[lowest_on], f"{question!r} scores {score:.3f} >= {lowest_on!r} {on[lowest_on]:.3f}"


def test_hits_are_well_formed(seed_retriever: Retriever) -> None:
    library = seed_retriever.library
    for mode in ("hybrid", "dense", "lexical"):
        hits = seed_retriever.search("ruxolitinib hair regrowth in alopecia areata", 5, mode=mode)
        assert 0 < len(hits) <= 5
        assert len({hit.chunk.chunk_id for hit in hits}) == len(hits)
        assert [hit.fused for hit in hits] == sorted((hit.fused for hit in hits), reverse=True)
        for hit in hits:
            assert 0.0 <= hit.score <= 1.0
            assert 0.0 <= hit.coverage <= 1.0
            assert hit.document is library.documents[hit.chunk.doc_id]
            assert hit.document.text[hit.chunk.start : hit.chunk.end] == hit.chunk.text
    lexical_only = seed_retriever.search("ruxolitinib", 3, mode="lexical")
    assert all("ruxolitinib" in hit.chunk.text.lower() for hit in lexical_only)


def test_search_can_be_restricted(seed_retriever: Retriever) -> None:
    question = "how many people got their hair back?"
    only = seed_retriever.search(question, 4, doc_ids={DONOVAN})
    assert only
    assert {hit.chunk.doc_id for hit in only} == {DONOVAN}
    kept = seed_retriever.search(question, 10, keep=lambda document: document.doc_id != BELGRAVIA)
    assert kept
    assert BELGRAVIA not in {hit.chunk.doc_id for hit in kept}
    assert seed_retriever.search(question, 4, doc_ids=set()) == []
    assert seed_retriever.search(question, 4, doc_ids={"no-such-doc"}) == []
    assert seed_retriever.search("   ", 4) == []
    assert seed_retriever.search(question, 0) == []
