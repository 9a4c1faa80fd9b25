"""Documents in the store: upload as a draft, describe, activate, replace, retire; rows and details for the
console; the active versions as `Document`s for a publish.

A document's working version is its draft version when it has one, else its active version: metadata edits
apply to it. Activating makes the draft version the active one; the active version is what a publish builds.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from index.catalog.schema import DocumentRecord, VersionRecord
from index.catalog.store import LibraryStore, aware, now
from index.errors import CatalogConflict, CatalogNotFound
from index.ingest.chunking import ChunkSettings, chunk_text, content_hash
from index.ingest.context import section_headings
from index.ingest.documents import Document
from index.ingest.readability import reading_grade

REVIEW_SOON_DAYS = 30
METADATA_FIELDS = ("title", "publisher", "doc_type", "url", "published", "reviewed", "review_due")
_DATES = ("published", "reviewed", "review_due")


def status_of(review_due: dt.date | None, today: dt.date) -> str:
    """current | review_due (within 30 days) | expired | undated."""
    if review_due is None:
        return "undated"
    if review_due < today:
        return "expired"
    if review_due <= today + dt.timedelta(days=REVIEW_SOON_DAYS):
        return "review_due"
    return "current"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DocumentCatalog:
    def __init__(self, store: LibraryStore) -> None:
        self.store = store

    # --- changes ------------------------------------------------------------------------------------------
    def add(
        self,
        document: Document,
        data: bytes,
        filename: str,
        actor: str,
        *,
        source: str = "upload",
        state: str = "draft",
    ) -> str:
        """A new document with `document` as its first version; returns its id (made unique if taken)."""
        digest = sha256(data)
        with self.store.session() as session:
            _refuse_duplicate(session, digest)
            doc_id = _free_id(session, document.doc_id)
            stamp = now()
            session.add(
                DocumentRecord(
                    doc_id=doc_id,
                    state=state,
                    source=source,
                    created_at=stamp,
                    updated_at=stamp,
                    updated_by=actor,
                    active_version=1 if state == "active" else None,
                    draft_version=None if state == "active" else 1,
                )
            )
            session.add(_version(doc_id, 1, document, data, filename, actor))
            self.store.audit(session, actor, "upload" if source == "upload" else "import", doc_id, filename)
        return doc_id

    def replace(
        self,
        doc_id: str,
        document: Document,
        data: bytes,
        filename: str,
        actor: str,
        *,
        activate: bool = False,
    ) -> None:
        """A new version of `doc_id` (a draft unless `activate`); the active version serves until then."""
        with self.store.session() as session:
            record = _get(session, doc_id)
            _refuse_duplicate(session, sha256(data))
            latest = _latest_version(session, doc_id) or 0
            session.add(_version(doc_id, latest + 1, document, data, filename, actor))
            if activate:
                record.active_version, record.draft_version, record.state = latest + 1, None, "active"
            else:
                record.draft_version = latest + 1
            _touch(record, actor)
            self.store.audit(session, actor, "replace", doc_id, f"version {latest + 1}: {filename}")

    def update_metadata(self, doc_id: str, fields: dict[str, Any], actor: str) -> None:
        unknown = sorted(set(fields) - set(METADATA_FIELDS))
        if unknown:
            raise CatalogConflict(f"unknown metadata field(s) {unknown}")
        with self.store.session() as session:
            record = _get(session, doc_id)
            version = _working(session, record)
            changed = []
            for name, value in fields.items():
                if isinstance(value, str):
                    value = value.strip() or None
                if name == "title" and value is None:
                    raise CatalogConflict("a document needs a title")
                if name in _DATES and isinstance(value, str):
                    value = dt.date.fromisoformat(value)
                if getattr(version, name) != value:
                    setattr(version, name, value)
                    changed.append(f"{name}={value.isoformat() if isinstance(value, dt.date) else value}")
            if changed:
                _touch(record, actor)
                self.store.audit(session, actor, "edit metadata", doc_id, "; ".join(changed))

    def activate(self, doc_id: str, actor: str) -> None:
        with self.store.session() as session:
            record = _get(session, doc_id)
            if record.state == "retired":
                raise CatalogConflict(f"{doc_id} is retired; upload it again to bring it back")
            if record.draft_version is None:
                raise CatalogConflict(f"{doc_id} has no draft to add: it is already in the library")
            record.active_version, record.draft_version, record.state = record.draft_version, None, "active"
            _touch(record, actor)
            self.store.audit(session, actor, "activate", doc_id, f"version {record.active_version}")

    def retire(self, doc_id: str, actor: str) -> None:
        with self.store.session() as session:
            record = _get(session, doc_id)
            record.state, record.draft_version = "retired", None
            _touch(record, actor)
            self.store.audit(session, actor, "retire", doc_id)

    # --- reads --------------------------------------------------------------------------------------------
    def ids(self) -> dict[str, str]:
        """doc id -> source, for every document in the store."""
        with self.store.session() as session:
            return {r.doc_id: r.source for r in session.scalars(select(DocumentRecord))}

    def digests(self, doc_id: str) -> set[str]:
        with self.store.session() as session:
            return set(session.scalars(select(VersionRecord.sha256).where(VersionRecord.doc_id == doc_id)))

    def rows(self, today: dt.date, served: set[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
        """Every document's row; `served` holds (doc id, text hash) pairs of the index being served."""
        with self.store.session() as session:
            records = list(session.scalars(select(DocumentRecord).order_by(DocumentRecord.doc_id)))
            return [_row(record, _working(session, record), today, served) for record in records]

    def detail(
        self, doc_id: str, today: dt.date, chunks: ChunkSettings, served: set[tuple[str, str]] | None = None
    ) -> dict[str, Any]:
        with self.store.session() as session:
            record = _get(session, doc_id)
            version = _working(session, record)
            versions = session.scalars(
                select(VersionRecord).where(VersionRecord.doc_id == doc_id).order_by(VersionRecord.version)
            )
            history = [
                {
                    "version": v.version,
                    "filename": v.filename,
                    "uploaded_at": aware(v.uploaded_at).isoformat(),
                    "uploaded_by": v.uploaded_by,
                    "state": "active"
                    if v.version == record.active_version
                    else "draft"
                    if v.version == record.draft_version
                    else "superseded",
                }
                for v in versions
            ]
            row = _row(record, version, today, served)
        headings = section_headings(version.text)
        starts = [start for start, _ in headings]
        passages = []
        for c in chunk_text(doc_id, version.text, chunks):
            at = bisect.bisect_right(starts, c.start) - 1
            section = headings[at][1] if at >= 0 else None
            passages.append(
                {"chunk_id": c.chunk_id, "start": c.start, "end": c.end, "section": section, "text": c.text}
            )
        missing = [
            f"{name} unknown: staff to fill" for name in METADATA_FIELDS if getattr(version, name) is None
        ]
        return {
            **row,
            "text": version.text,
            "passages": passages,
            "versions": history,
            "warnings": [*version.warnings, *missing],
        }

    def active_documents(self) -> list[Document]:
        """The active version of every active document, as the build takes them (text already cleaned)."""
        with self.store.session() as session:
            records = session.scalars(
                select(DocumentRecord).where(DocumentRecord.state == "active").order_by(DocumentRecord.doc_id)
            )
            return [
                _document(record.doc_id, _version_of(session, record.doc_id, record.active_version))
                for record in records
                if record.active_version is not None
            ]


def _document(doc_id: str, version: VersionRecord) -> Document:
    return Document(
        doc_id=doc_id,
        title=version.title,
        text=version.text,
        publisher=version.publisher,
        doc_type=version.doc_type,
        url=version.url,
        published=version.published,
        reviewed=version.reviewed,
        review_due=version.review_due,
        source_path=f"library store: {version.filename} (version {version.version})",
        extra={"raw_sha256": version.sha256, **({"notes": version.notes} if version.notes else {})},
    )


def _version(
    doc_id: str, number: int, document: Document, data: bytes, filename: str, actor: str
) -> VersionRecord:
    return VersionRecord(
        doc_id=doc_id,
        version=number,
        filename=Path(filename).name[:255],
        format=Path(filename).suffix.lower().lstrip(".") or "txt",
        sha256=sha256(data),
        text=document.text,
        title=document.title,
        publisher=document.publisher,
        doc_type=document.doc_type,
        url=document.url,
        published=document.published,
        reviewed=document.reviewed,
        review_due=document.review_due,
        notes=document.extra.get("notes"),
        readability_grade=reading_grade(document.text),
        warnings=_warnings(document),
        uploaded_at=now(),
        uploaded_by=actor,
    )


def _warnings(document: Document) -> list[str]:
    found = []
    if document.extra.get("title_from") == "file name":
        found.append("the file states no title: its file name is used; staff to replace")
    if document.extra.get("extraction_warnings"):
        found.append(document.extra["extraction_warnings"])
    return found


def _row(
    record: DocumentRecord, version: VersionRecord, today: dt.date, served: set[tuple[str, str]] | None
) -> dict[str, Any]:
    return {
        "doc_id": record.doc_id,
        "title": version.title,
        "publisher": version.publisher,
        "doc_type": version.doc_type,
        "url": version.url,
        "published": _iso(version.published),
        "reviewed": _iso(version.reviewed),
        "review_due": _iso(version.review_due),
        "state": record.state,
        "status": status_of(version.review_due, today),
        "version": version.version,
        "source": record.source,
        "filename": version.filename,
        "format": version.format,
        "readability_grade": version.readability_grade,
        "updated_at": aware(record.updated_at).isoformat(),
        "updated_by": record.updated_by,
        "published_in_index": served is not None and (record.doc_id, content_hash(version.text)) in served,
    }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _get(session: Session, doc_id: str) -> DocumentRecord:
    record = session.get(DocumentRecord, doc_id)
    if record is None:
        raise CatalogNotFound(f"no document with id {doc_id!r}")
    return record


def _working(session: Session, record: DocumentRecord) -> VersionRecord:
    number = record.draft_version or record.active_version
    if number is None:  # retired: its last version
        number = _latest_version(session, record.doc_id) or 1
    return _version_of(session, record.doc_id, number)


def _latest_version(session: Session, doc_id: str) -> int | None:
    return session.scalars(
        select(VersionRecord.version)
        .where(VersionRecord.doc_id == doc_id)
        .order_by(VersionRecord.version.desc())
    ).first()


def _version_of(session: Session, doc_id: str, number: int | None) -> VersionRecord:
    version = session.scalars(
        select(VersionRecord).where(VersionRecord.doc_id == doc_id, VersionRecord.version == number)
    ).first()
    if version is None:
        raise CatalogNotFound(f"document {doc_id!r} has no version {number}")
    return version


def _touch(record: DocumentRecord, actor: str) -> None:
    record.updated_at, record.updated_by = now(), actor


def _refuse_duplicate(session: Session, digest: str) -> None:
    same = session.scalars(select(VersionRecord).where(VersionRecord.sha256 == digest)).first()
    if same is not None:
        raise CatalogConflict(
            f"this file is already in the library as {same.doc_id!r} (version {same.version}, {same.filename})"
        )


def _free_id(session: Session, wanted: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", wanted).strip("-")[:90] or "document"
    candidate, n = base, 2
    while session.get(DocumentRecord, candidate) is not None:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
