"""Text analysis for the lexical index: words, stopwords, stems and synonyms, the same at index and query time.

- Words keep drug names, interleukins and figures intact enough to match: "IL-13" -> "il-13", "il", "13";
  "75%" -> "75%", "75".
- Stopwords: the usual English function words (the NLTK list), never indexed.
- Stems: the Snowball English stemmer (PyStemmer, the C implementation): "injections" and "injected" are
  one term, "inject".
- Synonyms (`SynonymMap`, from a YAML file staff can extend): every form of a group ("Dupixent",
  "dupilumab"; "bald", "alopecia"; "atopic dermatitis", "eczema") also yields the group's own term
  ("syn:dupilumab"), so a patient's word finds the library's word. The surface terms stay, so an exact
  match still scores higher than a synonym alone.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import Stemmer
import yaml

from index.errors import CorpusError

# Bump when the analyzer gives different terms for the same text and synonyms: an index's stored term counts
# are reused by a rebuild only when they were counted by the same analyzer.
ANALYZER_VERSION = 2
SYNONYM_PREFIX = "syn:"
_WORD = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*%?")
_WORD_AS_WRITTEN = re.compile(_WORD.pattern, re.IGNORECASE | re.ASCII)  # any case, ASCII letters only
_PARTS = re.compile(r"[-'%]")
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ]
)


class SynonymsError(CorpusError):
    """The synonyms file is malformed: it names the file and the group at fault."""


_local = threading.local()


@lru_cache(maxsize=200_000)
def lexical_stem(word: str) -> str:
    """Snowball English stem of one lowercased word (numbers and compounds pass through unchanged)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:  # a PyStemmer object is not shared between threads
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return str(stemmer.stemWord(word))


def word_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each word of `text` as `lexical_words` reads it, in the text as written (staff search
    highlights these)."""
    return [match.span() for match in _WORD_AS_WRITTEN.finditer(text)]


def lexical_words(text: str) -> list[str]:
    """Lowercased words of `text`, stopwords included (phrases are matched on these)."""
    return _WORD.findall(text.lower().replace("’", "'"))


@dataclass(frozen=True)
class SynonymMap:
    """Groups of words or phrases that mean the same to a patient; each group's term is its first form."""

    groups: tuple[tuple[str, ...], ...] = ()
    _phrases: dict[tuple[str, ...], str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for group in self.groups:
            term = SYNONYM_PREFIX + "_".join(lexical_stem(w) for w in lexical_words(group[0]))
            for form in group:
                key = tuple(lexical_stem(w) for w in lexical_words(form))
                if key:
                    self._phrases.setdefault(key, term)

    @classmethod
    def from_groups(cls, groups: Iterable[Sequence[str]]) -> SynonymMap:
        cleaned = []
        for group in groups:
            forms = tuple(dict.fromkeys(" ".join(str(f).split()) for f in group if str(f).strip()))
            if len(forms) >= 2:
                cleaned.append(forms)
        return cls(tuple(cleaned))

    @classmethod
    def from_file(cls, path: Path) -> SynonymMap:
        """Read a YAML file: `groups:` a list of lists of forms (the first form names the group)."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise SynonymsError(f"{path}: cannot read the synonyms: {exc}") from exc
        groups = (data or {}).get("groups") if isinstance(data, dict) else None
        if not isinstance(groups, list):
            raise SynonymsError(f"{path}: expected a mapping with `groups:`, a list of lists of words")
        for number, group in enumerate(groups, start=1):
            if (
                not isinstance(group, list)
                or len(group) < 2
                or not all(isinstance(f, str) and f.strip() for f in group)
            ):
                raise SynonymsError(
                    f"{path}: group {number} must list at least two non-empty words or phrases"
                )
        return cls.from_groups(groups)

    @property
    def longest(self) -> int:
        return max((len(k) for k in self._phrases), default=0)

    def terms(self, stems: Sequence[str]) -> list[str]:
        """The group term of every phrase found in a sequence of stems (once per occurrence)."""
        found = []
        longest = self.longest
        for start in range(len(stems)):
            for length in range(1, min(longest, len(stems) - start) + 1):
                term = self._phrases.get(tuple(stems[start : start + length]))
                if term is not None:
                    found.append(term)
        return found

    def fingerprint(self) -> str:
        return hashlib.sha256(repr(self.groups).encode()).hexdigest()[:16]

    def to_json(self) -> list[list[str]]:
        return [list(group) for group in self.groups]


class Analyzer:
    """Terms of a text for BM25: words without stopwords, stemmed, plus compound parts and synonym terms."""

    def __init__(self, synonyms: SynonymMap | None = None) -> None:
        self.synonyms = synonyms or SynonymMap()

    @property
    def fingerprint(self) -> str:
        return f"analyzer-v{ANALYZER_VERSION};synonyms-{self.synonyms.fingerprint()}"

    def terms(self, text: str) -> list[str]:
        found = lexical_words(text)
        stems = [lexical_stem(w) for w in found]
        terms: list[str] = []
        append = terms.append
        for word, stemmed in zip(found, stems, strict=True):
            if word not in STOPWORDS:
                append(stemmed)
            if "-" in word or "'" in word or "%" in word:  # the rare compound word: also its parts
                parts = [p for p in _PARTS.split(word) if p]
                if len(parts) > 1 or word.endswith("%"):
                    for part in parts:
                        if part not in STOPWORDS and part != word and lexical_stem(part) != stemmed:
                            append(lexical_stem(part))
        if self.synonyms.groups:
            terms.extend(self.synonyms.terms(stems))
        return terms


_PLAIN = Analyzer()


def lexical_terms(text: str) -> list[str]:
    """Terms of `text` by the analyzer without synonyms (stopwords out, Snowball stems)."""
    return _PLAIN.terms(text)
