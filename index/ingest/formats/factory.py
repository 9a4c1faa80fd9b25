"""The format factory: the extractor for a file's suffix, and `extract`, the one call for any file."""

from __future__ import annotations

from pathlib import PurePath

from index.errors import UnsupportedFormat
from index.ingest.formats.base import Extracted, Extractor
from index.ingest.formats.pdf import PdfExtractor
from index.ingest.formats.plain import TextExtractor
from index.ingest.formats.web import Engine, HtmlExtractor
from index.ingest.formats.word import DocxExtractor

_EXTRACTORS: tuple[type[Extractor], ...] = (PdfExtractor, DocxExtractor, HtmlExtractor, TextExtractor)
FORMAT_SUFFIXES: tuple[str, ...] = tuple(s for kind in _EXTRACTORS for s in kind.suffixes)
_HINTS = {
    ".doc": "save it in Word as .docx",
    ".rtf": "save it as .docx or PDF",
    ".odt": "save it as .docx or PDF",
    ".pages": "export it as .docx or PDF",
}


def extractor_for(filename: str, html_engine: Engine | None = None) -> Extractor:
    """The extractor for `filename`'s suffix (case-insensitive); `UnsupportedFormat` for any other."""
    suffix = PurePath(filename).suffix.lower()
    for kind in _EXTRACTORS:
        if suffix in kind.suffixes:
            if kind is HtmlExtractor and html_engine is not None:
                return HtmlExtractor(html_engine)
            return kind()
    hint = _HINTS.get(suffix, f"use one of {', '.join(FORMAT_SUFFIXES)}")
    shown = repr(suffix) if suffix else "(none)"
    raise UnsupportedFormat(f"{filename}: unsupported file type {shown}; {hint}")


def extract(data: bytes, filename: str, html_engine: Engine | None = None) -> Extracted:
    """Text (before cleaning), metadata and warnings of a file's bytes, by its name's suffix.

    Raises `UnsupportedFormat`, `UnreadableDocument` (`NoTextLayer` for a scanned PDF) or `EmptyDocument`.
    """
    return extractor_for(filename, html_engine).extract(data, filename)
