"""The safety triage: the phrase layer and the learned layer, combined so that either can raise the alarm.

- An emergency when either layer says so (the classifier: P(emergency) + P(self-harm) at or above its
  threshold). The classifier cannot overrule a phrase: when unsure, an emergency.
- The crisis line is shown whenever a self-harm phrase matched *or* the classifier's P(self-harm) reaches
  its threshold, whichever layer raised the emergency.
- Otherwise personal advice when the classifier says so (with more confidence when the message names no
  person: `impersonal_advice`), or when a phrase says so and the classifier is not
  confident the message is a general question (P(retrieval) below `advice_veto`): the topical advice phrases
  ("affect", "how many") also fire on general questions. Its reply shows the crisis line too when the
  message also shows despair (P(self-harm) at or above the despair threshold).
- Otherwise retrieval.

Without an embedder (the model failed to load) only the phrase layer runs; every reply in that state
carries the emergency number anyway (the "unavailable" answer).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from index.encoders.base import Vectors
from service.triage.classifier import Probabilities, TriageClassifier
from service.triage.phrases import PhraseTriage
from service.triage.verdict import RETRIEVAL, SELF_HARM, TriageKind, TriageResult

MEDICAL = "medical"  # category of a classifier-raised emergency that is not self-harm


@dataclass(frozen=True)
class Decision:
    """Both layers' outputs and the combined verdict (for the explain command and the evaluation)."""

    phrases: TriageResult
    probabilities: Probabilities | None
    result: TriageResult


class Triage:
    def __init__(self, phrases: PhraseTriage, classifier: TriageClassifier | None = None) -> None:
        if classifier is not None and not classifier.bound:
            raise ValueError("bind the classifier to an embedder first")
        self.phrases = phrases
        self.classifier = classifier

    @property
    def layers(self) -> tuple[str, ...]:
        return ("phrases", "classifier") if self.classifier is not None else ("phrases",)

    def __call__(self, question: str, vector: Vectors | None = None) -> TriageResult:
        return self.decide(question, vector).result

    def decide(self, question: str, vector: Vectors | None = None) -> Decision:
        """Both layers' verdict. `vector` is the question's embedding when the caller already has it (the
        service encodes each question once, for triage, approved answers and retrieval)."""
        rule = self.phrases(question)
        if self.classifier is None:
            return Decision(rule, None, rule)
        probs = self.classifier.probabilities([question], vector)[0]
        person = self.phrases.names_person(question)
        return Decision(rule, probs, combine(rule, probs, self.classifier, names_person=person))


def combine(
    rule: TriageResult, probs: Probabilities, classifier: TriageClassifier, *, names_person: bool = True
) -> TriageResult:
    t = classifier.thresholds
    self_harm_signal = probs.self_harm >= t.self_harm
    if rule.kind is TriageKind.EMERGENCY:
        return dataclasses.replace(rule, crisis_line=rule.crisis_line or self_harm_signal)
    if probs.any_emergency >= t.emergency:
        category = SELF_HARM if self_harm_signal or probs.self_harm >= probs.emergency else MEDICAL
        return TriageResult(
            TriageKind.EMERGENCY,
            category,
            f"classifier:{category}",
            layer="classifier",
            crisis_line=category == SELF_HARM or self_harm_signal,
        )
    despair = probs.self_harm >= t.despair
    if rule.kind is TriageKind.PERSONAL_ADVICE and probs.retrieval < t.advice_veto:
        return dataclasses.replace(rule, crisis_line=despair)
    needed = t.personal_advice if names_person else max(t.personal_advice, t.impersonal_advice)
    if probs.personal_advice >= needed:
        return TriageResult(
            TriageKind.PERSONAL_ADVICE,
            "personal",
            "classifier:personal_advice",
            layer="classifier",
            crisis_line=despair,
        )
    return RETRIEVAL
