"""The composition root: what the service loads once at start-up, wired in one step.

`load_runtime` loads the settings' templates, triage, model and index; `serve` wires everything a loaded
library serves with (query batcher, retriever, approved-answer matcher, drug coverage, answer composer,
review engine, answer cache) in one place, and hot reload calls the same `serve` for a new library. Nothing
is assigned afterwards: a `Runtime` is immutable, and a reload swaps in a whole new one.

A failure to load the model or the index does not stop the service: `Runtime.problem` says what is wrong,
`/readyz` answers 503 with it, and `/ask` gives the safe "unavailable" answer with the emergency number.
Routes that need the library get a `ReadyRuntime` (`service.dependencies.ReadyDep`), whose parts are never
None.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass

from index.encoders.base import Embedder
from index.encoders.factory import load_embedder
from index.errors import ClinicIndexError
from index.review.coverage import DrugCoverage
from index.review.engine import Reviewer
from index.search.batching import QueryBatcher
from index.search.library import Library, load_library
from index.search.retriever import Retriever
from index.search.store import set_search_threads
from service.answers import Answer, AnswerComposer
from service.approved import ApprovedMatcher
from service.cache import LRUCache
from service.config import Settings
from service.templates import Templates
from service.triage import Triage, load_classifier, load_triage

log = logging.getLogger("clinic.service")


def compose(settings: Settings, triage: Triage, templates: Templates, retriever: Retriever) -> AnswerComposer:
    """The answer composer over a retriever's library: its approved answers' question variants embedded and
    the medicines it names listed, once."""
    entries = retriever.library.approved
    approved = (
        ApprovedMatcher(entries, retriever.embedder, settings.approved_match_threshold) if entries else None
    )
    coverage = DrugCoverage(retriever.library.lexical)
    return AnswerComposer(settings, triage, templates, retriever, approved=approved, coverage=coverage)


@dataclass(frozen=True)
class ReadyRuntime:
    """A runtime whose library is loaded: what the staff routes and the review need, none of it None."""

    settings: Settings
    library: Library
    retriever: Retriever
    composer: AnswerComposer
    reviewer: Reviewer


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    triage: Triage
    templates: Templates
    composer: AnswerComposer
    answers: LRUCache[Answer]
    embedder: Embedder | None = None
    library: Library | None = None
    retriever: Retriever | None = None
    reviewer: Reviewer | None = None
    batcher: QueryBatcher | None = None
    problem: str | None = None
    load_seconds: float = 0.0

    @property
    def ready(self) -> bool:
        return self.ready_view() is not None

    def ready_view(self) -> ReadyRuntime | None:
        """The loaded parts, or None while the model or the library is not loaded (`problem` says why)."""
        if (
            self.problem is not None
            or self.library is None
            or self.retriever is None
            or self.reviewer is None
        ):
            return None
        return ReadyRuntime(self.settings, self.library, self.retriever, self.composer, self.reviewer)

    def with_library(self, library: Library) -> Runtime:
        """A new runtime serving `library`, sharing this one's settings, model, triage and templates, with an
        empty answer cache (hot reload: the old runtime keeps serving until it is swapped out)."""
        assert self.embedder is not None
        return serve(self.settings, self.triage, self.templates, self.embedder, library)

    def close(self) -> None:
        if self.batcher is not None:
            self.batcher.close()
            log.info(
                "query batcher: %d questions in %d batches, %d encoded",
                self.batcher.questions,
                self.batcher.batches,
                self.batcher.encoded,
            )


def serve(
    settings: Settings, triage: Triage, templates: Templates, embedder: Embedder, library: Library
) -> Runtime:
    """The one wiring step: everything that serves `library`, built once and warmed up."""
    started = time.perf_counter()
    batcher = (
        QueryBatcher(embedder, library.dense, settings.query_batch_max)
        if settings.query_batch_max > 1
        else None
    )
    retriever = Retriever(library, embedder, settings.fusion_settings(), batcher=batcher)
    composer = compose(settings, triage, templates, retriever)
    retriever.warm_up()
    return Runtime(
        settings,
        triage,
        templates,
        composer,
        LRUCache[Answer](settings.answer_cache_entries),
        embedder=embedder,
        library=library,
        retriever=retriever,
        reviewer=Reviewer(retriever, keep=composer.keep),
        batcher=batcher,
        load_seconds=time.perf_counter() - started,
    )


def load_library_for(settings: Settings, embedder: Embedder) -> Library:
    """The index at `settings.index_dir`, checked against the model (ClinicIndexError when it cannot serve)."""
    return load_library(
        settings.index_dir, expected_model=embedder.name, expected_dimension=embedder.dimension
    )


def load_query_embedder(settings: Settings) -> Embedder:
    """The configured encoder with the service's query threads (raises ClinicIndexError when it cannot load)."""
    return load_embedder(settings.model_copy(update={"torch_threads": settings.query_threads}))


def load_runtime(settings: Settings, embedder: Embedder | None = None) -> Runtime:
    """Load everything. Templates, triage phrases and the triage classifier must be valid and match the
    embedding model (they raise: the service refuses to start); the model and the index may fail."""
    started = time.perf_counter()
    templates = Templates(settings.prompts_dir)
    classifier = load_classifier(settings.triage_model_dir)
    problem: str | None = None
    try:
        set_search_threads(settings.query_threads)
        embedder = embedder or load_query_embedder(settings)
    except ClinicIndexError as exc:
        problem = str(exc)
        log.error("embedding model not loaded: %s", exc)
    triage = load_triage(embedder, phrases_path=settings.triage_phrases, classifier=classifier)
    runtime: Runtime | None = None
    if embedder is not None:
        try:
            runtime = serve(settings, triage, templates, embedder, load_library_for(settings, embedder))
        except ClinicIndexError as exc:
            problem = str(exc)
            log.error("library not loaded: %s", exc)
    if runtime is None:  # the safe answers only: triage, and "unavailable" with the emergency number
        composer = AnswerComposer(settings, triage, templates)
        cache = LRUCache[Answer](settings.answer_cache_entries)
        runtime = Runtime(settings, triage, templates, composer, cache, embedder, problem=problem)
    return dataclasses.replace(runtime, load_seconds=time.perf_counter() - started)
