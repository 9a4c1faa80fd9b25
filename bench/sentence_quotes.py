"""`python -m bench.sentence_quotes`: would quoting the best 1-3 sentences of a passage, instead of the whole
passage, still show patients the answer? And would sentence-level evidence rank passages better? (issue #12,
item 4; an experiment, not part of the service).

For each seed *tuning* question (`bench/questions_seed.yaml`; never the held-out set), the top three hybrid
passages are shortened to a window of one to three consecutive sentences (the build's sentence spans), chosen
by each sentence's score `cosine(question, sentence) + w x coverage`, where coverage is the idf-weighted share
of the question's BM25 terms in the sentence; the window grows from the best sentence to a neighbour scoring
at least `--grow` (75%) of it; `--grow 0` always quotes three sentences. It prints phrase-Hit@3 (the expected verbatim phrase inside one of the three quotes),
the quotes' mean length, and the milliseconds spent choosing (with sentence embeddings computed on the fly,
as the service would have to: passages are embedded whole at build time).

The second table re-ranks the top 20 hybrid passages by `fused + beta x best window`, where a window is one to
three consecutive sentences of the passage, embedded with (or without) the passage's context line, and prints
Hit@1 and phrase-Hit@3 for each beta.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench.eval import build_seed_index
from bench.seed import SHOWN, load_questions
from bench.tables import markdown_table
from index.config import IndexSettings
from index.encoders.base import Embedder
from index.encoders.factory import load_embedder
from index.encoders.recent import RecentVectors
from index.ingest.chunking import Chunk
from index.ingest.context import library_texts
from index.ingest.sentences import sentence_spans
from index.search.library import Library, load_library
from index.search.retriever import Retriever

WEIGHTS = (0.0, 0.5, 1.0)  # lexical coverage weight; "lexical only" drops the cosine
GROW = 0.75  # default of --grow
BETAS = (0.0, 0.2, 0.5, 1.0)  # weight of the best sentence window in the re-ranking table
RERANK_DEPTH = 20


class QuoteChooser:
    def __init__(self, library: Library, embedder: Embedder, grow: float = GROW) -> None:
        self.grow = grow
        self.lexical = library.lexical
        self.idf = library.lexical.idf_by_term()
        self.embedder = embedder
        self.sentence_vectors: dict[str, npt.NDArray[np.float32]] = {}

    def coverage(self, terms: set[str], text: str) -> float:
        present = set(self.lexical.analyze(text))
        total = sum(self.idf.get(t, 0.0) for t in terms) or 1.0
        return sum(self.idf.get(t, 0.0) for t in terms if t in present) / total

    def choose(
        self, question: str, vector: npt.NDArray[np.float32], chunk: Chunk, weight: float | None
    ) -> str:
        """The quote for one passage; weight None = the whole passage, a negative weight = lexical only."""
        spans = sentence_spans(chunk.text)
        if weight is None or len(spans) <= 1:
            return chunk.text
        texts = [chunk.text[a:b] for a, b in spans]
        terms = set(self.lexical.analyze(question))
        lexical = np.asarray([self.coverage(terms, t) for t in texts])
        if weight < 0:
            scores = lexical
        else:
            if chunk.chunk_id not in self.sentence_vectors:
                self.sentence_vectors[chunk.chunk_id] = np.asarray(self.embedder.embed(texts), np.float32)
            scores = self.sentence_vectors[chunk.chunk_id] @ vector + weight * lexical
        best = int(np.argmax(scores))
        lo = hi = best
        while hi - lo < 2:
            neighbours = [(scores[i], i) for i in (lo - 1, hi + 1) if 0 <= i < len(scores)]
            if not neighbours:
                break
            value, i = max(neighbours)
            if value < self.grow * scores[best]:
                break
            lo, hi = min(lo, i), max(hi, i)
        return chunk.text[spans[lo][0] : spans[hi][1]]


class SentenceEvidence:
    """Re-ranks passages by their fused score plus `beta` times their best sentence window's cosine."""

    def __init__(self, library: Library, embedder: Embedder, width: int, context: bool) -> None:
        self.embedder = embedder
        self.width = width
        contextual = library_texts(library.documents, library.chunks)
        self.context = {
            chunk.chunk_id: text.partition("\n")[0] if context and "\n" in text else ""
            for chunk, text in zip(library.chunks, contextual, strict=True)
        }
        self.vectors: dict[str, npt.NDArray[np.float32]] = {}

    def best_window(self, chunk: Chunk, vector: npt.NDArray[np.float32]) -> float:
        if chunk.chunk_id not in self.vectors:
            spans = sentence_spans(chunk.text) or [(0, len(chunk.text))]
            windows = [
                chunk.text[spans[i][0] : spans[min(len(spans), i + self.width) - 1][1]]
                for i in range(len(spans))
            ]
            prefix = self.context[chunk.chunk_id]
            texts = [f"{prefix}\n{w}" if prefix else w for w in windows]
            self.vectors[chunk.chunk_id] = np.asarray(self.embedder.embed(texts), np.float32)
        return float((self.vectors[chunk.chunk_id] @ vector).max())


def rerank_rows(library: Library, embedder: Embedder, retriever: Retriever) -> list[tuple[object, ...]]:
    questions = load_questions(library.documents)
    vectors = np.asarray(embedder.embed([q.text for q in questions]), np.float32)
    candidates = [retriever.search(q.text, RERANK_DEPTH) for q in questions]
    rows: list[tuple[object, ...]] = []
    for width in (1, 2, 3):
        for context in (False, True):
            evidence = SentenceEvidence(library, embedder, width, context)
            cells: list[object] = [f"{width} sentence(s){', with context' if context else ''}"]
            for beta in BETAS:
                first = phrase = 0
                for question, vector, hits in zip(questions, vectors, candidates, strict=True):
                    scores = [h.fused + beta * evidence.best_window(h.chunk, vector) for h in hits]
                    order = [hits[i] for i in np.argsort(-np.asarray(scores), kind="stable")]
                    first += bool(order) and order[0].chunk.doc_id in question.accepted_docs
                    phrase += question.answered_by(h.chunk.text for h in order[:SHOWN])
                cells.append(f"{first / len(questions):.3f} / {phrase / len(questions):.3f}")
            rows.append(tuple(cells))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sentence_quotes", description=__doc__)
    parser.add_argument(
        "--grow",
        type=float,
        default=GROW,
        help="a neighbour joins the window at this share of the best score (0: always three sentences)",
    )
    args = parser.parse_args(argv)
    settings = IndexSettings()
    encoder = load_embedder(settings)  # sentences: never cached between variants, so the timing is honest
    embedder = RecentVectors(encoder, size=None)
    with tempfile.TemporaryDirectory(prefix="bench-quotes-") as tmp:
        build_seed_index(Path(tmp) / "i", embedder, settings)
        library = load_library(Path(tmp) / "i")
    questions = load_questions(library.documents)
    retriever = Retriever(library, embedder, settings.fusion_settings())
    variants: list[tuple[str, float | None]] = [
        ("whole passage (today)", None),
        ("lexical coverage only", -1.0),
    ]
    variants += [(f"cosine + {w:g} x coverage", w) for w in WEIGHTS]
    rows = []
    for label, weight in variants:
        chooser = QuoteChooser(library, encoder, args.grow)
        hits, lengths, seconds = 0, [], 0.0
        for question in questions:
            vector = np.asarray(embedder.embed([question.text])[0], dtype=np.float32)
            passages = retriever.search(question.text, SHOWN)
            started = time.perf_counter()
            quotes = [chooser.choose(question.text, vector, hit.chunk, weight) for hit in passages]
            seconds += time.perf_counter() - started
            lengths += [len(q) for q in quotes]
            hits += question.answered_by(quotes)
        rows.append(
            (
                label,
                round(hits / len(questions), 3),
                round(float(np.mean(lengths))),
                round(1000 * seconds / len(questions), 1),
            )
        )
    print(f"{len(questions)} seed tuning questions, top 3 hybrid passages each, grow {args.grow:g}\n")
    print(markdown_table(("quote", "phrase-Hit@3", "mean chars", "choosing ms/question"), rows))
    print(
        f"\nRe-ranking the top {RERANK_DEPTH} passages by sentence evidence: Hit@1 / phrase-Hit@3 per beta\n"
    )
    print(
        markdown_table(
            ("best window", *(f"beta {b:g}" for b in BETAS)), rerank_rows(library, embedder, retriever)
        )
    )


if __name__ == "__main__":
    main()
