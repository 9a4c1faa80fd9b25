"""Document loaders: Markdown/text with front matter, HTML, JSONL, and the errors staff get for bad input."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from pathlib import Path

import pytest

from index.errors import CorpusError
from index.ingest.cleaning import Cleaner
from index.ingest.documents import (
    Document,
    corpus_files,
    html_to_text,
    iter_jsonl,
    load_corpus,
    load_html,
    load_text,
)

CLEANER = Cleaner.default()
MEDQUAD = Path("/work/shared/data/medquad.jsonl")
BODY = "Ruxolitinib is taken twice a day.\n\nMost patients regrew hair within six months."


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def front_matter(**fields: str) -> str:
    return "---\n" + "".join(f"{key}: {value}\n" for key, value in fields.items()) + "---\n"


def test_markdown_with_full_front_matter(tmp_path: Path) -> None:
    path = write(
        tmp_path / "leaflet.md",
        front_matter(
            id="rux-leaflet",
            title='"Ruxolitinib: what to expect"',
            publisher="Clinic Pharmacy",
            doc_type="leaflet",
            url="https://clinic.example/rux",
            published="2024-01-15",
            reviewed="2024-06-01",
            review_due="2025-06-01",
            notes='"checked by Dr A"',
        )
        + BODY,
    )
    document = load_text(path, CLEANER)
    assert document.doc_id == "rux-leaflet"
    assert document.title == "Ruxolitinib: what to expect"
    assert document.text == BODY
    assert (document.publisher, document.doc_type, document.url) == (
        "Clinic Pharmacy",
        "leaflet",
        "https://clinic.example/rux",
    )
    assert (document.published, document.reviewed, document.review_due) == (
        dt.date(2024, 1, 15),
        dt.date(2024, 6, 1),
        dt.date(2025, 6, 1),
    )
    assert document.missing_metadata() == []
    assert document.extra["notes"] == "checked by Dr A"
    assert document.source_path == str(path)
    assert Document.from_record(json.loads(json.dumps(document.to_record()))) == document


def test_unknown_metadata_stays_none(tmp_path: Path) -> None:
    path = write(
        tmp_path / "Hair Loss FAQ (2).md", front_matter(title="Hair loss FAQ", url="", published="") + BODY
    )
    document = load_text(path, CLEANER)
    assert document.doc_id == "Hair-Loss-FAQ-2"  # from the file name when the front matter has no id
    for name in ("publisher", "doc_type", "url", "published", "reviewed", "review_due"):
        assert getattr(document, name) is None
    assert document.missing_metadata() == [
        "publisher",
        "doc_type",
        "url",
        "published",
        "reviewed",
        "review_due",
    ]
    assert document.metadata()["published"] is None
    assert document.is_expired(dt.date(2100, 1, 1)) is False


def test_type_is_an_alias_of_doc_type(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", front_matter(title="A", type="leaflet") + BODY)
    assert load_text(path, CLEANER).doc_type == "leaflet"


def test_plain_text_without_front_matter_needs_a_title(tmp_path: Path) -> None:
    """A file without front matter is not given an invented title (not even its first line): it is an error."""
    path = write(tmp_path / "notes.txt", "Hair loss notes\n\n" + BODY)
    with pytest.raises(CorpusError, match=re.escape(str(path)) + r".*'notes' has no title"):
        load_text(path, CLEANER)


def test_plain_text_with_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path / "notes.txt", front_matter(title="Notes") + BODY)
    document = load_text(path, CLEANER)
    assert (document.doc_id, document.title, document.text) == ("notes", "Notes", BODY)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (front_matter(title="A", published="15/01/2024"), r"field 'published' is not an ISO date"),
        (front_matter(title="A", review_due="soon"), r"field 'review_due' is not an ISO date.*'soon'"),
        (front_matter(title="A", author="Someone"), r"unknown front-matter field\(s\) \['author'\]"),
        ("---\n- just\n- a list\n---\n", r"front matter must be a mapping"),
        ("---\ntitle: [unclosed\n---\n", r"front matter is not valid YAML"),
        (front_matter(title="A", publisher="[1, 2]"), r"field 'publisher' must be text"),
    ],
)
def test_bad_front_matter_names_file_and_field(tmp_path: Path, header: str, message: str) -> None:
    path = write(tmp_path / "bad.md", header + BODY)
    with pytest.raises(CorpusError, match=re.escape(str(path)) + ".*" + message):
        load_text(path, CLEANER)


def test_document_with_nothing_left_after_cleaning(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.md", front_matter(title="Empty") + "Related Stories\n\nBack to top\n")
    with pytest.raises(CorpusError, match=re.escape(str(path)) + ".*no text left after cleaning"):
        load_text(path, CLEANER)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("---\ntitle: Caf\xe9\n---\nText.".encode("latin-1"))
    with pytest.raises(CorpusError, match=re.escape(str(path)) + ".*cannot read as UTF-8"):
        load_text(path, CLEANER)


HTML = """<!doctype html>
<html><head>
  <title> Ruxolitinib and alopecia | Example Clinic </title>
  <meta name="author" content="Example Clinic">
  <meta property="article:published_time" content="2023-09-12T08:00:00Z">
  <style>p { color: red; }</style>
  <script>var tracking = "do not index me";</script>
</head>
<body>
  <header><nav><a href="/">Home</a> <a href="/shop">Shop</a></nav></header>
  <h1>Ruxolitinib and alopecia</h1>
  <p>Ruxolitinib is a JAK inhibitor.<br>It is taken <b>twice a day</b>.</p>
  <ul><li>Nine of 12 patients regrew hair.</li><li>Side effects were mild.</li></ul>
  <aside>Subscribe to our newsletter!</aside>
  <form><input name="q"> Search the site</form>
  <footer>Copyright Example Clinic</footer>
</body></html>
"""


def test_html_title_meta_and_visible_text(tmp_path: Path) -> None:
    path = write(tmp_path / "rux.html", HTML)
    document = load_html(path, CLEANER)
    assert document.doc_id == "rux"
    assert document.title == "Ruxolitinib and alopecia | Example Clinic"
    assert document.publisher == "Example Clinic"
    assert document.published == dt.date(2023, 9, 12)
    assert document.text == (
        "Ruxolitinib and alopecia\n\n"
        "Ruxolitinib is a JAK inhibitor.\nIt is taken twice a day.\n\n"
        "Nine of 12 patients regrew hair.\n\n"
        "Side effects were mild."
    )
    for hidden in ("tracking", "color", "Home", "Shop", "Subscribe", "Search the site", "Copyright"):
        assert hidden not in document.text


def test_html_without_title_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "untitled.htm", "<html><body><p>Some text about hair.</p></body></html>")
    with pytest.raises(CorpusError, match=re.escape(str(path)) + ".*has no title"):
        load_html(path, CLEANER)
    text, meta = html_to_text("<p>One</p><p>Two</p>")
    assert meta == {}
    assert CLEANER.clean(text) == "One\n\nTwo"


def jsonl(path: Path, *records: object) -> Path:
    lines = [record if isinstance(record, str) else json.dumps(record) for record in records]
    return write(path, "\n".join(lines) + "\n")


def test_jsonl_records_become_documents(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "bulk.jsonl",
        {
            "id": "GARD_1",
            "title": " What is alopecia? ",
            "text": "Alopecia is hair loss.",
            "source": "GARD",
            "focus": "Alopecia",
            "url": "https://example.org/1",
        },
        "",
        {"id": "GARD_2", "title": "Treatments", "text": "Minoxidil may help.", "published": "2020-02-02"},
    )
    documents = list(iter_jsonl(path, CLEANER))
    assert [d.doc_id for d in documents] == ["GARD_1", "GARD_2"]
    first, second = documents
    assert first.title == "What is alopecia?"
    assert first.text == "Alopecia is hair loss."
    assert first.publisher == "GARD"
    assert first.url == "https://example.org/1"
    assert (first.extra["focus"], first.extra["source"]) == ("Alopecia", "GARD")
    assert first.source_path == f"{path}:1"
    assert second.source_path == f"{path}:3"
    assert second.published == dt.date(2020, 2, 2)
    assert second.publisher is None
    assert "publisher" in second.missing_metadata()


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ('{"id": "x", "title": "T", "text": ', r"not valid JSON"),
        ('["a", "list"]', r"a record must be a JSON object"),
        ('{"title": "T", "text": "Text."}', r"record needs a non-empty string 'id'"),
        ('{"id": "x", "title": "T", "text": "   "}', r"record needs a non-empty string 'text'"),
        ('{"id": 7, "title": "T", "text": "Text."}', r"record needs a non-empty string 'id'"),
        (
            '{"id": "x", "title": "T", "text": "Text.", "published": "May 2020"}',
            r"field 'published' is not an ISO date",
        ),
    ],
)
def test_bad_jsonl_line_names_path_and_line(tmp_path: Path, bad_line: str, message: str) -> None:
    path = jsonl(tmp_path / "bulk.jsonl", {"id": "ok", "title": "T", "text": "Fine."}, bad_line)
    with pytest.raises(CorpusError, match=re.escape(f"{path}:2") + ".*" + message):
        list(iter_jsonl(path, CLEANER))


def test_duplicate_ids_name_both_files(tmp_path: Path) -> None:
    first = write(tmp_path / "a" / "one.md", front_matter(id="same", title="One") + BODY)
    second = jsonl(tmp_path / "b" / "bulk.jsonl", {"id": "same", "title": "Two", "text": "Other text."})
    with pytest.raises(CorpusError, match="duplicate document id 'same'") as error:
        load_corpus([tmp_path])
    assert str(first) in str(error.value)
    assert f"{second}:1" in str(error.value)


def test_corpus_files_are_found_in_a_stable_order(tmp_path: Path) -> None:
    write(tmp_path / "b.md", front_matter(title="B") + BODY)
    write(tmp_path / "sub" / "a.txt", front_matter(title="A") + BODY)
    write(tmp_path / "c.html", "<title>C</title><p>Hair regrowth.</p>")
    write(
        tmp_path / "ignored.doc", "binary"
    )  # old Word: not read (.pdf and .docx are, tests/index/ingest/formats)
    names = [p.relative_to(tmp_path).as_posix() for p in corpus_files([tmp_path])]
    assert names == ["b.md", "c.html", "sub/a.txt"]
    assert [d.doc_id for d in load_corpus([tmp_path])] == ["b", "c", "a"]
    with pytest.raises(CorpusError, match="no such corpus file or directory"):
        corpus_files([tmp_path / "missing"])
    doc = tmp_path / "ignored.doc"
    with pytest.raises(CorpusError, match=re.escape(str(doc)) + ".*unsupported file type '.doc'"):
        load_corpus([doc])


def test_seed_documents_load_with_their_metadata(seed_corpus_dir: Path) -> None:
    documents = {d.doc_id: d for d in load_corpus([seed_corpus_dir])}
    assert len(documents) == 5
    jak = documents["jak-inhibitors-trials-news"]
    assert jak.publisher is None  # the page does not name one: never invented
    assert jak.doc_type == "news article"
    assert documents["ruxolitinib-pilot-belgravia"].publisher == "The Belgravia Centre"
    for document in documents.values():
        assert document.title
        assert document.url is None
        assert document.review_due is None
        assert {"url", "published", "reviewed", "review_due"} <= set(document.missing_metadata())
        assert document.extra["notes"].startswith("Imported from the starting library")


@pytest.mark.skipif(
    not MEDQUAD.is_file(), reason=f"{MEDQUAD} is not present (only on the development machine)"
)
def test_medquad_jsonl_ingests(tmp_path: Path) -> None:
    head = tmp_path / "medquad-head.jsonl"
    with MEDQUAD.open(encoding="utf-8") as source:
        head.write_text("".join(itertools.islice(source, 500)), encoding="utf-8")
    documents = list(iter_jsonl(head, CLEANER))
    assert len(documents) == 500
    assert len({d.doc_id for d in documents}) == 500
    for document in documents:
        assert document.title
        assert document.text
        assert document.publisher  # the NIH site, from `source`
        assert document.url
        assert document.url.startswith("http")
        assert document.published is None  # MedQuAD does not state dates
    with MEDQUAD.open(encoding="utf-8") as source:
        records = [json.loads(line) for line in source if line.strip()]
    assert len(records) > 16_000
    assert all(isinstance(r, dict) and {"id", "title", "text"} <= r.keys() for r in records)
    assert len({r["id"] for r in records}) == len(records)
