"""Approved answers in the store: draft, check with the review engine, approve by name and date, retire.

Only an answer in state `approved` goes into a publish, and the build reviews it again against the library
being built (a document retired since refuses it, naming the sentence). An approval is of one content: any
edit puts the answer back to draft, and approving needs a passing check of the content as it is now.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from index.catalog.schema import AnswerRecord, ApprovalRecord
from index.catalog.store import LibraryStore, now
from index.errors import CatalogConflict, CatalogNotFound
from index.ingest.approved import ApprovedEntry

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def content_sha(questions: Sequence[str], answer: str, citations: Sequence[str]) -> str:
    payload = json.dumps([list(questions), answer, list(citations)], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


class AnswerCatalog:
    def __init__(self, store: LibraryStore) -> None:
        self.store = store

    def create(
        self,
        questions: Sequence[str],
        answer: str,
        citations: Sequence[str],
        actor: str,
        answer_id: str | None = None,
        *,
        approved_by: str | None = None,
        approved_on: dt.date | None = None,
    ) -> str:
        questions, answer, citations = _clean(questions, answer, citations)
        with self.store.session() as session:
            wanted = answer_id or _slug(questions[0])
            if not _ID.fullmatch(wanted):
                raise CatalogConflict(f"answer id {wanted!r}: use letters, digits, '.', '_' and '-'")
            if session.get(AnswerRecord, wanted) is not None:
                raise CatalogConflict(f"an approved answer with id {wanted!r} exists already")
            signed = bool(approved_by) and approved_on is not None
            session.add(
                AnswerRecord(
                    answer_id=wanted,
                    state="approved" if signed else "draft",
                    questions=list(questions),
                    answer=answer,
                    citations=list(citations),
                    approved_by=approved_by if signed else None,
                    approved_on=approved_on if signed else None,
                    check=None,
                    checked_sha256=None,
                    updated_at=now(),
                    updated_by=actor,
                )
            )
            if signed and approved_by and approved_on:
                session.add(
                    ApprovalRecord(
                        answer_id=wanted,
                        approver=approved_by,
                        approved_on=approved_on,
                        content_sha256=content_sha(questions, answer, citations),
                        at=now(),
                    )
                )
            self.store.audit(session, actor, "draft answer" if not signed else "import answer", wanted)
        return wanted

    def update(
        self,
        answer_id: str,
        actor: str,
        *,
        questions: Sequence[str] | None = None,
        answer: str | None = None,
        citations: Sequence[str] | None = None,
    ) -> None:
        with self.store.session() as session:
            record = _get(session, answer_id)
            if record.state == "retired":
                raise CatalogConflict(f"answer {answer_id!r} is retired")
            new = _clean(
                questions if questions is not None else record.questions,
                answer if answer is not None else record.answer,
                citations if citations is not None else record.citations,
            )
            if content_sha(*new) == content_sha(record.questions, record.answer, record.citations):
                return
            record.questions, record.answer, record.citations = list(new[0]), new[1], list(new[2])
            withdrawn = record.state == "approved"
            record.state, record.approved_by, record.approved_on = "draft", None, None
            record.updated_at, record.updated_by = now(), actor
            self.store.audit(
                session,
                actor,
                "edit answer",
                answer_id,
                "approval withdrawn: the content changed" if withdrawn else "",
            )

    def record_check(self, answer_id: str, check: dict[str, Any], actor: str) -> None:
        with self.store.session() as session:
            record = _get(session, answer_id)
            record.check = check
            record.checked_sha256 = content_sha(record.questions, record.answer, record.citations)
            self.store.audit(
                session, actor, "check answer", answer_id, "passed" if check.get("passed") else "failed"
            )

    def approve(self, answer_id: str, approver: str, on: dt.date) -> None:
        approver = " ".join(approver.split())
        if not approver:
            raise CatalogConflict("approving needs the approver's name")
        with self.store.session() as session:
            record = _get(session, answer_id)
            sha = content_sha(record.questions, record.answer, record.citations)
            if record.state == "retired":
                raise CatalogConflict(f"answer {answer_id!r} is retired")
            if not (record.check and record.check.get("passed")) or record.checked_sha256 != sha:
                raise CatalogConflict(f"answer {answer_id!r} needs a passing check of its current text first")
            record.state, record.approved_by, record.approved_on = "approved", approver, on
            record.updated_at, record.updated_by = now(), approver
            session.add(
                ApprovalRecord(
                    answer_id=answer_id, approver=approver, approved_on=on, content_sha256=sha, at=now()
                )
            )
            self.store.audit(session, approver, "approve answer", answer_id, f"approved on {on.isoformat()}")

    def retire(self, answer_id: str, actor: str) -> None:
        with self.store.session() as session:
            record = _get(session, answer_id)
            record.state = "retired"
            record.updated_at, record.updated_by = now(), actor
            self.store.audit(session, actor, "retire answer", answer_id)

    def rows(self, state: str | None = None) -> list[dict[str, Any]]:
        with self.store.session() as session:
            query = select(AnswerRecord).order_by(AnswerRecord.answer_id)
            if state:
                query = query.where(AnswerRecord.state == state)
            return [_row(r) for r in session.scalars(query)]

    def row(self, answer_id: str) -> dict[str, Any]:
        with self.store.session() as session:
            return _row(_get(session, answer_id))

    def ids(self) -> set[str]:
        with self.store.session() as session:
            return set(session.scalars(select(AnswerRecord.answer_id)))

    def approved_entries(self) -> list[ApprovedEntry]:
        """The approved answers, as the build reviews and publishes them."""
        with self.store.session() as session:
            records = session.scalars(
                select(AnswerRecord).where(AnswerRecord.state == "approved").order_by(AnswerRecord.answer_id)
            )
            return [
                ApprovedEntry(
                    entry_id=r.answer_id,
                    questions=tuple(r.questions),
                    answer=r.answer,
                    citations=tuple(r.citations),
                    approved_by=r.approved_by,
                    approved_on=r.approved_on,
                    source_path=f"library store: answer {r.answer_id}",
                )
                for r in records
            ]


def _row(r: AnswerRecord) -> dict[str, Any]:
    return {
        "answer_id": r.answer_id,
        "questions": list(r.questions),
        "answer": r.answer,
        "citations": list(r.citations),
        "state": r.state,
        "approved_by": r.approved_by,
        "approved_on": r.approved_on.isoformat() if r.approved_on else None,
        "updated_at": r.updated_at.isoformat(),
        "updated_by": r.updated_by,
        "check": r.check if r.checked_sha256 == content_sha(r.questions, r.answer, r.citations) else None,
    }


def _clean(
    questions: Sequence[str], answer: str, citations: Sequence[str]
) -> tuple[list[str], str, list[str]]:
    qs = [" ".join(q.split()) for q in questions if q.strip()]
    text = " ".join(answer.split())
    cited = [c.strip() for c in citations if c.strip()]
    if not qs:
        raise CatalogConflict("an approved answer needs at least one question")
    if not text:
        raise CatalogConflict("an approved answer needs its answer text")
    if not cited:
        raise CatalogConflict("an approved answer must cite at least one document")
    return qs, text, cited


def _slug(question: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", question.lower()).strip("-")[:80] or "answer"


def _get(session: Session, answer_id: str) -> AnswerRecord:
    record = session.get(AnswerRecord, answer_id)
    if record is None:
        raise CatalogNotFound(f"no approved answer with id {answer_id!r}")
    return record
