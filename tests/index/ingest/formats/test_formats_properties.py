"""Properties of the shared text helpers: joining the lines of a paragraph never loses a character."""

from __future__ import annotations

import itertools
import re

from hypothesis import given
from hypothesis import strategies as st

from index.ingest.formats.base import iso_date, join_lines

WORDS = st.text(alphabet="abcdeAB-/4 ", min_size=0, max_size=12)


def _visible(text: str) -> str:
    return re.sub(r"\s+", "", text)


@given(st.lists(WORDS, min_size=0, max_size=8))
def test_joining_keeps_every_character_but_line_break_hyphens(lines: list[str]) -> None:
    joined = join_lines(lines)
    assert "\n" not in joined
    kept = [line.strip() for line in lines if line.strip()]
    # only a hyphen that ended a line can go, and at most one per line break
    breaks = sum(1 for a, b in itertools.pairwise(kept) if a.endswith("-") and b[:1].islower())
    assert _visible(joined).replace("-", "") == _visible("".join(kept)).replace("-", "")
    assert 0 <= _visible("".join(kept)).count("-") - joined.count("-") <= breaks


@given(st.lists(st.text(alphabet="abc.- ", max_size=10), max_size=6))
def test_joining_is_idempotent_on_its_own_output(lines: list[str]) -> None:
    joined = join_lines(lines)
    assert join_lines([joined]) == joined


def test_examples() -> None:
    assert join_lines(["wound treat-", "ment at home"]) == "wound treatment at home"
    assert join_lines(["blocks the IL-", "13 pathway"]) == "blocks the IL-13 pathway"
    assert join_lines(["book a follow-", "up visit"]) == "book a follow-up visit"
    assert join_lines(["IL-4/IL-13 signalling", "in the skin"]) == "IL-4/IL-13 signalling in the skin"
    assert iso_date("D:20240115093000+00'00'") == "2024-01-15"
    assert iso_date("2024-13-45") is None
    assert iso_date("yesterday") is None
