"""Cleaning of scraped documents: whitespace, glued sentences, boilerplate and repeated passages.

The cleaned text is the canonical text of a document: chunks, citations and the staff document view all
use offsets into it. Cleaning only removes or normalises whitespace-level noise; it never rewrites a
medical sentence.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from index.errors import CorpusError
from index.ingest.sentences import sentence_spans

DEFAULT_RULES = Path(__file__).with_name("boilerplate.yaml")
# Bump when the cleaning code changes what it outputs: rebuilds then re-clean instead of reusing old text.
CLEANING_VERSION = 2
_GLUED = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")  # "Dupixent.We were" -> "Dupixent. We were"
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_MIN_DUPLICATE_CHARS = 25


@dataclass(frozen=True)
class CleaningRules:
    drop_blocks: tuple[re.Pattern[str], ...]
    drop_sentences: tuple[re.Pattern[str], ...]
    strip_phrases: tuple[re.Pattern[str], ...]

    @classmethod
    def from_file(cls, path: Path = DEFAULT_RULES) -> CleaningRules:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise CorpusError(f"{path}: cannot read cleaning rules: {exc}") from exc
        lists: dict[str, tuple[re.Pattern[str], ...]] = {}
        for key in ("drop_blocks", "drop_sentences", "strip_phrases"):
            patterns = data.get(key) or []
            if not isinstance(patterns, list):
                raise CorpusError(f"{path}: {key!r} must be a list of regular expressions")
            try:
                lists[key] = tuple(re.compile(str(p), re.IGNORECASE) for p in patterns)
            except re.error as exc:
                raise CorpusError(f"{path}: {key!r} has an invalid pattern: {exc}") from exc
        return cls(lists["drop_blocks"], lists["drop_sentences"], lists["strip_phrases"])


class Cleaner:
    """Turns raw document text into clean text: paragraphs separated by one blank line."""

    def __init__(self, rules: CleaningRules) -> None:
        self.rules = rules

    @classmethod
    def default(cls) -> Cleaner:
        return cls(CleaningRules.from_file())

    def clean(self, raw: str) -> str:
        seen: set[str] = set()
        seen_blocks: set[str] = set()
        blocks: list[str] = []
        for block in _blocks(raw, self.rules.strip_phrases):
            if any(p.search(block) for p in self.rules.drop_blocks):
                continue
            block_key = _dedupe_key(block)
            if block_key in seen_blocks:
                continue
            seen_blocks.add(block_key)
            kept_lines = [self._clean_line(line, seen) for line in block.split("\n")]
            text = "\n".join(line for line in kept_lines if line)
            if not text:
                continue
            if text != block:
                # what is left of the block must pass the block rules too, or a second pass would drop it
                if any(p.search(text) for p in self.rules.drop_blocks):
                    continue
                text_key = _dedupe_key(text)
                if text_key != block_key:
                    if text_key in seen_blocks:
                        continue
                    seen_blocks.add(text_key)
            blocks.append(text)
        return "\n\n".join(blocks)

    def _clean_line(self, line: str, seen: set[str]) -> str:
        kept: list[str] = []
        for start, end in sentence_spans(line):
            sentence = line[start:end]
            if not sentence or any(p.search(sentence) for p in self.rules.drop_sentences):
                continue
            key = _dedupe_key(sentence)
            if len(key) >= _MIN_DUPLICATE_CHARS:
                if key in seen:
                    continue
                seen.add(key)
            kept.append(sentence)
        return " ".join(kept)


def _blocks(raw: str, strip_phrases: tuple[re.Pattern[str], ...] = ()) -> list[str]:
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_clean_spacing(line, strip_phrases) for line in text.split("\n")]
    blocks: list[str] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def _clean_spacing(line: str, strip_phrases: tuple[re.Pattern[str], ...]) -> str:
    """One line with its spaces collapsed, glued sentences split and stripped phrases cut out.

    Phrases are cut from the whole line before it is split into sentences (cutting "Continues below." can
    join two sentences), and repeatedly, so that cleaning the cleaned text changes nothing.
    """
    line = _SPACES.sub(" ", line)
    for pattern in strip_phrases:
        while True:
            cut = pattern.sub("", line)
            if cut == line:
                break
            line = cut
    return _SPACES.sub(" ", _GLUED.sub(" ", line)).strip()


def _dedupe_key(sentence: str) -> str:
    return re.sub(r"\W+", " ", sentence.casefold()).strip()


def cleaning_fingerprint(rules_path: Path = DEFAULT_RULES) -> str:
    """Identifies what cleaning produces: the code's version and the rules file's content."""
    digest = hashlib.sha256(f"cleaning-v{CLEANING_VERSION}".encode())
    digest.update(rules_path.read_bytes())
    return digest.hexdigest()


def raw_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class CachingCleaner(Cleaner):
    """A `Cleaner` that reuses earlier results: raw-text sha256 -> cleaned text (same rules only)."""

    def __init__(self, rules: CleaningRules, known: Mapping[str, str]) -> None:
        super().__init__(rules)
        self._known = dict(known)

    def clean(self, raw: str) -> str:
        key = raw_digest(raw)
        cleaned = self._known.get(key)
        if cleaned is None:
            cleaned = super().clean(raw)
            self._known[key] = cleaned
        return cleaned
