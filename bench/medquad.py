"""MedQuAD as a retrieval test: each section's title is the query, the section itself the expected result.

Many titles are shared by several sections ("What are the symptoms of X ?" from two NIH sites), so every
query is scored twice: *strict* (only the section itself counts) and *lenient* (any section with the
identical title counts). Both the evaluation and the peer comparison draw the same seeded sample from the
same ids, so their figures are comparable.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.metrics import Rank, first_rank, group_by, normalise_title, ranking_summary

SEED = 13
DEFAULT_SAMPLE = 2000
KS = (1, 5, 10)
DEPTH = 10  # documents ranked per query: Recall@10 and MRR@10


@dataclass(frozen=True)
class Query:
    doc_id: str  # the section that answers it
    text: str  # the section's title


@dataclass
class RankingResult:
    strict: list[Rank]
    lenient: list[Rank]

    def summary(self) -> dict[str, dict[str, float]]:
        return {
            "strict": ranking_summary(self.strict, KS, DEPTH),
            "lenient": ranking_summary(self.lenient, KS, DEPTH),
        }


def iter_records(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """MedQuAD records in file order, the first `limit` of them when given."""
    with path.open(encoding="utf-8") as handle:
        count = 0
        for line in handle:
            if limit is not None and count >= limit:
                return
            if line.strip():
                count += 1
                yield json.loads(line)


def sample_queries(pairs: Iterable[tuple[str, str]], n: int, seed: int = SEED) -> list[Query]:
    """A fixed random sample of n (id, title) pairs as queries; n=0 (or n >= all) keeps all, sorted by id.

    The pairs are sorted by id first, so the sample does not depend on the order they were read in.
    """
    ordered = sorted(pairs)
    chosen = ordered if n <= 0 or n >= len(ordered) else random.Random(seed).sample(ordered, n)
    return [Query(doc_id, " ".join(title.split())) for doc_id, title in chosen]


def title_groups(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Normalised title -> ids of every section with that title."""
    return group_by(pairs)


def duplicate_title_share(queries: Sequence[Query], groups: dict[str, set[str]]) -> float:
    """Share of the queries whose title is shared with at least one other section."""
    if not queries:
        return 0.0
    return sum(len(groups.get(normalise_title(q.text), ())) > 1 for q in queries) / len(queries)


def rank_queries(
    queries: Sequence[Query],
    groups: dict[str, set[str]],
    ranked_docs: Callable[[str], Sequence[str]],
) -> RankingResult:
    """Strict and lenient ranks of every query; `ranked_docs(query)` returns distinct doc ids, best first."""
    result = RankingResult([], [])
    for query in queries:
        ranked = list(ranked_docs(query.text))[:DEPTH]
        result.strict.append(first_rank(ranked, {query.doc_id}))
        same_title = groups.get(normalise_title(query.text), set()) | {query.doc_id}
        result.lenient.append(first_rank(ranked, same_title))
    return result
