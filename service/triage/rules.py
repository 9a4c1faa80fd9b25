"""The phrase rules of the safety triage: `phrases.yaml` read and compiled, and the text normalisation the
phrases are matched on (`normalise`). `service.triage.phrases` matches a message against them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from service.triage.verdict import SELF_HARM

DEFAULT_PHRASES_PATH = Path(__file__).with_name("phrases.yaml")
_MAX_GAP = 5  # words allowed by "..." in a phrase

_APOSTROPHES = dict.fromkeys(map(ord, "'\u2018\u2019\u201b\u02bc\u02b9`\u00b4\u2032"))
_NON_WORD = re.compile(r"[\W_]+")
_DIGIT_EDGE = re.compile(r"(?<=\d)(?=[^\W\d])|(?<=[^\W\d])(?=\d)")
# "the US" is a country, not "us" (a personal marker): decided on the typed capitals, before lower-casing.
_COUNTRY = re.compile(r"(?<![\w.])(?:U\.S\.A\.?|U\.S\.|USA|US)(?![\w])|(?<=\b[Tt]he )us\b")
_PHRASE_WORD = re.compile(r"[^\s/]+")


class TriagePhrasesError(Exception):
    """The phrase file is missing or malformed; the message names file and key."""


@dataclass(frozen=True)
class Rule:
    id: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class EmergencyCategory:
    name: str
    literature_context_ok: bool
    phrases: tuple[Rule, ...]
    # Topic words that general questions use too ("warning signs of suicide", "what does anaphylaxis look
    # like?"): ignored in a general question that affects nobody and asks for no method (`method` marker).
    # For self-harm only the `general` markers make a question general; for the other categories the
    # `literature` and `hypothetical` markers do too.
    topic_phrases: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class AdviceCategory:
    name: str
    direct: tuple[Rule, ...]
    with_personal: tuple[Rule, ...]


@dataclass(frozen=True)
class TriageRules:
    misspellings: Mapping[str, str]  # typed form -> canonical form (medicine names -> "medicine")
    speller: re.Pattern[str] | None  # compiled once from misspellings
    idioms: re.Pattern[str] | None
    personal: re.Pattern[str] | None
    own_care: re.Pattern[str] | None
    live: re.Pattern[str] | None
    literature: re.Pattern[str] | None
    general: re.Pattern[str] | None
    hypothetical: re.Pattern[str] | None
    present: re.Pattern[str] | None
    past: re.Pattern[str] | None
    reassured: re.Pattern[str] | None
    method: re.Pattern[str] | None
    emergency: tuple[EmergencyCategory, ...]
    personal_advice: tuple[AdviceCategory, ...]
    vocabulary: frozenset[str] = frozenset()  # the words that matter, for typo correction


# ---------------------------------------------------------------- normalising


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _speller(misspellings: Mapping[str, str]) -> re.Pattern[str] | None:
    variants = sorted(misspellings, key=len, reverse=True)  # longest first: "can not" before "can"
    if not variants:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, variants)) + r")(?!\w)")


def respell(text: str, speller: re.Pattern[str] | None, misspellings: Mapping[str, str]) -> str:
    return speller.sub(lambda m: misspellings[m.group(0)], text) if speller else text


def normalise(text: str, misspellings: Mapping[str, str] | None = None) -> str:
    """Lowercase, strip accents/apostrophes/punctuation, split "200mg", fix misspellings.

    "US"/"U.S."/"USA" typed in capitals, and "the us", become "united states" first, so a population
    question is not read as a personal one ("us").

    ``misspellings`` maps what patients type (one or more words, already
    normalised) to the canonical form used in phrases.
    """
    text = _COUNTRY.sub(" united states ", text)
    text = _fold(_fold(text).casefold()).translate(_APOSTROPHES)
    text = " ".join(_DIGIT_EDGE.sub(" ", _NON_WORD.sub(" ", text)).split())
    return respell(text, _speller(misspellings), misspellings) if misspellings else text


# ------------------------------------------------------------------- loading


def _fail(where: str, problem: str) -> TriagePhrasesError:
    return TriagePhrasesError(f"{where}: {problem}")


def _mapping(value: object, where: str, keys: Sequence[str] | None = None) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise _fail(where, "expected a mapping with text keys")
    if keys is not None:
        unknown = sorted(set(value) - set(keys))
        if unknown:
            raise _fail(f"{where}.{unknown[0]}", f"unknown key (allowed: {', '.join(keys)})")
    return value


def _strings(value: object, where: str, *, required: bool = True) -> list[str]:
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        raise _fail(where, "expected a non-empty list of phrases")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise _fail(f"{where}[{i}]", f"expected text, got {item!r} (quote numbers/yes/no)")
    return value


_GAPS = {"*": r"(?: \w+)?", "...": rf"(?: \w+){{0,{_MAX_GAP}}}"}


def _sequence(tokens: list[str], raw: str, where: str, spell: Mapping[str, str]) -> str:
    if not tokens or tokens[0] in _GAPS or tokens[-1] in _GAPS:
        raise _fail(where, f"phrase {raw!r}: each side must start and end with a word")
    parts: list[str] = []
    for token in tokens:
        if token in _GAPS:
            parts.append(_GAPS[token])
            continue
        alternatives = []
        for alt in token.split("/"):
            word = normalise(alt.rstrip("*"), spell)
            if not word:
                raise _fail(where, f"phrase {raw!r} has an empty word in {token!r}")
            alternatives.append(re.escape(word) + (r"\w*" if alt.endswith("*") else ""))
        parts.append((" " if parts else "") + "(?:" + "|".join(alternatives) + ")")
    return "".join(parts)


def _compile(raw: str, where: str, spell: Mapping[str, str]) -> re.Pattern[str]:
    tokens = raw.split()
    if tokens.count("~") > 1:
        raise _fail(where, f"phrase {raw!r} may contain ~ only once")
    if "~" in tokens:  # "a ~ b": a and b within _MAX_GAP words, either order
        cut = tokens.index("~")
        left = _sequence(tokens[:cut], raw, where, spell)
        right = _sequence(tokens[cut + 1 :], raw, where, spell)
        body = f"(?:{left}{_GAPS['...']} {right}|{right}{_GAPS['...']} {left})"
    else:
        body = _sequence(tokens, raw, where, spell)
    return re.compile(r"(?<!\w)" + body + r"(?!\w)")


def _any_of(raws: list[str], where: str, spell: Mapping[str, str]) -> re.Pattern[str] | None:
    patterns = [_compile(raw, f"{where}[{i}]", spell).pattern for i, raw in enumerate(raws)]
    return re.compile("|".join(patterns)) if patterns else None


def _rules(raws: list[str], rule_id: str, where: str, spell: Mapping[str, str]) -> tuple[Rule, ...]:
    compiled = (_compile(raw, f"{where}[{i}]", spell) for i, raw in enumerate(raws))
    return tuple(Rule(f"{rule_id}:{raw}", pattern) for raw, pattern in zip(raws, compiled, strict=True))


def _misspellings(value: object, where: str) -> dict[str, str]:
    spell: dict[str, str] = {}
    for canonical, variants in _mapping(value, where).items():
        key = normalise(canonical)
        for i, variant in enumerate(_strings(variants, f"{where}.{canonical}")):
            typed = normalise(variant)
            if not typed or typed == key or typed in spell:
                raise _fail(f"{where}.{canonical}[{i}]", f"{variant!r} is empty or listed twice")
            spell[typed] = key
    clash = sorted(set(spell) & set(spell.values()))
    if clash:
        raise _fail(where, f"{clash[0]!r} is both a misspelling and a correct form")
    return spell


def parse_rules(data: object, source: str = "<phrases>") -> TriageRules:
    """Validate and compile a parsed phrase file; raises TriagePhrasesError."""
    keys = (
        "version",
        "misspellings",
        "medicine_names",
        "vocabulary",
        "idioms",
        "markers",
        "emergency",
        "personal_advice",
    )
    top = _mapping(data, source, keys)
    if top.get("version") != 1:
        raise _fail(f"{source}: version", "must be 1")
    spell = _misspellings(top.get("misspellings", {}), f"{source}: misspellings")
    names = _strings(top.get("medicine_names"), f"{source}: medicine_names", required=False)
    for i, name in enumerate(names):
        if normalise(name) in spell or normalise(name) in spell.values():
            raise _fail(f"{source}: medicine_names[{i}]", f"{name!r} is already listed")
        spell[normalise(name)] = "medicine"
    markers = _mapping(
        top.get("markers"),
        f"{source}: markers",
        (
            "personal",
            "own_care",
            "live",
            "literature",
            "general",
            "hypothetical",
            "present",
            "past",
            "reassured",
            "method",
        ),
    )

    def marker(key: str, required: bool = True) -> re.Pattern[str] | None:
        where = f"{source}: markers.{key}"
        return _any_of(_strings(markers.get(key), where, required=required), where, spell)

    emergency: list[EmergencyCategory] = []
    for name, body in _mapping(top.get("emergency"), f"{source}: emergency").items():
        where = f"{source}: emergency.{name}"
        fields = _mapping(body, where, ("literature_context_ok", "phrases", "topic_phrases"))
        context_ok = fields.get("literature_context_ok")
        if not isinstance(context_ok, bool):
            raise _fail(f"{where}.literature_context_ok", "must be true or false")
        if name == SELF_HARM and context_ok:
            raise _fail(f"{where}.literature_context_ok", "must be false for self_harm")
        phrases = _strings(fields.get("phrases"), f"{where}.phrases")
        rules = _rules(phrases, f"emergency.{name}", f"{where}.phrases", spell)
        topics = _strings(fields.get("topic_phrases"), f"{where}.topic_phrases", required=False)
        topic_rules = _rules(topics, f"emergency.{name}.topic", f"{where}.topic_phrases", spell)
        emergency.append(EmergencyCategory(name, context_ok, rules, topic_rules))
    if SELF_HARM not in {c.name for c in emergency}:
        raise _fail(f"{source}: emergency.{SELF_HARM}", "is required")
    emergency.sort(key=lambda c: c.name != SELF_HARM)  # stable: self-harm first

    advice: list[AdviceCategory] = []
    for name, body in _mapping(top.get("personal_advice"), f"{source}: personal_advice").items():
        where = f"{source}: personal_advice.{name}"
        fields = _mapping(body, where, ("direct", "with_personal"))
        direct = _strings(fields.get("direct"), f"{where}.direct", required=False)
        topical = _strings(fields.get("with_personal"), f"{where}.with_personal", required=False)
        if not direct and not topical:
            raise _fail(where, "needs at least one phrase in direct or with_personal")
        rule_id = f"personal_advice.{name}"
        direct_rules = _rules(direct, f"{rule_id}.direct", f"{where}.direct", spell)
        topical_rules = _rules(topical, f"{rule_id}.with_personal", f"{where}.with_personal", spell)
        advice.append(AdviceCategory(name, direct_rules, topical_rules))

    idioms = _strings(top.get("idioms"), f"{source}: idioms", required=False)
    extra = _strings(top.get("vocabulary"), f"{source}: vocabulary", required=False)
    return TriageRules(
        misspellings=MappingProxyType(spell),
        speller=_speller(spell),
        idioms=_any_of(idioms, f"{source}: idioms", spell),
        personal=marker("personal"),
        own_care=marker("own_care"),
        live=marker("live"),
        literature=marker("literature"),
        general=marker("general", required=False),
        hypothetical=marker("hypothetical", required=False),
        present=marker("present", required=False),
        past=marker("past", required=False),
        reassured=marker("reassured", required=False),
        method=marker("method", required=False),
        emergency=tuple(emergency),
        personal_advice=tuple(advice),
        vocabulary=_vocabulary(data_phrases(top), extra, spell),
    )


def data_phrases(top: Mapping[str, Any]) -> list[str]:
    """Every phrase string of the emergency and personal-advice sections (already validated)."""
    found: list[str] = []
    for body in top["emergency"].values():
        found += body["phrases"] + (body.get("topic_phrases") or [])
    for body in top["personal_advice"].values():
        found += (body.get("direct") or []) + (body.get("with_personal") or [])
    return found


def _vocabulary(phrases: list[str], extra: list[str], spell: Mapping[str, str]) -> frozenset[str]:
    """The words typo correction steers towards: phrase words (a prefix like "suicid*" counts as written),
    the typed and correct forms of `misspellings`, medicine names and the file's extra `vocabulary`."""
    words: set[str] = set()
    for raw in [*phrases, *extra, *spell, *spell.values()]:
        for token in _PHRASE_WORD.findall(raw):
            words.update(normalise(token.rstrip("*")).split())
    return frozenset(w for w in words if w.isalpha())


def load_rules(path: Path | None = None) -> TriageRules:
    path = path or DEFAULT_PHRASES_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(str(path), f"cannot read phrase file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise _fail(str(path), f"not valid YAML ({exc})") from None
    return parse_rules(data, str(path))


# ------------------------------------------------------------------ triaging
