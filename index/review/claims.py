"""What a sentence states that a faithful paraphrase must keep: quantities, negations and comparisons.

Deterministic rules, no model. `analyse(text)` gives a sentence's content terms (light stems), its
quantities (digits and number words with their unit: %/percent/per cent, days to years, ages, mg, times a
day, weekly, fractions such as "a third" or "1 of 4"), its negations ("not", "no", "never", "none",
"without", "n't" ... with the words they negate) and its comparisons ("more likely", "less successful").
`compare(claim, source)` lists the ways a claim contradicts a source passage and the claim's quantities
the passage does not state.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from index.review.numbers import Quantity, Token, claim_tokens, quantities
from index.search.analysis import STOPWORDS

_IRREGULAR = {
    "regrew": "regrow",
    "regrown": "regrow",
    "regrowth": "regrow",
    "grew": "grow",
    "grown": "grow",
    "growth": "grow",
    "children": "child",
    "kids": "child",
    "kid": "child",
    "people": "person",
    "lost": "lose",
    "losing": "lose",
    "took": "take",
    "taken": "take",
    "taking": "take",
    "began": "start",
    "begun": "start",
    "begin": "start",
    "beginning": "start",
    "went": "go",
    "led": "lead",
    "made": "make",
    "gave": "give",
    "given": "give",
    "severe": "serious",
    "subjects": "patient",
    "subject": "patient",
    "participants": "patient",
    "participant": "patient",
    "medication": "drug",
    "medications": "drug",
    "medicine": "drug",
    "medicines": "drug",
    "discontinue": "stop",
    "discontinued": "stop",
    "trial": "study",
    "trials": "study",
    # everyday paraphrases of the words leaflets use
    "mouth": "oral",
    "orally": "oral",
    "regain": "gain",
    "regained": "gain",
    "regaining": "gain",
    "physician": "doctor",
    "physicians": "doctor",
    "jab": "injection",
    "jabs": "injection",
    "shot": "injection",
    "shots": "injection",
    "tablet": "pill",
    "tablets": "pill",
    "capsule": "pill",
    "capsules": "pill",
}
_EXTRA_STOPWORDS = frozenset(
    "also however therefore thus may might must can could would should shall like even still often "
    "sometimes some many much another other said says say get got well including already since just "
    "across around approximately nearly almost roughly whether although though yet within among via upon "
    "onto toward towards again rather instead".split()
)
_NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "million billion half halves third thirds quarter quarters fifth fifths tenth tenths dozen".split()
)
_UNIT_WORDS = frozenset(
    "percent per cent pc day days week weeks month months year years old aged once twice thrice times "
    "daily weekly monthly yearly fortnightly annually nightly mg milligram milligrams mcg microgram "
    "micrograms gram grams ml".split()
)
NEGATION_CUES = frozenset("not no never none nobody nothing neither nor without cannot".split())
_NP_CUES = frozenset({"no", "without"})  # negate the noun phrase that follows
_LONG_CUES = frozenset({"none", "nobody", "nothing", "neither"})  # negate what the subject does next
_NOT_NEGATION = (("not", "only"), ("no", "doubt"))
_PHRASE_CUES = {
    ("rather", "than"): "rather than",
    ("instead", "of"): "instead of",
}  # "X rather than Y": not Y
_CLAUSE_END = frozenset(',;:.!?()[]"“”—–')
_CLAUSE_WORDS = frozenset({"but", "though", "although", "while", "whereas", "yet", "however", "which", "who"})
_COMPARATIVES = {
    "more": 1,
    "greater": 1,
    "higher": 1,
    "larger": 1,
    "better": 1,
    "increased": 1,
    "less": -1,
    "fewer": -1,
    "lower": -1,
    "smaller": -1,
    "worse": -1,
    "decreased": -1,
    "reduced": -1,
}
STOP = STOPWORDS | _EXTRA_STOPWORDS | _NUMBER_WORDS | _UNIT_WORDS | NEGATION_CUES | frozenset(_COMPARATIVES)


def claim_stem(word: str) -> str:
    """A light, deterministic stem: irregular forms, plurals, -ing/-ed/-ly/-ment, a final e."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if word in _IRREGULAR:
        word = _IRREGULAR[word]
        return word[:-1] if len(word) > 3 and word.endswith("e") else word
    if len(word) <= 3:
        return word
    if word.endswith(("ies", "ied")) and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix, minimum in (("ment", 8), ("ing", 6), ("ed", 5), ("ly", 6)):
        if word.endswith(suffix) and len(word) >= minimum:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
                word = word[:-1]  # stopped -> stop, signalling -> signal
            elif len(word) > 4 and word.endswith("ll") and suffix in {"ing", "ed"}:
                word = word[:-1]
            break
    word = _IRREGULAR.get(word, word)
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]  # take/taking -> tak, improve/improved -> improv
    return word


# International Nonproprietary Name stems: a word ending like this names a drug ("dupilumab", "ruxolitinib")
_DRUG_SUFFIXES = (
    "mab", "nib", "lisib", "sartan", "olol", "statin", "prazole", "conazole", "cycline", "mycin", "cillin",
    "floxacin", "vir", "dipine", "gliptin", "gliflozin", "parin", "xaban", "gatran", "lukast", "afil",
    "oxetine", "triptan", "caine", "sone", "olone", "profen", "coxib", "platin", "taxel", "rubicin",
    "trexate", "formin", "setron", "tidine", "azepam", "oxidil", "pril", "kinra",
)  # fmt: skip


def drug_names(text: str) -> frozenset[str]:
    """Lowercased words of `text` that are drug names by their INN stem (at least 7 letters)."""
    return frozenset(
        t.text
        for t in claim_tokens(text)
        if t.text.isalpha() and len(t.text) >= 7 and t.text.endswith(_DRUG_SUFFIXES)
    )


_CLITIC = re.compile(r"'(s|re|ll|ve|d|m)$")


def is_content(token: Token) -> bool:
    word = _CLITIC.sub("", token.text)  # "what's" is "what"
    return word[:1].isalpha() and word not in STOP and len(word) > 1


def content_terms(text: str) -> list[str]:
    """Stems of the words that carry a sentence's topic: no stopwords, numbers, units or negations."""
    return [claim_stem(t.text) for t in claim_tokens(text) if is_content(t) and not _is_nt(t.text)]


@dataclass(frozen=True)
class Negation:
    """A negation cue and the stems of the words it negates."""

    cue: str
    start: int
    end: int  # of the phrase: the cue and the words it negates
    scope: frozenset[str]
    phrase: str = ""  # the words of the sentence, "no serious adverse effects"


def _is_nt(word: str) -> bool:
    return word.endswith(("n't", "n’t")) or word in {"cannot", "can't"}


def negations(text: str) -> list[Negation]:
    """Negation cues and their scope: a noun phrase for "no"/"without", else the words up to the clause end."""
    toks = claim_tokens(text)
    found: list[Negation] = []
    for i, tok in enumerate(toks):
        word = tok.text
        following = toks[i + 1].text if i + 1 < len(toks) else ""
        phrase = _PHRASE_CUES.get((word, following))
        if phrase is not None:
            scope, end = _scope(toks[i + 2 :], 5, stop_at_stopword=False)
            end = max(end, toks[i + 1].end)
            found.append(Negation(phrase, tok.start, end, scope, text[tok.start : end]))
            continue
        if not (word in NEGATION_CUES or _is_nt(word)):
            continue
        if (word, following) in _NOT_NEGATION or (word == "not" and i > 1 and toks[i - 2].text == "whether"):
            continue
        if word in _NP_CUES:
            limit, stop_at_stopword = 4, True
        elif word in _LONG_CUES:
            limit, stop_at_stopword = 12, False
        else:
            limit, stop_at_stopword = 5, False
        scope, end = _scope(toks[i + 1 :], limit, stop_at_stopword)
        end = max(end, tok.end)
        found.append(Negation(word, tok.start, end, scope, text[tok.start : end]))
    return found


def _scope(following: list[Token], limit: int, stop_at_stopword: bool) -> tuple[frozenset[str], int]:
    """Stems of the negated words, and where the last of them ends."""
    scope: list[str] = []
    end = 0
    for nxt in following:
        if nxt.text in _CLAUSE_END or nxt.text in _CLAUSE_WORDS or len(scope) >= limit:
            break
        if is_content(nxt):
            scope.append(claim_stem(nxt.text))
            end = nxt.end
        elif stop_at_stopword and scope and nxt.text.isalpha():
            break
    return frozenset(scope), end


def comparatives(text: str) -> set[tuple[int, str]]:
    """(+1 or -1, stem of the compared word): "more likely" -> (1, "likely"), "less successful" -> (-1, ...)."""
    toks = claim_tokens(text)
    found: set[tuple[int, str]] = set()
    for i, tok in enumerate(toks[:-1]):
        sign = _COMPARATIVES.get(tok.text)
        if sign is None or toks[i + 1].text == "than":
            continue
        nxt = toks[i + 1]
        if is_content(nxt):
            found.add((sign, claim_stem(nxt.text)))
    return found


@dataclass(frozen=True)
class Analysis:
    """Everything the review compares about one sentence (or passage)."""

    text: str
    terms: frozenset[str]
    quantities: tuple[Quantity, ...]
    negations: tuple[Negation, ...]
    comparatives: frozenset[tuple[int, str]]

    @property
    def negated(self) -> frozenset[str]:
        return frozenset(term for n in self.negations for term in n.scope)


def analyse(text: str) -> Analysis:
    return Analysis(
        text=text,
        terms=frozenset(content_terms(text)),
        quantities=tuple(quantities(text)),
        negations=tuple(negations(text)),
        comparatives=frozenset(comparatives(text)),
    )


@dataclass
class Comparison:
    """How a claim fares against one source passage."""

    conflicts: list[str] = field(default_factory=list)  # human reasons: "number differs: ..."
    unmatched: list[Quantity] = field(default_factory=list)  # claim quantities the passage does not state

    @property
    def consistent(self) -> bool:
        return not self.conflicts and not self.unmatched


def compare(claim: Analysis, source: Analysis) -> Comparison:
    result = Comparison()
    for quantity in claim.quantities:
        if any(quantity.matches(other) for other in source.quantities):
            continue
        rivals = [other for other in source.quantities if quantity.rivals(other)]
        if rivals:
            rival = min(rivals, key=lambda other: abs(other.start - _position(quantity, claim, source)))
            result.conflicts.append(_number_reason(quantity, rival))
        else:
            result.unmatched.append(quantity)
    result.conflicts.extend(_negation_conflicts(claim, source))
    for sign, word in sorted(claim.comparatives):
        if (-sign, word) in source.comparatives:
            said, source_said = _comparison(claim.text, sign, word), _comparison(source.text, -sign, word)
            result.conflicts.append(
                f"comparison reversed: “{said}” in the answer, “{source_said}” in the source"
            )
    return result


def _comparison(text: str, sign: int, word: str) -> str:
    """The words of `text` that make the comparison (sign, word): "more likely"."""
    toks = claim_tokens(text)
    for tok, nxt in itertools.pairwise(toks):
        if _COMPARATIVES.get(tok.text) == sign and is_content(nxt) and claim_stem(nxt.text) == word:
            return text[tok.start : nxt.end]
    return word


def _position(quantity: Quantity, claim: Analysis, source: Analysis) -> int:
    """Where in the source the claim's quantity would sit, proportionally: breaks ties between rivals."""
    return int(quantity.start / max(len(claim.text), 1) * len(source.text))


def _number_reason(claim: Quantity, source: Quantity) -> str:
    what = {
        "percent": "number",
        "count": "number",
        "duration": "duration",
        "age": "age",
        "frequency": "frequency",
        "dose": "dose",
        "volume": "dose",
        "money": "amount",
        "year": "year",
    }.get(claim.kind, "number")
    same_number = claim.kind == source.kind and claim.number == source.number
    if same_number and claim.unit != source.unit and claim.kind != "frequency":
        what = "unit"
    if claim.kind == source.kind and claim.value == source.value and claim.bound != source.bound:
        what = "bound"
    return f"{what} differs: {claim.text} in the answer, {source.text} in the source"


def _negation_conflicts(claim: Analysis, source: Analysis) -> list[str]:
    conflicts: list[str] = []
    for side, negs, other, other_name in (
        ("source", source.negations, claim, "answer"),
        ("answer", claim.negations, source, "source"),
    ):
        for negation in negs:
            key = negation.scope & other.terms
            needed = min(2, len(negation.scope))
            if not negation.scope or len(key) < needed or len(key) < len(negation.scope) / 2:
                continue
            if key & other.negated:
                continue  # the other side negates the same thing
            conflicts.append(
                f"negation differs: the {side} says “{negation.phrase}”, the {other_name} does not"
            )
    return conflicts
