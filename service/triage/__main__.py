"""`python -m service.triage explain "message" | train | check`: for clinicians and the people who retrain.

- ``explain`` prints how the triage decided one message: typo corrections, the phrase that matched, the
  classifier's probabilities against its thresholds, the nearest labelled training messages, and the verdict
  with the layer that raised it. It prints to this terminal only; nothing is logged or stored.
- ``train`` retrains the classifier from ``service/triage/data`` (see `training`).
- ``check`` loads and verifies the phrase file and the classifier, as the service does at start-up.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from index.config import IndexSettings
from index.encoders.base import Embedder
from index.encoders.factory import load_embedder
from service.triage import TriageModelError, TriagePhrasesError, load_triage
from service.triage.classifier import DEFAULT_DATA_DIR, DEFAULT_MODEL_DIR, load_classifier
from service.triage.phrases import PhraseTriage, normalise
from service.triage.training import load_examples, train


def _embedder() -> Embedder:
    return load_embedder(IndexSettings())


def explain(message: str, model_dir: Path, neighbours: int) -> int:
    triage = load_triage(_embedder(), model_dir=model_dir)
    decision = triage.decide(message)
    fixes = triage.phrases.corrector.corrections(normalise(message))
    print("typo corrections:", ", ".join(f"{a} -> {b}" for a, b in fixes) or "none")
    rule = decision.phrases
    print(
        f"phrase layer:     {rule.kind.value}" + (f" ({rule.rule})" if rule.rule else " (no phrase matched)")
    )
    classifier = triage.classifier
    if classifier is not None and decision.probabilities is not None:
        p, t = decision.probabilities, classifier.thresholds
        print(
            "classifier:       "
            f"P(emergency)+P(self-harm) {p.any_emergency:.3f} (threshold {t.emergency}), "
            f"P(self-harm) {p.self_harm:.3f} (crisis line from {t.self_harm}, despair from {t.despair}), "
            f"P(personal advice) {p.personal_advice:.3f} (threshold {t.personal_advice}), "
            f"P(retrieval) {p.retrieval:.3f}"
        )
        examples = load_examples()
        print(f"nearest labelled training messages (of {len(examples)}):")
        for row, cosine in classifier.nearest(classifier.embed(message), neighbours):
            e = examples[row]
            print(f"  {cosine:.3f}  {e.label}/{e.category}  {e.text!r}  [{e.file}]")
    result = decision.result
    print(
        f"verdict:          {result.kind.value}"
        + (f" / {result.category}" if result.category else "")
        + (f", decided by the {result.layer} layer" if result.layer else ", no layer fired")
        + (", crisis line shown" if result.crisis_line else "")
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.triage", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("explain", help="show how one message is triaged")
    ask.add_argument("message")
    ask.add_argument("--neighbours", type=int, default=5)
    ask.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    fit = commands.add_parser("train", help="retrain the classifier from the labelled data")
    fit.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    fit.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    check = commands.add_parser("check", help="verify the phrase file and the classifier")
    check.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    args = parser.parse_args(argv)
    try:
        if args.command == "explain":
            return explain(args.message, args.model_dir, args.neighbours)
        if args.command == "train":
            meta = train(
                _embedder(), PhraseTriage.from_file(), data_dir=args.data_dir, model_dir=args.model_dir
            )
            print(f"trained on {meta['examples']} messages {meta['examples_per_class']}")
            print(f"thresholds {meta['thresholds']}; written to {args.model_dir}")
            return 0
        PhraseTriage.from_file()
        classifier = load_classifier(args.model_dir)
        print(f"ok: phrases and classifier ({classifier.meta['examples']} training messages) verified")
        return 0
    except (TriageModelError, TriagePhrasesError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
