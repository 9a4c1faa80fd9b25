"""BM25 against a plain-Python oracle, the tokenizer, and drug-name lookups on the seed library."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.build import chunk_documents
from index.errors import IndexCorrupt
from index.ingest.chunking import Chunk, ChunkSettings
from index.ingest.documents import load_corpus
from index.search.analysis import lexical_terms
from index.search.lexical import LexicalIndex

SMALL_CORPUS = [
    "Dupilumab is an injection for eczema (atopic dermatitis).",
    "Ruxolitinib is a JAK inhibitor pill; ruxolitinib regrew hair in 75% of patients.",
    "Tofacitinib is another JAK inhibitor. Hair loss returned after stopping tofacitinib.",
    "Dupilumab blocks the IL-4/IL-13 pathway. Some eczema patients regrew hair on dupilumab.",
    "Minoxidil is applied to bald patches twice a day.",
    "Hair hair hair: a document that repeats one word many times, hair again and hair.",
    "The results were promising but the trial was small, with just twelve patients.",
    "",
    "Alopecia areata is an autoimmune disorder; alopecia totalis is total scalp hair loss.",
]
QUERIES = [
    "ruxolitinib",
    "dupilumab eczema",
    "IL-13",
    "hair",
    "hair hair regrowth",
    "JAK inhibitor tofacitinib hair loss",
    "75%",
    "alopecia areata autoimmune",
    "twice a day",
    "unknownword",
    "the of and",
]


def bm25_oracle(texts: list[str], query: str, k1: float, b: float) -> list[float]:
    """Okapi BM25 written out term by term: idf = ln(1 + (N - df + 0.5) / (df + 0.5))."""
    docs = [Counter(lexical_terms(text)) for text in texts]
    lengths = [sum(doc.values()) for doc in docs]
    n = len(docs)
    avgdl = sum(lengths) / n
    scores = []
    for doc, length in zip(docs, lengths, strict=True):
        score = 0.0
        for term in lexical_terms(query):  # a repeated query term counts each time
            df = sum(1 for other in docs if term in other)
            tf = doc.get(term, 0)
            if df == 0 or tf == 0:
                continue
            idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgdl))
        scores.append(score)
    return scores


@pytest.mark.parametrize(("k1", "b"), [(1.2, 0.75), (1.5, 0.3), (0.9, 1.0), (2.0, 0.0)])
def test_bm25_scores_equal_the_oracle(k1: float, b: float) -> None:
    index = LexicalIndex.build(SMALL_CORPUS, k1=k1, b=b)
    assert len(index) == len(SMALL_CORPUS)
    for query in QUERIES:
        expected = bm25_oracle(SMALL_CORPUS, query, k1, b)
        np.testing.assert_allclose(index.scores(query), expected, rtol=1e-5, atol=1e-6, err_msg=query)


def test_bm25_search_ranks_by_score() -> None:
    index = LexicalIndex.build(SMALL_CORPUS)
    for query in QUERIES:
        scores = index.scores(query)
        for k in (1, 3, len(SMALL_CORPUS) + 5):
            top_scores, rows = index.search(query, k)
            positive = int((scores > 0).sum())
            assert len(rows) == min(k, positive)
            assert (top_scores > 0).all()
            assert list(top_scores) == sorted(top_scores, reverse=True)
            np.testing.assert_array_equal(top_scores, scores[rows])
            if len(rows):
                assert top_scores[0] == scores.max()


def test_unknown_and_stopword_queries_score_zero() -> None:
    index = LexicalIndex.build(SMALL_CORPUS)
    for query in ("", "unknownword", "the of and", "!!!"):
        assert not index.scores(query).any()
        assert len(index.search(query, 5)[1]) == 0


def test_idf_by_term_matches_the_formula() -> None:
    index = LexicalIndex.build(SMALL_CORPUS)
    idf = index.idf_by_term()
    n = len(SMALL_CORPUS)
    for term in ("ruxolitinib", "hair", "dupilumab", "il-13"):
        df = sum(term in lexical_terms(text) for text in SMALL_CORPUS)
        assert idf[term] == pytest.approx(math.log(1 + (n - df + 0.5) / (df + 0.5)))
    assert idf["ruxolitinib"] > idf["hair"]


def test_tokenizer_keeps_drug_names_and_figures() -> None:
    assert lexical_terms("IL-13") == ["il-13", "il", "13"]
    assert lexical_terms("75%") == ["75%", "75"]
    # Snowball stems the whole word ("patient's" -> "patient"); a part whose stem repeats it is not added twice
    assert lexical_terms("The patient’s JAK-inhibitor") == [
        "patient",
        "s",
        "jak-inhibitor",
        "jak",
        "inhibitor",
    ]
    assert lexical_terms("What is the drug for my hair?") == ["drug", "hair"]
    assert lexical_terms("Ruxolitinib RUXOLITINIB ruxolitinib") == ["ruxolitinib"] * 3


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    index = LexicalIndex.build(SMALL_CORPUS)
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    for query in QUERIES:
        np.testing.assert_array_equal(loaded.scores(query), index.scores(query))
    assert loaded.idf_by_term() == pytest.approx(index.idf_by_term())
    (tmp_path / "bm25_vocab.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="BM25"):
        LexicalIndex.load(tmp_path)


@pytest.fixture(scope="module")
def seed_chunks() -> list[Chunk]:
    seed = Path(__file__).resolve().parents[3] / "corpus" / "library"
    return chunk_documents(load_corpus([seed]), ChunkSettings())


@pytest.mark.parametrize(
    ("query", "doc_id", "passage"),
    [
        ("ruxolitinib", "ruxolitinib-pilot-belgravia", "Ruxolitinib"),
        ("IL-13", "dupilumab-advanced-aa-donovan", "IL-4/IL-13"),
        ("IL-4/IL-13 signaling", "dupilumab-advanced-aa-donovan", "IL-4/IL-13 signaling pathway"),
        ("Jakafi", "ruxolitinib-pilot-belgravia", "Jakafi"),
        ("ruxolitinib twice a day", "ruxolitinib-pilot-belgravia", "twice a day"),
        ("tofacitinib", "jak-inhibitors-trials-news", "tofacitinib"),
        ("prednisone", "dupilumab-case-report-mgh", "prednisone and methotrexate"),
        ("vellus hairs", "dupilumab-case-report-mgh", "vellus hairs"),
        ("minoxidil", "ruxolitinib-pilot-belgravia", "minoxidil"),
        ("Newsweek dupilumab", "dupilumab-new-hope-refinedmd", "Newsweek"),
    ],
)
def test_drug_names_find_their_passage_lexically(
    query: str, doc_id: str, passage: str, seed_chunks: list[Chunk]
) -> None:
    index = LexicalIndex.build([chunk.text for chunk in seed_chunks])
    _, rows = index.search(query, 5)
    assert len(rows), f"no lexical hit for {query!r}"
    top = seed_chunks[int(rows[0])]
    assert top.doc_id == doc_id
    assert passage in top.text


def test_single_term_hits_are_exactly_the_chunks_containing_it(seed_chunks: list[Chunk]) -> None:
    index = LexicalIndex.build([chunk.text for chunk in seed_chunks])
    for term in ("ruxolitinib", "dupilumab", "tofacitinib", "eczema"):
        _, rows = index.search(term, len(seed_chunks))
        containing = {row for row, chunk in enumerate(seed_chunks) if term in lexical_terms(chunk.text)}
        assert set(rows.tolist()) == containing
        assert containing


def assert_same_index(got: LexicalIndex, want: LexicalIndex, queries: list[str]) -> None:
    assert len(got) == len(want)
    assert got.idf_by_term() == pytest.approx(want.idf_by_term())
    for query in queries:
        np.testing.assert_allclose(got.scores(query), want.scores(query), rtol=1e-6, atol=1e-6)


def test_a_rebuild_reusing_term_counts_equals_a_fresh_build() -> None:
    old_texts = SMALL_CORPUS[:6]
    new_texts = [SMALL_CORPUS[5], "Baricitinib is a JAK inhibitor too.", SMALL_CORPUS[1], *SMALL_CORPUS[6:]]
    old = LexicalIndex.build(old_texts)
    rows = [old_texts.index(t) if t in old_texts else -1 for t in new_texts]
    reused = LexicalIndex.build(new_texts, reuse=old, reuse_rows=rows)
    fresh = LexicalIndex.build(new_texts)
    assert_same_index(reused, fresh, [*QUERIES, "baricitinib", "dupilumab"])
    assert reused.term_id("dupilumab") is None  # its passages were edited away: gone from the vocabulary
    assert fresh.term_id("dupilumab") is None


def test_term_counts_survive_save_and_load(tmp_path: Path) -> None:
    index = LexicalIndex.build(SMALL_CORPUS, k1=1.5, b=0.6)
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert (loaded.k1, loaded.b) == (1.5, 0.6)
    assert_same_index(loaded, index, QUERIES)


texts_strategy = st.lists(
    st.text(alphabet=st.sampled_from(list("abc xyz-%'’12")), max_size=30), min_size=0, max_size=8
)


@settings(max_examples=200, deadline=None)
@given(old_texts=texts_strategy, new_texts=texts_strategy, keep=st.lists(st.booleans(), max_size=8))
def test_reuse_is_the_same_as_tokenising_again(
    old_texts: list[str], new_texts: list[str], keep: list[bool]
) -> None:
    """Any old index, any new texts, any subset of rows declared reusable: the result equals a fresh build."""
    texts = [*new_texts, *(t for t, k in zip(old_texts, keep, strict=False) if k)]
    old = LexicalIndex.build(old_texts)
    rows = [old_texts.index(t) if t in old_texts else -1 for t in texts]
    assert_same_index(
        LexicalIndex.build(texts, reuse=old, reuse_rows=rows),
        LexicalIndex.build(texts),
        ["a", "b-c", "12%", "xyz a"],
    )
