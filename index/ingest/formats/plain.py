"""Markdown and plain text (`.md`, `.markdown`, `.txt`), with an optional YAML front-matter block.

The text is the document's text as written: its headings are already plain one-line paragraphs. The front
matter (between `---` lines at the very top) is the document's metadata.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from index.errors import CorpusError, EmptyDocument, UnreadableDocument
from index.ingest.formats.base import Extracted, Extractor, iso_date

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def split_front_matter(raw: str, where: str) -> tuple[dict[str, Any], str]:
    """The front-matter mapping (empty without one) and the text after it."""
    match = _FRONT_MATTER.match(raw)
    if not match:
        return {}, raw
    try:
        loaded = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise CorpusError(f"{where}: front matter is not valid YAML: {exc}") from exc
    if not isinstance(loaded, dict):
        raise CorpusError(f"{where}: front matter must be a mapping of field: value")
    return loaded, raw[match.end() :]


class TextExtractor(Extractor):
    suffixes = (".md", ".markdown", ".txt")

    def extract(self, data: bytes, filename: str) -> Extracted:
        try:
            raw = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnreadableDocument(f"{filename}: cannot read as UTF-8 text: {exc}") from exc
        meta, body = split_front_matter(raw, filename)
        if not body.strip():
            raise EmptyDocument(f"{filename}: the file has no text")
        metadata = {
            str(key): (iso_date(value) or str(value))
            if key in {"published", "reviewed", "review_due"}
            else str(value)
            for key, value in meta.items()
            if value is not None and str(value).strip()
        }
        return Extracted(body=body, metadata=metadata)
