"""`python -m bench.peer`: our index against txtai (hybrid BM25 + dense) on the same MedQuAD sections.

Same sections (txtai gets each record's id and text), same model directory, same seeded title queries.
Compares index build time, in-process query latency (p50/p95, k=10, one query at a time; txtai runs in a
process of its own, after ours, see bench/peer_txtai.py), Recall@5 and MRR@10 (strict and lenient, as in
`bench.eval`). Writes bench/results/peer.json and LATEST.md.

Without `--limit`, ours is the index `make bench-index` built (its build time read from
bench/results/index_build.json); with `--limit N`, both index the first N records and ours is built and
timed here, in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import medquad as mq
from bench.eval import DEFAULT_INDEX
from bench.machine import describe, require_medquad
from bench.metrics import latency_summary, paired_bootstrap_ci, reciprocal_ranks
from bench.peer_txtai import run_txtai
from bench.renderers import render_peer
from bench.report import RESULTS, publish
from bench.searching import doc_ranker, settings_for_index
from bench.timing import time_each
from index.build import build_index
from index.config import IndexSettings
from index.encoders.base import Embedder, resolve_model
from index.encoders.factory import load_embedder
from index.encoders.recent import RecentVectors
from index.errors import ClinicIndexError
from index.search.library import Library, load_library
from index.search.retriever import Retriever

K = 10


def dir_size_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


@dataclass
class Ours:
    library: Library
    embedder: Embedder
    settings: IndexSettings
    build_seconds: float | None
    build_source: str
    size_mib: float


def build_ours(medquad: Path, limit: int | None, workdir: Path) -> Ours:
    corpus = workdir / "medquad.jsonl"
    with corpus.open("w", encoding="utf-8") as out:
        for record in mq.iter_records(medquad, limit):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    settings = settings_for_index(None)
    embedder = load_embedder(settings)
    report = build_index([corpus], workdir / "ours", embedder, settings.chunk_settings())
    library = load_library(
        workdir / "ours", expected_model=embedder.name, expected_dimension=embedder.dimension
    )
    return Ours(library, embedder, settings, report.seconds, "measured here", dir_size_mib(workdir / "ours"))


def load_ours(index_dir: Path, medquad: Path, workdir: Path) -> Ours:
    settings = settings_for_index(index_dir)
    embedder = load_embedder(settings)
    library = load_library(index_dir, expected_model=embedder.name, expected_dimension=embedder.dimension)
    seconds, source = None, ""
    try:
        recorded = json.loads((RESULTS / "index_build.json").read_text(encoding="utf-8"))
        if recorded.get("documents") == library.manifest.documents:
            seconds, source = float(recorded["build_seconds"]), "bench/results/index_build.json"
    except (OSError, ValueError, KeyError):
        pass
    if seconds is None:  # no record of the full build: time one (20+ minutes)
        print("  bench/results/index_build.json is missing: timing a full build of ours (20+ minutes) ...")
        seconds = build_ours(medquad, None, workdir).build_seconds
        source = "measured here"
    return Ours(library, embedder, settings, seconds, source, dir_size_mib(index_dir))


def run_peer(
    corpus: Path, model_path: str, queries: list[str], timed: list[str], workdir: Path
) -> dict[str, Any]:
    """txtai in a fresh interpreter (see bench/peer_txtai.py for why), started after ours is done."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(run_txtai, str(corpus), model_path, queries, timed, str(workdir)).result()


def compare(measure: str, ours: float | None, peer: float | None, higher_is_better: bool) -> dict[str, Any]:
    ratio = round(ours / peer, 2) if ours is not None and peer else None
    lose = None
    if ours is not None and peer is not None and ours != peer:
        lose = (ours < peer) if higher_is_better else (ours > peer)
    return {"measure": measure, "ours": ours, "peer": peer, "ratio": ratio, "we_lose": lose}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peer", description=__doc__)
    parser.add_argument("--limit", type=int, default=0, help="index only the first N records (0 = all)")
    parser.add_argument("--sample", type=int, default=mq.DEFAULT_SAMPLE, help="title queries; 0 = all")
    parser.add_argument("--latency-queries", type=int, default=500, help="queries timed one at a time")
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="ours, when no --limit")
    args = parser.parse_args(argv)
    medquad = require_medquad()
    try:
        txtai_version = metadata.version("txtai")
    except metadata.PackageNotFoundError:
        print("skipped: txtai is not installed (pip install -e '.[bench]')")
        raise SystemExit(0) from None
    if not args.limit and not (args.index / "manifest.json").is_file():
        print(f"skipped: no index at {args.index}: run `make bench-index` first, or use --limit N")
        raise SystemExit(0)
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as tmp:
        workdir = Path(tmp)
        print("ours ...", flush=True)
        try:
            ours = (
                build_ours(medquad, args.limit, workdir)
                if args.limit
                else load_ours(args.index, medquad, workdir)
            )
        except ClinicIndexError as exc:
            print(f"error: {exc} (`make bench-index` rebuilds {args.index})", file=sys.stderr)
            raise SystemExit(1) from None
        library = ours.library
        pairs = [(d.doc_id, d.title) for d in library.documents.values()]
        groups = mq.title_groups(pairs)
        queries = mq.sample_queries(pairs, args.sample)
        texts = list(dict.fromkeys(q.text for q in queries))
        timed = texts[: args.latency_queries]
        print(f"ours: quality on {len(queries)} title queries, latency on {len(timed)} ...", flush=True)
        cached = RecentVectors(ours.embedder, size=None)
        cached.embed(texts)  # one batch up front; each search then finds its vector
        fusion = ours.settings.fusion_settings()
        ours_rank = mq.rank_queries(
            queries, groups, doc_ranker(Retriever(library, cached, fusion), "hybrid", K)
        )
        # a freshly loaded embedder, as in the service (one used for a bulk build runs single queries slower)
        fresh = load_embedder(ours.settings) if args.limit else ours.embedder
        retriever = Retriever(library, fresh, fusion)
        ours_lat = time_each(lambda query: retriever.search(query, K), timed)
        corpus = workdir / "peer.jsonl"
        documents = 0
        with corpus.open("w", encoding="utf-8") as out:
            for record in mq.iter_records(medquad, args.limit or None):
                if record["id"] in library.documents:
                    out.write(
                        json.dumps({"id": record["id"], "text": record["text"]}, ensure_ascii=False) + "\n"
                    )
                    documents += 1
        model_path = resolve_model(ours.settings.embedding_model)[1]
        print(f"txtai {txtai_version}: indexing {documents} sections in a separate process ...", flush=True)
        peer = run_peer(corpus, model_path, texts, timed, workdir)
        peer_rank = mq.rank_queries(queries, groups, lambda text: peer["rankings"][text])
        peer_lat, peer_seconds, peer_size = peer["latencies"], peer["build_seconds"], peer["size_mib"]
    ours_q, peer_q = ours_rank.summary(), peer_rank.summary()
    ours_l, peer_l = latency_summary(ours_lat), latency_summary(peer_lat)
    rows = [
        compare(
            "index build (s)",
            round(ours.build_seconds, 1) if ours.build_seconds else None,
            round(peer_seconds, 1),
            False,
        ),
        compare("index size on disk (MiB)", round(ours.size_mib, 1), round(peer_size, 1), False),
        compare("query latency p50 (ms)", ours_l.get("p50_ms"), peer_l.get("p50_ms"), False),
        compare("query latency p95 (ms)", ours_l.get("p95_ms"), peer_l.get("p95_ms"), False),
        compare("Recall@5 strict", ours_q["strict"]["recall@5"], peer_q["strict"]["recall@5"], True),
        compare("MRR@10 strict", ours_q["strict"]["mrr@10"], peer_q["strict"]["mrr@10"], True),
        compare("Recall@5 lenient", ours_q["lenient"]["recall@5"], peer_q["lenient"]["recall@5"], True),
        compare("MRR@10 lenient", ours_q["lenient"]["mrr@10"], peer_q["lenient"]["mrr@10"], True),
    ]
    losses = [r["measure"] for r in rows if r["we_lose"]]
    delta, low, high = paired_bootstrap_ci(
        reciprocal_ranks(peer_rank.strict, mq.DEPTH), reciprocal_ranks(ours_rank.strict, mq.DEPTH)
    )
    notes = [
        "We lose on: " + (", ".join(losses) if losses else "nothing measured here") + ".",
        f"MRR@10 strict, ours minus txtai, paired over the same queries: {delta:+.4f} (bootstrap 95% CI "
        f"{low:+.4f} to {high:+.4f}): "
        + ("a real difference." if low > 0 or high < 0 else "within noise on this sample."),
        f"Ours indexes {library.manifest.chunks} passages of at most {ours.settings.chunk_max_tokens} tokens "
        f"(sections are split), txtai one vector per whole section (truncated at the model's window); "
        "ours ranks a document by its best passage.",
        f"Ours embeds with {ours.embedder.name}; txtai with transformers on torch. Ours' build time "
        f"({ours.build_source}) includes cleaning, chunking and saving; txtai's is `Embeddings.index` only.",
        "txtai hybrid=True: BM25 term index with normalised scores fused with the dense score by a convex "
        f"combination (equal weights); Faiss components {peer['config'].get('faiss_components')} "
        "(txtai switches to approximate IVF above 5,000 rows).",
        "Latency: each engine alone in its process, one query at a time, the same queries; txtai in a separate "
        "interpreter because torch slows down badly next to an ONNX Runtime session in one process.",
    ]
    result = {
        "benchmark": "ours vs txtai on MedQuAD",
        "documents": documents,
        "limit": args.limit or None,
        "queries": len(queries),
        "latency_queries": len(timed),
        "seed": mq.SEED,
        "model": library.manifest.model,
        "ours_config": f"hybrid RRF (rrf_k={fusion.rrf_k}, weights {fusion.dense_weight:g}/{fusion.lexical_weight:g})",
        "peer_config": "Embeddings(path=<bundled model>, content=True, hybrid=True)",
        "peer_effective_config": peer["config"],
        "txtai_version": txtai_version,
        "ours_build_source": ours.build_source,
        "rows": rows,
        "ours_quality": ours_q,
        "peer_quality": peer_q,
        "ours_latency": ours_l,
        "peer_latency": peer_l,
        "notes": notes,
        "machine": describe(),
    }
    publish("peer", result, render_peer(result))


if __name__ == "__main__":
    main()
