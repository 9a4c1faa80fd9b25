"""Contact details, addresses and identifying numbers, as spans for the PHI scrubber.

scrubadub's maintained detectors find emails, URLs, phone numbers (through Google's libphonenumber port, for
US and UK numbering plans), UK postcodes, US social security and UK national insurance numbers, credit cards,
username/password pairs and Twitter handles; our own rules add street addresses, US ZIP codes, labelled record
numbers ("MRN 4471-22", "NHS no: 943 476 5919", "policy AB12345"), letter-digit identifiers and any run of
five or more digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import scrubadub
import scrubadub.detectors
import scrubadub.detectors.en_GB
import scrubadub.detectors.en_US

Span = tuple[int, int, str]

_SCRUBADUB_KIND = {
    "email": "email",
    "url": "url",
    "phone": "phone",
    "phone_gb": "phone",
    "postalcode": "address",
    "social_security_number": "number",
    "national_insurance_number": "number",
    "credit_card": "number",
    "credential": "credential",
    "twitter": "handle",
}

_SUFFIX = (
    r"(?i:street|st|road|rd|avenue|ave|lane|ln|drive|dr|court|ct|boulevard|blvd|way|place|pl|close|crescent|cres|"
    r"terrace|gardens|square|sq|parkway|pkwy|highway|hwy|circle|cir|row|mews|grove|hill|walk|park|green)\.?"
)
_SUFFIX_WORD = (
    r"(?:street|road|avenue|lane|drive|court|boulevard|close|crescent|terrace|gardens|square|parkway|highway|"
    r"circle|mews|grove)"
)
_STATE = (
    r"(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|"
    r"V[AT]|W[AIVY])"
)
_ADDRESS_PATTERNS: tuple[re.Pattern[str], ...] = (
    # 12 Oak Street, 4b High St., 221B Baker Street, 1600 Pennsylvania Ave NW, then ", Springfield, IL 62704"
    re.compile(
        rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][A-Za-z'’-]*\s+){{1,3}}{_SUFFIX}(?![\w])"
        rf"(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?(?:,?\s+[A-Z][a-z]+){{0,2}}(?:,?\s+{_STATE}\b)?(?:\s+\d{{5}}(?:-\d{{4}})?)?"
    ),
    re.compile(rf"\b\d{{1,5}}[a-z]?\s+(?:[a-z'’-]+\s+){{1,3}}{_SUFFIX_WORD}\b", re.IGNORECASE),
    # a named street without a number after "live on/at", "lives in": "on Maple Avenue"
    re.compile(rf"\b(?:on|at|in|off)\s+(?P<value>(?:[A-Z][a-z'’-]+\s+){{1,3}}{_SUFFIX_WORD})\b"),
    re.compile(
        r"\b(?:p\.?\s?o\.?\s?box|apt|apartment|flat|unit|suite|ste)\.?\s*#?\s*\d+[A-Za-z]?\b", re.IGNORECASE
    ),
    re.compile(rf"\b{_STATE}\s+\d{{5}}(?:-\d{{4}})?\b"),
    re.compile(
        r"\b(?:zip|zipcode|postcode|post code|postal code)(?:\s+code)?\s*(?:is|:|#)?\s*[A-Z0-9][A-Z0-9 -]{2,8}[A-Z0-9]\b",
        re.IGNORECASE,
    ),
)

_LABEL = (
    r"(?:mrn|nhs|ssn|sin|nino|ni|medicare|medicaid|record|records|account|acct|insurance|insurer|policy|member|"
    r"patient|hospital|chart|case|claim|reference|ref|id|identifier|passport|licen[cs]e|prescription|rx|"
    r"group|subscriber|plan|card)"
)
_NUMBER_PATTERNS: tuple[re.Pattern[str], ...] = (
    # a label, an optional "number/no./#/:", then an identifier holding at least two digits
    re.compile(
        rf"\b{_LABEL}\b(?:\s+(?:number|num|no\.?|nr|#|id)\b)?\s*(?:is\b|:|#|=|-)?\s*"
        r"\b(?P<value>(?=[A-Z0-9 -]*\d[A-Z0-9 -]*\d)[A-Z0-9](?:[A-Z0-9]|[ -](?=[A-Z0-9]*\d)){2,}[A-Z0-9])(?![\w])",
        re.IGNORECASE,
    ),
    # letters and digits mixed, four or more digits: AB123456, 12345X
    re.compile(r"\b(?=[A-Za-z]*\d)(?=(?:[A-Za-z]*\d){4})[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*\b"),
    # digit groups separated by single spaces, dots or dashes, seven or more digits in all
    re.compile(r"(?<![\w.])(?=(?:\D?\d){7})\d+(?:[ .-]\d+){1,5}(?![\w])"),
    # any run of five or more digits
    re.compile(r"\d{5,}"),
    # "#1234", "no. 1234"
    re.compile(r"(?:#|\bno\.\s?)\d{3,}\b", re.IGNORECASE),
)


_PHONE_PATTERNS: tuple[re.Pattern[str], ...] = (
    # numbers libphonenumber rejects as unassigned ("(555) 123-4567") are still someone's way to write one
    re.compile(r"(?<![\w+])(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}(?!\w)"),
    re.compile(r"(?<!\w)\+\d{1,3}[ .-]?(?:\(0\))?\d{2,5}(?:[ .-]?\d{2,4}){1,4}(?!\w)"),
    re.compile(r"(?<![\w+])0\d{2,4}[ .-]?\d{3,4}[ .-]?\d{3,4}(?!\w)"),
)


def build_detectors() -> list[scrubadub.Scrubber]:
    """scrubadub with the detectors that need no model or download (the text_blob name detector would call
    NLTK's tagger and the date_of_birth detector is slow dateparser: both left out). One scrubber per locale,
    as scrubadub warns about a detector whose locale differs from its scrubber's."""
    us: list[scrubadub.detectors.Detector] = [
        scrubadub.detectors.EmailDetector(),
        scrubadub.detectors.UrlDetector(),
        scrubadub.detectors.PhoneDetector(locale="en_US"),
        scrubadub.detectors.en_US.SocialSecurityNumberDetector(),
        scrubadub.detectors.CreditCardDetector(),
        scrubadub.detectors.CredentialDetector(),
        scrubadub.detectors.TwitterDetector(),
    ]
    gb: list[scrubadub.detectors.Detector] = [
        scrubadub.detectors.PhoneDetector(locale="en_GB", name="phone_gb"),
        scrubadub.detectors.PostalCodeDetector(locale="en_GB"),
        scrubadub.detectors.en_GB.NationalInsuranceNumberDetector(locale="en_GB"),
    ]
    return [
        scrubadub.Scrubber(detector_list=us, post_processor_list=[], locale="en_US"),
        scrubadub.Scrubber(detector_list=gb, post_processor_list=[], locale="en_GB"),
    ]


def scrubadub_spans(scrubbers: list[scrubadub.Scrubber], text: str) -> Iterator[Span]:
    for scrubber in scrubbers:
        for filth in scrubber.iter_filth(text, run_post_processors=False):
            kind = _SCRUBADUB_KIND.get(filth.detector_name or "", "number")
            for part in getattr(filth, "filths", None) or [filth]:
                yield part.beg, part.end, _SCRUBADUB_KIND.get(part.detector_name or "", kind)


def address_spans(text: str) -> Iterator[Span]:
    for pattern in _ADDRESS_PATTERNS:
        group = "value" if "value" in pattern.groupindex else 0
        for match in pattern.finditer(text):
            yield match.start(group), match.end(group), "address"


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def contact_spans(text: str) -> Iterator[Span]:
    """Backups for scrubadub: phone shapes libphonenumber rejects, and plain emails its " at "-tolerant
    pattern can swallow half of ("me at jane.doe@example.com")."""
    for pattern in _PHONE_PATTERNS:
        for match in pattern.finditer(text):
            yield match.start(), match.end(), "phone"
    for match in _EMAIL.finditer(text):
        yield match.start(), match.end(), "email"


def number_spans(text: str) -> Iterator[Span]:
    for pattern in _NUMBER_PATTERNS:
        group = "value" if "value" in pattern.groupindex else 0
        for match in pattern.finditer(text):
            yield match.start(group), match.end(group), "number"
