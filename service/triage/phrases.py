"""The phrase layer of the safety triage: deterministic rules that clinical staff can read.

The rules are phrase lists in ``phrases.yaml`` (clinical staff review
that file; its header explains the phrase syntax). Order of checks:

1. emergency, self-harm first (so the crisis line is added);
2. personal advice (a question about one person's own care);
3. otherwise retrieval.

Nothing here logs or stores question text; results carry only the category
and the id of the phrase that matched.
"""

from __future__ import annotations

import re
from pathlib import Path

from service.triage.rules import (
    DEFAULT_PHRASES_PATH,
    TriagePhrasesError,
    TriageRules,
    load_rules,
    normalise,
    respell,
)
from service.triage.spelling import TypoCorrector
from service.triage.verdict import RETRIEVAL, SELF_HARM, TriageKind, TriageResult

__all__ = ["DEFAULT_PHRASES_PATH", "PhraseTriage", "TriagePhrasesError", "TriageRules", "normalise"]


def _found(pattern: re.Pattern[str] | None, text: str) -> bool:
    return pattern is not None and pattern.search(text) is not None


class PhraseTriage:
    """The phrase layer: normalise, correct typos towards the phrase vocabulary, then match the lists."""

    def __init__(self, phrases: TriageRules, corrector: TypoCorrector | None = None) -> None:
        self._rules = phrases
        self._corrector = corrector or TypoCorrector(phrases.vocabulary)

    @classmethod
    def from_file(cls, path: Path | None = None) -> PhraseTriage:
        return cls(load_rules(path))

    @property
    def rules(self) -> TriageRules:
        return self._rules

    @property
    def corrector(self) -> TypoCorrector:
        return self._corrector

    def prepare(self, question: str) -> str:
        """The text the phrases are matched against: normalised, typos corrected, misspellings respelt."""
        rules = self._rules
        text = self._corrector.correct(normalise(question))
        text = respell(text, rules.speller, rules.misspellings)
        if rules.idioms is not None:
            # Two spaces: a phrase can never match across a removed idiom.
            text = rules.idioms.sub("  ", text)
        return text

    def names_person(self, question: str) -> bool:
        """Whether the message is about someone: I/my/we, he/she, my son, mum... (`personal`, `live`)."""
        text = self.prepare(question)
        return _found(self._rules.personal, text) or _found(self._rules.live, text)

    def __call__(self, question: str) -> TriageResult:
        rules = self._rules
        text = self.prepare(question)
        if not text.strip():
            return RETRIEVAL
        personal = _found(rules.personal, text)
        literature = _found(rules.literature, text)
        someone_affected = personal or _found(rules.live, text)
        what_if = (_found(rules.hypothetical, text) or _found(rules.past, text)) and (
            not _found(rules.present, text) or _found(rules.reassured, text)
        )
        asks_general = not someone_affected and not _found(rules.method, text)
        general_help = asks_general and _found(rules.general, text)
        general_topic = asks_general and (general_help or literature or what_if)

        for category in rules.emergency:
            if category.literature_context_ok and ((literature and not someone_affected) or what_if):
                continue  # a question about the documents, or learning about a "what if": not a live emergency
            skip_topics = general_topic if category.literature_context_ok else general_help
            topics = () if skip_topics else category.topic_phrases
            for rule in category.phrases + topics:
                if rule.pattern.search(text):
                    return TriageResult(
                        TriageKind.EMERGENCY,
                        category.name,
                        rule.id,
                        layer="phrases",
                        crisis_line=category.name == SELF_HARM,
                    )

        topical_ok = personal and (not literature or _found(rules.own_care, text))
        for advice in rules.personal_advice:
            for rule in advice.direct + (advice.with_personal if topical_ok else ()):
                if rule.pattern.search(text):
                    return TriageResult(TriageKind.PERSONAL_ADVICE, advice.name, rule.id, layer="phrases")
        return RETRIEVAL
