"""How the two layers combine (service/triage/decision.py): either raises the alarm, neither can silence it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from service.triage.classifier import Probabilities, Thresholds
from service.triage.decision import MEDICAL, combine
from service.triage.verdict import RETRIEVAL, TriageKind, TriageResult

THRESHOLDS = Thresholds(
    emergency=0.3, self_harm=0.2, personal_advice=0.5, despair=0.1, advice_veto=0.8, impersonal_advice=0.8
)
RULE_SELF_HARM = TriageResult(TriageKind.EMERGENCY, "self_harm", "r", layer="phrases", crisis_line=True)
RULE_BREATHING = TriageResult(TriageKind.EMERGENCY, "breathing", "r", layer="phrases")
RULE_ADVICE = TriageResult(TriageKind.PERSONAL_ADVICE, "dose", "r", layer="phrases")


@dataclass
class Thresholded:
    thresholds: Thresholds = THRESHOLDS


def probs(emergency: float = 0.0, advice: float = 0.0, self_harm: float = 0.0) -> Probabilities:
    return Probabilities(emergency, advice, 1.0 - emergency - advice - self_harm, self_harm)


def decide(rule: TriageResult, p: Probabilities, *, names_person: bool = True) -> TriageResult:
    return combine(rule, p, Thresholded(), names_person=names_person)  # type: ignore[arg-type]


def test_a_phrase_emergency_stands_whatever_the_classifier_says() -> None:
    assert decide(RULE_BREATHING, probs()) == RULE_BREATHING


def test_the_classifier_adds_the_crisis_line_to_a_phrase_emergency() -> None:
    result = decide(RULE_BREATHING, probs(self_harm=0.25))
    assert result.kind is TriageKind.EMERGENCY
    assert result.category == "breathing"
    assert result.crisis_line


def test_a_self_harm_phrase_keeps_its_crisis_line() -> None:
    assert decide(RULE_SELF_HARM, probs()).crisis_line


def test_the_classifier_raises_an_emergency_the_phrases_missed() -> None:
    result = decide(RETRIEVAL, probs(emergency=0.31))
    assert (result.kind, result.category, result.layer) == (TriageKind.EMERGENCY, MEDICAL, "classifier")
    assert not result.crisis_line
    assert result.rule == "classifier:medical"


@pytest.mark.parametrize(("emergency", "self_harm"), [(0.05, 0.25), (0.2, 0.21), (0.12, 0.19)])
def test_a_classifier_emergency_with_self_harm_signs_gets_the_crisis_line(
    emergency: float, self_harm: float
) -> None:
    result = decide(RETRIEVAL, probs(emergency=emergency, self_harm=self_harm))
    assert result.kind is TriageKind.EMERGENCY
    assert result.is_self_harm
    assert result.crisis_line


def test_emergency_counts_both_emergency_classes_together() -> None:
    """Unsure between a medical emergency and self-harm is still an emergency."""
    assert decide(RETRIEVAL, probs(emergency=0.16, self_harm=0.15)).kind is TriageKind.EMERGENCY


def test_personal_advice_from_either_layer() -> None:
    assert decide(RULE_ADVICE, probs(advice=0.3)).kind is TriageKind.PERSONAL_ADVICE
    result = decide(RETRIEVAL, probs(advice=0.6))
    assert (result.kind, result.layer) == (TriageKind.PERSONAL_ADVICE, "classifier")


@pytest.mark.parametrize("rule", [RULE_ADVICE, RETRIEVAL])
def test_a_personal_reply_shows_the_crisis_line_when_the_message_shows_despair(rule: TriageResult) -> None:
    result = decide(rule, probs(advice=0.7, self_harm=0.12))
    assert result.kind is TriageKind.PERSONAL_ADVICE
    assert result.crisis_line
    assert not decide(rule, probs(advice=0.7, self_harm=0.05)).crisis_line


def test_a_confident_classifier_overrules_a_personal_advice_phrase_but_never_an_emergency() -> None:
    assert decide(RULE_ADVICE, probs(advice=0.1)) == RETRIEVAL  # P(retrieval) 0.9
    assert decide(RULE_ADVICE, probs(advice=0.25)).kind is TriageKind.PERSONAL_ADVICE  # 0.75
    assert decide(RULE_BREATHING, probs()).kind is TriageKind.EMERGENCY  # P(retrieval) 1.0
    assert decide(RULE_SELF_HARM, probs()).is_self_harm


def test_a_message_naming_nobody_needs_more_confidence_to_be_personal_advice() -> None:
    assert decide(RETRIEVAL, probs(advice=0.7), names_person=False) == RETRIEVAL
    assert decide(RETRIEVAL, probs(advice=0.85), names_person=False).kind is TriageKind.PERSONAL_ADVICE
    assert decide(RETRIEVAL, probs(emergency=0.4), names_person=False).kind is TriageKind.EMERGENCY


def test_quiet_layers_mean_retrieval() -> None:
    assert decide(RETRIEVAL, probs(emergency=0.1, advice=0.3, self_harm=0.05)) == RETRIEVAL
