"""How each benchmark's result reads in bench/results/LATEST.md (pure functions of the result JSON)."""

from __future__ import annotations

from typing import Any

from bench.tables import markdown_table

LEGACY_FILE = "legacy_cases.jsonl"  # the triage training file of the cases version one missed


def render_index_build(result: dict[str, Any]) -> str:
    rows = [
        ("documents", result.get("documents")),
        ("chunks", result.get("chunks")),
        ("build seconds", result.get("build_seconds")),
        ("chunks per second", result.get("chunks_per_second")),
        ("index size on disk (MiB)", result.get("index_size_mib")),
        ("peak RSS (MiB)", result.get("peak_rss_mib")),
        ("rebuild after one edited document (s)", result.get("rebuild_after_one_edit_seconds")),
        (
            "the same as `python -m index build` in a new process, model load included (s)",
            result.get("rebuild_after_one_edit_cli_seconds"),
        ),
    ]
    return markdown_table(("measure", "value"), rows)


def _fusion_label(f: dict[str, Any]) -> str:
    if "label" in f:
        return str(f["label"])
    return f"rrf_k={f['rrf_k']}, dense={f['dense_weight']:g}, lexical={f['lexical_weight']:g}"


def render_triage(result: dict[str, Any]) -> str:
    lines = ["### Triage", ""]
    c = result["classifier"]
    lines.append(
        f"Classifier: {c['examples']} training messages {c['examples_per_class']}; thresholds {c['thresholds']}."
    )
    lines.append("")
    head = (
        "| set | layer | emergency recall | self-harm + crisis line | personal advice recall "
        "| personal referred or escalated | benign refused |"
    )
    lines += [head, "|---|---|---|---|---|---|---|"]

    def cell(d: dict[str, Any]) -> str:
        return f"{d['rate']:.1%} ({d['hit']}/{d['n']})" if d["n"] else "-"

    blocks = [
        ("training CV (tuning)", result["training_cv"]),
        (f"training CV, {LEGACY_FILE} only (tuning)", result["legacy_cases"]),
    ]
    blocks += [(f"held out: {name}", v) for name, v in result.get("heldout", {}).items()]
    for set_name, by_layer in blocks:
        for layer, s in by_layer.items():
            lines.append(
                f"| {set_name} | {layer} | {cell(s['emergency_recall'])} | {cell(s['self_harm_with_crisis_line'])} | "
                f"{cell(s['personal_advice_recall'])} | {cell(s['personal_advice_referred_or_escalated'])} | "
                f"{cell(s['benign_refused'])} |"
            )
    for set_name, by_layer in blocks:
        s = by_layer["combined"]
        lines += [
            "",
            f"Per category, combined, {set_name}: "
            + ", ".join(f"{k} {cell(v)}" for k, v in s["per_category"].items()),
        ]
    for entry in result.get("candidates", []):
        lines += ["", f"Candidate: {entry['candidate']} (thresholds {entry['thresholds']})"]
        for key, figures in entry.items():
            if key in ("candidate", "thresholds"):
                continue
            lines.append(f"- {key}: " + ", ".join(f"{k} {cell(v)}" for k, v in figures.items()))
    lat = result["latency"]
    lines += [
        "",
        f"Latency p50: phrases {lat['phrases_ms_p50']} ms, classifier {lat['classifier_ms_p50_given_embedding']} "
        f"ms given the embedding, encoder {lat['encoder_ms_p50']} ms ({result['model']}).",
    ]
    return "\n".join(lines)


def render_eval(result: dict[str, Any]) -> str:
    parts: list[str] = []
    seed = result.get("seed")
    if seed:
        parts.append(
            f"### Seed library ({seed['documents']} documents, {seed['chunks']} passages, "
            f"{seed['questions']} patient questions in bench/questions_seed.yaml)\n"
        )
        parts.append(
            "Doc hit: the rank of the first passage from the expected document (or one in also_docs) "
            "among the passages returned. Phrase-Hit@3: the expected verbatim phrase (or one in also_phrases) is "
            "in one of the top 3 passages (the service shows at most 3).\n"
        )
        seed_rows = [
            (m["label"], m["hit@1"], m["hit@3"], m["mrr@10"], m["phrase_hit@3"])
            for m in seed["modes"].values()
        ]
        parts.append(markdown_table(("mode", "Hit@1", "Hit@3", "MRR@10", "phrase-Hit@3"), seed_rows))
        misses = seed.get("hybrid_phrase_misses") or []
        if misses:
            parts.append(
                f"\nHybrid phrase misses ({len(misses)}): " + "; ".join(f"“{q}”" for q in misses) + "\n"
            )
    medquad = result.get("medquad") or {}
    if medquad.get("skipped"):
        parts.append(f"\n### MedQuAD\n\nskipped: {medquad['skipped']}\n")
    elif medquad:
        parts.append(
            f"\n### MedQuAD ({medquad['documents']} sections, {medquad['chunks']} passages; "
            f"{medquad['queries']} title queries, seeded sample, seed {medquad['seed']})\n"
        )
        parts.append(
            "Query: a section's title; documents ranked by their best passage. **Strict**: only that section "
            "counts. **Lenient**: any section with the identical title counts "
            f"({medquad['duplicate_title_share']:.1%} of the sampled titles are shared by several sections, "
            "e.g. “What are the symptoms of X ?” on two NIH sites; strict cannot tell those apart).\n"
        )
        rows: list[tuple[object, ...]] = []
        for m in medquad["modes"].values():
            s, lenient = m["strict"], m["lenient"]
            figures = [s[k] for k in ("recall@1", "recall@5", "recall@10", "mrr@10")]
            figures += [lenient[k] for k in ("recall@1", "recall@5", "recall@10", "mrr@10")]
            rows.append((m["label"], *figures))
        parts.append(
            markdown_table(
                ("mode", "R@1", "R@5", "R@10", "MRR@10", "lenient R@1", "R@5", "R@10", "MRR@10"), rows
            )
        )
    fusion = result.get("fusion") or []
    if fusion:
        parts.append("\n### Fusion settings (hybrid mode)\n")
        fusion_rows: list[tuple[object, ...]] = []
        for f in fusion:
            mq = f.get("medquad") or {}
            sd = f.get("seed") or {}
            fusion_rows.append(
                (
                    _fusion_label(f) + (" (default)" if f.get("default") else ""),
                    mq.get("strict", {}).get("recall@1"),
                    mq.get("strict", {}).get("recall@5"),
                    mq.get("strict", {}).get("mrr@10"),
                    mq.get("lenient", {}).get("mrr@10"),
                    sd.get("hit@1"),
                    sd.get("phrase_hit@3"),
                )
            )
        fusion_headers = (
            "settings",
            "MedQuAD R@1",
            "R@5",
            "MRR@10",
            "lenient MRR@10",
            "seed Hit@1",
            "seed phrase-Hit@3",
        )
        parts.append(markdown_table(fusion_headers, fusion_rows))
        if result.get("fusion_verdict"):
            parts.append("\n" + result["fusion_verdict"] + "\n")
    return "\n".join(parts)


def render_fault(result: dict[str, Any]) -> str:
    clients = result["clients"]
    parts = [
        f"Loopback, `python -m service --workers 2`, `/ask` limited to {result['ask_limit_per_address']} per "
        f"address; {clients['patient']} patients (a question every 0.25 s), {clients['flooder']} flooders (as "
        f"fast as they can), {clients['malformed']} senders of malformed input; windows of "
        f"{result['window_seconds']:g} s. Errors: any non-2xx but 429 (malformed senders: 5xx and lost "
        "connections only); crossed: a patient's answer not quoting the patient's own question.\n"
    ]
    schema = result.get("schemathesis") or {}
    if schema.get("skipped"):
        parts.append(f"schemathesis: skipped: {schema['skipped']}\n")
    elif schema:
        failures = "; ".join(schema.get("failures") or []) or "0 failures"
        parts.append(
            f"schemathesis `--checks all`: {schema.get('test_cases', '')}; {failures} (exit {schema['exit_code']}).\n"
        )
    rows = []
    for window, kinds in result.get("windows", {}).items():
        for kind, t in kinds.items():
            rows.append(
                (
                    window,
                    kind,
                    t["requests"],
                    t["errors"],
                    t["429s"],
                    t.get("p50_ms"),
                    t.get("p99_ms"),
                    t["crossed"],
                    t["lost"],
                )
            )
    parts.append(
        markdown_table(
            ("window", "clients", "requests", "errors", "429s", "p50 ms", "p99 ms", "crossed", "lost"), rows
        )
    )
    events = result.get("events") or {}
    parts.append(
        f"\nKilled worker replaced: {events.get('killed_worker_replaced')} (workers {events.get('workers_before_kill')} "
        f"before, {events.get('workers_after_kill')} after). Every worker on the new build after the swap: "
        f"{events.get('every_worker_on_the_new_build')} (builds served: {', '.join(events.get('builds_served_after_swap') or [])}; "
        f"before: {events.get('index_before')}).\n"
    )
    return "\n".join(parts)


def render_seed_heldout(result: dict[str, Any]) -> str:
    parts = [
        f"{result['questions']} patient questions in {result['questions_file']}, written by a helper who saw "
        f"neither the tuning questions nor the code, over the seed library ({result['documents']} documents, "
        f"{result['chunks']} passages). Fusion: {result['fusion']}. Same measures as the seed table above; "
        "misses are counted, not listed.\n"
    ]
    rows = [
        (m["label"], m["hit@1"], m["hit@3"], m["mrr@10"], m["phrase_hit@3"], m["phrase_misses"])
        for m in result["modes"].values()
    ]
    parts.append(markdown_table(("mode", "Hit@1", "Hit@3", "MRR@10", "phrase-Hit@3", "phrase misses"), rows))
    return "\n".join(parts)


def render_medicationqa(result: dict[str, Any]) -> str:
    library = result["library"]
    parts = [
        f"{result['questions']} consumer medication questions (MedicationQA, verbatim) over "
        f"{library['documents']} documents ({library['chunks']} passages): "
        f"{result.get('distractors', 'all')} MedQuAD sections as distractors beside the MedicationQA answer passages. **Strict**: only the question's own passage "
        "counts; **lenient**: also the same question's other answers and identical passages. Halves split by "
        f"question text (seed {result['split_seed']}): settings may be tuned on *tune*; the targets are read "
        "on *report*.\n"
    ]
    if isinstance(result.get("fusion"), dict):
        parts.append(f"Fusion of our hybrid mode: {result['fusion']['label']}.\n")
    labels = result["labels"]
    for split, report in result["splits"].items():
        parts.append(f"\n#### {split} ({report['questions']} questions)\n")
        rows = []
        for name, summary in report["systems"].items():
            s, lenient = summary["strict"], summary["lenient"]
            rows.append(
                (
                    labels.get(name, name),
                    *(s[k] for k in ("recall@1", "recall@5", "recall@10", "mrr@10")),
                    lenient["recall@5"],
                    lenient["mrr@10"],
                )
            )
        parts.append(
            markdown_table(("system", "R@1", "R@5", "R@10", "MRR@10", "lenient R@5", "lenient MRR@10"), rows)
        )
        gain = report["hybrid_vs_best_baseline"]
        best = labels.get(report["best_baseline"], report["best_baseline"])
        parts.append(
            f"\nOurs (hybrid) minus the best baseline ({best}), paired bootstrap 95% CI: "
            + "; ".join(
                f"{metric} {g['delta']:+.4f} ({g['ci95'][0]:+.4f} to {g['ci95'][1]:+.4f})"
                for metric, g in gain.items()
            )
            + "\n"
        )
    return "\n".join(parts)


def _ms(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}"


def render_load(result: dict[str, Any]) -> str:
    parts = [
        f"Service: `python -m service --index {result['index']}` ({result.get('documents')} documents, "
        f"{result.get('chunks')} passages) over HTTP on loopback. Cold start to /readyz 200: "
        f"**{result['cold_start_seconds']:.1f} s**. Peak RSS of the server (with children): "
        f"**{result['peak_rss_mib']:.0f} MiB**. {result['questions']} questions "
        f"({result['triaged_share']:.0%} emergency/personal), {result['seconds_per_level']} s per level, "
        f"{result.get('workers', 1)} worker process(es). {result['client_note']} {result.get('cache_note', '')} "
        "In-service: the time /ask reports in its own log line (triage, cache, retrieval, templates), without "
        "HTTP, JSON and queueing in front of the thread pool.\n"
    ]
    rows = []
    for level in [*result["levels"], *result.get("extra_levels", [])]:
        lat = level["latency"]
        rows.append(
            (
                level.get("label", level["clients"]),
                level["requests"],
                level["errors"],
                f"{level['throughput_rps']:.1f}",
                *(_ms(lat.get(name)) for name in ("p50_ms", "p95_ms", "p99_ms", "max_ms")),
                _ms(level.get("in_service_latency", {}).get("p50_ms")),
                f"{level['client_cpu_percent']:.0f}%",
                f"{level['server_cpu_percent']:.0f}%",
            )
        )
    headers = (
        "clients",
        "requests",
        "errors",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "in-service p50 ms",
        "client CPU",
        "server CPU",
    )
    parts.append(markdown_table(headers, rows))
    if result.get("answer_types"):
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(result["answer_types"].items()))
        parts.append(
            f"\nAnswer types returned: {kinds}. /healthz round trip p50: {result['healthz_p50_ms']} ms.\n"
        )
    encoder = result.get("encoder")
    if encoder:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(encoder["answer_types"].items()))
        parts.append(
            f"\nEncoder calls per question (in process, the service's runtime with "
            f"{encoder['approved_answers_loaded']} approved answers loaded, {encoder['questions']} new questions "
            f"one at a time: {kinds}): **{encoder['encoder_texts_per_question']} texts encoded per question** "
            f"in {encoder['encoder_calls_per_question']} encoder calls; answer p50 "
            f"{_ms(encoder['latency'].get('p50_ms'))} ms, p99 {_ms(encoder['latency'].get('p99_ms'))} ms.\n"
        )
    parts.append(
        "\n" + markdown_table(("target", "measured", "verdict"), [tuple(t) for t in result["targets"]])
    )
    return "\n".join(parts)


def render_peer(result: dict[str, Any]) -> str:
    parts = [
        f"Same {result['documents']} MedQuAD sections, same {result['queries']} title queries (seed "
        f"{result['seed']}), same model ({result['model']}), in-process search, k=10. "
        f"Ours: {result['ours_config']}. txtai {result.get('txtai_version')}: {result['peer_config']}.\n"
    ]
    rows = [
        (r["measure"], r["ours"], r["peer"], None if r["ratio"] is None else f"{r['ratio']:.2f}")
        for r in result["rows"]
    ]
    parts.append(markdown_table(("measure", "ours", "txtai", "ours/txtai"), rows))
    if result.get("notes"):
        parts.append("\n" + "\n".join(f"- {note}" for note in result["notes"]))
    return "\n".join(parts)
