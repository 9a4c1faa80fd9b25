"""The learned triage layer: loading checks, inference against scikit-learn, determinism, refusal to start."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sklearn.linear_model import LogisticRegression

from index.encoders.base import Embedder
from service.app import create_app
from service.triage import TriageModelError, load_classifier, load_triage
from service.triage.classifier import (
    DEFAULT_DATA_DIR,
    DEFAULT_MODEL_DIR,
    data_digest,
    data_files,
    group_matrix,
)
from service.triage.features import FeatureSpec, Featurizer
from service.triage.phrases import PhraseTriage
from service.triage.training import load_examples, train


def test_the_shipped_classifier_matches_its_training_data() -> None:
    clf = load_classifier()
    assert clf.meta["training_data_sha256"] == data_digest(DEFAULT_DATA_DIR)
    assert clf.meta["examples"] == len(load_examples())
    assert clf.meta["examples"] >= 2500
    assert clf.meta["embedding_model"] == "sentence-transformers/all-MiniLM-L6-v2"


def test_the_training_data_is_what_the_issue_asks_for() -> None:
    examples = load_examples()
    self_harm = [e for e in examples if e.target == "self_harm"]
    assert len(examples) >= 2500
    assert len(self_harm) >= 800
    forms = {e.form for e in self_harm}
    for form in (
        "direct",
        "indirect",
        "euphemistic",
        "planning",
        "in_progress",
        "past_attempt",
        "third_person",
    ):
        assert form in forms, form
    medical = {e.category for e in examples if e.label == "emergency"}
    for category in (
        "breathing",
        "anaphylaxis",
        "chest_pain",
        "stroke",
        "overdose",
        "bleeding",
        "abdominal",
        "unconscious",
        "seizure",
        "vision_loss",
        "clot",
        "sepsis",
        "headache",
    ):
        assert category in medical, category
    assert sum(e.label == "personal_advice" for e in examples) >= 400
    assert sum(e.category == "figurative" for e in examples) >= 100


def test_no_held_out_message_is_in_the_training_data() -> None:
    heldout = sorted((Path(__file__).parents[3] / "bench" / "triage_heldout").glob("*.jsonl"))
    assert len(heldout) >= 2

    def key(text: str) -> str:
        return " ".join(text.casefold().split())

    training = {key(e.text) for e in load_examples()}
    shared = [e.file for e in load_examples(heldout) if key(e.text) in training]
    assert shared == []  # counted by file only: the held-out texts are not printed


def test_a_missing_model_is_refused_with_the_command_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(TriageModelError, match="make triage-model"):
        load_classifier(tmp_path)


def test_damaged_weights_are_refused(tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, model)
    weights = model / "classifier.npz"
    raw = bytearray(weights.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    weights.write_bytes(bytes(raw))
    with pytest.raises(TriageModelError, match="does not match"):
        load_classifier(model)


def test_changed_training_data_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    extra = '{"text": "hello there", "label": "retrieval", "category": "off_topic", "form": "plain"}\n'
    with (data / "zz_added.jsonl").open("w", encoding="utf-8") as handle:
        handle.write(extra)
    with pytest.raises(TriageModelError, match="changed since the classifier was trained"):
        load_classifier(DEFAULT_MODEL_DIR, data)


def test_another_embedding_model_is_refused(fake_embedder: Embedder) -> None:
    with pytest.raises(TriageModelError, match="trained on sentence-transformers/all-MiniLM-L6-v2"):
        load_triage(fake_embedder)


def test_the_service_refuses_to_start_without_its_classifier(
    tmp_path: Path,
    settings_factory,
    onnx_embedder: Embedder,  # type: ignore[no-untyped-def]
) -> None:
    app = create_app(
        settings_factory(tmp_path / "no-index", triage_model_dir=tmp_path), embedder=onnx_embedder
    )
    with pytest.raises(TriageModelError, match="missing"), TestClient(app):
        pass


def _small_training_set(tmp_path: Path) -> Path:
    """Every tenth labelled message: enough for every class, quick to fit."""
    data = tmp_path / "data"
    data.mkdir()
    for path in data_files(DEFAULT_DATA_DIR):
        lines = path.read_text(encoding="utf-8").splitlines()
        (data / path.name).write_text("\n".join(lines[::10]) + "\n", encoding="utf-8")
    return data


@pytest.mark.slow
def test_training_is_deterministic_and_inference_matches_scikit_learn(
    tmp_path: Path, fake_embedder: Embedder
) -> None:
    data = _small_training_set(tmp_path)
    phrases = PhraseTriage.from_file()
    first = train(fake_embedder, phrases, data_dir=data, model_dir=tmp_path / "a")
    second = train(fake_embedder, phrases, data_dir=data, model_dir=tmp_path / "b")
    assert first == second
    assert (tmp_path / "a" / "classifier.npz").read_bytes() == (
        tmp_path / "b" / "classifier.npz"
    ).read_bytes()

    clf = load_classifier(tmp_path / "a", data)
    clf.bind(fake_embedder)
    examples = load_examples(data_files(data))
    texts = [e.text for e in examples]
    oracle = LogisticRegression(C=first["regularisation_c"], max_iter=3000, class_weight="balanced")
    rows = Featurizer(FeatureSpec(), fake_embedder).rows(texts)
    oracle.fit(rows, [e.target for e in examples])
    ours = np.array(
        [[p.emergency, p.personal_advice, p.retrieval, p.self_harm] for p in clf.probabilities(texts)]
    )
    expected = oracle.predict_proba(rows) @ group_matrix([str(c) for c in oracle.classes_])
    np.testing.assert_allclose(ours, expected, atol=1e-4)
    np.testing.assert_allclose(ours.sum(axis=1), 1.0, atol=1e-6)


def test_probabilities_equal_the_feature_rows_times_the_weights(onnx_embedder: Embedder) -> None:
    """The block-by-block product of `probabilities` against the brute-force one over `Featurizer.rows`."""
    clf = load_classifier()
    clf.bind(onnx_embedder)
    texts = ["i wnat to die", "what is alopecia areata?", "can i take ibuprofen with dupixent", ""]
    vectors = onnx_embedder.embed(texts)
    rows = Featurizer(clf.spec, onnx_embedder).rows(texts, vectors)
    oracle = np.asarray(rows @ clf._weights) + clf._intercept
    np.testing.assert_allclose(clf._logits(texts, vectors), oracle, rtol=1e-9, atol=1e-9)
