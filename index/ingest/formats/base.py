"""What every format extractor returns, and the text helpers they share.

An extractor turns a file's bytes into `Extracted`: the document's text *before* cleaning, in the shape the
rest of `index.ingest` expects (paragraphs separated by one blank line; a section heading is a paragraph of
one line that does not end like a sentence, exactly as `index.ingest.context.section_headings` reads the
Markdown library's headings), plus the metadata the file itself states. Nothing is ever guessed: a field
the file does not state is simply absent.
"""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Metadata keys an extractor may fill; `index.ingest.documents` validates and types them.
METADATA_KEYS = ("title", "publisher", "published")
# A line broken after a hyphen inside a word: "treat-" + "ment". The letter before the hyphen must be
# lower case (so "IL-" + "13" and "COVID-" + "19" keep theirs) and the next line must start lower case.
_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-$")
# Second halves of common hyphenated compounds: "follow-" + "up" stays "follow-up", not "followup".
_COMPOUND_TAILS = frozenset(
    "up in out on off based related term free like year years old day days week weeks month months "
    "hour hours minute minutes time dose care aid level risk friendly".split()
)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Extracted:
    """A file's text before cleaning, the metadata it states, and what staff should know about it."""

    body: str
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class Extractor(ABC):
    """One file format: the suffixes it reads and how it turns their bytes into `Extracted`."""

    suffixes: tuple[str, ...] = ()

    @abstractmethod
    def extract(self, data: bytes, filename: str) -> Extracted:
        """The text and metadata of `data`, a file called `filename`; raises a `CorpusError` subclass."""


def one_line(text: str) -> str:
    """`text` with every run of whitespace (line breaks included) collapsed to one space."""
    return _SPACES.sub(" ", text).strip()


def join_lines(lines: Iterable[str]) -> str:
    """The lines of one paragraph as one line: a word hyphenated across a line break is joined again.

    Only a hyphen that ends a line can go, and only between lower-case letters ("treat-" / "ment" ->
    "treatment"); a compound broken at its own hyphen keeps it ("follow-" / "up", "IL-" / "13"), and
    hyphens inside a line ("IL-4/IL-13") are never touched.
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
        elif _HYPHEN_BREAK.search(out) and line[0].islower() and _tail(line) not in _COMPOUND_TAILS:
            out = out[:-1] + line
        elif re.search(r"\S-$", out):  # a compound broken at its own hyphen: "follow-" "up", "IL-" "13"
            out += line
        else:
            out = f"{out} {line}"
    return out


def _tail(line: str) -> str:
    match = re.match(r"[a-z]+", line)
    return match.group() if match else ""


def paragraphs(blocks: Sequence[str]) -> str:
    """Blocks of text (a block may hold several lines, e.g. a list) separated by one blank line."""
    kept = ["\n".join(line.strip() for line in block.splitlines() if line.strip()) for block in blocks]
    return "\n\n".join(block for block in kept if block)


def iso_date(value: object) -> str | None:
    """YYYY-MM-DD from a date, a datetime, an ISO string or a PDF date ("D:20240115093000+00'00'")."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    match = re.match(r"^(?:D:)?(\d{4})-?(\d{2})-?(\d{2})", text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None


def clean_metadata(values: dict[str, object]) -> dict[str, str]:
    """The non-empty text values among `values`, whitespace collapsed (an empty title is no title)."""
    out: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            continue
        text = one_line(str(value))
        if text:
            out[key] = text
    return out
