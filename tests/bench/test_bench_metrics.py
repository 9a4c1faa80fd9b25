"""The benchmarks' metric functions and pure helpers: fast, no model, no index."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # `bench` is not an installed package; `python -m pytest` has it already
    sys.path.insert(0, str(REPO))

from bench.medquad import Query, duplicate_title_share, rank_queries, sample_queries, title_groups  # noqa: E402
from bench.metrics import (  # noqa: E402
    first_rank,
    latency_summary,
    mrr,
    normalise_title,
    paired_bootstrap_ci,
    percentile,
    ranking_summary,
    recall_at_k,
    reciprocal_ranks,
    share,
    unique_in_order,
)
from bench.seed import QuestionsError, load_questions  # noqa: E402
from bench.tables import markdown_table  # noqa: E402
from index.ingest.documents import Document  # noqa: E402


def test_first_rank_is_one_based_and_none_on_a_miss() -> None:
    assert first_rank(["a", "b", "c"], {"b"}) == 2
    assert first_rank(["a", "b", "c"], {"c", "a"}) == 1
    assert first_rank(["a", "b"], {"z"}) is None
    assert first_rank([], {"a"}) is None


def test_unique_in_order_keeps_first_positions() -> None:
    assert unique_in_order(["d1", "d1", "d2", "d1", "d3", "d2"]) == ["d1", "d2", "d3"]


def test_recall_at_k() -> None:
    ranks = [1, 3, None, 6]
    assert recall_at_k(ranks, 1) == 0.25
    assert recall_at_k(ranks, 3) == 0.5
    assert recall_at_k(ranks, 10) == 0.75
    assert recall_at_k([], 5) == 0.0
    with pytest.raises(ValueError, match="k must be"):
        recall_at_k(ranks, 0)


def test_mrr_with_and_without_cutoff() -> None:
    ranks = [1, 2, None, 20]
    assert mrr(ranks) == pytest.approx((1 + 0.5 + 0 + 0.05) / 4)
    assert mrr(ranks, cutoff=10) == pytest.approx((1 + 0.5) / 4)
    assert mrr([]) == 0.0
    assert reciprocal_ranks(ranks, 10) == [1.0, 0.5, 0.0, 0.0]


def test_share() -> None:
    assert share([True, False, True, True]) == 0.75
    assert share([]) == 0.0


@pytest.mark.parametrize("q", [0, 25, 50, 90, 95, 99, 100])
def test_percentile_matches_numpy_linear(q: float) -> None:
    values = [5.0, 1.0, 9.0, 3.0, 7.0, 2.0, 8.0]
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="empty"):
        percentile([], 50)
    with pytest.raises(ValueError, match="within"):
        percentile([1.0], 101)


def test_latency_summary_in_milliseconds() -> None:
    summary = latency_summary([0.010, 0.020, 0.030])
    assert summary["p50_ms"] == 20.0
    assert summary["max_ms"] == 30.0
    assert summary["mean_ms"] == 20.0
    assert latency_summary([]) == {}


def test_ranking_summary_names() -> None:
    summary = ranking_summary([1, None], (1, 5), 10)
    assert summary == {"recall@1": 0.5, "recall@5": 0.5, "mrr@10": 0.5}


def test_paired_bootstrap_ci_brackets_the_mean_difference() -> None:
    a = [0.0, 0.5, 1.0, 0.0] * 50
    b = [1.0, 0.5, 1.0, 0.5] * 50
    delta, low, high = paired_bootstrap_ci(a, b)
    assert delta == pytest.approx(0.375)
    assert low <= delta <= high
    assert low > 0
    assert paired_bootstrap_ci(a, a) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="same length"):
        paired_bootstrap_ci([1.0], [1.0, 2.0])


def test_titles_are_identical_after_whitespace_and_case() -> None:
    assert normalise_title("What are the symptoms of X  ?") == normalise_title("what are the symptoms of x ?")


def test_sample_is_fixed_and_independent_of_input_order() -> None:
    pairs = [(f"id{i:03d}", f"title {i}") for i in range(100)]
    first = sample_queries(pairs, 10)
    assert first == sample_queries(list(reversed(pairs)), 10)
    assert len(first) == 10
    assert len({q.doc_id for q in first}) == 10
    assert len(sample_queries(pairs, 0)) == 100


def test_strict_and_lenient_ranks() -> None:
    pairs = [("a", "What is X ?"), ("b", "What is X ?"), ("c", "What is Y ?")]
    groups = title_groups(pairs)
    queries = [Query("a", "What is X ?"), Query("c", "What is Y ?")]
    rankings = {"What is X ?": ["b", "a", "c"], "What is Y ?": ["a", "b"]}
    result = rank_queries(queries, groups, lambda text: rankings[text])
    assert result.strict == [2, None]
    assert result.lenient == [1, None]  # "b" shares the title of "a"
    assert duplicate_title_share(queries, groups) == 0.5


def test_markdown_table() -> None:
    table = markdown_table(("mode", "R@1", "seconds"), [("a|b", 0.5, 123.456), ("c", None, 2)])
    assert table.splitlines() == [
        "| mode | R@1 | seconds |",
        "|---|---|---|",
        "| a\\|b | 0.500 | 123.5 |",
        "| c | – | 2 |",
    ]


def _doc(doc_id: str, text: str) -> Document:
    return Document(doc_id=doc_id, title=doc_id, text=text)


def test_seed_questions_must_quote_their_document(tmp_path: Path) -> None:
    documents = {"d1": _doc("d1", "Dupilumab is approved for eczema."), "d2": _doc("d2", "Other text.")}
    good = tmp_path / "good.yaml"
    good.write_text(
        "questions:\n  - {q: what is it for, expected_doc: d1, expected_phrase: approved for  eczema}\n",
        encoding="utf-8",
    )
    [question] = load_questions(documents, good)
    assert question.accepted_docs == {"d1"}
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "questions:\n  - {q: what is it for, expected_doc: d2, expected_phrase: approved for eczema}\n",
        encoding="utf-8",
    )
    with pytest.raises(QuestionsError, match="not in the cleaned text of d2"):
        load_questions(documents, bad)
