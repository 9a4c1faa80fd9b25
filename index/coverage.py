"""Which medicines a question names that no document in the library mentions.

A patient asking "how is zorblaxitinib dosed?" must not be shown a passage about ruxolitinib as if it
answered: the composer answers `no_answer` instead. A medicine is recognised by its International
Nonproprietary Name stem (`claims.drug_names`: "-mab", "-tinib", "-profen"...). It counts as covered when a
passage contains it, or a word one slip of the finger from it (Damerau-Levenshtein distance 1, from 7 letters:
"ruxolitnib"). Brand names and conditions are not checked yet (no synonym map: issue #12 item 3).
"""

from __future__ import annotations

from symspellpy.editdistance import DistanceAlgorithm, EditDistance

from index.claims import drug_names
from index.lexical import LexicalIndex

MAX_SLIPS = 1


class DrugCoverage:
    """The medicines a library's passages name, and the ones a question names beyond them."""

    def __init__(self, lexical: LexicalIndex) -> None:
        self._lexical = lexical
        self._drugs = sorted(drug_names(" ".join(lexical.idf_by_term())))
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
        if self._lexical.term_id(name) is not None:
            return True
        return any(self._distance.compare(name, known, MAX_SLIPS) >= 0 for known in self._drugs)
