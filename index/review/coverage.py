"""Which medicines a question names that no document in the library mentions.

A patient asking "how is zorblaxitinib dosed?" must not be shown a passage about ruxolitinib as if it
answered: the composer answers `no_answer` instead. A medicine is recognised by its International
Nonproprietary Name stem (`claims.drug_names`: "-mab", "-tinib", "-profen"...). It counts as covered when a
passage contains it, or a word one slip of the finger from it (Damerau-Levenshtein distance 1, from 7 letters:
"ruxolitnib"). Words are compared as the lexical index analyses them (Snowball stems; a brand name in the
synonyms file counts as its generic name's group). Conditions are not checked yet.
"""

from __future__ import annotations

from symspellpy.editdistance import DistanceAlgorithm, EditDistance

from index.review.claims import drug_names
from index.search.analysis import lexical_stem
from index.search.lexical import LexicalIndex

MAX_SLIPS = 1


class DrugCoverage:
    """The medicines a library's passages name, and the ones a question names beyond them."""

    def __init__(self, lexical: LexicalIndex) -> None:
        self._lexical = lexical
        # the index holds stems ("lidocain"): a stem is a drug's when the word or the word + "e" is one
        terms = [t for t in lexical.idf_by_term() if t.isalpha() and len(t) >= 6]
        self._drugs = sorted({t for t in terms if drug_names(f"{t} {t}e")})
        self._distance = EditDistance(DistanceAlgorithm.DAMERAU_OSA)

    @property
    def drugs(self) -> list[str]:
        return list(self._drugs)

    def uncovered(self, question: str) -> list[str]:
        """The medicines `question` names that no passage contains, in the order they appear."""
        return [
            name for name in sorted(drug_names(question), key=question.lower().find) if not self._covers(name)
        ]

    def _covers(self, name: str) -> bool:
        if self._lexical.knows(name):
            return True
        stemmed = lexical_stem(name)
        return any(self._distance.compare(stemmed, known, MAX_SLIPS) >= 0 for known in self._drugs)
