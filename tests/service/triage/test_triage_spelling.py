"""Typo-tolerant normalisation (service/triage/spelling.py) against the real phrase vocabulary."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from symspellpy.editdistance import DistanceAlgorithm, EditDistance

from service.triage.phrases import PhraseTriage, normalise
from service.triage.spelling import TypoCorrector, english_words, one_edit


@functools.cache
def corrector() -> TypoCorrector:
    return PhraseTriage.from_file().corrector


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("kil", "kill"),
        ("lfe", "life"),
        ("wnat", "want"),  # a swapped pair beats "what", also one edit away
        ("swalowed", "swallowed"),
        ("xelganz", "xeljanz"),
        ("dupixant", "dupixent"),
        ("rinvok", "rinvoq"),
        ("unconscoius", "unconscious"),
    ],
)
def test_one_slip_is_corrected_to_the_word_that_matters(typed: str, meant: str) -> None:
    assert corrector().suggest(typed) == meant


@pytest.mark.parametrize("word", ["dye", "dyeing", "lift", "skill", "kiln", "thoughts", "bridge", "calf"])
def test_english_words_are_left_as_typed(word: str) -> None:
    assert word in english_words()
    assert corrector().suggest(word) is None


def test_two_edits_are_not_made_when_an_ordinary_word_is_one_edit_away() -> None:
    assert corrector().suggest("thoghts") is None  # "thoughts", not "thighs"


def test_short_tokens_and_numbers_are_left_alone() -> None:
    assert corrector().correct("i am ok 10 mg") == "i am ok 10 mg"


def test_a_three_letter_token_is_not_respelt_by_changing_a_letter() -> None:
    assert corrector().suggest("sms") is None  # not "kms"
    small = TypoCorrector(["kms", "kill", "die"], known=frozenset())
    assert small.suggest("sms") is None
    assert small.suggest("kil") == "kill"  # a dropped letter still counts
    assert small.suggest("dei") == "die"  # and a swapped pair


def test_a_tie_that_nothing_breaks_is_not_corrected() -> None:
    small = TypoCorrector(["cart", "card"], known=frozenset())
    assert small.suggest("carx") is None
    assert small.suggest("catr") == "cart"  # same letters


def test_corrections_lists_what_changed() -> None:
    assert corrector().corrections(normalise("I wnat to KIL myslef")) == [
        ("wnat", "want"),
        ("kil", "kill"),
        ("myslef", "myself"),
    ]


def test_the_phrase_layer_sees_corrected_text() -> None:
    triage = PhraseTriage.from_file()
    assert triage("i wnat to die").is_self_harm
    assert triage("im gona end my lfe").is_self_harm


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)


@given(st.lists(words, max_size=8))
@settings(max_examples=300, deadline=None)
def test_correction_keeps_tokens_known_words_and_is_idempotent(tokens: list[str]) -> None:
    text = " ".join(tokens)
    fixed = corrector().correct(text)
    assert len(fixed.split(" ")) == len(text.split(" "))
    for before, after in zip(text.split(" "), fixed.split(" "), strict=True):
        if before in english_words() or before in corrector().vocabulary:
            assert after == before
        else:
            assert after == before or after in corrector().vocabulary
    assert corrector().correct(fixed) == fixed


@given(words)
@settings(max_examples=200, deadline=None)
def test_one_edit_is_exactly_one_damerau_edit(word: str) -> None:
    distance = EditDistance(DistanceAlgorithm.DAMERAU_OSA)
    for other in one_edit(word):
        assert distance.compare(word, other, 2) == 1
