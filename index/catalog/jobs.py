"""Publish jobs in the store, so that whichever worker a poll reaches can report a job's progress."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select

from index.catalog.schema import PublishJobRecord
from index.catalog.store import LibraryStore, aware, now
from index.errors import CatalogConflict, CatalogNotFound

STALE_AFTER = dt.timedelta(minutes=10)  # a running job silent this long died with its worker


class JobBoard:
    def __init__(self, store: LibraryStore) -> None:
        self.store = store

    def start(self, actor: str) -> dict[str, Any]:
        """A new queued job; CatalogConflict (naming the running one) while another is running."""
        with self.store.session() as session:
            running = session.scalars(
                select(PublishJobRecord).where(PublishJobRecord.state.in_(("queued", "running")))
            ).all()
            for job in running:
                if aware(job.updated_at) > now() - STALE_AFTER:
                    raise CatalogConflict(f"a publish is already running (job {job.job_id}, {job.stage})")
                job.state, job.error, job.finished_at = "failed", "interrupted: its worker stopped", now()
            stamp = now()
            record = PublishJobRecord(
                job_id=uuid.uuid4().hex,
                state="queued",
                stage="queued",
                progress=0.0,
                actor=actor,
                started_at=stamp,
                updated_at=stamp,
                finished_at=None,
                result=None,
                error=None,
            )
            session.add(record)
            self.store.audit(session, actor, "publish", record.job_id, "started")
            return _view(record)

    def update(self, job_id: str, stage: str, progress: float) -> None:
        with self.store.session() as session:
            job = _get(session, job_id)
            job.state, job.stage, job.progress, job.updated_at = "running", stage, round(progress, 3), now()

    def finish(self, job_id: str, result: dict[str, Any]) -> None:
        with self.store.session() as session:
            job = _get(session, job_id)
            job.state, job.stage, job.progress, job.result = "done", "done", 1.0, result
            job.finished_at = job.updated_at = now()
            self.store.audit(
                session,
                job.actor,
                "publish",
                job_id,
                f"done: {result.get('documents')} documents, {result.get('chunks')} chunks",
            )

    def fail(self, job_id: str, error: str) -> None:
        with self.store.session() as session:
            job = _get(session, job_id)
            job.state, job.error = "failed", error
            job.finished_at = job.updated_at = now()
            self.store.audit(session, job.actor, "publish", job_id, f"failed: {error}")

    def get(self, job_id: str) -> dict[str, Any]:
        with self.store.session() as session:
            return _view(_get(session, job_id))

    def latest(self) -> dict[str, Any] | None:
        with self.store.session() as session:
            job = session.scalars(
                select(PublishJobRecord).order_by(PublishJobRecord.started_at.desc())
            ).first()
            return _view(job) if job else None


def _get(session: Any, job_id: str) -> PublishJobRecord:
    job = session.get(PublishJobRecord, job_id)
    if job is None:
        raise CatalogNotFound(f"no publish job {job_id!r}")
    return job  # type: ignore[no-any-return]


def _view(job: PublishJobRecord) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "state": job.state,
        "stage": job.stage,
        "progress": job.progress,
        "actor": job.actor,
        "started_at": aware(job.started_at).isoformat(),
        "finished_at": aware(job.finished_at).isoformat() if job.finished_at else None,
        "result": job.result,
        "error": job.error,
    }
