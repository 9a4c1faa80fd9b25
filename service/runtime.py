"""What the service loads once at start-up: settings, model, index, triage, templates, answer composer.

A failure to load the model or the index does not stop the service: `Runtime.problem` says what is wrong,
`/readyz` answers 503 with it, and `/ask` gives the safe "unavailable" answer with the emergency number.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from index.encoders.base import Embedder
from index.encoders.factory import load_embedder
from index.encoders.recent import RecentVectors
from index.errors import ClinicIndexError
from index.search.batching import QueryBatcher
from index.search.library import Library, load_library
from index.search.retriever import Retriever
from index.search.store import set_search_threads
from service.answers import Answer, AnswerComposer
from service.cache import LRUCache
from service.config import Settings
from service.templates import Templates
from service.triage import load_classifier, load_triage

log = logging.getLogger("clinic.service")


@dataclass
class Runtime:
    settings: Settings
    composer: AnswerComposer
    embedder: Embedder | None = None
    library: Library | None = None
    retriever: Retriever | None = None
    problem: str | None = None
    load_seconds: float = 0.0
    answers: LRUCache[Answer] = field(default_factory=lambda: LRUCache[Answer](0))
    batcher: QueryBatcher | None = None

    @property
    def ready(self) -> bool:
        return self.retriever is not None and self.problem is None

    def attach(self, library: Library) -> None:
        """Serve `library`: its batcher, retriever and composer wiring, warmed up."""
        assert self.embedder is not None
        self.library = library
        if self.settings.query_batch_max > 1:
            self.batcher = QueryBatcher(self.embedder, library.dense, self.settings.query_batch_max)
        self.retriever = Retriever(
            library, self.embedder, self.settings.fusion_settings(), batcher=self.batcher
        )
        self.composer.retriever = self.retriever
        self.retriever.warm_up()
        self.problem = None

    def with_library(self, library: Library) -> Runtime:
        """A new runtime serving `library`, sharing this one's settings, model, triage and templates, with an
        empty answer cache (hot reload: the old runtime keeps serving until it is swapped out)."""
        composer = AnswerComposer(self.settings, self.composer.triage, self.composer.templates, None)
        fresh = Runtime(self.settings, composer, embedder=self.embedder)
        fresh.answers = LRUCache(self.settings.answer_cache_entries)
        started = time.perf_counter()
        fresh.attach(library)
        fresh.load_seconds = time.perf_counter() - started
        return fresh

    def close(self) -> None:
        if self.batcher is not None:
            self.batcher.close()
            log.info(
                "query batcher: %d questions in %d batches", self.batcher.questions, self.batcher.batches
            )


def load_library_for(settings: Settings, embedder: Embedder) -> Library:
    """The index at `settings.index_dir`, checked against the model (ClinicIndexError when it cannot serve)."""
    return load_library(
        settings.index_dir, expected_model=embedder.name, expected_dimension=embedder.dimension
    )


def load_runtime(settings: Settings, embedder: Embedder | None = None) -> Runtime:
    """Load everything. Templates, triage phrases and the triage classifier must be valid and match the
    embedding model (they raise: the service refuses to start); the model and the index may fail."""
    started = time.perf_counter()
    templates = Templates(settings.prompts_dir)
    classifier = load_classifier(settings.triage_model_dir)
    problem: str | None = None
    try:
        set_search_threads(settings.query_threads)
        # triage, the approved answers and the retriever each embed the question: encode it once
        embedder = RecentVectors(
            embedder or load_embedder(settings.model_copy(update={"torch_threads": settings.query_threads}))
        )
    except ClinicIndexError as exc:
        problem = str(exc)
        log.error("embedding model not loaded: %s", exc)
    triage = load_triage(embedder, phrases_path=settings.triage_phrases, classifier=classifier)
    runtime = Runtime(settings, AnswerComposer(settings, triage, templates, None), embedder=embedder)
    runtime.answers = LRUCache(settings.answer_cache_entries)
    if embedder is None:
        runtime.problem = problem
        runtime.load_seconds = time.perf_counter() - started
        return runtime
    try:
        runtime.attach(load_library_for(settings, embedder))
    except ClinicIndexError as exc:
        runtime.problem = str(exc)
        log.error("library not loaded: %s", exc)
    runtime.load_seconds = time.perf_counter() - started
    return runtime
