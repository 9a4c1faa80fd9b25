"""`document_from_upload`: the service's entry point for a file staff upload."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from index.errors import CorpusError, EmptyDocument, NoTextLayer, UnsupportedFormat
from index.ingest.cleaning import Cleaner
from index.ingest.documents import document_from_upload, load_binary

CLEANER = Cleaner.default()


def test_an_uploaded_pdf_is_the_same_document_as_the_file(leaflet_dir: Path) -> None:
    path = leaflet_dir / "hand-washing.pdf"
    uploaded = document_from_upload(path.read_bytes(), "hand-washing.pdf", CLEANER)
    loaded = load_binary(path, CLEANER)
    assert (uploaded.doc_id, uploaded.title, uploaded.text) == (loaded.doc_id, loaded.title, loaded.text)
    assert uploaded.source_path == "hand-washing.pdf"


def test_staff_metadata_overrides_the_files(leaflet_dir: Path) -> None:
    data = (leaflet_dir / "flu-vaccination.pdf").read_bytes()
    document = document_from_upload(
        data,
        "C:\\fakepath/flu-vaccination.pdf",
        CLEANER,
        doc_id="flu-2024",
        metadata={
            "title": "Flu vaccination 2024",
            "publisher": "Riverside Family Clinic",
            "published": "2024-09-01",
            "review_due": dt.date(2025, 9, 1),
            "url": None,  # not given: stays unknown
            "doc_type": "",
        },
    )
    assert document.doc_id == "flu-2024"
    assert (document.title, document.publisher) == ("Flu vaccination 2024", "Riverside Family Clinic")
    assert (document.published, document.review_due) == (dt.date(2024, 9, 1), dt.date(2025, 9, 1))
    assert (document.url, document.doc_type) == (None, None)
    assert "title_from" not in document.extra


def test_uploaded_markdown_and_html(tmp_path: Path) -> None:
    markdown = b"---\nid: md-id\ntitle: Sleep tips\npublished: 2023-01-02\n---\nSleep well.\n"
    document = document_from_upload(markdown, "tips.md", CLEANER)
    assert (document.doc_id, document.title, document.published) == (
        "md-id",
        "Sleep tips",
        dt.date(2023, 1, 2),
    )
    html = b"<html><head><title>Sun safety</title></head><body><p>Seek shade at midday.</p></body></html>"
    page = document_from_upload(html, "sun.html", CLEANER)
    assert (page.doc_id, page.title, page.text) == ("sun", "Sun safety", "Seek shade at midday.")


@pytest.mark.parametrize(
    ("data", "filename", "error", "message"),
    [
        (b"x", "leaflet.doc", UnsupportedFormat, "save it in Word as .docx"),
        (b'{"id": "a"}', "bulk.jsonl", CorpusError, "loaded from the corpus folder"),
        (b"<html><body><p>Text.</p></body></html>", "untitled.html", CorpusError, "has no title"),
        (b"Call 555-123-4567 for more information.", "ad.txt", EmptyDocument, "no text left after cleaning"),
    ],
)
def test_uploads_that_are_refused(data: bytes, filename: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        document_from_upload(
            data, filename, CLEANER, metadata={} if filename != "ad.txt" else {"title": "Ad"}
        )


def test_an_uploaded_scan_is_refused(leaflet_dir: Path) -> None:
    with pytest.raises(NoTextLayer, match="run OCR first"):
        document_from_upload((leaflet_dir / "scanned.pdf").read_bytes(), "scanned.pdf", CLEANER)


def test_unknown_staff_fields_are_an_error(leaflet_dir: Path) -> None:
    data = (leaflet_dir / "sun-protection.docx").read_bytes()
    with pytest.raises(CorpusError, match=r"unknown front-matter field\(s\) \['colour'\]"):
        document_from_upload(data, "sun.docx", CLEANER, metadata={"colour": "blue"})
