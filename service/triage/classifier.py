"""The learned triage layer: a logistic regression over `features.Featurizer` rows, loaded from the repo.

The model lives in ``model/classifier.json`` (metadata, thresholds, hashes) and ``model/classifier.npz``
(weights, and the training messages' embeddings for the explain command's nearest examples). It is built by
``python -m service.triage train`` from the labelled messages in ``data/``. Loading checks that the weights
are the ones the metadata names and that the training data is the data it was trained on: a missing or
mismatched model stops the service with a clear error (`TriageModelError`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index.encoders.base import Embedder
from service.triage.features import FeatureSpec, Featurizer

PACKAGE = Path(__file__).resolve().parent
DEFAULT_MODEL_DIR = PACKAGE / "model"
DEFAULT_DATA_DIR = PACKAGE / "data"
FORMAT = 1
RETRAIN = "retrain it with `make triage-model` (python -m service.triage train)"
GROUPS = ("emergency", "personal_advice", "retrieval", "self_harm")  # the order of `Probabilities`


class TriageModelError(Exception):
    """The classifier is missing, damaged, or does not match its training data or the embedding model."""


@dataclass(frozen=True)
class Thresholds:
    """Probability cut-offs, chosen by cross-validation at training time (see training.choose_thresholds)."""

    emergency: float  # P(emergency) + P(self_harm) at or above this: an emergency
    self_harm: float  # P(self_harm) at or above this: the crisis line is shown, whichever layer fired
    personal_advice: float  # P(personal_advice) at or above this: refer to the clinic
    despair: float  # P(self_harm) at or above this on a personal question: its reply shows the crisis line
    advice_veto: float  # P(retrieval) at or above this overrules a phrase's personal-advice verdict (never
    # an emergency): the topical advice phrases also fire on general questions ("does humidity affect eczema")
    impersonal_advice: float  # P(personal_advice) a message naming no person (no I/my/he/my son...) needs

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Thresholds:
        return cls(**{k: float(v) for k, v in data.items()})


@dataclass(frozen=True)
class Probabilities:
    emergency: float
    personal_advice: float
    retrieval: float
    self_harm: float

    @property
    def any_emergency(self) -> float:
        return self.emergency + self.self_harm


def group_of(name: str) -> str:
    """A class's group: "retrieval/figurative" -> "retrieval". Harmless messages are learnt per category
    (figurative, education, off-topic...), which separates them from emergencies better than one class."""
    return name.split("/", 1)[0]


def group_matrix(classes: Sequence[str]) -> npt.NDArray[np.float64]:
    """(classes x 4) 0/1 matrix summing class probabilities into `GROUPS`."""
    unknown = sorted({group_of(c) for c in classes} - set(GROUPS))
    missing = sorted(set(GROUPS) - {group_of(c) for c in classes})
    if unknown or missing:
        raise TriageModelError(
            f"classifier classes must cover exactly {GROUPS}; unknown {unknown}, missing {missing}"
        )
    matrix = np.zeros((len(classes), len(GROUPS)))
    for row, name in enumerate(classes):
        matrix[row, GROUPS.index(group_of(name))] = 1.0
    return matrix


def grouped(class_probabilities: npt.NDArray[np.float64], classes: Sequence[str]) -> list[Probabilities]:
    return [Probabilities(*map(float, row)) for row in class_probabilities @ group_matrix(classes)]


def data_files(data_dir: Path) -> list[Path]:
    """The labelled files of a directory, in name order."""
    files = sorted(data_dir.glob("*.jsonl"))
    if not files:
        raise TriageModelError(f"no labelled messages (*.jsonl) in {data_dir}")
    return files


def data_digest(data_dir: Path) -> str:
    """sha256 over the labelled files (names and bytes, in name order)."""
    files = data_files(data_dir)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def base_model_name(name: str) -> str:
    """An embedder's model without its backend suffix: torch, ONNX and ONNX int8 give the same vectors."""
    return name.split("@", 1)[0]


class TriageClassifier:
    def __init__(
        self,
        meta: dict[str, Any],
        coef: npt.NDArray[np.float32],
        intercept: npt.NDArray[np.float32],
        train_vectors: npt.NDArray[np.float16],
    ) -> None:
        self.meta = meta
        self.spec = FeatureSpec.from_json(meta["features"])
        self.thresholds = Thresholds.from_json(meta["thresholds"])
        self.classes: tuple[str, ...] = tuple(meta["classes"])
        group_matrix(self.classes)  # raises on classes outside the four groups
        # (features, classes), C-ordered and float64 like the hashed rows: otherwise every product with a
        # sparse row copies all 1.4 M weights first (1 ms a message)
        self._weights = np.ascontiguousarray(coef.T, dtype=np.float64)
        self._intercept = intercept
        self._train_vectors = train_vectors
        self._featurizer: Featurizer | None = None

    @property
    def embedding_model(self) -> str:
        return str(self.meta["embedding_model"])

    def bind(self, embedder: Embedder) -> None:
        """Attach the service's embedder; refuse one the classifier was not trained with."""
        if self.spec.use_embedding and (
            base_model_name(embedder.name) != self.embedding_model
            or embedder.dimension != int(self.meta["dimension"])
        ):
            raise TriageModelError(
                f"the triage classifier was trained on {self.embedding_model} embeddings "
                f"({self.meta['dimension']} dimensions), but the service's model is {embedder.name} "
                f"({embedder.dimension}): {RETRAIN} with CLINIC_EMBEDDING_MODEL set"
            )
        self._featurizer = Featurizer(self.spec, embedder)

    @property
    def bound(self) -> bool:
        return self._featurizer is not None

    def probabilities(
        self, texts: list[str], vectors: npt.NDArray[np.float32] | None = None
    ) -> list[Probabilities]:
        if self._featurizer is None:
            raise TriageModelError("the triage classifier has no embedder bound")
        if self.spec.use_embedding and vectors is None:
            vectors = self._featurizer.embed(texts)
        logits = self._logits(texts, vectors)
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        odds /= odds.sum(axis=1, keepdims=True)
        return grouped(odds, self.classes)

    def _logits(self, texts: list[str], vectors: npt.NDArray[np.float32] | None) -> npt.NDArray[np.float64]:
        """``Featurizer.rows(texts, vectors) @ weights + intercept``, block by block: no sparse copy of the
        dense embedding, and the embedding's weights multiply it as a dense matrix."""
        assert self._featurizer is not None
        logits = np.tile(self._intercept.astype(np.float64), (len(texts), 1))
        width = 0
        if self.spec.use_text:
            text = self._featurizer.text_rows(texts)
            width = text.shape[1]
            logits += text @ self._weights[:width]
        if self.spec.use_embedding:
            assert vectors is not None
            dense = (vectors * np.float32(self.spec.embedding_weight)).astype(np.float64)
            logits += dense @ self._weights[width:]
        return logits

    def embed(self, text: str) -> npt.NDArray[np.float32]:
        if self._featurizer is None or self._featurizer.embedder is None:
            raise TriageModelError("the triage classifier has no embedder bound")
        return self._featurizer.embed([text])

    def nearest(self, vector: npt.NDArray[np.float32], k: int = 5) -> list[tuple[int, float]]:
        """(training row, cosine) of the k training messages closest to a message's embedding."""
        scores = self._train_vectors.astype(np.float32) @ vector.reshape(-1)
        top = np.argsort(-scores, kind="stable")[:k]
        return [(int(i), float(scores[i])) for i in top]


def load_classifier(
    model_dir: Path | None = None, data_dir: Path | None = None, *, check_data: bool = True
) -> TriageClassifier:
    """Load and verify the classifier; raises TriageModelError naming the file and what to do."""
    model_dir = model_dir or DEFAULT_MODEL_DIR
    data_dir = data_dir or DEFAULT_DATA_DIR
    meta_path, weights_path = model_dir / "classifier.json", model_dir / "classifier.npz"
    if not meta_path.is_file() or not weights_path.is_file():
        raise TriageModelError(f"the triage classifier is missing in {model_dir}: {RETRAIN}")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise TriageModelError(
                f"{meta_path}: format {meta.get('format')!r}, expected {FORMAT}: {RETRAIN}"
            )
        raw = weights_path.read_bytes()
        if hashlib.sha256(raw).hexdigest() != meta["weights_sha256"]:
            raise TriageModelError(f"{weights_path} does not match {meta_path.name}: {RETRAIN}")
        if check_data and data_digest(data_dir) != meta["training_data_sha256"]:
            raise TriageModelError(
                f"the triage training data in {data_dir} has changed since the classifier was trained: {RETRAIN}"
            )
        with np.load(weights_path) as arrays:
            coef, intercept, vectors = arrays["coef"], arrays["intercept"], arrays["train_vectors"]
        if coef.shape[1] != FeatureSpec.from_json(meta["features"]).width(int(meta["dimension"])):
            raise TriageModelError(f"{weights_path}: weight matrix has the wrong width: {RETRAIN}")
        return TriageClassifier(meta, coef, intercept, vectors)
    except TriageModelError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TriageModelError(
            f"cannot read the triage classifier in {model_dir} ({exc}): {RETRAIN}"
        ) from None


def iter_examples(files: Iterable[Path]) -> Iterable[dict[str, Any]]:
    """The labelled messages of these files, in order, each with its `file` added."""
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise TriageModelError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
                yield {**row, "file": path.name}
