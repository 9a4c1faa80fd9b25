"""Training the learned triage layer: one command, deterministic, thresholds chosen by cross-validation.

``python -m service.triage train`` reads the labelled messages in ``data/``, embeds them with the service's
model, fits a multinomial logistic regression (scikit-learn, lbfgs: the same data gives the same weights),
picks the decision thresholds on 5-fold out-of-fold probabilities *combined with the phrase layer*, and
writes ``model/classifier.json`` and ``model/classifier.npz`` (each written to a temporary file, then
renamed). The held-out sets in ``bench/triage_heldout/`` are never read here.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from index.encoders.base import Embedder
from service.triage.classifier import (
    DEFAULT_DATA_DIR,
    DEFAULT_MODEL_DIR,
    FORMAT,
    Probabilities,
    Thresholds,
    TriageModelError,
    base_model_name,
    data_digest,
    data_files,
    group_matrix,
    grouped,
    iter_examples,
)
from service.triage.features import FeatureSpec, Featurizer
from service.triage.phrases import PhraseTriage
from service.triage.verdict import SELF_HARM, TriageKind, TriageResult

LABELS = {kind.value for kind in TriageKind}
REGULARISATION = 4.0  # inverse strength C; chosen by cross-validation on the training data (see the README)
FOLDS = 5
# Threshold targets on out-of-fold predictions (combined with the phrase layer):
EMERGENCY_RECALL = 0.99  # emergencies caught by either layer
SELF_HARM_RECALL = 0.99  # self-harm messages shown the crisis line
ADVICE_RECALL = (
    0.97  # personal questions referred to the clinic or escalated as emergencies (both send them on)
)
# P(retrieval) from which the classifier overrules a phrase's personal-advice verdict. Measured on training CV:
# 0.8 removes about 3 points of harmless questions refused and no personal question.
ADVICE_VETO = 0.8
# P(personal advice) needed when the message names no person at all ("ruxolitinib twice a day for 3 months"):
# advice is about someone. Training CV: 0.8 keeps 99% of the personal questions the classifier finds.
IMPERSONAL_ADVICE = 0.8


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # emergency | personal_advice | retrieval
    category: str
    form: str
    file: str

    @property
    def target(self) -> str:
        """The classifier's class: self-harm is its own class, so its crisis line never depends on a rule;
        harmless messages are one class per category (see `classifier.group_of`)."""
        if self.label == "emergency" and self.category == SELF_HARM:
            return SELF_HARM
        if self.label == "retrieval":
            return f"retrieval/{self.category or 'other'}"
        return self.label

    @property
    def group(self) -> str:
        return self.target.split("/", 1)[0]


def load_examples(files: Sequence[Path] | None = None) -> list[Example]:
    """Validated labelled messages (default: the training data); a repeated message counts once."""
    examples: list[Example] = []
    seen: set[str] = set()
    for row in iter_examples(data_files(DEFAULT_DATA_DIR) if files is None else files):
        where = f"{row['file']}: {str(row.get('text'))[:40]!r}"
        if not isinstance(row.get("text"), str) or not row["text"].strip():
            raise TriageModelError(f"{where}: text must be non-empty")
        if row.get("label") not in LABELS:
            raise TriageModelError(f"{where}: label must be one of {sorted(LABELS)}")
        key = " ".join(row["text"].casefold().split())
        if key in seen:
            continue  # the same message from two writers counts once
        seen.add(key)
        examples.append(
            Example(
                row["text"],
                row["label"],
                str(row.get("category") or ""),
                str(row.get("form") or ""),
                row["file"],
            )
        )
    return examples


def fit(rows: Any, targets: Sequence[str], c: float = REGULARISATION) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", solver="lbfgs")
    model.fit(rows, list(targets))
    group_matrix([str(name) for name in model.classes_])  # raises unless all four groups are present
    return model


def out_of_fold(rows: Any, targets: Sequence[str], c: float = REGULARISATION) -> list[Probabilities]:
    """Each message's probabilities from a model that did not see it (stratified 5-fold, fixed seed)."""
    labels = np.asarray(targets)
    classes = sorted(set(targets))
    result = np.zeros((len(targets), len(classes)))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    for train, test in folds.split(np.zeros(len(labels)), labels):
        model = fit(rows[train], labels[train], c)
        columns = [classes.index(str(name)) for name in model.classes_]
        result[np.ix_(test, columns)] = model.predict_proba(rows[test])
    return grouped(result, classes)


def _grid() -> list[float]:
    return [round(float(x), 3) for x in np.arange(0.02, 0.96, 0.01)]


def choose_thresholds(
    examples: Sequence[Example], probs: Sequence[Probabilities], phrases: Sequence[TriageResult]
) -> Thresholds:
    """Cut-offs meeting the recall targets on out-of-fold probabilities, each as high as its target allows
    (the highest cut-off refuses the fewest harmless questions). Where no cut-off meets a target, the lowest
    is taken: when unsure, an emergency.

    The phrase layer's verdicts count: a message its rules already catch needs no help from the classifier.
    """
    emergency = [i for i, e in enumerate(examples) if e.label == "emergency"]
    self_harm = [i for i, e in enumerate(examples) if e.target == SELF_HARM]
    advice = [i for i, e in enumerate(examples) if e.label == "personal_advice"]
    rule_emergency = [p.kind is TriageKind.EMERGENCY for p in phrases]

    def emergency_at(t: float, i: int) -> bool:
        return rule_emergency[i] or probs[i].any_emergency >= t

    t_emergency = _grid()[0]
    for t in _grid():
        if sum(emergency_at(t, i) for i in emergency) / len(emergency) >= EMERGENCY_RECALL:
            t_emergency = t
    t_self_harm = _grid()[0]
    for t in _grid():
        caught = sum(phrases[i].is_self_harm or probs[i].self_harm >= t for i in self_harm)
        if caught / len(self_harm) >= SELF_HARM_RECALL:
            t_self_harm = t
    t_advice = _grid()[0]
    for t in _grid():
        referred = sum(
            emergency_at(t_emergency, i)
            or (phrases[i].kind is TriageKind.PERSONAL_ADVICE and probs[i].retrieval < ADVICE_VETO)
            or probs[i].personal_advice >= t
            for i in advice
        )
        if referred / len(advice) >= ADVICE_RECALL:
            t_advice = t
    return Thresholds(
        emergency=t_emergency,
        self_harm=t_self_harm,
        personal_advice=t_advice,
        despair=round(min(t_self_harm, t_emergency) / 2, 3),
        advice_veto=ADVICE_VETO,
        impersonal_advice=max(IMPERSONAL_ADVICE, t_advice),
    )


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; the service may run as another user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def train(
    embedder: Embedder,
    phrases: PhraseTriage,
    *,
    data_dir: Path = DEFAULT_DATA_DIR,
    model_dir: Path = DEFAULT_MODEL_DIR,
    spec: FeatureSpec | None = None,
    c: float = REGULARISATION,
) -> dict[str, Any]:
    """Train, choose thresholds, write the model; returns the metadata written."""
    spec = spec or FeatureSpec()
    examples = load_examples(data_files(data_dir))
    texts = [e.text for e in examples]
    targets = [e.target for e in examples]
    featurizer = Featurizer(spec, embedder if spec.use_embedding else None)
    vectors = embedder.embed(texts)
    rows = featurizer.rows(texts, vectors)
    oof = out_of_fold(rows, targets, c)
    thresholds = choose_thresholds(examples, oof, [phrases(t) for t in texts])
    model = fit(rows, targets, c)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        coef=model.coef_.astype(np.float32),
        intercept=model.intercept_.astype(np.float32),
        train_vectors=vectors.astype(np.float16),
    )
    weights = buffer.getvalue()
    counts: dict[str, int] = {}
    for target in targets:
        counts[target] = counts.get(target, 0) + 1
    meta = {
        "format": FORMAT,
        "classes": [str(name) for name in model.classes_],
        "features": spec.to_json(),
        "regularisation_c": c,
        "thresholds": asdict(thresholds),
        "embedding_model": base_model_name(embedder.name),
        "dimension": embedder.dimension,
        "training_data_sha256": data_digest(data_dir),
        "training_files": [p.name for p in data_files(data_dir)],
        "examples": len(examples),
        "examples_per_class": dict(sorted(counts.items())),
        "weights_sha256": hashlib.sha256(weights).hexdigest(),
        "scikit_learn": sklearn.__version__,
    }
    model_dir.mkdir(parents=True, exist_ok=True)
    _atomic_write(model_dir / "classifier.npz", weights)
    _atomic_write(model_dir / "classifier.json", (json.dumps(meta, indent=2) + "\n").encode())
    return meta
