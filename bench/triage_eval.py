"""The triage part of `make eval`: each layer and the combination, on training cross-validation and held out.

Sets:
- training CV: `service/triage/data`, 5-fold out-of-fold probabilities (a tuning figure: the thresholds and
  the phrase rules were chosen on these messages);
- held out: `bench/triage_heldout/*.jsonl`, written by helpers who saw neither the phrase file nor the
  training data; never used for training or for choosing thresholds;
- within the training data, `legacy_cases.jsonl` alone: the 420 cases the phrase lists were written from.

Per layer (phrases alone, classifier alone, both) it prints emergency recall, self-harm caught with the
crisis line, personal-advice recall, and the share of benign questions refused, then recall per category.
`--candidates` also compares the candidate learned layers (embedding only, n-grams only, both, nearest
neighbours) by cross-validation and on the held-out sets.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bench.machine import REPO, describe
from bench.renderers import LEGACY_FILE, render_triage
from bench.report import publish
from index.config import IndexSettings
from index.encoders.base import Embedder
from index.encoders.factory import load_embedder
from service.triage import Triage, TriageKind, TriageResult, load_classifier
from service.triage.classifier import GROUPS, Probabilities, TriageClassifier, group_of, grouped
from service.triage.decision import combine
from service.triage.features import FeatureSpec, Featurizer
from service.triage.phrases import PhraseTriage
from service.triage.training import Example, choose_thresholds, fit, load_examples, out_of_fold
from service.triage.verdict import RETRIEVAL

HELDOUT_DIR = REPO / "bench" / "triage_heldout"
EMERGENCY, ADVICE = TriageKind.EMERGENCY, TriageKind.PERSONAL_ADVICE


@dataclass(frozen=True)
class Scored:
    example: Example
    result: TriageResult


def summary(rows: Sequence[Scored]) -> dict[str, Any]:
    """The issue's four figures and recall per category."""

    def share(selected: list[Scored], hit: Callable[[Scored], bool]) -> dict[str, Any]:
        n = len(selected)
        k = sum(hit(r) for r in selected)
        return {"n": n, "hit": k, "rate": round(k / n, 4) if n else None}

    emergencies = [r for r in rows if r.example.label == "emergency"]
    self_harm = [r for r in emergencies if r.example.category == "self_harm"]
    advice = [r for r in rows if r.example.label == "personal_advice"]
    benign = [r for r in rows if r.example.label == "retrieval"]
    per_category: dict[str, Any] = {}
    for label in ("emergency", "personal_advice", "retrieval"):
        for category in sorted({r.example.category for r in rows if r.example.label == label}):
            group = [r for r in rows if r.example.label == label and r.example.category == category]
            per_category[f"{label}/{category}"] = share(
                group, lambda r: r.result.kind.value == r.example.label
            )
    return {
        "messages": len(rows),
        "emergency_recall": share(emergencies, lambda r: r.result.kind is EMERGENCY),
        "self_harm_with_crisis_line": share(
            self_harm, lambda r: r.result.kind is EMERGENCY and r.result.crisis_line
        ),
        "personal_advice_recall": share(advice, lambda r: r.result.kind is ADVICE),
        "personal_advice_referred_or_escalated": share(
            advice, lambda r: r.result.kind is not TriageKind.RETRIEVAL
        ),
        "benign_refused": share(benign, lambda r: r.result.kind is not TriageKind.RETRIEVAL),
        "per_category": per_category,
        "missed": [
            f"{r.example.label}/{r.example.category} -> {r.result.kind.value} [{r.example.file}]: {r.example.text}"
            for r in rows
            if r.result.kind.value != r.example.label
        ],
    }


def layers(
    examples: Sequence[Example], probs: Sequence[Probabilities], phrases: PhraseTriage, clf: TriageClassifier
) -> dict[str, dict[str, Any]]:
    rules = [phrases(e.text) for e in examples]
    person = [phrases.names_person(e.text) for e in examples]
    out = {
        "phrases": [Scored(e, r) for e, r in zip(examples, rules, strict=True)],
        "classifier": [
            Scored(e, combine(RETRIEVAL, p, clf, names_person=n))
            for e, p, n in zip(examples, probs, person, strict=True)
        ],
        "combined": [
            Scored(e, combine(r, p, clf, names_person=n))
            for e, r, p, n in zip(examples, rules, probs, person, strict=True)
        ],
    }
    return {name: summary(rows) for name, rows in out.items()}


def heldout_sets(names: Sequence[str] | None) -> dict[str, list[Example]]:
    files = sorted(HELDOUT_DIR.glob("*.jsonl")) if HELDOUT_DIR.is_dir() else []
    chosen = [f for f in files if names is None or f.stem in names]
    return {f.stem: load_examples([f]) for f in chosen}


def _probabilities(clf: TriageClassifier, texts: list[str], vectors: np.ndarray) -> list[Probabilities]:
    return clf.probabilities(texts, vectors.astype(np.float32))


def candidates(
    embedder: Embedder,
    train: list[Example],
    train_vectors: np.ndarray,
    heldout: dict[str, list[Example]],
    held_vectors: dict[str, np.ndarray],
    phrases: PhraseTriage,
) -> list[dict[str, Any]]:
    """The candidate learned layers, each with thresholds chosen by its own CV, scored combined with the phrases."""
    specs = {
        "embedding only (logistic regression)": FeatureSpec(use_text=False),
        "char+word n-grams only (logistic regression)": FeatureSpec(use_embedding=False),
        "n-grams + embedding (logistic regression, shipped)": FeatureSpec(),
    }
    texts = [e.text for e in train]
    targets = [e.target for e in train]
    rules = [phrases(t) for t in texts]
    out = []
    for name, spec in specs.items():
        featurizer = Featurizer(spec, embedder if spec.use_embedding else None)
        rows = featurizer.rows(texts, train_vectors)
        oof = out_of_fold(rows, targets)
        thresholds = choose_thresholds(train, oof, rules)
        model = fit(rows, targets)
        classes = [str(c) for c in model.classes_]
        shim = _Shim(thresholds)
        entry: dict[str, Any] = {"candidate": name, "thresholds": thresholds.__dict__}
        entry["training CV"] = _figures(train, oof, phrases, shim)
        for set_name, examples in heldout.items():
            held_rows = featurizer.rows([e.text for e in examples], held_vectors[set_name])
            probs = grouped(model.predict_proba(held_rows), classes)
            entry[f"held out {set_name}"] = _figures(examples, probs, phrases, shim)
        out.append(entry)
    # nearest labelled neighbours: class shares among the k most similar training messages, cosine-weighted
    k = 10

    def knn(vectors: np.ndarray, base: np.ndarray, labels: list[str], skip_self: bool) -> list[Probabilities]:
        sims = vectors @ base.T
        if skip_self:
            np.fill_diagonal(sims, -1.0)
        result = []
        for row in sims:
            top = np.argsort(-row, kind="stable")[:k]
            weights = dict.fromkeys(GROUPS, 0.0)
            for i in top:
                weights[group_of(labels[i])] += max(float(row[i]), 0.0)
            total = sum(weights.values()) or 1.0
            result.append(Probabilities(*(weights[c] / total for c in GROUPS)))
        return result

    oof = knn(train_vectors, train_vectors, targets, skip_self=True)
    thresholds = choose_thresholds(train, oof, rules)
    shim = _Shim(thresholds)
    entry = {
        "candidate": f"nearest {k} labelled neighbours (cosine-weighted)",
        "thresholds": thresholds.__dict__,
    }
    entry["training CV"] = _figures(train, oof, phrases, shim)
    for set_name, examples in heldout.items():
        probs = knn(held_vectors[set_name], train_vectors, targets, skip_self=False)
        entry[f"held out {set_name}"] = _figures(examples, probs, phrases, shim)
    out.append(entry)
    return out


class _Shim:
    """Just enough of a TriageClassifier for `combine`: its thresholds."""

    def __init__(self, thresholds: Any) -> None:
        self.thresholds = thresholds


def _figures(
    examples: Sequence[Example], probs: Sequence[Probabilities], phrases: PhraseTriage, shim: Any
) -> dict[str, Any]:
    s = layers(examples, probs, phrases, shim)["combined"]
    return {
        k: s[k]
        for k in (
            "emergency_recall",
            "self_harm_with_crisis_line",
            "personal_advice_recall",
            "benign_refused",
        )
    }


def latency(triage: Triage, texts: list[str], embedder: Embedder) -> dict[str, float]:
    """Milliseconds a message: the phrase layer, the classifier on a known embedding, and the encoder."""
    clf = triage.classifier
    assert clf is not None
    vectors = embedder.embed(texts)

    def each(fn: Callable[[int], object]) -> float:
        times = []
        for i in range(len(texts)):
            started = time.perf_counter()
            fn(i)
            times.append((time.perf_counter() - started) * 1000)
        return round(statistics.median(times), 3)

    each(lambda i: triage.phrases(texts[i]))  # warm caches
    return {
        "phrases_ms_p50": each(lambda i: triage.phrases(texts[i])),
        "classifier_ms_p50_given_embedding": each(
            lambda i: clf.probabilities([texts[i]], vectors[i : i + 1])
        ),
        "encoder_ms_p50": each(lambda i: embedder.embed([texts[i]])),
    }


def evaluate(with_candidates: bool = False, sets: Sequence[str] | None = None) -> dict[str, Any]:
    embedder = load_embedder(IndexSettings())
    phrases = PhraseTriage.from_file()
    clf = load_classifier()
    clf.bind(embedder)
    triage = Triage(phrases, clf)
    train = load_examples()
    train_vectors = embedder.embed([e.text for e in train])
    rows = Featurizer(clf.spec, embedder).rows([e.text for e in train], train_vectors)
    oof = out_of_fold(rows, [e.target for e in train], clf.meta["regularisation_c"])
    result: dict[str, Any] = {
        "classifier": {k: clf.meta[k] for k in ("examples", "examples_per_class", "thresholds", "features")},
        "training_cv": layers(train, oof, phrases, clf),
    }
    legacy = [i for i, e in enumerate(train) if e.file == LEGACY_FILE]
    result["legacy_cases"] = layers([train[i] for i in legacy], [oof[i] for i in legacy], phrases, clf)
    heldout = heldout_sets(sets)
    held_vectors = {name: embedder.embed([e.text for e in ex]) for name, ex in heldout.items()}
    result["heldout"] = {
        name: layers(ex, _probabilities(clf, [e.text for e in ex], held_vectors[name]), phrases, clf)
        for name, ex in heldout.items()
    }
    if not heldout:
        result["heldout_skipped"] = f"no held-out sets in {HELDOUT_DIR}"
    if with_candidates:
        result["candidates"] = candidates(embedder, train, train_vectors, heldout, held_vectors, phrases)
    result["latency"] = latency(triage, [e.text for e in train[:300]], embedder)
    result["model"] = embedder.name
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.triage_eval", description=__doc__)
    parser.add_argument("--candidates", action="store_true", help="also compare the candidate learned layers")
    parser.add_argument("--set", action="append", help="only these held-out sets (file stems)")
    parser.add_argument(
        "--misses",
        action="store_true",
        help="print the training-CV misses (never the held-out ones: see README)",
    )
    args = parser.parse_args(argv)
    result = evaluate(args.candidates, args.set)
    missed = result["training_cv"]["combined"]["missed"]
    publish("triage", without_messages(result) | {"machine": describe()}, render_triage(result))
    if args.misses:
        print("\nmisses, combined, training CV:")
        for line in missed:
            print("  " + line)


def without_messages(value: Any) -> Any:
    """The result without the lists of missed messages: held-out texts stay out of bench/results."""
    if isinstance(value, dict):
        return {k: without_messages(v) for k, v in value.items() if k != "missed"}
    if isinstance(value, list):
        return [without_messages(v) for v in value]
    return value


if __name__ == "__main__":
    main()
