"""Hot reload: a newly built index is loaded beside the one serving, validated, and swapped in atomically.

`python -m index build` writes a new index directory and renames it into place. Every worker process runs an
`IndexReloader`: every `CLINIC_RELOAD_INTERVAL` seconds (default 5; 0 turns polling off) it reads the
manifest at `CLINIC_INDEX_DIR`, and when its build (corpus hash and build time) differs from the one being
served it loads the new library in a thread, with all of `load_library`'s checks, and builds a new runtime
around it (same model, triage and templates; an empty answer cache). Only then is `app.state.runtime`
replaced, in one assignment: a request holds the runtime it started with to its end, so no answer mixes two
libraries. The old runtime's batcher is closed after `GRACE_SECONDS`, once its requests are done.

A new index that fails to load is refused: the old one keeps serving, `/readyz` reports the refusal, and the
same build is not retried until another one replaces it. `POST /api/v1/admin/reload` (staff token) runs the
check at once in the worker that receives it; the other workers follow within one polling interval, so all
of them end on the same build.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from typing import Literal

from starlette.datastructures import State

from index.errors import ClinicIndexError
from index.search.library import Manifest
from service.runtime import Runtime, load_library_for

log = logging.getLogger("clinic.service")
GRACE_SECONDS = 30.0
Outcome = Literal["unchanged", "reloaded", "refused"]


@dataclass(frozen=True)
class IndexVersion:
    corpus_hash: str
    built_at: str

    @classmethod
    def of(cls, manifest: Manifest) -> IndexVersion:
        return cls(manifest.corpus_hash, manifest.built_at)


@dataclass(frozen=True)
class ReloadResult:
    outcome: Outcome
    version: IndexVersion | None  # the build now being served
    problem: str | None = None  # why a new build was refused


class IndexReloader:
    """Swaps `state.runtime` for one serving the index now on disk, when that index is new and loads."""

    def __init__(self, state: State) -> None:
        self.state = state
        self._lock = threading.Lock()
        self.refused: tuple[IndexVersion, str] | None = None

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.state.runtime
        return runtime

    def serving(self) -> IndexVersion | None:
        library = self.runtime.library
        return IndexVersion.of(library.manifest) if library is not None and self.runtime.ready else None

    def check(self) -> ReloadResult:
        """Load and swap in the index on disk if it is a new build (blocking: run it in a thread)."""
        with self._lock:
            current = self.runtime
            serving = self.serving()
            if current.embedder is None:
                return ReloadResult("unchanged", serving, current.problem)
            try:
                on_disk = IndexVersion.of(Manifest.read(current.settings.index_dir))
            except ClinicIndexError as exc:
                return ReloadResult("unchanged" if serving else "refused", serving, str(exc))
            if on_disk == serving:
                return ReloadResult("unchanged", serving)
            if self.refused is not None and self.refused[0] == on_disk:
                return ReloadResult("refused", serving, self.refused[1])
            try:
                fresh = current.with_library(load_library_for(current.settings, current.embedder))
            except ClinicIndexError as exc:
                self.refused = (on_disk, str(exc))
                log.error("new index refused, still serving the previous one: %s", exc)
                return ReloadResult("refused", serving, str(exc))
            self.state.runtime = fresh  # one assignment: requests already running keep the old runtime
            self.refused = None
            log.info(
                "index reloaded corpus_hash=%s built_at=%s chunks=%s seconds=%.2f",
                on_disk.corpus_hash[:12],
                on_disk.built_at,
                len(fresh.library.chunks) if fresh.library else 0,
                fresh.load_seconds,
            )
            timer = threading.Timer(GRACE_SECONDS, current.close)
            timer.daemon = True
            timer.start()
            return ReloadResult(
                "reloaded", IndexVersion.of(fresh.library.manifest) if fresh.library else None
            )

    async def watch(self, interval: float) -> None:
        """Check every `interval` seconds until cancelled; a check never stops the loop."""
        while True:
            await asyncio.sleep(interval)
            try:
                await asyncio.to_thread(self.check)
            except Exception as exc:  # a bug: keep serving, keep watching
                log.error("index reload check failed: %s", type(exc).__name__)
