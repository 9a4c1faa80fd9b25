"""Scrub personal identifiers from a patient's question before it is kept for staff to review.

What it catches (each replaced by a placeholder, counted per kind in `Scrubbed.found`):
  [EMAIL] [URL] [PHONE] (US and UK numbering plans) [HANDLE] (Twitter) [CREDENTIAL] (user/password pairs),
  via scrubadub's maintained detectors; [ADDRESS]: street addresses, PO boxes, flats and units, UK
  postcodes (scrubadub) and US ZIP codes; [NUMBER]: SSN, NI and credit-card numbers (scrubadub), labelled
  record/account/insurance/NHS/policy numbers, letter-digit identifiers and any run of five or more digits;
  [DATE]: every written form of a date and any year 1900-2099 (service/insights/dates.py); [AGE]: ages over 89;
  [NAME]: names from faker's English name lists, names after cues ("my name is", "Dr", "my son", "Thanks,")
  and unknown capitalised words (service/insights/names.py).

What it cannot catch: a name that is also an ordinary or medical word and has no cue ("ask Hope about it"
is caught, "hope" in lower case is not); a lower-case surname on its own ("smith said"); an unusual name spelt
like a drug or an eponym in our vocabulary ("Crohn"); identifiers in words ("born on the third of March")
beyond day and month names with numbers; a town or a hospital on its own ("I live in Leeds"); and anything
identifying in the story itself ("the only vet in our village"). It errs towards scrubbing: an unknown
capitalised word (a rare brand name) becomes [NAME].

Why these libraries: scrubadub is the maintained open-source PHI/PII scrubber; its detectors for contact
details and national numbers are tested and need no model (its text_blob name detector would run NLTK's
tagger and its date_of_birth detector the slow dateparser: neither is used). phonenumbers (libphonenumber)
is what scrubadub's phone detector runs on. faker ships first- and last-name lists for many English-speaking
locales inside the package, so names need no download; a statistical NER model would add hundreds of MB and
a download to a service that must run offline.

Nothing here logs or prints the text it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from service.insights.dates import age_spans, date_spans
from service.insights.locators import (
    address_spans,
    build_detectors,
    contact_spans,
    number_spans,
    scrubadub_spans,
)
from service.insights.names import NameFinder

PLACEHOLDERS = {
    "name": "[NAME]",
    "date": "[DATE]",
    "age": "[AGE]",
    "phone": "[PHONE]",
    "email": "[EMAIL]",
    "address": "[ADDRESS]",
    "number": "[NUMBER]",
    "url": "[URL]",
    "credential": "[CREDENTIAL]",
    "handle": "[HANDLE]",
}
# when two spans overlap, the longer wins; on a tie, the earlier kind here
_PRIORITY = ("email", "url", "credential", "address", "phone", "date", "age", "number", "handle", "name")


@dataclass(frozen=True)
class Scrubbed:
    text: str
    found: dict[str, int] = field(default_factory=dict)


def _resolve(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Non-overlapping spans, in text order: an overlap is merged into one span of the stronger kind."""
    ordered = sorted(
        (s for s in spans if s[1] > s[0]), key=lambda s: (s[0], -(s[1] - s[0]), _PRIORITY.index(s[2]))
    )
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in ordered:
        if merged and start < merged[-1][1]:
            last_start, last_end, last_kind = merged[-1]
            stronger = (
                last_kind
                if (last_end - last_start, -_PRIORITY.index(last_kind))
                >= (end - start, -_PRIORITY.index(kind))
                else kind
            )
            merged[-1] = (last_start, max(last_end, end), stronger)
        else:
            merged.append((start, end, kind))
    return merged


class PhiScrubber:
    """Build once (loads the name lists and vocabularies, about a second); `scrub` is thread-safe."""

    def __init__(self) -> None:
        self._scrubadub = build_detectors()
        self._names = NameFinder()

    def scrub(self, text: str) -> Scrubbed:
        spans = list(scrubadub_spans(self._scrubadub, text))
        spans += address_spans(text)
        spans += date_spans(text)
        spans += age_spans(text)
        spans += contact_spans(text)
        spans += number_spans(text)
        resolved = _resolve(spans)
        masked = list(text)
        for start, end, _ in resolved:
            masked[start:end] = " " * (end - start)
        spans = resolved + list(self._names.spans("".join(masked)))
        resolved = _resolve(spans)
        out: list[str] = []
        found: dict[str, int] = {}
        position = 0
        for start, end, kind in resolved:
            gap = text[position:start]
            if kind == "name" and out and out[-1] == PLACEHOLDERS["name"] and gap in {" ", "-", " -", "- "}:
                position = end  # "Jane Smith" -> one [NAME]
                continue
            out.append(gap)
            out.append(PLACEHOLDERS[kind])
            found[kind] = found.get(kind, 0) + 1
            position = end
        out.append(text[position:])
        return Scrubbed(text="".join(out), found=found)
