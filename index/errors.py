"""The index package's exception tree.

    ClinicIndexError
    ├── CorpusError            a corpus file cannot be read or its metadata is invalid
    ├── EmbedderError          the embedding model cannot be loaded
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
