"""Dates and ages over 89, as spans for the PHI scrubber (service/insights/scrubbing.py).

Every written form of a calendar date is a span, whether or not it is a birth date: numeric (03/04/1961,
3-4-61, 1961-04-03, 3.4.61, 03 04 1961), with a month name (3rd March 1961, March 3, 1961, 3 Mar 61,
3rd of March, March 3rd, March 1961, Mar '61), years on their own (1900-2099, unless a unit follows: "2000 mg")
and two-digit years after a birth cue ("born in 61", "DOB 61"). A month name alone ("since May") is kept.
Ages over 89 ("I'm 92", "93 years old", "a 95-year-old", "aged 101", "in her nineties") are AGE spans: HIPAA's
Safe Harbor method counts them as identifiers, younger ages are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

Span = tuple[int, int, str]

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:19|20)\d{2}|['’]\d{2}|\d{2})"
_UNITS = (
    r"mg|mcg|µg|ug|g|kg|ml|mls|l|iu|units?|mmol|cal|kcal|calories|steps|times|tablets?|pills?|caps(?:ules)?|"
    r"doses?|mile|miles|km|m|ft|feet|lbs?|pounds|ounces|oz|people|patients|cases|dollars"
)

_PATTERNS: tuple[re.Pattern[str], ...] = (
    # numeric day-month-year and year-month-day, with / - . or spaces
    re.compile(r"(?<![\d.])\d{1,2}\s?([/.-])\s?\d{1,2}\s?\1\s?(?:\d{4}|\d{2})(?![\d.]*\d)"),
    re.compile(r"(?<![\d.])\d{1,2} \d{1,2} (?:19|20)\d{2}(?!\d)"),
    re.compile(r"(?<![\d.])(?:19|20)\d{2}([/.-])\d{1,2}\1\d{1,2}(?!\d)"),
    # month names: 3rd (of) March(,) 1961 / March 3rd(,) 1961 / March 1961 / Mar '61
    re.compile(rf"\b{_DAY}(?:\s+of)?[\s-]+{_MONTH}(?:,?[\s-]+{_YEAR})?(?![\w'’])", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?(?![\w'’])", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}[\s,-]+(?:(?:19|20)\d{{2}}|['’]\d{{2}})(?!\d)", re.IGNORECASE),
    # years on their own, unless a unit or count follows
    re.compile(rf"(?<![\d.,£$€])(?:19|20)\d{{2}}s?(?![\d.,]\d)(?!\s*(?:{_UNITS})\b)(?!\s*%)", re.IGNORECASE),
    re.compile(r"(?<!\w)['’]\d{2}\b"),
)

# two-digit years and bare day/month after an explicit birth cue: "born in 61", "DOB 61", "b. 61"
_BIRTH_CUE = re.compile(
    r"\b(?:born|birth(?:day|date)?|dob|d\.o\.b\.?|date of birth|b\.)\s*(?:is|was|on|in|year|:|-|=)?\s*"
    r"(?:is|was|on|in)?\s*(?P<value>\d{1,2}(?:[/.-]\d{1,2})?|\d{4})(?![\d/.-]*\d)",
    re.IGNORECASE,
)

_AGE_NUMBER = r"(?P<age>\d{2,3})"
_AGE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"(?<![\d.]){_AGE_NUMBER}\s*(?:-|\s)?\s*(?:years?|yrs?|y/?o|yo)\b", re.IGNORECASE),
    re.compile(
        rf"\b(?:aged?|i'?m|i am|he'?s|she'?s|he is|she is|is|was|turned|turning|turns|now)\s+{_AGE_NUMBER}(?![\d.,]\d)"
        r"(?!\s*(?:mg|mcg|ml|kg|lbs?|pounds|%|degrees|minutes|mins|hours|days|weeks|months|times|tablets|pills))",
        re.IGNORECASE,
    ),
)
_AGE_WORDS = re.compile(
    r"\b(?:ninety|a hundred|one hundred)(?:[\s-]+(?:and\s+)?(?:one|two|three|four|five|six|seven|eight|nine|\w+))?"
    r"(?:[\s-]+years?(?:[\s-]+old)?|[\s-]+year-old|\b)|\b(?:in\s+(?:his|her|their|my)\s+)(?:nineties|90s|'90s)\b|"
    r"\bnonagenarian\b|\bcentenarian\b",
    re.IGNORECASE,
)


def date_spans(text: str) -> Iterator[Span]:
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            yield match.start(), match.end(), "date"
    for match in _BIRTH_CUE.finditer(text):
        yield match.start("value"), match.end("value"), "date"


def age_spans(text: str) -> Iterator[Span]:
    for pattern in _AGE_PATTERNS:
        for match in pattern.finditer(text):
            if int(match.group("age")) >= 90:
                yield match.start("age"), match.end("age"), "age"
    for match in _AGE_WORDS.finditer(text):
        yield match.start(), match.end(), "age"
