"""The index package's exception tree.

    ClinicIndexError
    ├── CorpusError            a corpus file cannot be read or its metadata is invalid
    │   ├── ApprovedAnswerRejected  an approved answer fails its review: names the entry and the sentence
    │   └── SynonymsError  the synonyms file is malformed (index/search/analysis.py)
    ├── EmbedderError          the embedding model cannot be loaded
    ├── UnknownCitation        a review cites a document or chunk id that the library does not have
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
