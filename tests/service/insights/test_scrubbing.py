"""The PHI scrubber: each kind of identifier, questions that must survive unchanged, and a canary set."""

from __future__ import annotations

import re
import time

import pytest

from service.insights.scrubbing import PhiScrubber, Scrubbed


@pytest.fixture(scope="module")
def scrubber() -> PhiScrubber:
    return PhiScrubber()


UNCHANGED = [
    "Can my son take ibuprofen with amoxicillin?",
    "May I take aspirin with warfarin?",
    "Will this help my migraine?",
    "Grace period for refills?",
    "Is Parkinson's disease hereditary?",
    "I have Graves' disease and take levothyroxine 100 mcg.",
    "Can I take 2000 mg of vitamin C?",
    "Since May my knee hurts.",
    "Is it safe to take Advil and Tylenol together?",
    "I have Crohn's disease and Hashimoto's.",
    "How long does dupilumab take to regrow hair?",
    "What are the side effects of ruxolitinib?",
    "My daughter is 14 and has alopecia areata, can she use tofacitinib?",
    "I'm 45 and my hair is falling out in patches.",
    "Does the FDA approve baricitinib for alopecia?",
    "Can I drink alcohol while taking metronidazole?",
    "My husband has type 2 diabetes and high blood pressure.",
    "Hope this is the right place to ask: is it contagious?",
    "Take 1/2 tablet twice a day for 10 days?",
    "Is 3 weeks too long to wait for results?",
    "What is the dose of amoxicillin for a 20 kg child?",
    "My MRI showed a lesion, what does that mean?",
    "Can I get the COVID vaccine while on methotrexate?",
    "Why does my scalp itch after the injection?",
]


@pytest.mark.parametrize("question", UNCHANGED)
def test_ordinary_questions_survive(scrubber: PhiScrubber, question: str) -> None:
    result = scrubber.scrub(question)
    assert result.text == question
    assert result.found == {}


CASES = [
    # names
    ("Hi, my name is Tabitha Wrenfold, can I take Tylenol?", "[NAME]", ["Tabitha", "Wrenfold"]),
    ("My daughter Emily has a fever of 39 degrees.", "[NAME]", ["Emily"]),
    ("Dr Patel said I should take 500 mg twice a day.", "[NAME]", ["Patel"]),
    ("my son jake has a cough", "[NAME]", ["jake"]),
    ("I'm Grace and I'm pregnant.", "[NAME]", ["Grace"]),
    ("Grace has a rash after taking penicillin.", "[NAME]", ["Grace"]),
    ("Thanks, Jane", "[NAME]", ["Jane"]),
    ("Hello Dr. Smith,\nCan I take Benadryl?\nRegards,\nPriya Raman", "[NAME]", ["Smith", "Priya", "Raman"]),
    ("This is Mrs Okonkwo, is the clinic open?", "[NAME]", ["Okonkwo"]),
    ("My wife Marguerite has shingles.", "[NAME]", ["Marguerite"]),
    ("Can you ask Michael Thompson to call back?", "[NAME]", ["Michael", "Thompson"]),
    ("Quarterfield here, is the trial still open?", "[NAME]", ["Quarterfield"]),
    ("Will Hartley has a rash.", "[NAME]", ["Hartley"]),
    ("please tell john smith the results", "[NAME]", ["john", "smith"]),
    ("For Olivia: is ruxolitinib safe?", "[NAME]", ["Olivia"]),
    ("MARY JONES asked about dupilumab", "[NAME]", ["MARY", "JONES"]),
    # dates
    ("I was born on 03/04/1961.", "[DATE]", ["03/04/1961"]),
    ("My DOB is 3-4-61.", "[DATE]", ["3-4-61"]),
    ("I was born 1961-04-03, is metformin safe?", "[DATE]", ["1961"]),
    ("Born 3rd March 1961.", "[DATE]", ["1961", "3rd"]),
    ("March 3, 1961 is my birthday.", "[DATE]", ["1961"]),
    ("3 Mar 61 is my dob", "[DATE]", ["3 Mar 61"]),
    ("DOB 3.4.61, does dupilumab help?", "[DATE]", ["3.4.61"]),
    ("I was born in 1961.", "[DATE]", ["1961"]),
    ("born in 61, is it too late?", "[DATE]", ["61"]),
    ("My appointment is on 12th of June 2024.", "[DATE]", ["2024", "12th"]),
    ("My surgery was on Jan 5th.", "[DATE]", ["5th"]),
    ("My birthday is 14.02.1975", "[DATE]", ["1975"]),
    # ages over 89
    ("My mother is 94 and has alopecia.", "[AGE]", ["94"]),
    ("I am 92 years old.", "[AGE]", ["92"]),
    ("A 101-year-old woman with shingles", "[AGE]", ["101"]),
    ("My grandad is in his nineties.", "[AGE]", ["nineties"]),
    # phone, email, url
    ("Call me on (555) 123-4567 please", "[PHONE]", ["123-4567"]),
    ("My number is 020 7946 0958.", "[PHONE]", ["7946"]),
    ("Text +44 7700 900123", "[", ["900123"]),
    ("Email me at jane.doe@example.com", "[EMAIL]", ["jane.doe", "example.com"]),
    ("See https://example.com/page?id=42 for details", "[URL]", ["example.com"]),
    ("I read www.hairclinic-blog.net/dupilumab", "[URL]", ["hairclinic"]),
    # addresses and postcodes
    ("I live at 42 Oak Street, Springfield, IL 62704.", "[ADDRESS]", ["Oak", "Springfield", "62704"]),
    ("My address is 221B Baker Street.", "[ADDRESS]", ["Baker", "221B"]),
    ("Postcode SW1A 1AA, is there a clinic near me?", "[ADDRESS]", ["SW1A"]),
    ("I'm in flat 3, 12 High Road", "[ADDRESS]", ["12 High"]),
    ("Send it to PO Box 1234", "[ADDRESS]", ["1234"]),
    ("zip code 90210", "[", ["90210"]),
    # numbers
    ("My NHS number is 943 476 5919.", "[", ["943", "5919"]),
    ("MRN 12345678", "[NUMBER]", ["12345678"]),
    ("My SSN is 078-05-1120", "[", ["078", "1120"]),
    ("policy number AB123456", "[NUMBER]", ["AB123456"]),
    ("Insurance ID: XZ-4471-22", "[NUMBER]", ["4471"]),
    ("My card 4111 1111 1111 1111 was charged", "[NUMBER]", ["4111"]),
    ("My NI number is QQ 12 34 56 C", "[NUMBER]", ["QQ 12"]),
    ("account #99812", "[NUMBER]", ["99812"]),
]


@pytest.mark.parametrize(("text", "placeholder", "gone"), CASES)
def test_identifiers_are_scrubbed(
    scrubber: PhiScrubber, text: str, placeholder: str, gone: list[str]
) -> None:
    result = scrubber.scrub(text)
    assert placeholder in result.text
    for token in gone:
        assert token not in result.text
    assert sum(result.found.values()) == len(re.findall(r"\[[A-Z]+\]", result.text))


def test_result_is_frozen_and_counts_per_kind(scrubber: PhiScrubber) -> None:
    result = scrubber.scrub("Dr Jane Smith, DOB 03/04/1961, call 020 7946 0958 or jane@example.com")
    assert isinstance(result, Scrubbed)
    assert result.found == {"name": 1, "date": 1, "phone": 1, "email": 1}
    with pytest.raises(AttributeError):
        result.text = "x"  # type: ignore[misc]


def test_drug_names_and_doses_are_kept(scrubber: PhiScrubber) -> None:
    text = "Is 20 mg of Lexapro with 50 mg of sertraline too much? I also take Xanax 0.5 mg."
    assert scrubber.scrub(text).text == text


CANARY_NAMES = [("Zebulon", "Quarterfield"), ("Ottoline", "Brackenridge"), ("Percival", "Ashdownmere")]
CANARY_DATES = [
    "{d:02d}/{m:02d}/{y}",
    "{d}-{m}-{yy:02d}",
    "{y}-{m:02d}-{d:02d}",
    "{d}{suffix} {month} {y}",
    "{month} {d}, {y}",
    "{d} {mon} {yy:02d}",
    "{d}.{m}.{yy:02d}",
    "{d} {month} {y}",
    "{month} {d}{suffix} {y}",
    "{d}{suffix} of {month}, {y}",
    "{y}/{m:02d}/{d:02d}",
]
CANARY_TEMPLATES = [
    "Hi, my name is {first} {last} and I was born on {date}. Can I take ibuprofen?",
    "{first} {last}, DOB {date}: is dupilumab safe for me?",
    "My son {first} was born {date}, he has a rash.",
    "I'm {first} ({date}). Does ruxolitinib cause weight gain?",
    "Question from {first} {last}\nborn {date}\nhow long until my hair grows back?",
    "Can {first} {last} (dob {date}) take tofacitinib?\nThanks,\n{first}",
    "Patient: {last}, {first}. Date of birth: {date}.",
    "my mum {first} {last} born in {y} wants to know about baricitinib",
]


def canary_messages() -> list[tuple[str, list[str]]]:
    months = ["January", "March", "August", "November"]
    out: list[tuple[str, list[str]]] = []
    births = [(3, 3, 1961), (17, 8, 1948), (29, 11, 1933), (8, 1, 1979)]
    for n, (d, m, y) in enumerate(births):
        first, last = CANARY_NAMES[n % len(CANARY_NAMES)]
        month = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ][m - 1]
        suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(d, "th")
        for form in CANARY_DATES:
            date = form.format(d=d, m=m, y=y, yy=y % 100, month=month, mon=month[:3], suffix=suffix)
            for template in CANARY_TEMPLATES:
                text = template.format(first=first, last=last, date=date, y=y)
                out.append((text, [first, last, str(y), f"{y % 100:02d}", month]))
    assert months
    return out


def test_canaries_never_survive(scrubber: PhiScrubber) -> None:
    leaks = []
    for text, canaries in canary_messages():
        result = scrubber.scrub(text).text
        words = set(re.findall(r"[A-Za-z]+|\d+", result))
        leaked = [c for c in canaries if (c in words if not c.isdigit() else c in result)]
        if leaked:
            leaks.append((result, leaked))
    assert leaks == []


def test_scrub_is_fast(scrubber: PhiScrubber) -> None:
    questions = [text for text, _ in canary_messages()[:50]] + UNCHANGED
    scrubber.scrub(questions[0])
    start = time.perf_counter()
    for question in questions:
        scrubber.scrub(question)
    per_question = (time.perf_counter() - start) / len(questions)
    assert per_question < 0.010


def test_nothing_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    import nltk

    def refuse(*args: object, **kwargs: object) -> bool:
        raise AssertionError("the scrubber tried to download NLTK data")

    monkeypatch.setattr(nltk, "download", refuse)
    assert PhiScrubber().scrub("Dr Jane Smith, 03/04/1961").text == "Dr [NAME], [DATE]"
