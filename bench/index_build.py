"""`make bench-index`: build an index of all of MedQuAD, then rebuild after editing one document.

The rebuild is timed twice: in this process (the model already loaded, garbage of the full build collected
first) and as staff run it, `python -m index build` in a new process, whose wall time also holds the
interpreter's start, the imports and loading the model. Prints documents, chunks, build seconds, chunks per
second, index size on disk and peak RSS, and writes them with the machine's description to
bench/results/index_build.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.eval import SEED_CORPUS, SEED_SYNONYMS, seed_synonyms
from bench.machine import REPO, describe, peak_rss_mib, require_medquad
from bench.renderers import render_index_build
from bench.report import publish
from index.build import build_index
from index.config import IndexSettings
from index.encoders.factory import load_embedder

APPROVED = REPO / "corpus" / "approved"


def dir_size_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def edit_one_document(source: Path, target: Path) -> str:
    """Copy the corpus, appending one sentence to the text of its first record."""
    with source.open(encoding="utf-8") as reader, target.open("w", encoding="utf-8") as writer:
        for number, line in enumerate(reader):
            if number == 0:
                record = json.loads(line)
                record["text"] += " This sentence was added to measure an incremental rebuild."
                line = json.dumps(record, ensure_ascii=False) + "\n"
                edited = str(record["id"])
            writer.write(line)
    return edited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "var" / "bench" / "medquad-index")
    parser.add_argument("--fresh", action="store_true", help="delete the index first (a full build)")
    args = parser.parse_args()
    medquad = require_medquad()
    settings = IndexSettings()
    work = args.out.parent / "corpus"
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "medquad.jsonl"
    shutil.copyfile(medquad, corpus)
    if args.fresh and args.out.exists():
        shutil.rmtree(args.out)
    embedder = load_embedder(settings)
    # the seed library and its approved answers beside MedQuAD, as a clinic's service runs: every question
    # that matches no approved answer pays for the matcher too (`make bench` measures that path)
    paths = [corpus, SEED_CORPUS]
    built = {"approved_dir": APPROVED, "synonyms": seed_synonyms()}
    full = build_index(paths, args.out, embedder, settings.chunk_settings(), progress=True, **built)
    edited = edit_one_document(medquad, corpus)
    gc.collect()  # the full build's garbage is not the rebuild's work
    started = time.perf_counter()
    incremental = build_index(paths, args.out, embedder, settings.chunk_settings(), **built)
    rebuild_seconds = time.perf_counter() - started
    shutil.copyfile(medquad, corpus)  # undo the edit: the rebuild embeds the original chunk again
    command = [sys.executable, "-m", "index", "build", "--corpus", str(corpus), str(SEED_CORPUS)]
    command += ["--approved", str(APPROVED), "--out", str(args.out)]
    started = time.perf_counter()
    env = {**os.environ, "CLINIC_SYNONYMS_FILE": str(SEED_SYNONYMS)}
    subprocess.run(command, check=True, env=env, cwd=REPO)
    cli_seconds = time.perf_counter() - started
    result = {
        "benchmark": "index build, all of MedQuAD",
        "documents": full.documents,
        "approved_answers": full.approved,
        "chunks": full.chunks,
        "embedded": full.embedded,
        "build_seconds": round(full.seconds, 1),
        "chunks_per_second": round(full.chunks / full.seconds, 1),
        "embedded_per_second": round(full.embedded / full.seconds, 1) if full.embedded else None,
        "index_size_mib": round(dir_size_mib(args.out), 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "rebuild_after_one_edit_seconds": round(rebuild_seconds, 2),
        "rebuild_after_one_edit_cli_seconds": round(cli_seconds, 2),
        "rebuild_embedded_chunks": incremental.embedded,
        "edited_document": edited,
        "model": embedder.name,
        "machine": describe(),
    }
    publish("index_build", result, render_index_build(result))


if __name__ == "__main__":
    main()
