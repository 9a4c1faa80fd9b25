"""Question -> answer: triage first, then retrieval, then a template. No medical text is generated here.

The only medical words a patient sees are verbatim passages of approved documents, each with a citation
whose `quote` equals `document.text[start:end]`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from index.documents import Document
from index.retriever import Hit, Retriever
from service.config import Settings
from service.templates import Templates
from service.triage import Triage, TriageKind, TriageResult

AnswerType = Literal["answer", "no_answer", "personal_advice", "emergency"]


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    chunk_id: str
    title: str
    publisher: str | None
    url: str | None
    published: str | None
    reviewed: str | None
    quote: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class RelatedDocument:
    doc_id: str
    title: str
    publisher: str | None
    url: str | None


@dataclass
class Answer:
    type: AnswerType
    text: str
    html: str
    disclaimer: str
    request_id: str
    citations: list[Citation] = field(default_factory=list)
    related_documents: list[RelatedDocument] = field(default_factory=list)
    emergency_number: str | None = None
    triage_category: str | None = None
    available: bool = True  # False: the library is not loaded and this is the safe fallback

    @property
    def doc_ids(self) -> list[str]:
        return [c.doc_id for c in self.citations] + [d.doc_id for d in self.related_documents]


def citation_from_hit(n: int, hit: Hit) -> Citation:
    document = hit.document
    meta = document.metadata()
    return Citation(
        n=n,
        doc_id=document.doc_id,
        chunk_id=hit.chunk.chunk_id,
        title=document.title,
        publisher=document.publisher,
        url=document.url,
        published=meta["published"],
        reviewed=meta["reviewed"],
        quote=document.text[hit.chunk.start : hit.chunk.end],
        start=hit.chunk.start,
        end=hit.chunk.end,
        score=round(hit.score, 4),
    )


class AnswerComposer:
    """Composes answers from a triage, a retriever (None while the index is not loaded) and templates."""

    def __init__(
        self, settings: Settings, triage: Triage, templates: Templates, retriever: Retriever | None
    ) -> None:
        self.settings = settings
        self.triage = triage
        self.templates = templates
        self.retriever = retriever
        self.disclaimer = self._render_disclaimer()

    def _render_disclaimer(self) -> str:
        template = self.templates.env.get_template("_disclaimer.txt.j2")
        return template.render(**self._base_context()).strip()

    def _base_context(self) -> dict[str, Any]:
        s = self.settings
        return {
            "clinic": {"name": s.clinic_name, "phone": s.clinic_phone, "hours": s.clinic_hours},
            "contacts": s.contacts,
        }

    def _keep(self, document: Document) -> bool:
        return not document.is_expired(dt.date.today())

    def answer(self, question: str, request_id: str | None = None) -> Answer:
        request_id = request_id or uuid.uuid4().hex
        verdict = self.triage(question)
        if verdict.kind is TriageKind.EMERGENCY:
            return self._render("emergency", question, request_id, verdict=verdict)
        if verdict.kind is TriageKind.PERSONAL_ADVICE:
            related = self._related(question)
            return self._render("personal_advice", question, request_id, verdict=verdict, related=related)
        if self.retriever is None:
            return self.unavailable(request_id)
        hits = self.retriever.search(question, self.settings.max_passages * 3, keep=self._keep)
        passages = self._passages(hits)
        if not passages:
            return self._render("no_answer", question, request_id)
        citations = [citation_from_hit(n, hit) for n, hit in enumerate(passages, start=1)]
        return self._render("answer", question, request_id, citations=citations)

    def unavailable(self, request_id: str) -> Answer:
        """The safe reply while the library is not loaded: still gives the emergency number."""
        answer = self._render("unavailable", "", request_id)
        answer.available = False
        return answer

    def _passages(self, hits: list[Hit]) -> list[Hit]:
        """The best 1-3 passages above the relevance threshold, strongest first, one per overlapping span."""
        threshold = self.settings.relevance_threshold
        chosen: list[Hit] = []
        for hit in sorted(hits, key=lambda h: -h.score):
            if hit.score < threshold:
                break
            overlaps = any(
                c.chunk.doc_id == hit.chunk.doc_id
                and c.chunk.start < hit.chunk.end
                and hit.chunk.start < c.chunk.end
                for c in chosen
            )
            if not overlaps:
                chosen.append(hit)
            if len(chosen) == self.settings.max_passages:
                break
        return chosen

    def _related(self, question: str) -> list[RelatedDocument]:
        """Leaflets on the topic of a personal question: titles and links only, never a passage."""
        if self.retriever is None:
            return []
        seen: dict[str, RelatedDocument] = {}
        for hit in self.retriever.search(question, 6, keep=self._keep):
            if hit.score >= self.settings.relevance_threshold and hit.document.doc_id not in seen:
                d = hit.document
                seen[d.doc_id] = RelatedDocument(d.doc_id, d.title, d.publisher, d.url)
        return list(seen.values())[:3]

    def _render(
        self,
        kind: str,
        question: str,
        request_id: str,
        *,
        verdict: TriageResult | None = None,
        citations: list[Citation] | None = None,
        related: list[RelatedDocument] | None = None,
    ) -> Answer:
        citations = citations or []
        related = related or []
        context = {
            **self._base_context(),
            "question": question,
            "citations": citations,
            "related": related,
            "self_harm": bool(verdict and verdict.is_self_harm),
        }
        text, html = self.templates.render(kind, **context)
        answer_type: AnswerType = "no_answer" if kind == "unavailable" else kind  # type: ignore[assignment]
        return Answer(
            type=answer_type,
            text=text,
            html=html,
            disclaimer=self.disclaimer,
            request_id=request_id,
            citations=citations,
            related_documents=related,
            emergency_number=self.settings.contacts.emergency,
            triage_category=verdict.category if verdict else None,
        )
