"""Staff search: ranked passages, or documents with their best passages under them, with their matching terms
located for highlighting."""

from __future__ import annotations

import datetime as dt
from html import escape

from index import clock
from index.search.analysis import lexical_terms, word_spans
from index.search.retriever import Hit, Retriever
from service.schemas import SearchDocument, SearchedDocument, SearchResponse, SearchResult

PASSAGES_PER_DOCUMENT = 5  # the best passage and up to four more under it
PASSAGE_DEPTH = 8  # passages searched per document asked for


def term_spans(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """[start, end) of every word of `text` whose lexical terms meet the query's terms."""
    return [
        (start, end) for start, end in word_spans(text) if terms.intersection(lexical_terms(text[start:end]))
    ]


def highlight_html(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def _result(rank: int, hit: Hit, terms: set[str], today: dt.date) -> SearchResult:
    document, chunk = hit.document, hit.chunk
    meta = document.metadata()
    spans = term_spans(chunk.text, terms)
    return SearchResult(
        rank=rank,
        doc_id=document.doc_id,
        chunk_id=chunk.chunk_id,
        title=document.title,
        publisher=document.publisher,
        url=document.url,
        published=meta["published"],
        reviewed=meta["reviewed"],
        review_due=meta["review_due"],
        expired=document.is_expired(today),
        text=chunk.text,
        start=chunk.start,
        end=chunk.end,
        score=round(hit.score, 4),
        highlights=spans,
        highlighted_html=highlight_html(chunk.text, spans),
    )


def search_passages(retriever: Retriever, query: str, k: int) -> SearchResponse:
    """The k best passages, best first (two may come from one document)."""
    terms = set(lexical_terms(query))
    today = clock.today()
    hits = retriever.search(query, k)
    results = [_result(rank, hit, terms, today) for rank, hit in enumerate(hits, start=1)]
    return SearchResponse(query_terms=sorted(terms), group="passage", results=results, documents=[])


def search_documents(retriever: Retriever, query: str, k: int) -> SearchResponse:
    """The k best documents, each ranked by its best passage, with up to `PASSAGES_PER_DOCUMENT` of its
    passages under it (best first). Passages are searched `PASSAGE_DEPTH` deep per document asked for, so a
    document whose best passage ranks below that depth is not listed."""
    terms = set(lexical_terms(query))
    today = clock.today()
    depth = min(len(retriever.library.chunks), max(PASSAGE_DEPTH * k, retriever.fusion.candidates))
    grouped: dict[str, list[SearchResult]] = {}
    for rank, hit in enumerate(retriever.search(query, depth), start=1):
        doc_id = hit.document.doc_id
        if doc_id not in grouped and len(grouped) == k:
            continue  # k documents already: only their further passages count now
        passages = grouped.setdefault(doc_id, [])
        if len(passages) < PASSAGES_PER_DOCUMENT:
            passages.append(_result(rank, hit, terms, today))
    documents = [
        SearchDocument(
            rank=rank,
            score=best.score,
            passages=passages,
            **best.model_dump(include=set(SearchedDocument.model_fields)),
        )
        for rank, passages in enumerate(grouped.values(), start=1)
        for best in passages[:1]
    ]
    return SearchResponse(query_terms=sorted(terms), group="document", results=[], documents=documents)
