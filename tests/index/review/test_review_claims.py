"""The review's rules: quantities (digits, number words, units), negations, comparisons, and how claims compare."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.review.claims import (
    analyse,
    claim_stem,
    comparatives,
    compare,
    content_terms,
    drug_names,
    negations,
)
from index.review.numbers import quantities

ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spell(n: int, british: bool = True) -> str:
    """English words for 0 <= n < 1000, e.g. 75 -> "seventy-five", 105 -> "one hundred and five"."""
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + (f"-{ONES[n % 10]}" if n % 10 else "")
    rest = n % 100
    joiner = " and " if british else " "
    return f"{ONES[n // 100]} hundred" + (f"{joiner}{spell(rest)}" if rest else "")


def kinds(text: str) -> list[tuple[str, float]]:
    return [(q.kind, round(q.value, 2)) for q in quantities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90% of patients regrew their hair", [("percent", 90.0)]),
        ("Seventy-five percent of patients", [("percent", 75.0)]),
        (
            "Nine of the 12 patients – so 75 per cent – responded",
            [("percent", 75.0), ("count", 9.0), ("count", 12.0), ("percent", 75.0)],
        ),
        ("only 1 of 4 adults had regrowth", [("percent", 25.0), ("count", 1.0), ("count", 4.0)]),
        ("one in four had regrowth", [("percent", 25.0), ("count", 1.0), ("count", 4.0)]),
        ("a third began to lose hair again", [("percent", 33.33)]),
        ("three quarters of the patients", [("percent", 75.0)]),
        ("half of the people", [("percent", 50.0)]),
        ("Twelve patients were given ruxolitinib", [("count", 12.0)]),
        ("approximately four million people in America", [("count", 4_000_000.0)]),
        ("after six weeks of treatment", [("duration", 42.0)]),
        ("for a two-month period", [("duration", 60.88)]),
        ("after 8.5 weeks off the drug", [("duration", 59.5)]),
        ("for three-to-six months", [("duration", 91.32), ("duration", 182.64)]),
        ("during the 3 to 6 months of treatment", [("duration", 91.32), ("duration", 182.64)]),
        ("their 13-year-old patient", [("age", 13.0)]),
        ("since the age of 2", [("age", 2.0)]),
        ("since the age of 7 months", [("age", 0.58)]),
        ("In July 2017 she began", [("year", 2017.0)]),
        ("orally, twice a day", [("frequency", 2.0)]),
        ("three times a week", [("frequency", 0.43)]),
        ("weekly injections of dupilumab", [("frequency", 0.14)]),
        ("once monthly", [("frequency", 0.03)]),
        ("every two weeks", [("frequency", 0.07)]),
        ("20 mg twice daily", [("dose", 20.0), ("frequency", 2.0)]),
        ("1.5 g", [("dose", 1500.0)]),
        ("250 mcg", [("dose", 0.25)]),
        ("it costs $500", [("money", 500.0)]),
        ("blocks the IL-4/IL-13 signalling pathway", []),
        ("contact us at (408) 688-2082 or 020 7730 6666", []),
        ("a second or third line option", []),
    ],
)
def test_quantities(text: str, expected: list[tuple[str, float]]) -> None:
    assert kinds(text) == expected


def test_bounds_approximations_and_what_is_counted() -> None:
    (more,) = (q for q in quantities("gained more than 90 percent of their lost hair back") if q.value == 90)
    assert (more.bound, more.about) == ("min", frozenset({"lost", "hair"}))
    assert quantities("50 percent or greater improvement")[0].bound == "min"
    assert quantities("Anyone under 16 years of age")[0].bound == "max"
    assert quantities("approximately four million people")[0].approx
    assert quantities("90% of patients")[0].about == frozenset({"person"})
    assert quantities("66 subjects")[0].about == frozenset({"person"})


@given(
    st.integers(min_value=0, max_value=999), st.sampled_from(["%", " percent", " per cent"]), st.booleans()
)
def test_percentages_in_digits_and_words(n: int, unit: str, words: bool) -> None:
    number = spell(n, british=n % 2 == 0) if words else str(n)
    text = f"In the study, {number}{unit} of patients improved."
    found = quantities(text)
    assert [(q.kind, q.value) for q in found] == [("percent", float(n))]
    assert text[found[0].start : found[0].end] == found[0].text


@given(
    st.integers(min_value=1, max_value=99),
    st.sampled_from([("days", 1.0), ("weeks", 7.0), ("months", 30.44), ("years", 365.25)]),
)
def test_durations_normalise_to_days(n: int, unit: tuple[str, float]) -> None:
    name, days = unit
    for number in (str(n), spell(n)):
        found = quantities(f"She was treated for {number} {name}.")
        assert [q.kind for q in found] == ["duration"]
        assert found[0].value == pytest.approx(n * days)


@given(st.integers(min_value=0, max_value=100), st.integers(min_value=0, max_value=100), st.booleans())
def test_a_different_percentage_is_a_mismatch(a: int, b: int, words: bool) -> None:
    claim = analyse(f"{a}% of patients had regrowth.")
    source = analyse(f"{spell(b) if words else b} percent of patients had regrowth.")
    check = compare(claim, source)
    if abs(a - b) <= 1:
        assert check.consistent
    else:
        assert check.conflicts
        assert check.conflicts[0].startswith("number differs:")


@given(st.sampled_from(["not", "never"]), st.booleans())
def test_a_dropped_or_added_negation_is_a_mismatch(cue: str, negated: bool) -> None:
    claim = analyse(f"The drug {'was ' + cue if negated else 'was'} approved for the treatment of eczema.")
    source = analyse("The drug was approved for the treatment of eczema.")
    assert bool(compare(claim, source).conflicts) == negated


def test_the_issue_example_names_both_numbers() -> None:
    claim = analyse("90% of patients regrew their hair")
    source = analyse(
        "Seventy-five percent of patients gained more than 90 percent of their lost hair back during the 3 to "
        "6 months of treatment with the drug."
    )
    assert compare(claim, source).conflicts == [
        "number differs: 90% in the answer, Seventy-five percent in the source"
    ]


@pytest.mark.parametrize(
    ("claim", "source", "reason"),
    [
        (
            "She noticed hairs after six months.",
            "She noticed hairs after six weeks.",
            "unit differs: six months in the answer, six weeks in the source",
        ),
        (
            "Patients took it once a day.",
            "Patients took it twice a day.",
            "frequency differs: once a day in the answer, twice a day in the source",
        ),
        (
            "She had monthly injections.",
            "She had weekly injections.",
            "frequency differs: monthly in the answer, weekly in the source",
        ),
        (
            "The dose was 40 mg.",
            "The dose was 20 mg.",
            "dose differs: 40 mg in the answer, 20 mg in the source",
        ),
        (
            "The 15-year-old patient.",
            "The 13-year-old patient.",
            "age differs: 15-year-old in the answer, 13-year-old in the source",
        ),
        (
            "Twenty patients were given the drug.",
            "Twelve patients were given the drug.",
            "number differs: Twenty in the answer, Twelve in the source",
        ),
    ],
)
def test_reasons_name_what_differs(claim: str, source: str, reason: str) -> None:
    assert compare(analyse(claim), analyse(source)).conflicts == [reason]


def test_paraphrased_numbers_agree() -> None:
    pairs = [
        ("only one in four adults had regrowth", "only 1 of 4 adults had regrowth"),
        ("a third of people lost hair again", "33 percent of people lost hair again"),
        ("three quarters of patients responded", "Seventy-five percent of patients responded"),
        ("for three to six months", "for three-to-six months"),
        ("she had not grown scalp hair since she was two", "she had been bald since she was two-years-old"),
        ("about six weeks later", "after 42 days"),
    ]
    for claim, source in pairs:
        check = compare(analyse(claim), analyse(source))
        assert check.consistent, (claim, check)


@pytest.mark.parametrize(
    ("text", "cue", "scope"),
    [
        ("no serious adverse effects were reported", "no", "serious adverse effects"),
        ("this patient hadn't grown scalp hair", "hadn't", "grown scalp hair"),
        ("It is not approved for eczema", "not", "approved eczema"),
        ("she never regrew her hair", "never", "regrew hair"),
        ("none of the four patients experienced hair growth", "none", "patients experienced hair growth"),
        ("tolerated without severe side effects", "without", "serious side effects"),
        ("a second option rather than a first line option", "rather than", "first line option"),
    ],
)
def test_negations_and_what_they_negate(text: str, cue: str, scope: str) -> None:
    (found,) = negations(text)
    assert found.cue == cue
    assert found.scope == {claim_stem(word) for word in scope.split()}


def test_not_every_not_is_a_negation() -> None:
    assert negations("It is not only for adults") == []
    assert negations("whether or not patients should use it") == []


def test_more_and_less_swaps_are_mismatches() -> None:
    assert comparatives("they made people more likely to become sick") == {(1, claim_stem("likely"))}
    assert comparatives("the drug was less successful") == {(-1, claim_stem("successful"))}
    assert comparatives("more than 90 percent") == set()
    check = compare(analyse("Tofacitinib was more successful."), analyse("The drug was less successful."))
    assert check.conflicts
    assert check.conflicts[0].startswith("comparison reversed")


def test_terms_and_drug_names() -> None:
    assert claim_stem("signalling") == claim_stem("signaling") == "signal"
    assert claim_stem("regrowth") == claim_stem("regrew") == "regrow"
    assert claim_stem("treatment") == claim_stem("treated") == "treat"
    assert content_terms("What's the IL-13 pathway in 12 weeks?") == ["il", "pathway"]
    assert drug_names("Dupilumab, ruxolitinib and tofacitinib, not April") == {
        "dupilumab",
        "ruxolitinib",
        "tofacitinib",
    }


def test_digits_that_are_not_ascii_never_break_the_reader() -> None:
    """ "³" and "⑤" pass str.isdigit but not float(): a patient's question with them once raised (a 500)."""
    for text in ["ã\U000fd5c1 ³¿", "take ² tablets", "⑤ times a day", "٣ mg", "x¹ 2 mg"]:
        quantities(text)
        analyse(text)
    assert [q.value for q in quantities("take 2 mg ³")] == [2.0]


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_the_number_reader_reads_any_text(text: str) -> None:
    quantities(text)
    analyse(text)
