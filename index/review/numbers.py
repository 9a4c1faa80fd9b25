"""Quantities in English sentences: digits and number words with their units, normalised for comparison.

"Seventy-five percent of patients" -> percent 75 about {person}; "three-to-six months" -> durations of 91
and 183 days; "twice a day" -> frequency 2 a day; "weekly" -> 1/7 a day; "a third" -> percent 33.3;
"1 of 4 adults" -> percent 25 plus the counts 1 and 4; "13-year-old" -> age 13; "July 2017" -> year 2017;
"20 mg" -> dose 20 mg. Identifiers ("IL-13") and phone numbers are not quantities.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from index.search.analysis import STOPWORDS

_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[A-Za-z]+(?:['’][A-Za-z]+)*|[^\sA-Za-z0-9]")


def _digit(word: str) -> bool:
    """Whether a token starts with 0-9 (str.isdigit also says yes to "³" and "⑤", which float() refuses)."""
    return "0" <= word[:1] <= "9"


_PHONE = re.compile(r"\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b|\b0\d{2,4}\s\d{3,4}\s\d{3,4}\b")
_SMALL = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {w: 10 * n for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_SCALES = {"hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "dozen": 12.0}
_FRACTIONS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5}
_FRACTIONS |= {"fifths": 5, "tenth": 10, "tenths": 10}
_PERIODS = {"hour": 1 / 24, "day": 1.0, "week": 7.0, "fortnight": 14.0, "month": 30.44, "year": 365.25}
_PERIOD_WORDS = {p: p for p in _PERIODS} | {f"{p}s": p for p in _PERIODS}
_PERIOD_WORDS |= {"wk": "week", "wks": "week", "mo": "month", "mos": "month", "yr": "year", "yrs": "year"}
_ADVERBS = {"daily": "day", "weekly": "week", "fortnightly": "fortnight", "monthly": "month"}
_ADVERBS |= {"yearly": "year", "annually": "year", "nightly": "day"}
_TIMES = {"once": 1, "twice": 2, "thrice": 3}
_DOSES = {"mg": ("dose", "mg", 1.0), "milligram": ("dose", "mg", 1.0), "milligrams": ("dose", "mg", 1.0)}
_DOSES |= {"g": ("dose", "mg", 1e3), "gram": ("dose", "mg", 1e3), "grams": ("dose", "mg", 1e3)}
_DOSES |= {"mcg": ("dose", "mg", 1e-3), "microgram": ("dose", "mg", 1e-3), "micrograms": ("dose", "mg", 1e-3)}
_DOSES |= {
    "ml": ("volume", "ml", 1.0),
    "millilitre": ("volume", "ml", 1.0),
    "milliliter": ("volume", "ml", 1.0),
}
_MONEY = {"$": "USD", "£": "GBP", "€": "EUR", "dollar": "USD", "dollars": "USD", "pound": "GBP"}
_MONEY |= {"pounds": "GBP", "euro": "EUR", "euros": "EUR"}
_MIN_BEFORE = (("more", "than"), ("greater", "than"), ("at", "least"), ("over",), ("above",))
_MAX_BEFORE = (("less", "than"), ("fewer", "than"), ("up", "to"), ("at", "most"), ("under",), ("below",))
_MIN_AFTER = frozenset({"more", "greater", "higher", "over", "above", "longer"})
_MAX_AFTER = frozenset({"less", "fewer", "lower", "under", "below", "shorter"})
_APPROX = frozenset({"about", "approximately", "around", "nearly", "almost", "roughly", "circa", "~"})
_DETERMINERS = frozenset(
    {"the", "their", "his", "her", "its", "these", "those", "our", "your", "all", "a", "an"}
)
_PEOPLE = frozenset(
    "patient patients subject subjects participant participants person persons people individual individuals "
    "adult adults child children kid kids volunteer volunteers man men woman women case cases".split()
)
_TOLERANCE = {"percent": 1.0}  # absolute, in percentage points; other kinds are relative
_RELATIVE = {"duration": 0.05, "frequency": 0.05, "age": 0.02}


@dataclass(frozen=True)
class Token:
    text: str  # lowercased, typographic apostrophe as '
    start: int
    end: int


def claim_tokens(text: str) -> list[Token]:
    return [Token(m.group().lower().replace("’", "'"), m.start(), m.end()) for m in _TOKEN.finditer(text)]


@dataclass(frozen=True)
class Quantity:
    """A number with its unit. `value` is normalised: percent 0-100, days, years of age, times a day, mg."""

    kind: str  # percent, count, duration, age, frequency, dose, volume, money, year
    value: float
    number: float  # as written
    unit: str
    text: str  # the words in the sentence
    start: int
    end: int
    about: frozenset[str] = frozenset()  # what is counted ("person", "hair"...), when the sentence says
    bound: str | None = None  # "min": more than / or more; "max": less than / up to
    approx: bool = False

    @property
    def bare(self) -> bool:
        """A number with no unit and nothing counted ("since she was two"): matches the same number."""
        return self.kind == "count" and not self.about

    def matches(self, other: Quantity) -> bool:
        if self.bare or other.bare:
            return math.isclose(self.number, other.number) or math.isclose(self.value, other.value)
        if self.kind != other.kind or (self.bound and other.bound and self.bound != other.bound):
            return False
        if not _close(self.kind, self.value, other.value, self.approx or other.approx):
            return False
        return not self.about or not other.about or bool(self.about & other.about)

    def rivals(self, other: Quantity) -> bool:
        """Does `other` state the same kind of thing, so that a different value contradicts this one?"""
        if self.bare or other.bare or self.kind != other.kind:
            return False
        if self.kind == "count":
            return bool(self.about & other.about)
        if self.kind == "percent":
            return not self.about or not other.about or bool(self.about & other.about)
        return True


def _close(kind: str, a: float, b: float, approx: bool) -> bool:
    if kind in _TOLERANCE:
        return abs(a - b) <= _TOLERANCE[kind] * (3 if approx else 1)
    relative = max(_RELATIVE.get(kind, 1e-9), 0.1 if approx else 0.0)
    return math.isclose(a, b, rel_tol=relative, abs_tol=1e-9)


def _noun(word: str) -> str:
    if word in _PEOPLE:
        return "person"
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


class _Reader:
    """Walks the tokens of one sentence and collects its quantities."""

    def __init__(self, text: str) -> None:
        self.text = text
        masked = [m.span() for m in _PHONE.finditer(text)]
        self.toks = [t for t in claim_tokens(text) if not any(a <= t.start < b for a, b in masked)]
        self.found: list[Quantity] = []

    def word(self, i: int) -> str:
        return self.toks[i].text if 0 <= i < len(self.toks) else ""

    def adjacent(self, i: int, j: int) -> bool:
        return 0 <= i < j < len(self.toks) and self.toks[i].end == self.toks[j].start

    def run(self) -> list[Quantity]:
        i = 0
        while i < len(self.toks):
            i = self.step(i)
        return self.found

    def step(self, i: int) -> int:
        w = self.word(i)
        if w in _TIMES or w in _ADVERBS or w == "every":
            j = self.frequency(i, float(_TIMES.get(w, 1)), i + (0 if w in _ADVERBS else 1))
            if j is not None:
                return j
        if w in {"a", "one"} and self.word(i + 1) in _FRACTIONS and self.word(i + 2) != "-":
            return self.percent(i, i + 2, 100 / _FRACTIONS[self.word(i + 1)])
        if w == "half" and self.word(i + 1) != "-" and self.word(i - 1) != "a":
            return self.percent(i, i + 1, 50.0)
        if w in _MONEY and not w.isalpha():
            read = self.number(i + 1)
            if read is not None:
                value, j = read
                return self.add("money", value, value, _MONEY[w], i, j)
        read = self.number(i)
        return i + 1 if read is None else self.after_number(i, *read)

    def number(self, i: int) -> tuple[float, int] | None:
        """(value, index after) of the number at token i: digits, or words such as "seventy-five"."""
        w = self.word(i)
        if _digit(w):
            if self.is_identifier(i):
                return None  # IL-13, B12
            if self.adjacent(i, i + 1) and self.word(i + 1)[:1].isalpha() and self.word(i + 1) not in _DOSES:
                return None  # 4th, 3x
            if w.count(",") and not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", w):
                return None
            value, j = float(w.replace(",", "")), i + 1
        elif w in _SMALL or w in _TENS:
            value, j = 0.0, i
            total = 0.0
            while True:
                nxt = self.word(j)
                if nxt in _SMALL or nxt in _TENS:
                    value += _SMALL.get(nxt, _TENS.get(nxt, 0))
                elif nxt == "-" and self.word(j - 1) in _TENS and self.word(j + 1) in _SMALL:
                    pass
                elif (
                    nxt == "and" and self.word(j - 1) in _SCALES and self.word(j + 1) in _SMALL.keys() | _TENS
                ):
                    pass  # "one hundred and five"
                elif nxt == "hundred":
                    value = max(value, 1) * 100
                elif nxt in _SCALES and nxt != "dozen":
                    total, value = total + max(value, 1) * _SCALES[nxt], 0.0
                else:
                    break
                j += 1
            value += total
        else:
            return None
        while self.word(j) in _SCALES and _digit(w):
            value *= _SCALES[self.word(j)]
            j += 1
        if self.word(j) == "and" and self.word(j + 1) == "a" and self.word(j + 2) == "half":
            value, j = value + 0.5, j + 3
        return value, j

    def is_identifier(self, i: int) -> bool:
        before = self.word(i - 1)
        if not self.adjacent(i - 1, i):
            return False
        if before[:1].isalpha():
            return True
        hyphenated = before == "-" and self.adjacent(i - 2, i - 1) and self.word(i - 2)[:1].isalpha()
        return hyphenated and self.word(i - 2) not in {"to", "and", "or"}

    def after_number(self, i: int, value: float, j: int) -> int:
        w = self.word(j)
        if w in _FRACTIONS and value <= 10 and self.word(j + 1) != "-":
            return self.percent(i, j + 1, value * 100 / _FRACTIONS[w])
        # a range: "3 to 6 months", "three-to-six months", "between 2 and 4 weeks"
        k = None
        if w == "-" and self.word(j + 1) == "to" and self.word(j + 2) == "-":
            k = j + 3
        elif w in {"to", "-", "–", "—", "or"} or (w == "and" and self.word(i - 1) == "between"):
            k = j + 1
        if k is not None:
            second = self.number(k)
            if second is not None and self.unit(second[1]) is not None:
                end = self.unit_end(second[1])
                self.unit_quantity(i, value, second[1], start=i, end=end)
                self.unit_quantity(k, second[0], second[1], start=i, end=end)
                return end
        if self.unit(j) is not None:
            end = self.unit_end(j)
            self.unit_quantity(i, value, j, start=i, end=end)
            return end
        # a proportion: "1 of 4 adults", "nine of the 12 patients", "one in four", "3 out of 5"
        k = j + 2 if (w == "out" and self.word(j + 1) == "of") else j + 1 if w in {"of", "in"} else None
        if k is not None:
            k += 1 if self.word(k) in {"the", "every", "each"} else 0
            second = self.number(k)
            if second is not None and second[0] > 0 and value <= second[0] and not self.year_like(k):
                about = self.about(second[1])
                last = second[1] - 1
                self.add("percent", value / second[0] * 100, value / second[0] * 100, "%", i, last + 1, about)
                self.add("count", value, value, "", i, i + 1, about)
                self.add("count", second[0], second[0], "", k, last + 1, about)
                return second[1]
        if self.year_like(i):
            return self.add("year", value, value, "", i, j)
        if self.word(i - 1) == "aged" or (self.word(i - 1) == "of" and self.word(i - 2) == "age"):
            return self.add("age", value, value, "year", i, j)
        return self.add("count", value, value, "", i, j, self.about(j))

    def year_like(self, i: int) -> bool:
        w = self.word(i)
        return w.isascii() and w.isdigit() and len(w) == 4 and 1800 <= int(w) <= 2199

    def unit(self, j: int) -> tuple[str, str, float] | None:
        """(kind, unit, factor) of the unit at token j, or None."""
        if self.word(j) == "-" and self.adjacent(j - 1, j):
            j += 1
        w, nxt = self.word(j), self.word(j + 1)
        if w in {"%", "percent"} or (w == "per" and nxt == "cent"):
            return "percent", "%", 1.0
        if w in _PERIOD_WORDS:
            period = _PERIOD_WORDS[w]
            old = (nxt == "-" and self.word(j + 2) == "old") or nxt == "old"
            if old or (nxt, self.word(j + 2)) == ("of", "age") or self.age_before(j):
                return "age", "year", _PERIODS[period] / 365.25
            return "duration", period, _PERIODS[period]
        if w == "times" and (nxt in {"a", "per", "each", "every"} and self.word(j + 2) in _PERIOD_WORDS):
            return (
                "frequency",
                f"a {_PERIOD_WORDS[self.word(j + 2)]}",
                1 / _PERIODS[_PERIOD_WORDS[self.word(j + 2)]],
            )
        if w == "times" and nxt in _ADVERBS:
            return "frequency", f"a {_ADVERBS[nxt]}", 1 / _PERIODS[_ADVERBS[nxt]]
        if w in _DOSES:
            kind, unit, factor = _DOSES[w]
            return kind, unit, factor
        if w in _MONEY and w.isalpha():
            return "money", _MONEY[w], 1.0
        return None

    def age_before(self, j: int) -> bool:
        """ "the age of 7 months", "aged 13 years": the unit at j gives an age."""
        k = j - 1 - (self.word(j - 1) == "-")
        return self.word(k - 1) == "aged" or (self.word(k - 1), self.word(k - 2)) == ("of", "age")

    def unit_end(self, j: int) -> int:
        if self.word(j) == "-" and self.adjacent(j - 1, j):
            j += 1
        w, nxt = self.word(j), self.word(j + 1)
        if w == "per" and nxt == "cent":
            return j + 2
        if w in _PERIOD_WORDS and nxt == "-" and self.word(j + 2) == "old":
            return j + 3
        if w in _PERIOD_WORDS and nxt == "old":
            return j + 2
        if w == "times":
            return j + (2 if nxt in _ADVERBS else 3)
        return j + 1

    def unit_quantity(self, at: int, value: float, unit_at: int, *, start: int, end: int) -> None:
        unit = self.unit(unit_at)
        assert unit is not None
        kind, name, factor = unit
        about = self.about(end + 1) if kind == "percent" and self.word(end) == "of" else frozenset()
        self.add(kind, value * factor, value, name, start, end, about)

    def percent(self, start: int, end: int, value: float) -> int:
        about = self.about(end + 1) if self.word(end) == "of" else frozenset()
        return self.add("percent", value, value, "%", start, end, about)

    def frequency(self, i: int, times: float, j: int) -> int | None:
        """ "twice a day", "once weekly", "every two weeks", "every other day", "daily", "weekly"."""
        w = self.word(i)
        if w in _ADVERBS:
            return self.add("frequency", 1 / _PERIODS[_ADVERBS[w]], 1, f"a {_ADVERBS[w]}", i, i + 1)
        if w == "every":
            every = 1.0
            if self.word(j) == "other":
                every, j = 2.0, j + 1
            elif (read := self.number(j)) is not None:
                every, j = read
            period = _PERIOD_WORDS.get(self.word(j))
            if period is None or every <= 0:
                return None
            return self.add("frequency", 1 / (every * _PERIODS[period]), 1, f"every {period}", i, j + 1)
        if self.word(j) in _ADVERBS:
            period = _ADVERBS[self.word(j)]
            return self.add("frequency", times / _PERIODS[period], times, f"a {period}", i, j + 1)
        if self.word(j) in {"a", "per", "each", "every"} and self.word(j + 1) in _PERIOD_WORDS:
            period = _PERIOD_WORDS[self.word(j + 1)]
            return self.add("frequency", times / _PERIODS[period], times, f"a {period}", i, j + 2)
        return None

    def about(self, j: int) -> frozenset[str]:
        """The noun a number counts: up to two words after it, past determiners and other numbers."""
        words: list[str] = []
        while j < len(self.toks) and len(words) < 2:
            w = self.word(j)
            if not words and w in _DETERMINERS:
                j += 1
                continue
            if not words and (read := self.number(j)) is not None:
                j = read[1]
                continue
            if not w[:1].isalpha() or w in STOPWORDS:
                break
            words.append(_noun(w))
            j += 1
        return frozenset(words)

    def add(
        self,
        kind: str,
        value: float,
        number: float,
        unit: str,
        i: int,
        j: int,
        about: frozenset[str] = frozenset(),
    ) -> int:
        before = tuple(self.word(k) for k in range(i - 2, i))
        bound = None
        if any(before[-len(p) :] == p for p in _MIN_BEFORE) or (
            self.word(j) == "or" and self.word(j + 1) in _MIN_AFTER
        ):
            bound = "min"
        elif any(before[-len(p) :] == p for p in _MAX_BEFORE) or (
            self.word(j) == "or" and self.word(j + 1) in _MAX_AFTER
        ):
            bound = "max"
        approx = self.word(i - 1) in _APPROX
        start, end = self.toks[i].start, self.toks[max(j - 1, i)].end
        self.found.append(
            Quantity(kind, value, number, unit, self.text[start:end], start, end, about, bound, approx)
        )
        return max(j, i + 1)


def quantities(text: str) -> list[Quantity]:
    """Every quantity a sentence states, in order."""
    return _Reader(text).run()
