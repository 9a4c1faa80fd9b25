"""The index package's exception tree.

    ClinicIndexError
    ├── CorpusError            a corpus file cannot be read or its metadata is invalid
    │   ├── ApprovedAnswerRejected  an approved answer fails its review: names the entry and the sentence
    │   ├── UnsupportedFormat  the file's type (its suffix) is not one the library reads (index/ingest/formats)
    │   ├── UnreadableDocument  a PDF/Word/HTML file is corrupt, encrypted or not what its name says
    │   │   └── NoTextLayer    a PDF whose pages carry no text (a scan): export it with text or run OCR first
    │   ├── EmptyDocument      the file has no text, or none is left after cleaning
    │   └── SynonymsError  the synonyms file is malformed (index/search/analysis.py)
    ├── EmbedderError          the embedding model cannot be loaded
    ├── UnknownCitation        a review cites a document or chunk id that the library does not have
    ├── CatalogError           the library store cannot be opened, migrated or written (index/catalog)
    │   ├── CatalogNotFound    no document or approved answer with that id in the store
    │   └── CatalogConflict    the change contradicts the record's state (e.g. approving an unchecked answer)
    └── IndexLoadError         an index directory cannot be used
        ├── IndexNotFound      no index at the given path
        ├── IndexMismatch      the manifest disagrees with what the caller expects (format, model, dimension)
        └── IndexCorrupt       a file is missing, truncated or fails its checksum

Every message names the file or setting at fault so that staff can act on it.
"""

from __future__ import annotations


class ClinicIndexError(Exception):
    """Base class for every error raised by the `index` package."""


class CorpusError(ClinicIndexError):
    """A corpus document cannot be read, or its metadata is invalid."""


class ApprovedAnswerRejected(CorpusError):
    """An approved answer has a sentence the library does not support, or cites an unknown document."""


class UnsupportedFormat(CorpusError):
    """The file's type (its suffix) is not one the library can read."""


class UnreadableDocument(CorpusError):
    """A PDF, Word or HTML file is corrupt, encrypted, or not the format its name says."""


class NoTextLayer(UnreadableDocument):
    """A PDF whose pages carry no text at all: a scan, to be exported with text or run through OCR first."""


class EmptyDocument(CorpusError):
    """The document has no text, or none is left after cleaning."""


class UnknownCitation(ClinicIndexError):
    """A review names citation ids (document or chunk ids) that are not in the library."""

    def __init__(self, ids: list[str]) -> None:
        super().__init__(f"unknown citation id(s): {', '.join(repr(i) for i in ids)}")
        self.ids = ids


class EmbedderError(ClinicIndexError):
    """The embedding model cannot be loaded or used."""


class IndexLoadError(ClinicIndexError):
    """An index directory cannot be used."""


class IndexNotFound(IndexLoadError):
    """There is no index at the given path."""


class IndexMismatch(IndexLoadError):
    """The manifest does not match what the loader expects (format version, model, dimension)."""


class IndexCorrupt(IndexLoadError):
    """A file of the index is missing, truncated, or does not match its recorded checksum."""


class CatalogError(ClinicIndexError):
    """The library store (index/catalog) cannot be opened, migrated or written."""


class CatalogNotFound(CatalogError):
    """No document or approved answer with the given id in the library store."""


class CatalogConflict(CatalogError):
    """The change contradicts the record's state (approving an unchecked answer, a duplicate upload...)."""
