"""Personal names, as spans for the PHI scrubber, without a named-entity model.

Three signals, combined in the patient's favour:
  (a) faker's first- and last-name lists for en_US, en_GB, en_IE, en_NZ and en_IN (read from the installed
      package, offline), plus common short forms faker lacks;
  (b) cues: titles (Dr, Mrs, Nurse), introductions ("my name is", "I'm", "this is", "call me"), relations ("my
      son", "my wife,"), "for <Name>", greetings and sign-offs ("Hi Sam", "Thanks, Jane", a last line that is
      only a name);
  (c) capitalised words in mid-sentence that are not in a vocabulary of ordinary and medical words
      (service/insights/data, built by scripts/build_insights_vocabulary.py).
A word from the name lists that is also an ordinary word ("May", "Will", "Grace", "Hope") is kept at the start
of a sentence unless what follows makes it a person ("Grace has a rash", "Will Hartley"), and kept in lower
case unless a cue precedes it. Eponyms followed by "disease", "syndrome", ... ("Parkinson's disease") survive.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

Span = tuple[int, int, str]
FAKER_LOCALES = ("en_US", "en_GB", "en_IE", "en_NZ", "en_IN")
DATA = Path(__file__).resolve().parent / "data"
_PART = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_CLITICS = {"s", "ll", "re", "ve", "d", "m", "t"}
# short forms and names faker's lists lack
_EXTRA_NAMES = (
    "will bill bob rob tom tim jim jake zach zack kate katie liz beth becky jen jenny sam sammy alex andy "
    "chris mike mick dave steve pete nick matt ben dan danny joe jo sue pat patty meg maggie abby ally "
    "frankie ted teddy eddie ron ronnie don donnie jess josh"
).split()
# ordinary English words that are also given names: kept at a sentence start and in lower case
_AMBIGUOUS = (
    "may will grace hope faith joy june april august mark bill rose lily daisy pat sue art chase dawn summer "
    "ruby amber iris holly ivy violet heather rich frank drew gene hunter miles penny ray sandy autumn olive "
    "jade crystal candy destiny harmony melody patience prudence constance honor victory angel sky river "
    "brook glen dale wood lane hall page rock stone king love"
).split()
_MONTHS = set(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_MONTH_LEAD = set(
    "in since until till by last next this early late mid of from before after during through".split()
)
_EPONYM_NEXT = set(
    "disease diseases syndrome syndromes palsy sign signs test tests procedure operation disorder phenomenon "
    "reflex law rule criteria classification scale score sarcoma lymphoma ataxia chorea dementia "
    "paralysis anomaly dystrophy tumor tumour ulcer node nodes nodules maneuver manoeuvre method".split()
)
_TITLES = set(
    "dr doctor mr mrs ms miss mx prof professor nurse sister matron sir dame rev reverend father pastor".split()
)
_RELATIONS = set(
    "son sons daughter daughters husband wife partner mum mom mother dad father brother sister baby child kid "
    "kids grandson granddaughter grandma grandmother grandpa grandfather granny gran nan nana nanna aunt "
    "auntie uncle niece nephew friend boyfriend girlfriend fiance fiancee fiancé neighbour neighbor carer "
    "caregiver boss colleague stepson stepdaughter stepmom stepmum stepdad twin twins toddler cousin "
    "teenager infant newborn gp dentist surgeon consultant physician pediatrician paediatrician midwife "
    "therapist pharmacist cat dog".split()
)
_GREETINGS = set(
    "hi hello hey dear thanks thank regards cheers best love sincerely yours from signed".split()
)
_SUBJECT_VERBS = set(
    "has had is was takes took gets got needs needed said says keeps kept can't cannot won't doesn't isn't "
    "wasn't hasn't didn't and who whose just also still".split()
)
_STOP = set("i a an the and or but of to in on at for with my your his her our their it this that".split())
_SENTENCE_BREAK = re.compile(r"[.!?:;\n(\"“]|^\s*$|\s-\s")


def load_name_list() -> frozenset[str]:
    """Lower-cased first and last names (and their parts) from faker's English locales, plus short forms."""
    found: set[str] = set(_EXTRA_NAMES)
    for locale in FAKER_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in (
            "first_names",
            "first_names_male",
            "first_names_female",
            "first_names_nonbinary",
            "last_names",
        ):
            for name in getattr(provider, attribute, ()):
                found.update(
                    part.lower().replace("’", "'") for part in _PART.findall(str(name)) if len(part) > 1
                )
    return frozenset(found)


def _read(name: str) -> frozenset[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str
    base: str  # lower case, clitic removed: "Jane's" -> "jane"
    capital: bool
    initial: bool  # first word of a sentence, where capitals say nothing


class NameFinder:
    """Loads the lists once; `spans(text)` is pure and thread-safe."""

    def __init__(self) -> None:
        self.names = load_name_list()
        self.words = _read("words.txt")  # ordinary words of medical text, names only when very common
        self.namewords = _read("namewords.txt") | frozenset(_AMBIGUOUS)
        self.common = _read("common.txt")  # everyday English, names removed
        self.proper = _read("proper.txt")  # eponyms, brands, organisations

    def _tokens(self, text: str) -> list[_Token]:
        tokens: list[_Token] = []
        previous_end = 0
        for match in _TOKEN.finditer(text):
            word = match.group().replace("’", "'")
            head, _, tail = word.lower().partition("'")
            base = head if tail in _CLITICS else word.lower()
            gap = text[previous_end : match.start()]
            initial = not tokens or bool(_SENTENCE_BREAK.search(gap))
            tokens.append(_Token(match.start(), match.end(), word, base, word[0].isupper(), initial))
            previous_end = match.end()
        return tokens

    def _ordinary(self, token: _Token) -> bool:
        """An ordinary or medical word, whatever its capitals."""
        return token.base in self.words or token.text in self.proper or token.base.capitalize() in self.proper

    def _plausible(self, token: _Token) -> bool:
        """Could be (part of) a name: in the name lists, or a capitalised word we do not know."""
        if token.base in _STOP or len(token.base) < 2:
            return False
        if token.base in self.names:
            return True
        known = self._ordinary(token) or (token.initial and token.base in self.common)
        return token.capital and not known

    def spans(self, text: str) -> Iterator[Span]:
        """Name spans of `text`, in which spans already found by other detectors are blanked out."""
        tokens = self._tokens(text)
        marked = [False] * len(tokens)
        for i in range(len(tokens)):
            marked[i] = self._is_name(tokens, i, marked)
        # a name continues over following capitalised name-like words: "Dr Jane Smith", "Zebulon Quarterfield"
        for i in range(1, len(tokens)):
            if marked[i - 1] and not marked[i] and tokens[i].capital and not tokens[i].initial:
                between = text[tokens[i - 1].end : tokens[i].start]
                if between in {" ", "-", " -", "- "} and self._plausible(tokens[i]):
                    marked[i] = True
        # and backwards over a capitalised word just before one: "Marguerite Zeller" at a sentence start
        for i in range(len(tokens) - 2, -1, -1):
            if (
                marked[i + 1]
                and not marked[i]
                and tokens[i].capital
                and not tokens[i + 1].initial
                and text[tokens[i].end : tokens[i + 1].start] in {" ", "-"}
                and tokens[i].base not in _STOP | _TITLES
            ):
                marked[i] = tokens[i].base in self.names or not self._ordinary(tokens[i])
        for token, is_name in zip(tokens, marked, strict=True):
            if is_name:
                yield (
                    token.start,
                    token.start + len(token.base) if token.base != token.text.lower() else token.end,
                    "name",
                )

    def _cue(self, tokens: list[_Token], i: int) -> str:
        """'strong', 'weak' or '' for what precedes tokens[i]."""
        before = [t.base for t in tokens[max(0, i - 3) : i]]
        last = before[-1] if before else ""
        if last in _TITLES and (
            i < 1 or tokens[i - 1].capital or last in {"dr", "mr", "mrs", "ms", "mx", "prof"}
        ):
            return "strong"
        if before[-3:] == ["my", "name", "is"] or before[-2:] in (
            ["name", "is"],
            ["call", "me"],
            ["name", "s"],
        ):
            return "strong"
        if last in {"named", "called", "signed", "name"}:
            return "strong"
        if last in _GREETINGS or before[-2:] == ["thank", "you"]:
            return "weak"
        if before[-2:] in (["i", "am"], ["this", "is"], ["it", "is"]) or last in {
            "i'm",
            "im",
            "it's",
            "for",
            "with",
            "and",
        }:
            return "weak" if last not in {"with", "and"} else ("weak" if tokens[i].capital else "")
        if (
            last in _RELATIONS
            and len(before) >= 2
            and before[-2] in {"my", "our", "his", "her", "their", "your"}
        ):
            return "weak"
        return ""

    def _is_name(self, tokens: list[_Token], i: int, marked: list[bool]) -> bool:
        token = tokens[i]
        if (
            token.base in _STOP
            or token.base in _TITLES
            or len(token.base) < 2
            or token.text.lower() in {"i'm", "i'll", "i've", "i'd"}
        ):
            return False
        cue = self._cue(tokens, i)
        in_names = token.base in self.names
        upper = token.text.isupper() and len(token.text) > 1
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if cue == "strong":
            return token.capital or in_names or not (self._ordinary(token) or token.base in self.common)
        if cue == "weak" and (token.capital or in_names):
            if token.capital and not upper:
                return in_names or not self._ordinary(token)
            return in_names and not self._ordinary(token) and token.base not in self.namewords
        if not token.capital:
            # lower case with no cue: only a first name followed by a surname ("john smith")
            return (
                in_names
                and token.base not in self.words
                and token.base not in self.namewords
                and token.base not in self.common
                and nxt is not None
                and nxt.base in self.names
                and nxt.base not in self.words
                and nxt.base not in self.namewords
                and not nxt.capital
            ) or (i > 0 and marked[i - 1] and in_names and token.base not in self.words)
        if upper:
            if len(token.base) <= 5 and not in_names:
                return False
            return (in_names and token.base not in self.words) or not (
                self._ordinary(token) or token.base in self.common
            )
        if in_names:
            if token.base in _MONTHS and i > 0 and tokens[i - 1].base in _MONTH_LEAD:
                return False
            if nxt is not None and nxt.base in _EPONYM_NEXT:
                return False
            ordinary = token.base in self.words or token.base in self.namewords
            if token.initial and ordinary:
                return nxt is not None and (
                    nxt.base in _SUBJECT_VERBS or (nxt.capital and self._plausible(nxt))
                )
            return True
        if self._ordinary(token):
            return False
        if token.initial:
            return token.base not in self.common
        return True
