"""File formats of the library: PDF, Word .docx, HTML, Markdown and text, read into `Extracted`.

`extract(data, filename)` picks the extractor by suffix (factory.py); each format is one module.
"""

from __future__ import annotations

from index.ingest.formats.base import Extracted, Extractor
from index.ingest.formats.factory import FORMAT_SUFFIXES, extract, extractor_for

__all__ = ["FORMAT_SUFFIXES", "Extracted", "Extractor", "extract", "extractor_for"]
