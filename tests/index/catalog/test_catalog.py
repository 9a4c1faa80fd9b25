"""The library store: migrations, corpus import, document and answer life cycles, publish, the audit trail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import inspect

from index.catalog.answers import AnswerCatalog
from index.catalog.documents import DocumentCatalog, status_of
from index.catalog.jobs import JobBoard
from index.catalog.publish import import_corpus, needs_publish, publish
from index.catalog.store import LibraryStore
from index.config import IndexSettings
from index.errors import CatalogConflict, CatalogNotFound
from index.ingest.chunking import ChunkSettings
from index.ingest.documents import Document
from index.search.library import load_library
from tests.conftest import HashingEmbedder

SEED = Path(__file__).resolve().parents[3] / "corpus"
TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def store(tmp_path: Path) -> LibraryStore:
    store = LibraryStore(f"sqlite:///{tmp_path}/library.db")
    store.migrate()
    return store


def _leaflet(doc_id: str = "hand-washing", text: str | None = None) -> Document:
    body = text or (
        "Washing your hands\n\nWash your hands with soap and water for at least twenty seconds. "
        "Dry them on a clean towel. Clean hands stop many germs from spreading to other people."
    )
    return Document(doc_id=doc_id, title="Hand washing", text=body)


def test_migrations_create_every_table_and_run_twice(store: LibraryStore) -> None:
    store.migrate()  # idempotent
    tables = set(inspect(store.engine).get_table_names())
    expected = {
        "documents",
        "document_versions",
        "answers",
        "approvals",
        "audit",
        "publish_jobs",
        "daily_counts",
        "unanswered",
        "ratings",
        "alembic_version",
    }
    assert expected <= tables


def test_status_rule() -> None:
    assert status_of(None, TODAY) == "undated"
    assert status_of(TODAY - dt.timedelta(days=1), TODAY) == "expired"
    assert status_of(TODAY, TODAY) == "review_due"
    assert status_of(TODAY + dt.timedelta(days=30), TODAY) == "review_due"
    assert status_of(TODAY + dt.timedelta(days=31), TODAY) == "current"


def test_corpus_import_is_idempotent_and_sees_changes(store: LibraryStore, tmp_path: Path) -> None:
    first = import_corpus(store, [SEED / "library"], SEED / "approved")
    assert len(first.added) == len(list((SEED / "library").glob("*.md")))
    assert len(first.answers) == len(list((SEED / "approved").glob("*.yaml")))
    again = import_corpus(store, [SEED / "library"], SEED / "approved")
    assert (again.added, again.updated, again.answers) == ([], [], [])
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.md").write_text("---\ntitle: Note\n---\nFirst text of the note.\n")
    import_corpus(store, [corpus], None)
    (corpus / "note.md").write_text("---\ntitle: Note\n---\nSecond text of the note.\n")
    changed = import_corpus(store, [corpus], None)
    assert changed.updated == ["note"]
    rows = {r["doc_id"]: r for r in DocumentCatalog(store).rows(TODAY)}
    assert rows["note"]["version"] == 2
    assert rows["note"]["state"] == "active"


def test_document_life_cycle_and_audit(store: LibraryStore) -> None:
    catalog = DocumentCatalog(store)
    doc_id = catalog.add(_leaflet(), b"file one", "hand-washing.docx", "Nurse Ada")
    detail = catalog.detail(doc_id, TODAY, ChunkSettings())
    assert detail["state"] == "draft"
    assert detail["status"] == "undated"
    assert all(detail["text"][p["start"] : p["end"]] == p["text"] for p in detail["passages"])
    assert detail["passages"][0]["section"] == "Washing your hands"
    assert "publisher unknown: staff to fill" in detail["warnings"]
    with pytest.raises(CatalogConflict, match="already in the library"):
        catalog.add(_leaflet("other"), b"file one", "copy.docx", "Nurse Ada")
    catalog.update_metadata(doc_id, {"publisher": "City Clinic", "review_due": "2027-06-01"}, "Nurse Ada")
    assert catalog.active_documents() == []  # a draft is not published
    catalog.activate(doc_id, "Nurse Ada")
    [active] = catalog.active_documents()
    assert active.publisher == "City Clinic"
    assert active.review_due == dt.date(2027, 6, 1)
    catalog.replace(doc_id, _leaflet(text="Washing\n\nNew text of the leaflet."), b"file two", "v2.pdf", "Bo")
    assert "New text" not in catalog.active_documents()[0].text  # the active version serves until activated
    catalog.activate(doc_id, "Bo")
    assert "New text" in catalog.active_documents()[0].text
    catalog.retire(doc_id, "Bo")
    assert catalog.active_documents() == []
    with pytest.raises(CatalogConflict, match="retired"):
        catalog.activate(doc_id, "Bo")
    actions = [e["action"] for e in store.audit_trail()]
    assert actions[:3] == ["retire", "activate", "replace"]
    assert "upload" in actions
    assert {e["actor"] for e in store.audit_trail()} == {"Nurse Ada", "Bo"}
    with pytest.raises(CatalogNotFound):
        catalog.retire("nope", "Bo")


def test_answer_needs_a_passing_check_of_its_current_text(store: LibraryStore) -> None:
    answers = AnswerCatalog(store)
    answer_id = answers.create(
        ["How long should I wash my hands?"], "At least twenty seconds.", ["hand-washing"], "Nurse Ada"
    )
    with pytest.raises(CatalogConflict, match="passing check"):
        answers.approve(answer_id, "Dr Lee", TODAY)
    answers.record_check(answer_id, {"passed": False}, "Nurse Ada")
    with pytest.raises(CatalogConflict, match="passing check"):
        answers.approve(answer_id, "Dr Lee", TODAY)
    answers.record_check(answer_id, {"passed": True}, "Nurse Ada")
    answers.approve(answer_id, "Dr Lee", TODAY)
    [entry] = answers.approved_entries()
    assert entry.approved_by == "Dr Lee"
    assert entry.signed_off(TODAY)
    answers.update(answer_id, "Nurse Ada", answer="At least twenty seconds, with soap.")
    row = answers.row(answer_id)
    assert row["state"] == "draft"
    assert row["approved_by"] is None
    assert row["check"] is None
    assert answers.approved_entries() == []
    assert store.audit_trail()[0]["detail"] == "approval withdrawn: the content changed"


def test_publish_builds_from_the_store(
    store: LibraryStore, tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    settings = IndexSettings(index_dir=tmp_path / "index", synonyms_file=tmp_path / "none.yaml")
    catalog = DocumentCatalog(store)
    doc_id = catalog.add(_leaflet(), b"leaflet", "hand-washing.md", "Nurse Ada", state="active")
    assert needs_publish(store, settings, fake_embedder.name)
    stages: list[tuple[str, float]] = []
    report = publish(store, settings, fake_embedder, on_progress=lambda s, p: stages.append((s, p)))
    assert report.documents == 1
    assert report.chunks >= 1
    assert next(s for s, _ in stages) == "exporting"
    assert stages[-1][0] == "writing"
    assert [p for _, p in stages] == sorted(p for _, p in stages)
    assert not needs_publish(store, settings, fake_embedder.name)
    library = load_library(settings.index_dir)
    assert library.documents[doc_id].text == _leaflet().text
    catalog.retire(doc_id, "Nurse Ada")
    with pytest.raises(CatalogConflict, match="no active document"):
        publish(store, settings, fake_embedder)


def test_one_publish_at_a_time(store: LibraryStore) -> None:
    jobs = JobBoard(store)
    job = jobs.start("Nurse Ada")
    with pytest.raises(CatalogConflict, match="already running"):
        jobs.start("Bo")
    jobs.update(job["job_id"], "embedding", 0.5)
    assert jobs.get(job["job_id"])["progress"] == 0.5
    jobs.finish(job["job_id"], {"documents": 1, "chunks": 2})
    assert jobs.latest() == jobs.get(job["job_id"])
    assert jobs.get(job["job_id"])["state"] == "done"
    assert jobs.start("Bo")["state"] == "queued"
