"""Safety triage, run on every patient question before anything else.

Two layers (see `decision`): reviewable phrase lists (`phrases`, `phrases.yaml`) with typo-tolerant
normalisation (`spelling`), and a learned classifier (`classifier`, `features`, trained by `training` on
the labelled messages in `data/`). `python -m service.triage explain "message"` shows which layer and
which rule or nearest examples decided; nothing here logs or stores a message.
"""

from __future__ import annotations

from pathlib import Path

from index.encoders.base import Embedder
from service.triage.classifier import TriageClassifier, TriageModelError, load_classifier
from service.triage.decision import Decision, Triage
from service.triage.phrases import DEFAULT_PHRASES_PATH, PhraseTriage, TriagePhrasesError, normalise
from service.triage.verdict import RETRIEVAL, SELF_HARM, TriageKind, TriageResult

__all__ = [
    "DEFAULT_PHRASES_PATH",
    "RETRIEVAL",
    "SELF_HARM",
    "Decision",
    "PhraseTriage",
    "Triage",
    "TriageClassifier",
    "TriageKind",
    "TriageModelError",
    "TriagePhrasesError",
    "TriageResult",
    "load_classifier",
    "load_triage",
    "normalise",
]


def load_triage(
    embedder: Embedder | None,
    *,
    phrases_path: Path | None = None,
    model_dir: Path | None = None,
    classifier: TriageClassifier | None = None,
) -> Triage:
    """Both layers, verified. Raises TriagePhrasesError or TriageModelError; never returns a half triage,
    except that without an embedder (the model failed to load) the classifier cannot run."""
    phrases = PhraseTriage.from_file(phrases_path)
    classifier = classifier or load_classifier(model_dir)
    if embedder is None:
        return Triage(phrases)
    classifier.bind(embedder)
    return Triage(phrases, classifier)
