"""Review of an answer against the library: each sentence is a claim, checked against its best passage.

For every sentence of the answer (`index.sentences.sentence_spans`):

1. the retriever finds the best chunks (hybrid, plus a lexical pass for exact words and figures), within the
   cited documents when the answer cites some;
2. each sentence of those chunks, and each two adjacent sentences, is a candidate quote, scored by
   `dense_weight * cosine + (1 - dense_weight) * coverage` where `coverage` is the idf-weighted share of
   the claim's content terms (light stems; numbers, units and negations are left to the rules) in the quote.
   Abbreviations a document defines ("alopecia areata (AA)") count as their long form. A quote whose
   document never names a drug the claim names ("dupilumab", by its INN stem) is not a candidate;
3. explicit rules (`index.claims`) compare the claim with the best quotes: a number, unit, duration,
   frequency, dose, negation or comparison that differs makes it a `mismatch`; a quote that scores at
   least `support` and states every quantity of the claim makes it `supported`; else it is `unsupported`.

Deterministic, and it generates nothing: evidence is always `document.text[start:end]` of a library document.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from index.encoders.recent import RecentVectors
from index.errors import ApprovedAnswerRejected, UnknownCitation
from index.ingest.approved import ApprovedEntry, ApprovedSentence, Evidence
from index.ingest.chunking import Chunk
from index.ingest.documents import Document
from index.ingest.sentences import sentence_spans
from index.review.claims import Comparison, analyse, claim_stem, compare, content_terms, drug_names
from index.search.library import Library
from index.search.retriever import Retriever

Verdict = Literal["supported", "unsupported", "mismatch"]
VERDICTS: tuple[Verdict, ...] = ("supported", "unsupported", "mismatch")
Vector = npt.NDArray[np.float32]
_DEFINITION = re.compile(r"((?:[A-Za-z][\w’'-]*\s+){1,6})\(([A-Z]{2,6})\)")
_CAPITALS = re.compile(r"\b[A-Z]{2,6}\b")


@dataclass(frozen=True)
class ReviewSettings:
    candidates: int = 8  # chunks searched per claim (hybrid), plus half as many lexical-only
    dense_weight: float = 0.5  # score = dense_weight * cosine + (1 - dense_weight) * coverage
    support: float = 0.62  # a quote this close, stating the claim's facts, supports it
    topic: float = 0.55  # a quote this close covers the claim's point: a differing fact is a mismatch
    pair_penalty: float = 0.04  # two sentences must beat one by this much to be the quote
    contenders: int = 4  # the best quotes, within `margin` of the best, that are checked
    margin: float = 0.06


@dataclass(frozen=True)
class SentenceReview:
    text: str
    start: int  # offsets of the sentence in the reviewed answer
    end: int
    verdict: Verdict
    reason: str
    evidence: Evidence | None
    score: float


@dataclass(frozen=True)
class Review:
    sentences: list[SentenceReview]

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(s.verdict for s in self.sentences)
        return {**{v: counts.get(v, 0) for v in VERDICTS}, "total": len(self.sentences)}

    @property
    def ok(self) -> bool:
        return bool(self.sentences) and all(s.verdict == "supported" for s in self.sentences)


@dataclass(frozen=True)
class Candidate:
    """A quote: one sentence, or two adjacent ones, of a retrieved chunk's document."""

    chunk: Chunk
    start: int
    end: int
    text: str
    sentences: tuple[int, ...]  # indexes into the document's sentences
    cosine: float = 0.0
    coverage: float = 0.0
    score: float = 0.0


class Vocabulary:
    """Library-wide statistics, cheap on a large library: idf of stems (from the lexical index), which
    documents name a drug (from the lexical index), and the abbreviations each document defines (on first use).
    """

    def __init__(self, library: Library) -> None:
        self.library = library
        n = max(len(library.chunks), 1)
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)  # a word the library never uses: frequency 0
        df: dict[str, float] = {}
        for term, value in library.lexical.idf_by_term().items():
            if term.isalpha():  # document frequency back from idf = log(1 + (n - df + 0.5) / (df + 0.5))
                ratio = math.exp(value) - 1
                key = claim_stem(term)
                df[key] = df.get(key, 0.0) + (n + 0.5 - 0.5 * ratio) / (ratio + 1)
        # a stem (which also merges synonyms: trial -> study) is in about as many chunks as all its forms
        self.idf = {t: math.log(1 + (n - min(d, n) + 0.5) / (min(d, n) + 0.5)) for t, d in df.items()}
        self.chunk_docs = {c.chunk_id: c.doc_id for c in library.chunks}
        self._abbreviations: dict[str, dict[str, frozenset[str]]] = {}
        self._naming: dict[str, frozenset[str]] = {}

    def documents_naming(self, word: str) -> frozenset[str]:
        """Ids of the documents whose text contains `word` (a drug name)."""
        found = self._naming.get(word)
        if found is None:
            rows = np.flatnonzero(self.library.lexical.scores(word) > 0)
            found = self._naming[word] = frozenset(self.library.chunks[int(r)].doc_id for r in rows)
        return found

    def abbreviations(self, doc_id: str) -> dict[str, frozenset[str]]:
        """Abbreviations a document defines, "alopecia areata (AA)": {"aa": stems of the long form}."""
        found = self._abbreviations.get(doc_id)
        if found is None:
            found = {}
            for match in _DEFINITION.finditer(self.library.documents[doc_id].text):
                words, short = match.group(1).split(), match.group(2)
                long_form = words[-len(short) :]
                if len(long_form) == len(short) and "".join(w[0] for w in long_form).upper() == short:
                    found.setdefault(short.lower(), frozenset(claim_stem(w) for w in long_form))
            self._abbreviations[doc_id] = found
        return found

    def terms(self, text: str, doc_id: str) -> frozenset[str]:
        """Content terms; an abbreviation the document defines, written in capitals ("AA"), also counts as its
        long form, and the long form as the abbreviation."""
        terms = set(content_terms(text))
        capitals = {m.lower() for m in _CAPITALS.findall(text)}
        for short, long_form in self.abbreviations(doc_id).items():
            if short in capitals:
                terms |= long_form
            elif long_form <= terms:
                terms.add(short)
        return frozenset(terms)


class Reviewer:
    """Reviews answers against a retriever's library. Safe to share between threads; caches fill lazily."""

    def __init__(
        self,
        retriever: Retriever,
        settings: ReviewSettings | None = None,
        keep: Callable[[Document], bool] | None = None,
    ) -> None:
        # a claim is embedded once, not once a search
        self.embedder = RecentVectors(retriever.embedder, size=512)
        self.retriever = Retriever(retriever.library, self.embedder, retriever.fusion)
        self.library = retriever.library
        self.settings = settings or ReviewSettings()
        self.keep = keep
        self._lock = threading.Lock()
        self._vocabulary: Vocabulary | None = None
        self._spans: dict[str, list[tuple[int, int]]] = {}
        self._vectors: dict[str, Vector] = {}  # doc id -> one row per sentence

    @property
    def vocabulary(self) -> Vocabulary:
        with self._lock:
            if self._vocabulary is None:
                self._vocabulary = Vocabulary(self.library)
            return self._vocabulary

    def resolve(self, citations: Sequence[str] | None) -> set[str] | None:
        """Document ids of the citations (document or chunk ids); None when there are none."""
        if not citations:
            return None
        chunk_docs = self.vocabulary.chunk_docs
        unknown = [c for c in citations if c not in self.library.documents and c not in chunk_docs]
        if unknown:
            raise UnknownCitation(list(dict.fromkeys(unknown)))
        return {c if c in self.library.documents else chunk_docs[c] for c in citations}

    def review(self, answer: str, citations: Sequence[str] | None = None) -> Review:
        doc_ids = self.resolve(citations)
        spans = sentence_spans(answer)
        vectors = self.embedder.embed([answer[a:b] for a, b in spans])  # one batch for all claims
        return Review(
            [self.review_sentence(answer, a, b, doc_ids, v) for (a, b), v in zip(spans, vectors, strict=True)]
        )

    def review_sentence(
        self, answer: str, start: int, end: int, doc_ids: set[str] | None, vector: Vector | None = None
    ) -> SentenceReview:
        text = answer[start:end]
        claim = analyse(text)
        scope = "the cited documents" if doc_ids is not None else "the library"
        if not claim.terms:
            return SentenceReview(
                text, start, end, "unsupported", "nothing to check: no statement", None, 0.0
            )
        ranked = self.candidates(text, doc_ids, vector)
        best = ranked[0].score if ranked else 0.0
        if best < self.settings.topic:
            return SentenceReview(
                text, start, end, "unsupported", f"no passage in {scope} says this", None, best
            )
        floor = max(self.settings.topic, best - self.settings.margin)
        contenders = [c for c in ranked[: self.settings.contenders] if c.score >= floor]
        checks = [(c, compare(claim, analyse(c.text))) for c in contenders]
        top, top_check = checks[0]
        if top_check.conflicts:  # the best passage covers the point and says something else
            return self._found(text, start, end, "mismatch", top_check.conflicts[0], top)
        for candidate, check in checks:
            if check.consistent and candidate.score >= self.settings.support:
                return self._found(text, start, end, "supported", "a passage says this", candidate)
        for candidate, check in checks[1:]:
            if check.conflicts:
                return self._found(text, start, end, "mismatch", check.conflicts[0], candidate)
        return SentenceReview(
            text, start, end, "unsupported", _unsupported(top, top_check, scope), None, best
        )

    def verify(self, entries: Sequence[ApprovedEntry]) -> list[ApprovedEntry]:
        """Entries with their evidence; raises ApprovedAnswerRejected naming every entry and sentence at fault."""
        verified: list[ApprovedEntry] = []
        problems: list[str] = []
        for entry in entries:
            where = f"approved answer {entry.entry_id!r} ({entry.source_path})"
            unknown = [c for c in entry.citations if c not in self.library.documents]
            if unknown:
                problems.append(f"{where}: cites unknown document(s) {unknown}")
                continue
            review = self.review(entry.answer, entry.citations)
            failing = [s for s in review.sentences if s.verdict != "supported"]
            problems += [f"{where}: sentence “{s.text}” is {s.verdict}: {s.reason}" for s in failing]
            if not failing and review.ok:
                sentences = tuple(
                    ApprovedSentence(s.text, s.evidence) for s in review.sentences if s.evidence
                )
                verified.append(replace(entry, sentences=sentences))
        if problems:
            raise ApprovedAnswerRejected(
                "refusing to publish approved answers the library does not support:\n  "
                + "\n  ".join(problems)
            )
        return verified

    def candidates(
        self, text: str, doc_ids: set[str] | None, vector: Vector | None = None
    ) -> list[Candidate]:
        """Quotes for a claim (whose embedding is `vector`, when already known), best first."""
        vocabulary = self.vocabulary
        drugs = drug_names(text)
        k = self.settings.candidates
        hits = self.retriever.search(text, k, doc_ids=doc_ids, keep=self.keep)
        hits += self.retriever.search(text, k // 2, doc_ids=doc_ids, keep=self.keep, mode="lexical")
        windows: dict[tuple[str, int, int], Candidate] = {}
        for hit in hits:
            if all(hit.chunk.doc_id in vocabulary.documents_naming(drug) for drug in drugs):
                for window in self._windows(hit.chunk):
                    windows.setdefault((hit.chunk.doc_id, window.start, window.end), window)
        if not windows:
            return []
        claim_vector = self.embedder.embed([text])[0] if vector is None else vector
        weights_by_doc: dict[str, dict[str, float]] = {}
        w = self.settings.dense_weight
        scored = []
        for c in windows.values():
            doc_id = c.chunk.doc_id
            weights = weights_by_doc.get(doc_id)
            if weights is None:  # the claim's terms, read with the abbreviations of this document
                terms = vocabulary.terms(text, doc_id)
                weights = weights_by_doc[doc_id] = {
                    t: vocabulary.idf.get(t, vocabulary.unknown_idf) for t in terms
                }
            total = sum(weights.values()) or 1.0
            window_vector = self._sentence_vectors(c.chunk.doc_id)[list(c.sentences)].sum(axis=0)
            cosine = float(np.dot(claim_vector, window_vector) / (np.linalg.norm(window_vector) or 1.0))
            present = vocabulary.terms(c.text, doc_id)
            coverage = sum(v for t, v in weights.items() if t in present) / total
            penalty = self.settings.pair_penalty if len(c.sentences) > 1 else 0.0
            score = w * cosine + (1 - w) * coverage - penalty
            scored.append(replace(c, cosine=cosine, coverage=coverage, score=score))
        scored.sort(key=lambda c: (-c.score, c.chunk.doc_id, c.start, c.end))
        return scored

    def _found(
        self, text: str, start: int, end: int, verdict: Verdict, reason: str, candidate: Candidate
    ) -> SentenceReview:
        score = round(min(max(candidate.score, 0.0), 1.0), 4)
        c = candidate
        evidence = Evidence(c.chunk.doc_id, c.chunk.chunk_id, c.text, c.start, c.end, score)
        return SentenceReview(text, start, end, verdict, reason, evidence, candidate.score)

    def _windows(self, chunk: Chunk) -> list[Candidate]:
        """The chunk's sentences, and pairs of adjacent ones (a pair may reach one sentence past the chunk)."""
        spans = self._sentence_spans(chunk.doc_id)
        text = self.library.documents[chunk.doc_id].text
        inside = [i for i, (a, b) in enumerate(spans) if a < chunk.end and chunk.start < b]
        if not inside:
            return []
        out = [
            Candidate(chunk, spans[i][0], spans[i][1], text[spans[i][0] : spans[i][1]], (i,)) for i in inside
        ]
        for i in range(max(inside[0] - 1, 0), min(inside[-1] + 1, len(spans) - 1)):
            a, d = spans[i][0], spans[i + 1][1]
            out.append(Candidate(chunk, a, d, text[a:d], (i, i + 1)))
        return out

    def _sentence_spans(self, doc_id: str) -> list[tuple[int, int]]:
        spans = self._spans.get(doc_id)
        if spans is None:
            spans = self._spans[doc_id] = sentence_spans(self.library.documents[doc_id].text)
        return spans

    def _sentence_vectors(self, doc_id: str) -> Vector:
        """Embeddings of every sentence of a document, computed in one batch on first use."""
        vectors = self._vectors.get(doc_id)
        if vectors is None:
            if len(self._vectors) >= 2_000:  # bound the cache on very large libraries
                self._vectors = {}
            text = self.library.documents[doc_id].text
            vectors = self.embedder.embed([text[a:b] for a, b in self._sentence_spans(doc_id)])
            self._vectors[doc_id] = vectors
        return vectors


def _unsupported(top: Candidate, check: Comparison, scope: str) -> str:
    if check.unmatched:
        return f"the closest passage does not state {', '.join(q.text for q in check.unmatched)}"
    return f"no passage in {scope} says this closely enough (closest {top.score:.2f})"
