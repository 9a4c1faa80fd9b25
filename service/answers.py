"""Question -> answer: triage first, then approved answers, then retrieval, then a template. Nothing generated.

The only medical words a patient sees are verbatim passages of approved documents, each with a citation
whose `quote` equals `document.text[start:end]`, or the sentences of a clinic-approved answer that the
index build verified sentence by sentence against such passages (served with those passages as citations).
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import Field

from index import clock
from index.encoders.base import Vectors
from index.ingest.approved import ApprovedEntry, Evidence
from index.ingest.documents import Document
from index.review.coverage import DrugCoverage
from index.search.retriever import Hit, Retriever
from service.approved import ApprovedMatch, ApprovedMatcher
from service.config import Settings
from service.schemas import AskResponse, Citation, RelatedDocument
from service.templates import Templates
from service.triage import Triage, TriageKind, TriageResult

AnswerType = Literal["answer", "no_answer", "personal_advice", "emergency"]


class Answer(AskResponse):
    """What `/ask` returns (`AskResponse`), and the triage category, which is logged as a count but never
    sent (`exclude`)."""

    triage_category: str | None = Field(None, exclude=True)

    @property
    def doc_ids(self) -> list[str]:
        return [c.doc_id for c in self.citations] + [d.doc_id for d in self.related_documents]


def cite(n: int, document: Document, chunk_id: str, start: int, end: int, score: float) -> Citation:
    """A numbered citation whose quote is exactly `document.text[start:end]`."""
    meta = document.metadata()
    return Citation(
        n=n,
        doc_id=document.doc_id,
        chunk_id=chunk_id,
        title=document.title,
        publisher=document.publisher,
        url=document.url,
        published=meta["published"],
        reviewed=meta["reviewed"],
        quote=document.text[start:end],
        start=start,
        end=end,
        score=score,
    )


def citation_from_hit(n: int, hit: Hit) -> Citation:
    chunk = hit.chunk
    return cite(n, hit.document, chunk.chunk_id, chunk.start, chunk.end, round(hit.score, 4))


def citation_from_evidence(n: int, evidence: Evidence, document: Document) -> Citation:
    return cite(n, document, evidence.chunk_id, evidence.start, evidence.end, evidence.score)


class AnswerComposer:
    """Composes answers from a triage, templates and, once the library is loaded, its retriever, the
    approved-answer matcher and the medicines the library names. Built once (`service.runtime.compose`);
    nothing in it changes afterwards, so a request never sees half a library."""

    def __init__(
        self,
        settings: Settings,
        triage: Triage,
        templates: Templates,
        retriever: Retriever | None = None,
        *,
        approved: ApprovedMatcher | None = None,
        coverage: DrugCoverage | None = None,
    ) -> None:
        self.settings = settings
        self.triage = triage
        self.templates = templates
        self.retriever = retriever
        self.approved = approved
        self.coverage = coverage
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

    def keep(self, document: Document) -> bool:
        """Whether a document may be cited to a patient today (`Document.is_current`)."""
        return document.is_current(clock.today())

    def answer(self, question: str, request_id: str | None = None) -> Answer:
        request_id = request_id or uuid.uuid4().hex
        # one vector per question: the triage classifier, the approved answers and retrieval all use it
        vector = self.retriever.encode(question) if self.retriever is not None else None
        verdict = self.triage(question, vector)
        if verdict.kind is TriageKind.EMERGENCY:
            return self._render("emergency", question, request_id, verdict=verdict)
        if verdict.kind is TriageKind.PERSONAL_ADVICE:
            related = self._related(question, vector)
            return self._render("personal_advice", question, request_id, verdict=verdict, related=related)
        if self.retriever is None or vector is None:
            return self.unavailable(request_id)
        if self.coverage is not None and self.coverage.uncovered(question):
            # a medicine no document mentions: another drug's passage must not look like the answer
            return self._render("no_answer", question, request_id)
        match = (
            self.approved.match(question, vector, self._entry_current) if self.approved is not None else None
        )
        if match is not None:
            return self._approved_answer(match, question, request_id)
        hits = self.retriever.search(question, self.settings.max_passages * 3, keep=self.keep, vector=vector)
        passages = self._passages(hits)
        if not passages:
            return self._render("no_answer", question, request_id)
        citations = [citation_from_hit(n, hit) for n, hit in enumerate(passages, start=1)]
        return self._render("answer", question, request_id, citations=citations)

    def _entry_current(self, entry: ApprovedEntry) -> bool:
        """An approved answer is served only when a named person approved it on a date that has come, and while
        every document it quotes is in the library and not expired."""
        if not entry.signed_off(clock.today()):
            return False
        documents = self.retriever.library.documents if self.retriever is not None else {}
        return all(
            s.evidence.doc_id in documents and self.keep(documents[s.evidence.doc_id])
            for s in entry.sentences
        )

    def _approved_answer(self, match: ApprovedMatch, question: str, request_id: str) -> Answer:
        assert self.retriever is not None
        documents = self.retriever.library.documents
        numbers: dict[tuple[str, int, int], int] = {}
        citations: list[Citation] = []
        sentences = []
        for sentence in match.entry.sentences:
            e = sentence.evidence
            key = (e.doc_id, e.start, e.end)
            if key not in numbers:
                numbers[key] = len(citations) + 1
                citations.append(citation_from_evidence(numbers[key], e, documents[e.doc_id]))
            sentences.append({"text": sentence.text, "n": numbers[key]})
        approved = {"id": match.entry.entry_id, "sentences": sentences}
        answer = self._render("approved", question, request_id, citations=citations, approved=approved)
        answer.approved, answer.approved_id = True, match.entry.entry_id
        return answer

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

    def _related(self, question: str, vector: Vectors | None) -> list[RelatedDocument]:
        """Leaflets on the topic of a personal question: titles and links only, never a passage."""
        if self.retriever is None:
            return []
        seen: dict[str, RelatedDocument] = {}
        for hit in self.retriever.search(question, 6, keep=self.keep, vector=vector):
            if hit.score >= self.settings.relevance_threshold and hit.document.doc_id not in seen:
                d = hit.document
                seen[d.doc_id] = RelatedDocument(
                    doc_id=d.doc_id, title=d.title, publisher=d.publisher, url=d.url
                )
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
        approved: dict[str, Any] | None = None,
    ) -> Answer:
        citations = citations or []
        related = related or []
        context = {
            **self._base_context(),
            "question": question,
            "citations": citations,
            "related": related,
            "crisis_line": bool(verdict and verdict.crisis_line),
            "approved": approved,
        }
        text, html = self.templates.render(kind, **context)
        types = {"unavailable": "no_answer", "approved": "answer"}
        answer_type: AnswerType = types.get(kind, kind)  # type: ignore[assignment]
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
