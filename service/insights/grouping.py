"""Group similar unanswered questions so staff see one entry per gap in the library, not fifty.

`group_similar` clusters sentence embeddings by complete linkage on cosine distance (scipy): two questions
share a group only if every pair in it is at least `threshold` similar, so a group never drifts from one topic
to another the way single linkage or a chain of nearest neighbours can. `group_by_words` is the fallback when
no embedding model is loaded: the same complete linkage on the Jaccard similarity of content-word sets.

Both are deterministic (no random starts; ties are broken by input order): groups are sorted largest first,
then by their first member, and list their members in input order.

DEFAULT_THRESHOLD 0.75: with all-MiniLM-L6-v2 (the service's model), paraphrases of one question ("can I take
ibuprofen when pregnant" / "is ibuprofen safe in pregnancy") score about 0.75-0.9, while questions that only
share a topic ("ibuprofen and pregnancy" / "ibuprofen dose for children") score 0.5-0.7; complete linkage at
0.75 keeps the first together and the second apart. DEFAULT_WORD_THRESHOLD 0.5: half the content words shared.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

T = TypeVar("T")
DEFAULT_THRESHOLD = 0.75
DEFAULT_WORD_THRESHOLD = 0.5
_WORD = re.compile(r"[a-z0-9]+")
_PLACEHOLDER = re.compile(r"\[[A-Z]+\]")
_STOPWORDS = frozenset(
    "a an the and or but if of to in on at for with from by about as is are was were be been being am do does "
    "did have has had i me my we our you your he him his she her it its they them their this that these those "
    "what which who whom when where why how can could should would will shall may might must not no so than "
    "too very just also any some there here up out off over into after before again then once s t".split()
)


def _ordered_groups(labels: npt.NDArray[np.int32]) -> list[list[int]]:
    by_label: dict[int, list[int]] = {}
    for index, label in enumerate(labels.tolist()):
        by_label.setdefault(int(label), []).append(index)
    return sorted(by_label.values(), key=lambda members: (-len(members), members[0]))


def _complete_linkage(similarity: npt.NDArray[np.float64], threshold: float) -> list[list[int]]:
    n = similarity.shape[0]
    if n == 0:
        return []
    if n == 1:
        return [[0]]
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    distance = (distance + distance.T) / 2.0
    tree = linkage(squareform(distance, checks=False), method="complete")
    # a merge at distance d joins clusters whose farthest pair is d apart; keep merges with d <= 1 - threshold
    # (a hair of slack so that a similarity of exactly `threshold` survives float rounding)
    labels = fcluster(tree, t=1.0 - threshold + 1e-9, criterion="distance")
    return _ordered_groups(labels.astype(np.int32))


def group_similar(
    items: Sequence[T], vectors: npt.NDArray[np.float32], threshold: float = DEFAULT_THRESHOLD
) -> list[list[int]]:
    """Indices of `items` grouped so that every two members of a group have cosine similarity >= threshold.

    `vectors` is n x d, L2-normalised (the service's embeddings are), one row per item."""
    if len(items) != vectors.shape[0]:
        raise ValueError(f"{len(items)} items but {vectors.shape[0]} vectors")
    matrix = np.asarray(vectors, dtype=np.float64)
    return _complete_linkage(matrix @ matrix.T if len(items) else np.zeros((0, 0)), threshold)


def content_words(text: str) -> frozenset[str]:
    text = _PLACEHOLDER.sub(" ", text)  # "[NAME]" is the scrubber's, not the patient's, word
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def group_by_words(texts: Sequence[str], threshold: float = DEFAULT_WORD_THRESHOLD) -> list[list[int]]:
    """Indices of `texts` grouped so that every two members share >= threshold of their content words (Jaccard)."""
    words = [content_words(text) for text in texts]
    n = len(words)
    similarity = np.eye(n, dtype=np.float64)
    for i in range(n):
        for j in range(i + 1, n):
            similarity[i, j] = similarity[j, i] = jaccard(words[i], words[j])
    return _complete_linkage(similarity, threshold)
