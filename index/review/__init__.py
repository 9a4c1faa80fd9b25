"""The claim-review engine: an answer's sentences checked, one by one, against the library's passages.

`engine.Reviewer` gives each sentence a verdict (supported, unsupported, mismatch) with its evidence; `claims`
and `numbers` read the drug names, negations, comparisons and quantities it compares; `coverage` finds the
medicines a question names that the library does not. Nothing here generates text.

The build calls the engine through one function, `verify_approved`: it needs nothing of the engine's insides.
"""

from __future__ import annotations

import datetime as dt

from index.encoders.base import Embedder
from index.ingest.approved import ApprovedEntry
from index.ingest.documents import current_on
from index.review.engine import Reviewer
from index.search.library import Library
from index.search.retriever import Retriever


def verify_approved(
    library: Library, embedder: Embedder, entries: list[ApprovedEntry], today: dt.date
) -> list[ApprovedEntry]:
    """The entries with each sentence's evidence, checked against the documents current on `today`; raises
    `ApprovedAnswerRejected` naming every entry and sentence at fault."""
    return Reviewer(Retriever(library, embedder), keep=current_on(today)).verify(entries)
