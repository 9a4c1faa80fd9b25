"""Retrieval quality on the seed library and on MedQuAD, and fusion settings (`make eval` runs this, then the
safety triage: `bench/triage_eval.py`).

Prints Markdown tables and writes them with the machine's description to bench/results/eval.json (and
bench/results/LATEST.md). The MedQuAD part uses the index `make bench-index` builds; without it, or without
MedQuAD itself, that part is skipped with a message and the rest still runs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import medquad as mq
from bench.machine import MEDQUAD, REPO, describe
from bench.metrics import paired_bootstrap_ci, reciprocal_ranks
from bench.renderers import render_eval
from bench.report import publish
from bench.searching import MODE_LABELS, MODES, doc_ranker, fusion_grid, settings_for_index
from bench.seed import load_questions, score_questions
from index.build import BuildReport, build_index
from index.config import IndexSettings
from index.encoders.base import Embedder
from index.encoders.factory import load_embedder
from index.encoders.recent import RecentVectors
from index.errors import ClinicIndexError
from index.search.analysis import SynonymMap
from index.search.library import Library, load_library
from index.search.retriever import FusionSettings, Retriever

DEFAULT_INDEX = REPO / "var" / "bench" / "medquad-index"
MIN_GAIN = 0.01  # MRR@10 gain below which a setting is not worth changing the default for
SEED_CORPUS = REPO / "corpus" / "library"
SEED_SYNONYMS = REPO / "corpus" / "synonyms.yaml"


def seed_synonyms() -> SynonymMap | None:
    """The clinic's synonyms file, as `make index` builds the seed library with it."""
    return SynonymMap.from_file(SEED_SYNONYMS) if SEED_SYNONYMS.is_file() else None


def build_seed_index(
    out: Path, embedder: Embedder, settings: IndexSettings, corpus: Path = SEED_CORPUS
) -> BuildReport:
    """The seed library (or another corpus folder) built into `out` as `make index` builds it: the clinic's
    synonyms file, the settings' chunking."""
    return build_index([corpus], out, embedder, settings.chunk_settings(), synonyms=seed_synonyms())


def evaluate_seed(
    embedder: RecentVectors, settings: IndexSettings, grid: list[FusionSettings], workdir: Path
) -> tuple[dict[str, Any], dict[FusionSettings, dict[str, float]]]:
    report = build_seed_index(workdir / "seed-index", embedder, settings)
    library = load_library(workdir / "seed-index")
    questions = load_questions(library.documents)
    embedder.embed([q.text for q in questions])  # one batch up front
    default = settings.fusion_settings()
    retriever = Retriever(library, embedder, default)
    modes: dict[str, Any] = {}
    misses: list[str] = []
    for mode in MODES:
        scores = score_questions(retriever, questions, mode)
        modes[mode] = {"label": MODE_LABELS[mode], **scores.summary()}
        if mode == "hybrid":
            misses = scores.phrase_misses()
    fusion = {
        f: score_questions(Retriever(library, embedder, f), questions, "hybrid").summary() for f in grid
    }
    seed = {
        "documents": report.documents,
        "chunks": report.chunks,
        "questions": len(questions),
        "modes": modes,
        "hybrid_phrase_misses": misses,
    }
    return seed, fusion


def load_medquad_index(index_dir: Path, model: str, dimension: int) -> Library | str:
    """The library, or the reason the MedQuAD part is skipped."""
    if not MEDQUAD.is_file():
        return f"{MEDQUAD} is missing (it exists only on the development machines and in CI)"
    if not (index_dir / "manifest.json").is_file():
        return f"no MedQuAD index at {index_dir}: run `make bench-index` first (about 20+ minutes)"
    try:
        return load_library(index_dir, expected_model=model, expected_dimension=dimension)
    except ClinicIndexError as exc:
        return f"cannot load {index_dir}: {exc} (`make bench-index` rebuilds it)"


def evaluate_medquad(
    library: Library,
    embedder: RecentVectors,
    settings: IndexSettings,
    grid: list[FusionSettings],
    sample: int,
) -> tuple[dict[str, Any], dict[FusionSettings, mq.RankingResult]]:
    pairs = [(d.doc_id, d.title) for d in library.documents.values()]
    groups = mq.title_groups(pairs)
    queries = mq.sample_queries(pairs, sample)
    started = time.perf_counter()
    embedder.embed([q.text for q in queries])  # one batch up front
    print(f"  embedded {len(queries)} queries in {time.perf_counter() - started:.1f} s", flush=True)
    default = settings.fusion_settings()
    retriever = Retriever(library, embedder, default)
    modes: dict[str, Any] = {}
    results: dict[FusionSettings, mq.RankingResult] = {}
    for mode in MODES:
        started = time.perf_counter()
        ranking = mq.rank_queries(queries, groups, doc_ranker(retriever, mode, mq.DEPTH))
        modes[mode] = {"label": MODE_LABELS[mode], **ranking.summary()}
        print(f"  {mode}: {time.perf_counter() - started:.1f} s", flush=True)
        if mode == "hybrid":
            results[default] = ranking
    for f in grid:
        if f in results:
            continue
        started = time.perf_counter()
        ranker = doc_ranker(Retriever(library, embedder, f), "hybrid", mq.DEPTH)
        results[f] = mq.rank_queries(queries, groups, ranker)
        print(f"  fusion {f.label}: {time.perf_counter() - started:.1f} s", flush=True)
    summary = {
        "built_at": library.manifest.built_at,
        "documents": library.manifest.documents,
        "chunks": library.manifest.chunks,
        "queries": len(queries),
        "seed": mq.SEED,
        "duplicate_title_share": round(mq.duplicate_title_share(queries, groups), 4),
        "ranking": "documents ordered by their best passage among the top 30 passages",
        "modes": modes,
    }
    return summary, results


def fusion_table(
    grid: list[FusionSettings],
    default: FusionSettings,
    seed: dict[FusionSettings, dict[str, float]],
    medquad: dict[FusionSettings, mq.RankingResult],
) -> tuple[list[dict[str, Any]], str]:
    """One row per setting, and a verdict on whether any setting is clearly better than the default."""
    keys = list(grid)
    if default not in keys:
        keys.insert(0, default)
    base = medquad.get(default)
    base_seed = seed.get(default, {})
    rows = []
    findings = []
    for key in keys:
        row: dict[str, Any] = {
            "label": key.label,
            "method": key.method,
            "lexical_share": key.lexical_share,
            "rrf_k": key.rrf_k,
            "dense_weight": key.dense_weight,
            "lexical_weight": key.lexical_weight,
            "default": key == default,
            "seed": seed.get(key, {}),
        }
        ranking = medquad.get(key)
        if ranking is not None:
            row["medquad"] = ranking.summary()
        if ranking is not None and base is not None and key != default:
            delta, low, high = paired_bootstrap_ci(
                reciprocal_ranks(base.strict, mq.DEPTH), reciprocal_ranks(ranking.strict, mq.DEPTH)
            )
            row["medquad_mrr@10_delta_vs_default"] = {
                "delta": round(delta, 4),
                "ci95": [round(low, 4), round(high, 4)],
            }
            if low > 0:
                seed_delta = row["seed"].get("phrase_hit@3", 0.0) - base_seed.get("phrase_hit@3", 0.0)
                findings.append((delta, low, high, seed_delta, key))
        rows.append(row)
    return rows, fusion_verdict(findings, base is not None)


def fusion_verdict(findings: list[tuple[float, float, float, float, FusionSettings]], medquad: bool) -> str:
    """Which settings beat the default on MedQuAD (paired bootstrap CI above 0), and at what cost on the seed."""
    if not medquad:
        return "Fusion verdict: MedQuAD not evaluated; the seed set alone is too small to choose a setting."
    if not findings:
        return (
            "Fusion verdict: no setting beats the default on MedQuAD strict MRR@10 with a "
            "paired bootstrap 95% CI above 0: keep the default."
        )
    lines = []
    clear = []
    for delta, low, high, seed_delta, key in sorted(findings, reverse=True):
        cost = "no seed phrase-hit loss" if seed_delta >= 0 else f"seed phrase-Hit@3 {seed_delta:+.3f}"
        lines.append(
            f"{key.label}: MedQuAD strict MRR@10 {delta:+.4f} (95% CI {low:+.4f} to {high:+.4f}), {cost}"
        )
        if seed_delta >= 0 and delta >= MIN_GAIN:
            clear.append(key)
    head = (
        f"Fusion verdict: {clear[0].label} is clearly better than the default "
        f"(MedQuAD MRR@10 up by at least {MIN_GAIN}, no loss on the seed questions): consider it for IndexSettings."
        if clear
        else "Fusion verdict: no clear winner. The settings below beat the default on MedQuAD, but by less than "
        f"{MIN_GAIN} MRR@10 or at the cost of seed phrase hits (one seed question = 0.019): keep the default "
        "unless the clinic's own questions say otherwise."
    )
    return head + "\n\n" + "\n".join(f"- {line}" for line in lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.eval", description=__doc__)
    parser.add_argument("--sample", type=int, default=mq.DEFAULT_SAMPLE, help="MedQuAD queries; 0 = all")
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="the MedQuAD index directory")
    parser.add_argument("--no-fusion", action="store_true", help="skip the fusion-settings comparison")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    settings = settings_for_index(args.index)
    embedder = RecentVectors(load_embedder(settings), size=None)
    default = settings.fusion_settings()
    grid = [] if args.no_fusion else fusion_grid()
    if grid and default not in grid:
        grid.append(default)
    print("seed library ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-eval-") as tmp:
        seed, seed_fusion = evaluate_seed(embedder, settings, grid, Path(tmp))
    print("MedQuAD ...", flush=True)
    medquad: dict[str, Any]
    medquad_fusion: dict[FusionSettings, mq.RankingResult] = {}
    library = load_medquad_index(args.index, embedder.name, embedder.dimension)
    if isinstance(library, str):
        print(f"  skipped: {library}")
        medquad = {"skipped": library}
    else:
        medquad, medquad_fusion = evaluate_medquad(library, embedder, settings, grid, args.sample)
        medquad["index"] = str(args.index)
    fusion, verdict = fusion_table(grid, default, seed_fusion, medquad_fusion) if grid else ([], "")
    result = {
        "benchmark": "retrieval quality: seed library, MedQuAD titles, fusion settings",
        "seed": seed,
        "medquad": medquad,
        "fusion": fusion,
        "fusion_verdict": verdict,
        "model": embedder.name,
        "seconds": round(time.perf_counter() - started, 1),
        "machine": describe(),
    }
    publish("eval", result, render_eval(result))


if __name__ == "__main__":
    main()
