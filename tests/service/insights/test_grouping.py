"""Grouping similar questions: complete linkage checked against a brute-force oracle."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.insights.grouping import content_words, group_by_words, group_similar, jaccard


def unit(rows: list[list[float]]) -> npt.NDArray[np.float32]:
    matrix = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)


def check_partition(groups: list[list[int]], n: int) -> None:
    assert sorted(i for g in groups for i in g) == list(range(n))
    assert all(g == sorted(g) for g in groups)
    keys = [(-len(g), g[0]) for g in groups]
    assert keys == sorted(keys)


vectors_strategy = st.integers(1, 9).flatmap(
    lambda n: st.lists(
        st.lists(st.floats(-1, 1, allow_nan=False, width=32), min_size=3, max_size=3).filter(
            lambda v: sum(x * x for x in v) > 1e-3
        ),
        min_size=n,
        max_size=n,
    )
)


@settings(max_examples=150, deadline=None)
@given(rows=vectors_strategy, threshold=st.floats(0.0, 0.99))
def test_every_pair_in_a_group_is_similar(rows: list[list[float]], threshold: float) -> None:
    vectors = unit(rows)
    groups = group_similar(list(range(len(rows))), vectors, threshold)
    check_partition(groups, len(rows))
    sims = vectors.astype(np.float64) @ vectors.astype(np.float64).T
    for group in groups:
        for i, j in itertools.combinations(group, 2):
            assert sims[i, j] >= threshold - 1e-6


@settings(max_examples=150, deadline=None)
@given(rows=vectors_strategy, threshold=st.floats(0.0, 0.99))
def test_no_two_groups_could_be_merged(rows: list[list[float]], threshold: float) -> None:
    """Complete linkage stops only when every pair of groups has some pair below the threshold."""
    vectors = unit(rows)
    groups = group_similar(list(range(len(rows))), vectors, threshold)
    sims = vectors.astype(np.float64) @ vectors.astype(np.float64).T
    for a, b in itertools.combinations(groups, 2):
        assert min(sims[i, j] for i in a for j in b) < threshold + 1e-6


@settings(max_examples=50, deadline=None)
@given(rows=vectors_strategy)
def test_deterministic_and_identical_vectors_together(rows: list[list[float]]) -> None:
    vectors = unit(rows + rows)
    first = group_similar(list(range(len(vectors))), vectors, 0.9)
    assert first == group_similar(list(range(len(vectors))), vectors.copy(), 0.9)
    n = len(rows)
    for i in range(n):
        assert any(i in g and i + n in g for g in first)


def test_small_cases() -> None:
    assert group_similar([], np.zeros((0, 4), dtype=np.float32)) == []
    assert group_similar(["a"], unit([[1, 0]])) == [[0]]
    vectors = unit([[1, 0], [0, 1], [1, 0.05], [0.02, 1], [1, 0.01], [-1, 0]])
    assert group_similar(list("abcdef"), vectors, 0.9) == [[0, 2, 4], [1, 3], [5]]
    with pytest.raises(ValueError, match="vectors"):
        group_similar(["a", "b"], unit([[1, 0]]))


words_strategy = st.lists(
    st.lists(
        st.sampled_from(["rash", "itch", "dose", "child", "hair", "loss", "pregnant", "ibuprofen"]),
        max_size=4,
    ).map(" ".join),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(texts=words_strategy, threshold=st.floats(0.05, 1.0))
def test_word_groups_against_oracle(texts: list[str], threshold: float) -> None:
    groups = group_by_words(texts, threshold)
    check_partition(groups, len(texts))
    words = [content_words(t) for t in texts]
    for group in groups:
        for i, j in itertools.combinations(group, 2):
            assert jaccard(words[i], words[j]) >= threshold - 1e-9
    for a, b in itertools.combinations(groups, 2):
        assert min(jaccard(words[i], words[j]) for i in a for j in b) < threshold + 1e-9


def test_word_grouping_examples() -> None:
    texts = [
        "Can I take ibuprofen when pregnant?",
        "Is ibuprofen safe when pregnant?",
        "How long until my hair grows back?",
        "ibuprofen pregnant?",
        "When does hair grow back?",
        "Can [NAME] take ibuprofen when pregnant?",
    ]
    assert content_words("Can [NAME] take it?") == frozenset({"take"})
    groups = group_by_words(texts, 0.5)
    assert groups[0] == [0, 1, 3, 5]
    assert ([2] in groups and [4] in groups) or [2, 4] in groups
