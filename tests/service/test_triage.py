"""Tests for the deterministic safety triage (service/triage.py)."""

from __future__ import annotations

import functools
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.triage import (
    DEFAULT_PHRASES_PATH,
    PhraseTriage,
    TriageKind,
    TriagePhrasesError,
    TriageResult,
    normalise,
)

REPO = Path(__file__).resolve().parents[2]
PHRASES = REPO / "service" / "triage" / "phrases.yaml"
# The labelled cases the phrase lists were written from (also part of the classifier's training data).
CASES = REPO / "service" / "triage" / "data" / "legacy_cases.jsonl"

EMERGENCY, ADVICE, RETRIEVAL = (TriageKind.EMERGENCY, TriageKind.PERSONAL_ADVICE, TriageKind.RETRIEVAL)


@dataclass(frozen=True)
class Case:
    text: str
    expect: TriageKind
    category: str | None


@functools.cache
def real_triage() -> PhraseTriage:
    return PhraseTriage.from_file(PHRASES)


def load_cases() -> list[Case]:
    raw = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Case(c["text"], TriageKind(c["label"]), c.get("category") or None) for c in raw]


def rate(correct: int, n: int) -> float:
    return correct / n if n else 0.0


def rate_table(results: list[tuple[Case, TriageResult]]) -> str:
    lines = [f"{'expected':<16} {'n':>4} {'correct':>8} {'rate':>7}"]
    for kind in (EMERGENCY, ADVICE, RETRIEVAL):
        rows = [(c, r) for c, r in results if c.expect is kind]
        ok = sum(r.kind is kind for _, r in rows)
        lines.append(f"{kind.value:<16} {len(rows):>4} {ok:>8} {rate(ok, len(rows)):>7.1%}")
    emergencies = [(c, r) for c, r in results if c.expect is EMERGENCY]
    self_harm = [(c, r) for c, r in emergencies if c.category == "self_harm"]
    benign = [(c, r) for c, r in results if c.expect is RETRIEVAL]
    categorised = [(c, r) for c, r in emergencies if c.category]
    refused = sum(r.kind is not RETRIEVAL for _, r in benign)
    lines += [
        f"emergency recall          {rate(sum(r.kind is EMERGENCY for _, r in emergencies), len(emergencies)):.1%}",
        f"self-harm flagged         {rate(sum(r.is_self_harm for _, r in self_harm), len(self_harm)):.1%}"
        f" ({len(self_harm)} cases)",
        f"emergency category right  {rate(sum(r.category == c.category for c, r in categorised), len(categorised)):.1%}",
        f"benign refusal rate       {rate(refused, len(benign)):.1%} ({refused}/{len(benign)})",
    ]
    wrong = [
        (c, r)
        for c, r in results
        if r.kind is not c.expect or (c.expect is EMERGENCY and c.category and r.category != c.category)
    ]
    for case, result in wrong:
        lines.append(
            f"  MISS expected {case.expect.value}/{case.category} got "
            f"{result.kind.value}/{result.category} [{result.rule}]: {case.text!r}"
        )
    return "\n".join(lines)


# ------------------------------------------------------------- labelled set


def test_labelled_set_is_big_enough() -> None:
    cases = load_cases()
    counts = Counter(c.expect for c in cases)
    assert len(cases) >= 80
    assert counts[EMERGENCY] >= 25
    assert sum(c.category == "self_harm" for c in cases) >= 8
    assert counts[ADVICE] >= 20
    assert counts[RETRIEVAL] >= 30
    assert len({c.text for c in cases}) == len(cases), "duplicate case text"


def test_labelled_set_rates(capsys: pytest.CaptureFixture[str]) -> None:
    triage = real_triage()
    results = [(case, triage(case.text)) for case in load_cases()]
    with capsys.disabled():
        print("\n--- phrase-layer pass rates (service/triage/data/legacy_cases.jsonl) ---")
        print(rate_table(results))

    missed = [c.text for c, r in results if c.expect is EMERGENCY and r.kind is not EMERGENCY]
    assert not missed, f"emergencies not caught: {missed}"
    not_self_harm = [c.text for c, r in results if c.category == "self_harm" and not r.is_self_harm]
    assert not not_self_harm, f"self-harm not flagged as self_harm: {not_self_harm}"

    benign = [r for c, r in results if c.expect is RETRIEVAL]
    assert rate(sum(r.kind is not RETRIEVAL for r in benign), len(benign)) <= 0.05

    advice = [r for c, r in results if c.expect is ADVICE]
    assert rate(sum(r.kind is ADVICE for r in advice), len(advice)) >= 0.90


def test_emergency_beats_personal_advice() -> None:
    result = real_triage()("I took too many of my tablets, should I stop them?")
    assert result.kind is EMERGENCY
    assert result.category == "overdose"


def test_self_harm_checked_before_other_emergencies() -> None:
    result = real_triage()("I can't breathe and I want to end it all")
    assert result.is_self_harm


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        # a "what if" that says nothing is happening stands even though it names a person
        (
            "she has epilepsy but it's well controlled. if she ever has a seizure at school what should staff do",
            "retrieval",
        ),
        ("my daughter has epilepsy and she is having a seizure now", "emergency"),
        # the same "if ... ever" frame cannot excuse self-harm
        ("if i ever decide to kill myself what would happen to my kids", "emergency"),
        # an idiom is removed only where it is an idiom
        ("changing jobs now would be career suicide, are there evening appointments?", "retrieval"),
        ("i feel suicidal", "emergency"),
        ("my boss will kill me if i'm late, how long is the appointment?", "retrieval"),
        ("my husband will kill me", "emergency"),  # a partner's threat may be real
        ("cant breathe laughing at this, do you sell wigs", "retrieval"),
        ("i cant breathe", "emergency"),
    ],
)
def test_context_and_idioms(question: str, kind: str) -> None:
    assert real_triage()(question).kind.value == kind


def test_result_carries_rule_id_not_question_text() -> None:
    question = "my throat is swelling after the injection zqxj"
    result = real_triage()(question)
    assert result.kind is EMERGENCY
    assert result.rule
    assert result.rule.startswith("emergency.anaphylaxis:")
    assert "zqxj" not in result.rule


def test_retrieval_result_has_no_category_or_rule() -> None:
    result = real_triage()("how does dupilumab work")
    assert result == TriageResult(RETRIEVAL, None, None)
    assert result.layer is None
    assert not result.crisis_line


def test_default_path_is_the_real_file() -> None:
    assert DEFAULT_PHRASES_PATH.resolve() == PHRASES.resolve()
    assert PhraseTriage.from_file()("I cant breathe").kind is EMERGENCY


# -------------------------------------------------------------- normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Fiancée  CAFÉ", "fiancee cafe"),
        ("I CAN'T  breathe!!!", "i cant breathe"),
        ("I can’t — won’t; self-harm...", "i cant wont self harm"),
        ("  tabs\tand\nMEDS  ", "tabs and meds"),
        ("", ""),
        ("?!…", ""),
    ],
)
def test_normalise_without_misspellings(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_with_real_misspellings() -> None:
    spell = real_triage().rules.misspellings
    assert normalise("I can't BREATHE", spell) == "i cant breathing"
    assert normalise("short of breath", spell) == "short of breath"
    assert normalise("Thinking of SUICDE", spell) == "thinking of suicide"
    assert normalise("I overdoesd on my tablits", spell) == "i overdosed on my tablets"
    assert normalise("I am pregnent", spell) == "im pregnant"
    assert normalise("what Dosage of medecine", spell) == "what dose of medicine"
    assert normalise("I cannot, I do not", spell) == "i cant i dont"


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


# ------------------------------------------------------------ TriageResult


def test_is_self_harm() -> None:
    assert TriageResult(EMERGENCY, "self_harm", "r").is_self_harm
    assert not TriageResult(EMERGENCY, "breathing", "r").is_self_harm
    assert not TriageResult(ADVICE, "self_harm", "r").is_self_harm
    assert not TriageResult(RETRIEVAL, None, None).is_self_harm


# ---------------------------------------------------------- phrase file checks


def _write_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = PHRASES.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "phrases.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            "  breathing:\n    literature_context_ok: true\n",
            "  breathing:\n    literature_context_ok: maybe\n",
            "emergency.breathing.literature_context_ok",
        ),
        (
            "  self_harm:\n    literature_context_ok: false\n",
            "  self_harm:\n    literature_context_ok: true\n",
            "emergency.self_harm.literature_context_ok",
        ),
        ("      - unresponsive\n", "      - 999\n", "emergency.unconscious.phrases[1]"),
        ("      - unresponsive\n", "      - ... unresponsive\n", "emergency.unconscious.phrases[1]"),
        ("  dose:\n    direct:\n", "  dose:\n    drect:\n", "personal_advice.dose.drect"),
        ("version: 1", "version: 2", "version"),
        ("  tablets: [tablits,", "  tablets: [tablets,", "misspellings.tablets[0]"),
        ("markers:\n", "markers_typo:\n", "markers_typo"),
    ],
)
def test_malformed_phrase_file_names_the_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    path = _write_variant(tmp_path, old, new)
    with pytest.raises(TriagePhrasesError) as info:
        PhraseTriage.from_file(path)
    message = str(info.value)
    assert str(path) in message
    assert key in message


def test_unparseable_or_missing_phrase_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("emergency: [unclosed\n", encoding="utf-8")
    with pytest.raises(TriagePhrasesError, match=r"bad\.yaml"):
        PhraseTriage.from_file(bad)
    with pytest.raises(TriagePhrasesError, match=r"missing\.yaml"):
        PhraseTriage.from_file(tmp_path / "missing.yaml")


def test_self_harm_is_required(tmp_path: Path) -> None:
    path = _write_variant(tmp_path, "  self_harm:\n", "  selfharm_typo:\n")
    with pytest.raises(TriagePhrasesError, match=r"emergency\.self_harm"):
        PhraseTriage.from_file(path)


# ---------------------------------------------------------------- properties


@given(st.text())
@settings(max_examples=500, deadline=None)
def test_triage_never_raises_and_is_deterministic(text: str) -> None:
    triage = real_triage()
    first = triage(text)
    assert isinstance(first, TriageResult)
    assert first == triage(text)
    assert (first.kind is RETRIEVAL) == (first.category is None) == (first.rule is None)


@given(
    st.lists(
        st.sampled_from(
            [
                "I",
                "my",
                "can't",
                "breathe",
                "dose",
                "trial",
                "kill",
                "myself",
                "dying",
                "to",
                "know",
                "stop",
                "pregnant",
                "?",
                "!",
                "é",
                "THE",
                "study",
                "tablets",
                "took",
                "double",
                "...",
            ]
        ),
        max_size=12,
    ).map(" ".join)
)
@settings(max_examples=300, deadline=None)
def test_triage_on_vocabulary_soup(text: str) -> None:
    result = real_triage()(text)
    assert result == real_triage()(text)
    assert result.kind in set(TriageKind)
