"""DrugCoverage: medicines a question names that no passage mentions."""

from __future__ import annotations

import pytest

from index.review.coverage import DrugCoverage
from index.search.lexical import LexicalIndex

PASSAGES = [
    "Ruxolitinib was taken orally, twice a day, for 24 weeks.",
    "Dupilumab is injected every two weeks. Some patients regrew hair.",
    "Minoxidil solution is applied to the scalp.",
]


@pytest.fixture(scope="module")
def coverage() -> DrugCoverage:
    return DrugCoverage(LexicalIndex.build(PASSAGES))


def test_the_library_medicines_are_listed(coverage: DrugCoverage) -> None:
    assert coverage.drugs == ["dupilumab", "minoxidil", "ruxolitinib"]


@pytest.mark.parametrize(
    ("question", "uncovered"),
    [
        ("how is zorblaxitinib dosed?", ["zorblaxitinib"]),  # made up
        ("Does baricitinib work as well?", ["baricitinib"]),  # real, not in this library
        ("can ibuprofen be taken with dupilumab?", ["ibuprofen"]),  # one of two named
        ("compare upadacitinib and abrocitinib", ["upadacitinib", "abrocitinib"]),  # in the question's order
        ("How often was ruxolitinib taken?", []),
        ("is RUXOLITINIB a pill", []),  # case
        ("is ruxolitnib a pill", []),  # one slip
        ("what about dupilumabs side effects", []),  # one letter added
        ("is ruxalitenib a pill", ["ruxalitenib"]),  # two slips: not the same word
        ("what is alopecia areata?", []),  # names no medicine
        ("does it help with hair loss", []),
    ],
)
def test_uncovered_medicines(coverage: DrugCoverage, question: str, uncovered: list[str]) -> None:
    assert coverage.uncovered(question) == uncovered


def test_an_empty_library_covers_nothing() -> None:
    assert DrugCoverage(LexicalIndex.build([])).uncovered("is dupilumab safe") == ["dupilumab"]
