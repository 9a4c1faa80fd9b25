"""Command line: `python -m index build|publish|query`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from index.build import build_index, is_stale
from index.config import IndexSettings
from index.encoders.factory import embedder_name, load_embedder
from index.errors import ClinicIndexError, CorpusError
from index.search.analysis import SynonymMap
from index.search.library import load_library
from index.search.retriever import Retriever


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build the index from the corpus")
    build.add_argument("--corpus", type=Path, nargs="+", action="extend", help="corpus files or directories")
    build.add_argument("--out", type=Path, help="index directory (default: CLINIC_INDEX_DIR)")
    build.add_argument("--if-stale", action="store_true", help="do nothing when the index is up to date")
    build.add_argument(
        "--approved",
        type=Path,
        help="approved answers to review and publish (default: CLINIC_APPROVED_DIR if set, else the 'approved' "
        "directory next to the corpus directory, when there is one)",
    )
    build.add_argument("--no-approved", action="store_true", help="publish no approved answers")
    publish = commands.add_parser(
        "publish",
        help="import corpus/ into the library store (CLINIC_LIBRARY_URL) and build the index from the store",
    )
    publish.add_argument("--if-stale", action="store_true", help="do nothing when the index is up to date")
    query = commands.add_parser("query", help="print the top passages for a question")
    query.add_argument("text")
    query.add_argument("--index", type=Path, help="index directory (default: CLINIC_INDEX_DIR)")
    query.add_argument("-k", type=int, default=5)
    query.add_argument("--mode", choices=("hybrid", "dense", "lexical"), default="hybrid")
    args = parser.parse_args(argv)
    settings = IndexSettings()
    try:
        if args.command == "build":
            corpus = args.corpus or settings.corpus
            approved = _approved_dir(settings, corpus, args.approved, args.no_approved)
            synonyms = _synonyms(settings, corpus)
            return _build(settings, corpus, args.out or settings.index_dir, args.if_stale, approved, synonyms)
        if args.command == "publish":
            return _publish(settings, args.if_stale)
        return _query(settings, args.index or settings.index_dir, args.text, args.k, args.mode)
    except ClinicIndexError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _approved_dir(settings: IndexSettings, corpus: list[Path], given: Path | None, off: bool) -> Path | None:
    """The approved answers to publish: `--approved`, else CLINIC_APPROVED_DIR when set, else the `approved`
    directory next to the (first) corpus directory (`corpus/approved` for `corpus/library`), or inside it
    (`corpus/approved` for `corpus`), if there is one."""
    if off:
        return None
    configured = "approved_dir" in settings.model_fields_set
    explicit = given if given is not None else settings.approved_dir if configured else None
    if explicit is not None:
        if not explicit.is_dir():
            raise CorpusError(
                f"{explicit}: no such approved-answers directory (--approved, CLINIC_APPROVED_DIR)"
            )
        return explicit
    if not corpus:
        return settings.approved_dir if settings.approved_dir.is_dir() else None
    # `--corpus corpus/library` finds corpus/approved beside it; `--corpus corpus` finds corpus/approved inside
    for candidate in (corpus[0].parent / settings.approved_dir.name, corpus[0] / settings.approved_dir.name):
        if candidate.is_dir():
            return candidate
    return None


def _synonyms(settings: IndexSettings, corpus: list[Path]) -> SynonymMap | None:
    """CLINIC_SYNONYMS_FILE when set (it must exist), else the synonyms.yaml next to the corpus directory."""
    if "synonyms_file" in settings.model_fields_set:
        if not settings.synonyms_file.is_file():
            raise CorpusError(f"{settings.synonyms_file}: no such synonyms file (CLINIC_SYNONYMS_FILE)")
        path: Path | None = settings.synonyms_file
    else:
        sibling = corpus[0].parent / settings.synonyms_file.name if corpus else settings.synonyms_file
        path = sibling if sibling.is_file() else None
    return SynonymMap.from_file(path) if path is not None else None


def _build(
    settings: IndexSettings,
    corpus: list[Path],
    out: Path,
    if_stale: bool,
    approved: Path | None,
    synonyms: SynonymMap | None,
) -> int:
    chunks = settings.chunk_settings()
    if if_stale and not is_stale(out, corpus, embedder_name(settings), chunks, approved, synonyms):
        print(f"index at {out} is up to date")
        return 0
    embedder = load_embedder(settings)
    report = build_index(
        corpus,
        out,
        embedder,
        chunks,
        progress=sys.stderr.isatty(),
        dense_kind=settings.dense_index,
        approved_dir=approved,
        synonyms=synonyms,
    )
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(report.summary())
    if approved is not None:
        print(f"{report.approved} approved answers from {approved} reviewed and published")
        if report.awaiting_approval:
            print(
                f"{len(report.awaiting_approval)} awaiting approval (no approved_by or approved_on yet; patients "
                f"never see them): {', '.join(report.awaiting_approval)}"
            )
    print(f"index written to {out}")
    return 0


def _publish(settings: IndexSettings, if_stale: bool) -> int:
    from index.catalog.publish import import_corpus, needs_publish, publish
    from index.catalog.store import LibraryStore

    store = LibraryStore(settings.library_url)
    try:
        store.migrate()
        approved = settings.approved_dir if settings.approved_dir.is_dir() else None
        imported = import_corpus(store, settings.corpus, approved)
        for name in imported.skipped:
            print(f"warning: {name}", file=sys.stderr)
        if imported.added or imported.updated or imported.answers:
            print(
                f"library store: {len(imported.added)} documents added, {len(imported.updated)} updated, "
                f"{len(imported.answers)} approved answers imported from {', '.join(map(str, settings.corpus))}"
            )
        if if_stale and not needs_publish(store, settings, embedder_name(settings)):
            print(f"index at {settings.index_dir} is up to date with the library store")
            return 0
        report = publish(store, settings, load_embedder(settings), progress=sys.stderr.isatty())
    finally:
        store.close()
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(report.summary())
    print(f"{report.approved} approved answers published; index written to {settings.index_dir}")
    return 0


def _query(settings: IndexSettings, directory: Path, text: str, k: int, mode: str) -> int:
    embedder = load_embedder(settings)
    library = load_library(directory, expected_model=embedder.name, expected_dimension=embedder.dimension)
    fusion = settings.fusion_settings()
    for rank, hit in enumerate(Retriever(library, embedder, fusion).search(text, k, mode=mode), start=1):
        snippet = " ".join(hit.chunk.text.split())
        print(
            f"{rank}. score={hit.score:.3f} dense={hit.dense:.3f} bm25={hit.lexical:.2f} "
            f"doc={hit.chunk.doc_id} chunk={hit.chunk.chunk_id} [{hit.chunk.start}:{hit.chunk.end}]"
        )
        print(f"   {snippet[:300]}{'…' if len(snippet) > 300 else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
