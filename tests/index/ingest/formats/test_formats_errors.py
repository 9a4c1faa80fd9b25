"""Files the library cannot read are refused with a message that names the file and says what to do."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from fpdf import FPDF

from index.errors import CorpusError, EmptyDocument, NoTextLayer, UnreadableDocument, UnsupportedFormat
from index.ingest.cleaning import Cleaner
from index.ingest.documents import load_corpus
from index.ingest.formats import FORMAT_SUFFIXES, extract


def test_the_error_tree() -> None:
    assert issubclass(NoTextLayer, UnreadableDocument)
    for kind in (UnsupportedFormat, UnreadableDocument, EmptyDocument):
        assert issubclass(kind, CorpusError)
    assert {".pdf", ".docx", ".html", ".htm", ".md", ".txt"} <= set(FORMAT_SUFFIXES)


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("leaflet.doc", r"leaflet\.doc: unsupported file type '\.doc'; save it in Word as \.docx"),
        ("photo.jpg", r"photo\.jpg: unsupported file type '\.jpg'; use one of \.pdf, \.docx"),
        ("README", r"README: unsupported file type \(none\)"),
    ],
)
def test_an_unsupported_suffix_is_refused(filename: str, message: str) -> None:
    with pytest.raises(UnsupportedFormat, match=message):
        extract(b"anything", filename)


def pdf_bytes(password: str | None = None) -> bytes:
    pdf = FPDF()
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Wash your hands with soap and water.")
    return bytes(pdf.output())


def test_a_corrupt_pdf_is_refused() -> None:
    data = pdf_bytes()
    for broken in (data[: len(data) // 3], b"%PDF-1.4 nothing else", b"not a pdf at all"):
        with pytest.raises(UnreadableDocument, match=r"broken\.pdf: cannot read this PDF .*damaged"):
            extract(broken, "broken.pdf")


def test_a_password_protected_pdf_is_refused() -> None:
    with pytest.raises(UnreadableDocument, match=r"locked\.pdf: cannot read this PDF .*password"):
        extract(pdf_bytes(password="secret"), "locked.pdf")


def test_a_blank_pdf_has_no_text_layer() -> None:
    pdf = FPDF()
    pdf.add_page()
    with pytest.raises(NoTextLayer, match=r"blank\.pdf: this PDF has no text layer \(a scan\?\)"):
        extract(bytes(pdf.output()), "blank.pdf")


def test_a_corrupt_docx_is_refused() -> None:
    with pytest.raises(UnreadableDocument, match=r"broken\.docx: cannot read this Word file"):
        extract(b"PK\x03\x04 truncated zip", "broken.docx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "a zip, but not a Word document")
    with pytest.raises(UnreadableDocument, match=r"zip\.docx: cannot read this Word file"):
        extract(buffer.getvalue(), "zip.docx")


def test_an_empty_docx_is_refused() -> None:
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with pytest.raises(EmptyDocument, match=r"empty\.docx: the Word file has no text in its body"):
        extract(buffer.getvalue(), "empty.docx")


@pytest.mark.parametrize(
    ("filename", "data", "error"),
    [
        ("empty.html", b"<html><body><script>x()</script></body></html>", EmptyDocument),
        ("latin.html", "<p>caf\u00e9</p>".encode("latin-1"), UnreadableDocument),
        ("empty.md", b"---\ntitle: T\n---\n   \n", EmptyDocument),
    ],
)
def test_empty_or_undecodable_text_files_are_refused(
    filename: str, data: bytes, error: type[Exception]
) -> None:
    with pytest.raises(error, match=re.escape(filename)):
        extract(data, filename)


def test_a_broken_pdf_in_a_corpus_folder_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "leaflet.pdf"
    path.write_bytes(b"binary")
    with pytest.raises(UnreadableDocument, match=re.escape(str(path)) + ": cannot read this PDF"):
        load_corpus([tmp_path], Cleaner.default())
