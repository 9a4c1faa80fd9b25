"""Staff search: ranked passages with their matching terms located for highlighting."""

from __future__ import annotations

import datetime as dt
import re
from html import escape

from index.analysis import tokenize
from index.retriever import Retriever
from service.schemas import SearchResponse, SearchResult

_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*%?")


def term_spans(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """[start, end) of every word of `text` whose lexical terms meet the query's terms."""
    spans = []
    for match in _WORD.finditer(text):
        if terms.intersection(tokenize(match.group())):
            spans.append((match.start(), match.end()))
    return spans


def highlight_html(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def search_passages(retriever: Retriever, query: str, k: int) -> SearchResponse:
    terms = set(tokenize(query))
    results = []
    for rank, hit in enumerate(retriever.search(query, k), start=1):
        document, chunk = hit.document, hit.chunk
        meta = document.metadata()
        spans = term_spans(chunk.text, terms)
        results.append(
            SearchResult(
                rank=rank,
                doc_id=document.doc_id,
                chunk_id=chunk.chunk_id,
                title=document.title,
                publisher=document.publisher,
                url=document.url,
                published=meta["published"],
                reviewed=meta["reviewed"],
                review_due=meta["review_due"],
                expired=document.is_expired(dt.date.today()),
                text=chunk.text,
                start=chunk.start,
                end=chunk.end,
                score=round(hit.score, 4),
                highlights=spans,
                highlighted_html=highlight_html(chunk.text, spans),
            )
        )
    return SearchResponse(query_terms=sorted(terms), results=results)
