"""A fixed, varied list of distinct patient questions for the load test, from MedQuAD titles and focus words.

Most are MedQuAD topics asked the way patients ask (“how is gout treated”), some are the NIH titles as they
are, and about 5% are emergencies or personal-advice questions, which the triage answers (a personal
question still looks up related leaflets), as it would for real traffic. The questions are distinct, so
the service's answer cache, keyed by the normalised question, never answers one from memory unless the
run asks for more questions than the list holds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import product
from pathlib import Path

from bench.medquad import SEED, iter_records

PATIENT_TEMPLATES = (
    "what is {focus}?",
    "what are the signs of {focus}",
    "how do doctors test for {focus}?",
    "how is {focus} treated",
    "what causes {focus}?",
    "is {focus} passed down in families?",
    "can {focus} be prevented",
    "how common is {focus}?",
    "what should I know about {focus}",
    "does {focus} go away on its own?",
)
EMERGENCIES = (
    "I can't breathe",
    "my throat is swelling up",
    "I have crushing chest pain",
    "my lips and tongue are swollen",
    "I want to end it all",
)
PERSONAL = (
    "should I increase my dose",
    "can I stop taking my tablets",
    "is it safe for me to take this while pregnant",
    "what dose should I give my son",
)
CONTEXTS = (
    "",
    " after my injection",
    " since this morning",
    " after the new medicine",
    " please help",
    " today",
)
TRIAGED_SHARE = 0.05
TITLE_SHARE = 0.4  # of the retrieval questions, asked with the NIH title as it is


@dataclass(frozen=True)
class LoadQuestions:
    texts: list[str]
    triaged: int

    @property
    def triaged_share(self) -> float:
        return self.triaged / len(self.texts) if self.texts else 0.0


def triaged_questions(focuses: set[str]) -> list[str]:
    """Emergency and personal-advice questions: each phrasing with a few contexts, or a condition."""
    stems = EMERGENCIES + PERSONAL
    with_context = [stem + context for stem, context in product(stems, CONTEXTS)]
    return with_context + [f"{stem}, I have {focus}" for stem, focus in product(stems, sorted(focuses))]


def make_questions(medquad: Path, n: int, seed: int = SEED) -> LoadQuestions:
    """Up to n distinct questions in a fixed order: the same on every run and machine."""
    rng = random.Random(seed)
    titles: set[str] = set()
    focuses: set[str] = set()
    for record in iter_records(medquad):
        titles.add(" ".join(record["title"].split()))
        focus = " ".join(str(record.get("focus") or "").split()).lower()
        if focus:
            focuses.add(focus)
    asked = sorted({t.format(focus=f) for t, f in product(PATIENT_TEMPLATES, focuses)} - titles)
    triage_pool = triaged_questions(focuses)
    triaged = min(round(n * TRIAGED_SHARE), len(triage_pool))
    retrieval = n - triaged
    n_titles = min(round(retrieval * TITLE_SHARE), len(titles))
    n_asked = min(retrieval - n_titles, len(asked))
    texts = (
        rng.sample(sorted(titles), n_titles) + rng.sample(asked, n_asked) + rng.sample(triage_pool, triaged)
    )
    rng.shuffle(texts)
    return LoadQuestions(texts, triaged)
