"""`Document` and the loaders for the corpus formats.

Formats:
- Markdown or plain text (`.md`, `.txt`) with an optional YAML front-matter block between `---` lines;
- HTML (`.html`, `.htm`): converted to clean text, `<title>` and `<meta>` tags give metadata;
- PDF (`.pdf`) and Word (`.docx`): read by `index.ingest.formats`, metadata from the file's own properties;
- JSONL (`.jsonl`): one record a line, `{id, title, url, source, text, ...}`; the record's `id` is the doc id.

Metadata is never invented: a field the source does not state stays `None` and is reported as unknown.
The title is required. A PDF or Word file has no front matter to give one, so when its properties state no
title its file name is the title (`extra["title_from"] == "file name"`, for staff to replace); a Markdown or
HTML file without a title stays an error, as it can say its title in its front matter or `<title>`.

Uploads (`document_from_upload`) go through the same extractors and the same checks; metadata given by
staff overrides what the file states.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.errors import CorpusError, EmptyDocument
from index.ingest.cleaning import Cleaner, raw_digest
from index.ingest.formats import extract
from index.ingest.formats.plain import split_front_matter
from index.ingest.formats.web import html_to_text as html_to_text  # re-exported: the BeautifulSoup path

BINARY_SUFFIXES = (".pdf", ".docx")
SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".jsonl", *BINARY_SUFFIXES)
UNKNOWN = "unknown: staff to fill"
_DATE_FIELDS = ("published", "reviewed", "review_due")
_TEXT_FIELDS = ("title", "publisher", "doc_type", "url")
_KNOWN_KEYS = {"id", *_TEXT_FIELDS, *_DATE_FIELDS, "type", "notes"}


@dataclass(frozen=True)
class Document:
    """One approved document: metadata plus its cleaned text, which citations' offsets point into."""

    doc_id: str
    title: str
    text: str
    publisher: str | None = None
    doc_type: str | None = None
    url: str | None = None
    published: dt.date | None = None
    reviewed: dt.date | None = None
    review_due: dt.date | None = None
    source_path: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def missing_metadata(self) -> list[str]:
        """Names of the metadata fields nobody has filled in yet."""
        names = ("publisher", "doc_type", "url", "published", "reviewed", "review_due")
        return [name for name in names if getattr(self, name) is None]

    def is_expired(self, today: dt.date) -> bool:
        """True when the document is past its review-due date (never cite it to patients)."""
        return self.review_due is not None and self.review_due < today

    def is_current(self, today: dt.date) -> bool:
        """The one rule for what may be cited: not past its review-due date (an undated document is current,
        and flagged to staff by the build)."""
        return not self.is_expired(today)

    def metadata(self) -> dict[str, Any]:
        """Metadata as JSON-friendly values; unknown fields are None."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "publisher": self.publisher,
            "doc_type": self.doc_type,
            "url": self.url,
            "published": _iso(self.published),
            "reviewed": _iso(self.reviewed),
            "review_due": _iso(self.review_due),
        }

    def to_record(self) -> dict[str, Any]:
        return {**self.metadata(), "text": self.text, "source_path": self.source_path, "extra": self.extra}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Document:
        return cls(
            doc_id=record["doc_id"],
            title=record["title"],
            text=record["text"],
            publisher=record.get("publisher"),
            doc_type=record.get("doc_type"),
            url=record.get("url"),
            published=_parse_date(record.get("published"), "published", record["doc_id"]),
            reviewed=_parse_date(record.get("reviewed"), "reviewed", record["doc_id"]),
            review_due=_parse_date(record.get("review_due"), "review_due", record["doc_id"]),
            source_path=record.get("source_path"),
            extra=dict(record.get("extra") or {}),
        )


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _parse_date(value: object, name: str, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise CorpusError(f"{where}: field {name!r} is not an ISO date (YYYY-MM-DD): {value!r}") from exc


def _optional_text(value: object, name: str, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float):
        raise CorpusError(f"{where}: field {name!r} must be text, got {type(value).__name__}")
    text = str(value).strip()
    return text or None


def _doc_id_from_path(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-") or "document"


def _build(meta: dict[str, Any], body: str, path: Path, cleaner: Cleaner, default_id: str) -> Document:
    where = str(path)
    unknown = sorted(set(meta) - _KNOWN_KEYS)
    if unknown:
        raise CorpusError(f"{where}: unknown front-matter field(s) {unknown}; allowed: {sorted(_KNOWN_KEYS)}")
    doc_id = _optional_text(meta.get("id"), "id", where) or default_id
    text = cleaner.clean(body)
    if not text:
        raise EmptyDocument(f"{where}: document {doc_id!r} has no text left after cleaning")
    title = _optional_text(meta.get("title"), "title", where)
    if title is None:
        raise CorpusError(f"{where}: document {doc_id!r} has no title")
    return Document(
        doc_id=doc_id,
        title=title,
        text=text,
        publisher=_optional_text(meta.get("publisher"), "publisher", where),
        doc_type=_optional_text(meta.get("doc_type", meta.get("type")), "doc_type", where),
        url=_optional_text(meta.get("url"), "url", where),
        published=_parse_date(meta.get("published"), "published", where),
        reviewed=_parse_date(meta.get("reviewed"), "reviewed", where),
        review_due=_parse_date(meta.get("review_due"), "review_due", where),
        source_path=where,
        extra={
            "raw_sha256": raw_digest(body),
            **({"notes": str(meta["notes"])} if meta.get("notes") else {}),
        },
    )


def load_text(path: Path, cleaner: Cleaner) -> Document:
    """A Markdown or plain-text file with an optional YAML front-matter block."""
    meta, raw = split_front_matter(_read(path), str(path))
    return _build(meta, raw, path, cleaner, _doc_id_from_path(path))


def load_html(path: Path, cleaner: Cleaner) -> Document:
    """An HTML page, read with `index.ingest.formats.web`'s default engine."""
    extracted = extract(_read(path).encode("utf-8"), str(path))
    return _build(dict(extracted.metadata), extracted.body, path, cleaner, _doc_id_from_path(path))


def load_binary(path: Path, cleaner: Cleaner) -> Document:
    """A PDF or Word (.docx) file: text and metadata from the file itself, doc id from its name."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc}") from exc
    return _from_bytes(data, path, cleaner, None, None)


def document_from_upload(
    data: bytes,
    filename: str,
    cleaner: Cleaner,
    doc_id: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Document:
    """A document uploaded by staff: any supported format but JSONL, read from its bytes.

    `metadata` (title, publisher, doc_type, url, published, reviewed, review_due, notes) overrides what
    the file states; a None or empty value there means "not given". The doc id is `doc_id`, else the
    file's front-matter id (Markdown), else one made from the file name. Raises a `CorpusError` subclass
    whose message names the file (`UnsupportedFormat`, `UnreadableDocument`, `NoTextLayer`,
    `EmptyDocument`, or plain `CorpusError` for invalid metadata).
    """
    name = Path(filename).name or "upload"
    if Path(name).suffix.lower() == ".jsonl":
        raise CorpusError(f"{name}: a JSONL library is loaded from the corpus folder, not uploaded")
    return _from_bytes(data, Path(name), cleaner, doc_id, metadata)


def _from_bytes(
    data: bytes, path: Path, cleaner: Cleaner, doc_id: str | None, overrides: dict[str, Any] | None
) -> Document:
    extracted = extract(data, str(path))
    meta: dict[str, Any] = dict(extracted.metadata)
    meta.update({k: v for k, v in (overrides or {}).items() if v is not None and str(v).strip()})
    if doc_id is not None and doc_id.strip():
        meta["id"] = doc_id.strip()
    extra: dict[str, str] = {}
    if path.suffix.lower() in BINARY_SUFFIXES and not meta.get("title"):
        meta["title"] = path.stem
        extra["title_from"] = "file name"
    if extracted.warnings:
        extra["extraction_warnings"] = "; ".join(extracted.warnings)
    document = _build(meta, extracted.body, path, cleaner, _doc_id_from_path(path))
    return dataclasses.replace(document, extra={**document.extra, **extra}) if extra else document


def iter_jsonl(path: Path, cleaner: Cleaner, skipped: list[str] | None = None) -> Iterator[Document]:
    """Bulk libraries: one JSON record a line; `id`, `title` and `text` are required.

    A record whose whole text is boilerplate (say, only "call 1-800-... for more information") is skipped
    and named in `skipped`, rather than failing a build of thousands of records.
    """
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{line_no}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{where}: not valid JSON: {exc.msg}") from exc
            if not isinstance(record, dict):
                raise CorpusError(f"{where}: a record must be a JSON object")
            for key in ("id", "title", "text"):
                if not isinstance(record.get(key), str) or not record[key].strip():
                    raise CorpusError(f"{where}: record needs a non-empty string {key!r}")
            text = cleaner.clean(record["text"])
            if not text:
                if skipped is None:
                    raise CorpusError(f"{where}: record {record['id']!r} has no text left after cleaning")
                skipped.append(f"{where}: record {record['id']!r} skipped: no text left after cleaning")
                continue
            extra = {k: str(v) for k, v in record.items() if k in {"focus", "source"} and v}
            extra["raw_sha256"] = raw_digest(record["text"])
            yield Document(
                doc_id=record["id"],
                title=record["title"].strip(),
                text=text,
                publisher=_optional_text(record.get("publisher", record.get("source")), "source", where),
                doc_type=_optional_text(record.get("doc_type"), "doc_type", where),
                url=_optional_text(record.get("url"), "url", where),
                published=_parse_date(record.get("published"), "published", where),
                reviewed=_parse_date(record.get("reviewed"), "reviewed", where),
                review_due=_parse_date(record.get("review_due"), "review_due", where),
                source_path=where,
                extra=extra,
            )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read as UTF-8 text: {exc}") from exc


def corpus_files(paths: Iterable[Path]) -> list[Path]:
    """Every supported file under the given files or directories, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
            )
        elif path.is_file():
            found.append(path)
        else:
            raise CorpusError(f"{path}: no such corpus file or directory")
    return found


def load_corpus(
    paths: Iterable[Path], cleaner: Cleaner | None = None, skipped: list[str] | None = None
) -> list[Document]:
    """All documents under `paths`. Duplicate document ids are an error that names both files.

    With `skipped`, bulk (JSONL) records left empty by cleaning are listed there instead of failing.
    """
    cleaner = cleaner or Cleaner.default()
    documents: list[Document] = []
    seen: dict[str, str] = {}
    for path in corpus_files(paths):
        suffix = path.suffix.lower()
        if suffix == ".jsonl":
            loaded: Iterable[Document] = iter_jsonl(path, cleaner, skipped)
        elif suffix in {".html", ".htm"}:
            loaded = [load_html(path, cleaner)]
        elif suffix in BINARY_SUFFIXES:
            loaded = [load_binary(path, cleaner)]
        elif suffix in SUPPORTED_SUFFIXES:
            loaded = [load_text(path, cleaner)]
        else:
            raise CorpusError(f"{path}: unsupported file type {suffix!r}; use one of {SUPPORTED_SUFFIXES}")
        for document in loaded:
            if document.doc_id in seen:
                raise CorpusError(
                    f"duplicate document id {document.doc_id!r} in {document.source_path} and {seen[document.doc_id]}"
                )
            seen[document.doc_id] = document.source_path or ""
            documents.append(document)
    return documents


def current_on(today: dt.date) -> Callable[[Document], bool]:
    """A filter keeping the documents that are current on `today` (`Document.is_current`)."""
    return lambda document: document.is_current(today)
