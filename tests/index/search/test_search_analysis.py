"""The lexical analyzer: Snowball stems, stopwords, synonym groups from a file, and an index that keeps its map."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.errors import CorpusError, IndexMismatch
from index.search.analysis import Analyzer, SynonymMap, SynonymsError, lexical_stem, lexical_terms, word_spans
from index.search.lexical import LexicalIndex

REPO = Path(__file__).resolve().parents[3]
MAP = SynonymMap.from_groups(
    [["dupilumab", "Dupixent"], ["alopecia", "bald", "hair loss"], ["injection", "shot"]]
)
PASSAGES = [
    "Dupilumab is given as an injection under the skin every two weeks.",
    "Ruxolitinib tablets are taken twice a day.",
    "Alopecia areata is an autoimmune disease of the hair follicles.",
]


def test_stems_join_word_forms_and_stopwords_go() -> None:
    assert lexical_terms("injections injected injecting") == [lexical_stem("injection")] * 3
    assert lexical_terms("What is it for?") == []
    assert lexical_stem("dosing") == lexical_stem("dosed") == "dose"


def test_a_synonym_adds_the_group_term_and_keeps_the_surface_word() -> None:
    terms = Analyzer(MAP).terms("Is Dupixent a shot?")
    assert "dupix" in terms  # the word itself still counts
    assert "syn:dupilumab" in terms
    assert "syn:inject" in terms
    assert Analyzer(MAP).terms("I am losing my hair, hair loss everywhere").count("syn:alopecia") == 1


def test_a_brand_name_finds_the_generic_passage_and_a_lay_word_the_clinical_one() -> None:
    index = LexicalIndex.build(PASSAGES, analyzer=Analyzer(MAP))
    for question, expected in (
        ("how often is the Dupixent shot", 0),
        ("I am going bald", 2),
        ("hair loss autoimmune", 2),
    ):
        scores = index.scores(question)
        assert int(scores.argmax()) == expected, question
    without = LexicalIndex.build(PASSAGES)
    assert without.scores("Dupixent shot").max() == 0.0  # the map is what made the difference


def test_the_index_keeps_its_map_so_questions_are_analysed_as_passages_were(tmp_path: Path) -> None:
    index = LexicalIndex.build(PASSAGES, analyzer=Analyzer(MAP))
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert loaded.analyzer_fingerprint == index.analyzer_fingerprint
    assert loaded.scores("Dupixent").tolist() == index.scores("Dupixent").tolist()
    assert loaded.knows("Dupixent")
    assert loaded.knows("injections")
    assert not loaded.knows("zorblaxitinib")


def test_an_index_counted_by_another_analyzer_is_refused_but_a_rebuild_may_read_it(tmp_path: Path) -> None:
    import json

    LexicalIndex.build(PASSAGES).save(tmp_path)
    meta_path = tmp_path / "bm25_vocab.json"
    meta = json.loads(meta_path.read_text())
    meta["analyzer"] = "analyzer-v1"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(IndexMismatch, match="rebuild"):
        LexicalIndex.load(tmp_path)
    old = LexicalIndex.load(tmp_path, current=False)
    assert old.analyzer_fingerprint == "analyzer-v1"
    rebuilt = LexicalIndex.build(PASSAGES, reuse=old, reuse_rows=[0, 1, 2])  # never copies old counts
    assert rebuilt.scores("injection").tolist() == LexicalIndex.build(PASSAGES).scores("injection").tolist()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("groups: [[dupilumab]]", "at least two"),
        ("groups: [dupilumab, Dupixent]", "at least two"),
        ("synonyms: []", "groups"),
        ("groups: [[dupilumab, '  ']]", "at least two"),
        ("groups: [[a, b]\n", "cannot read"),
    ],
)
def test_a_malformed_synonyms_file_names_itself(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text(text)
    with pytest.raises(SynonymsError, match=reason) as caught:
        SynonymMap.from_file(path)
    assert str(path) in str(caught.value)
    assert isinstance(caught.value, CorpusError)


def test_the_clinics_synonyms_file_loads_and_joins_brand_and_generic_names() -> None:
    synonyms = SynonymMap.from_file(REPO / "corpus" / "synonyms.yaml")
    analyzer = Analyzer(synonyms)
    for brand, generic in (
        ("Dupixent", "dupilumab"),
        ("Jakafi", "ruxolitinib"),
        ("Xeljanz", "tofacitinib"),
        ("Olumiant", "baricitinib"),
        ("Litfulo", "ritlecitinib"),
        ("Rinvoq", "upadacitinib"),
    ):
        assert f"syn:{lexical_stem(generic)}" in analyzer.terms(brand)
        assert f"syn:{lexical_stem(generic)}" in analyzer.terms(generic)
    assert "syn:alopecia" in analyzer.terms("bald")
    assert "syn:atop_dermat" in analyzer.terms("eczema")
    assert "syn:inject" in analyzer.terms("shot")


@given(st.text(alphabet=st.sampled_from(list("aZ09 -'’%.\u212aſéK")), max_size=40))
def test_word_spans_are_the_lexical_words_where_they_are_written(text: str) -> None:
    """Staff highlighting's word spans (now from the analyzer's word pattern) are what they were."""
    oracle = re.compile(r"[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*%?")  # the highlighter's own pattern before
    assert word_spans(text) == [m.span() for m in oracle.finditer(text)]
