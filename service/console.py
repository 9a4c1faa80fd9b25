"""The library console's back end: the store, opened once in the lifespan, and the background publish.

`open_console` opens the library store (`CLINIC_LIBRARY_URL`), brings its schema up to date and, when it holds
no document yet, imports `corpus/` into it, so a fresh machine starts with the clinic's files. A store that
cannot be opened does not stop the service: the chat keeps answering from the index, and the console's
routes answer 503 with the reason.

`Publisher.start` records a job and builds the index from the store in a thread (`index.catalog.publish`),
reporting each stage to the job row; then the worker's `IndexReloader` swaps the new index in (the other
workers follow within `CLINIC_RELOAD_INTERVAL`), and the job's result says what was published.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import State

from index.catalog.answers import AnswerCatalog
from index.catalog.documents import DocumentCatalog
from index.catalog.insights import InsightStore
from index.catalog.jobs import JobBoard
from index.catalog.publish import import_corpus, publish
from index.catalog.store import LibraryStore
from index.errors import ClinicIndexError
from service.config import Settings
from service.insights.scrubbing import PhiScrubber

log = logging.getLogger("clinic.service")
PROGRESS_EVERY = 0.25  # seconds between two progress writes


@dataclass(frozen=True)
class Console:
    store: LibraryStore
    documents: DocumentCatalog
    answers: AnswerCatalog
    jobs: JobBoard
    insights: InsightStore

    def record_reply(self, kind: str, question: str) -> None:
        """After the reply is sent: a failure to count is logged (its type only) and the patient never sees it."""
        try:
            self.insights.record_reply(kind, question)
        except Exception as exc:
            log.error("insight not recorded type=%s", type(exc).__name__)

    def close(self) -> None:
        self.store.close()


def open_console(settings: Settings, attempts: int = 3) -> tuple[Console | None, str | None]:
    """The console, or None and the reason it cannot be opened.

    Every worker runs this at start-up, at the same moment: on a fresh store, two may migrate or import
    together and one of them lose the race (a table or a document the other just created). The loser tries
    again, and then finds the work done."""
    problem = ""
    for attempt in range(attempts):
        store: LibraryStore | None = None
        try:
            store = LibraryStore(settings.library_url)
            store.migrate()
            documents = DocumentCatalog(store)
            if not documents.ids():
                approved = settings.approved_dir if settings.approved_dir.is_dir() else None
                imported = import_corpus(store, settings.corpus, approved)
                log.info("library store: %d documents imported from corpus", len(imported.added))
            break
        except ClinicIndexError as exc:
            problem = str(exc)
            if store is not None:
                store.close()
            time.sleep(0.2 + 0.3 * attempt)
    else:
        log.error("library store unavailable: %s", problem)
        return None, problem
    scrubber = PhiScrubber()
    insights = InsightStore(store, settings.unanswered_retention_days, lambda text: scrubber.scrub(text).text)
    return Console(store, documents, AnswerCatalog(store), JobBoard(store), insights), None


class Publisher:
    """Runs one publish at a time (the job board refuses a second), in a background thread."""

    def __init__(self, console: Console, state: State) -> None:
        self.console = console
        self.state = state

    def start(self, actor: str) -> dict[str, Any]:
        job = self.console.jobs.start(actor)
        threading.Thread(target=self.run, args=(job["job_id"],), name="publish", daemon=True).start()
        return job

    def run(self, job_id: str) -> None:
        jobs = self.console.jobs
        last = 0.0

        def report(stage: str, share: float) -> None:
            nonlocal last
            if time.monotonic() - last >= PROGRESS_EVERY or stage != "embedding":
                jobs.update(job_id, stage, share)
                last = time.monotonic()

        try:
            runtime = self.state.runtime
            if runtime.embedder is None:
                raise ClinicIndexError(f"the model is not loaded: {runtime.problem or 'loading'}")
            built = publish(self.console.store, runtime.settings, runtime.embedder, on_progress=report)
            jobs.update(job_id, "swapping", 0.98)
            swapped = self.state.reloader.check()
            if swapped.outcome == "refused":
                raise ClinicIndexError(f"the new index was refused: {swapped.problem}")
            jobs.finish(
                job_id,
                {
                    "documents": built.documents,
                    "chunks": built.chunks,
                    "embedded": built.embedded,
                    "seconds": round(built.seconds, 2),
                    "warnings": built.warnings,
                    "answers_served": built.approved - len(built.awaiting_approval),
                },
            )
            log.info("publish done job=%s documents=%d chunks=%d", job_id, built.documents, built.chunks)
        except ClinicIndexError as exc:
            jobs.fail(job_id, str(exc))
            log.error("publish failed job=%s: %s", job_id, exc)
        except Exception as exc:  # a bug: the job says so, the service keeps serving the old index
            jobs.fail(job_id, f"internal error ({type(exc).__name__}); the previous index keeps serving")
            log.error("publish failed job=%s type=%s", job_id, type(exc).__name__)
