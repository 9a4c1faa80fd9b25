"""Query spelling: unknown, misspelt question words matched to the library's own vocabulary."""

from __future__ import annotations

from index.search.lexical import LexicalIndex
from index.search.spelling import QuerySpelling, english_words

TEXTS = [
    "Rivastigmine patches are changed once a day.",
    "Ruxolitinib is a JAK inhibitor taken twice a day.",
    "Dupilumab is an injection for eczema.",
    "Minoxidil is applied to bald patches.",
]


def spelling() -> QuerySpelling:
    return QuerySpelling(LexicalIndex.build(TEXTS))


def test_a_misspelt_medicine_gets_the_library_term() -> None:
    lexical = LexicalIndex.build(TEXTS)
    corrections = QuerySpelling(lexical).corrections("how often do I change rivatigmine patches?")
    assert len(corrections) == 1
    # the correction is an analysed term the library holds, and it scores the right passage
    scores = lexical.scores("how often", corrections)
    assert int(scores.argmax()) == 0


def test_two_slips_in_a_long_word_one_in_a_short_one() -> None:
    s = spelling()
    assert s.corrections("ruxlitnb dose") == []  # three edits: too far
    assert len(s.corrections("ruxolitnb dose")) == 1  # two
    assert len(s.corrections("ruxolitnib dose")) == 1
    assert len(s.corrections("duplumab")) == 1


def test_known_english_and_library_words_are_left_alone() -> None:
    s = spelling()
    assert s.corrections("Rivastigmine patches") == []
    assert s.corrections("what about patches for children") == []
    assert "children" in english_words()
    assert s.corrections("zorblaxitinib") == []  # nothing in the library is near it
    assert s.corrections("") == []


def test_prepare_builds_the_index_once() -> None:
    s = spelling()
    assert s._index is None
    s.prepare()
    built = s._index
    assert built is not None
    assert len(s.corrections("duplumab")) == 1
    assert s._index is built
