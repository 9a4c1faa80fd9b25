"""Typo-tolerant normalisation for the phrase layer: one slip of the finger must not hide a crisis.

A word is corrected only when it is *not* an English word (symspellpy's bundled frequency dictionary of
82,765 words) and lies within a small Damerau-Levenshtein distance (transpositions count as one edit) of
a word that matters to triage: the words of the phrase file, its misspellings and medicine names. "kil"
becomes "kill", "lfe" becomes "life", "wnat" becomes "want"; "dye", "lift" or "skill" are English words and
stay as typed. A two-edit correction is not made when an ordinary English word is one edit away
("thoghts" is "thoughts", not "thighs"). Ties go to a candidate with the same letters (a swapped pair is
the commonest slip), then to the longest shared beginning; a tie left after that is not corrected.
symspellpy does the candidate search (its symmetric-delete index is built once, at start-up).

Input is text already passed through ``phrases.normalise``: lower case, words separated by one space.
"""

from __future__ import annotations

from collections.abc import Iterable

from symspellpy import SymSpell, Verbosity

from index.search.spelling import english_words

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
MIN_LENGTH = 3  # shorter tokens are left alone: too many two-letter words sit one edit from each other
LONG_WORD = 7  # from this length two edits are allowed; below it, one


def max_distance(token: str) -> int:
    return 2 if len(token) >= LONG_WORD else 1


def one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away (a-z)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return (deletes | swaps | replaces | inserts) - {word}


def _shared_start(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class TypoCorrector:
    """Maps each unknown word to the one vocabulary word within reach, if there is exactly one."""

    def __init__(self, vocabulary: Iterable[str], known: frozenset[str] | None = None) -> None:
        self._vocabulary = frozenset(w for w in vocabulary if len(w) >= MIN_LENGTH and w.isalpha())
        self._known = english_words() if known is None else known
        self._spell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word in sorted(self._vocabulary):
            self._spell.create_dictionary_entry(word, 1)
        self._cache: dict[str, str | None] = {}

    @property
    def vocabulary(self) -> frozenset[str]:
        return self._vocabulary

    def suggest(self, token: str) -> str | None:
        """The vocabulary word this token is a slip of, or None (known word, too short, none or several)."""
        if token in self._cache:
            return self._cache[token]
        found: str | None = None
        unknown = token not in self._vocabulary and token not in self._known
        if unknown and len(token) >= MIN_LENGTH and token.isalpha():
            found = self._closest(token)
        if len(self._cache) < 100_000:  # bounded: the vocabulary is small, typed tokens are not
            self._cache[token] = found
        return found

    def _closest(self, token: str) -> str | None:
        hits = self._spell.lookup(token, Verbosity.CLOSEST, max_edit_distance=max_distance(token))
        if not hits:
            return None
        if hits[0].distance > 1 and one_edit(token) & self._known:
            return None  # an ordinary word is closer than any word that matters
        terms = [h.term for h in hits]
        if len(token) == MIN_LENGTH:
            # one letter changed in a three-letter token is a third of it ("sms" is not "kms"): only a
            # dropped or swapped letter counts there ("kil", "lfe", "dei")
            terms = [t for t in terms if len(t) != len(token) or sorted(t) == sorted(token)]
            if not terms:
                return None
        same_letters = [t for t in terms if sorted(t) == sorted(token)]
        terms = same_letters or terms
        best = max(_shared_start(t, token) for t in terms)
        terms = [t for t in terms if _shared_start(t, token) == best]
        return terms[0] if len(terms) == 1 else None

    def corrections(self, text: str) -> list[tuple[str, str]]:
        """(typed, corrected) pairs, in order, for the explain command."""
        pairs = []
        for token in text.split(" "):
            fixed = self.suggest(token)
            if fixed is not None:
                pairs.append((token, fixed))
        return pairs

    def correct(self, text: str) -> str:
        return " ".join(self.suggest(token) or token for token in text.split(" "))
