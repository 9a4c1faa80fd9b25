"""Cleaning on the real seed documents: repeats and boilerplate go, every medical sentence stays verbatim."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.ingest.cleaning import Cleaner, CleaningRules
from index.ingest.documents import Document, load_corpus
from index.ingest.sentences import sentence_spans

SEED = Path(__file__).resolve().parents[3] / "corpus" / "library"
MGH = "dupilumab-case-report-mgh"
REFINED = "dupilumab-new-hope-refinedmd"
DONOVAN = "dupilumab-advanced-aa-donovan"
JAK = "jak-inhibitors-trials-news"
BELGRAVIA = "ruxolitinib-pilot-belgravia"

BOILERPLATE = [
    "Book a FREE consultation",
    "020 7730 6666",
    "(408) 688-2082",
    "This blog is for information purposes only",
    "affiliate link",
    "Continues below",
    "Related Stories",
    "Related Articles",
    "Leave a Reply",
    "Back to top",
    "Browse by Category",
    "Source Link",
    "Please see our Disclaimer",
    "All product reviews, recommendations",
    "Online Consultation",
    "is the leader in hair loss treatment",
    "frequently remark on how helpful",
    "specializes in thinning hair",
    "| RefinedMD",
    "— Donovan Hair Clinic",
    "Circ - The Belgravia Centre",
]

MEDICAL = [
    (BELGRAVIA, "Nine of the 12 patients – so 75 per cent – demonstrated what the researchers described"),
    (BELGRAVIA, "with an average hair regrowth of 92 per cent."),
    (BELGRAVIA, "Ruxolitinib (brand name: Jakafi) – orally, twice a day, for three-to-six months."),
    (
        BELGRAVIA,
        "safety parameters remained largely within normal limits, and no serious adverse effects were reported.",
    ),
    (BELGRAVIA, "is a potent drug which comes with the possibility of some severe side effects."),
    (BELGRAVIA, "• Inflammation can be suppressed by drugs like Ruxolitinib"),
    (BELGRAVIA, "high strength minoxidil applied directly to the bald patches"),
    (
        BELGRAVIA,
        "Anyone under 16 years of age or who has AT or AU is recommended to visit their GP or dermatologist.",
    ),
    (JAK, "Seventy-five percent of patients gained more than 90 percent of their lost hair back"),
    (JAK, "32 percent experienced 50 percent or greater improvement from the disease during treatment."),
    (
        JAK,
        "Once people went off the drug, a third began to lose hair again, though not to the same degree as before.",
    ),
    (JAK, "they weakened the immune system and made people more likely to become sick."),
    (JAK, "JAK inhibitors have already been approved to treat bone marrow cancers and rheumatoid arthritis."),
    (DONOVAN, "Dupilumab is a new medication that blocks that IL-4/IL-13 signaling pathway in the body."),
    (
        DONOVAN,
        "studies have shown that Dupilumab can sometimes cause alopecia areata in some patients with eczema.",
    ),
    (DONOVAN, "only 1 of 4 adults had cosmetically significant regrowth."),
    (
        DONOVAN,
        "none of the four patients with alopecia totalis and universalis experienced cosmetically significant",
    ),
    (DONOVAN, "Avoid hairstyles that pull on the hair - Avoid high-heat hair styling tools"),
    (
        MGH,
        "In July 2017 she began to be treated with weekly injections of dupilumab, which had recently received FDA approval.",
    ),
    (
        MGH,
        "Treatment with prednisone and methotrexate, medications that can suppress the overactive immune system,",
    ),
    (MGH, "fine light hairs called vellus hairs were appearing on her scalp."),
    (MGH, "she had to discontinue dupilumab for a two-month period, during which she noticed shedding"),
    (MGH, "who has alopecia totalis -- a total lack of scalp hair -- along with eczema"),
    (REFINED, "When the patient stopped taking the drug, hair loss quickly ensued."),
    (REFINED, "it took about six weeks for her to start noticing fine hairs on her head."),
    (REFINED, "it’s possible that the drug may be prescribed in an off-label manner for alopecia patients."),
]

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def raw_body(doc_id: str) -> str:
    raw = (SEED / f"{doc_id}.md").read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(raw)
    assert match, f"{doc_id}.md has no front matter"
    return raw[match.end() :]


@pytest.fixture(scope="module")
def cleaned() -> dict[str, Document]:
    return {document.doc_id: document for document in load_corpus([SEED])}


def test_seed_library_is_the_five_documents(cleaned: dict[str, Document]) -> None:
    assert sorted(cleaned) == sorted([MGH, REFINED, DONOVAN, JAK, BELGRAVIA])


def test_repeated_opening_paragraph_appears_once(cleaned: dict[str, Document]) -> None:
    opening = "Massachusetts General Hospital (MGH) physicians are reporting"
    assert raw_body(MGH).count(opening) >= 2, "the scraped page repeats its opening"
    assert cleaned[MGH].text.count(opening) == 1
    # what came between the repeats is all still there, in its original order
    for fragment in ("In addition to longstanding alopecia", "After seven months", "Senna explains"):
        assert cleaned[MGH].text.count(fragment) == 1
    text = cleaned[MGH].text
    assert (
        text.index("In addition to longstanding")
        < text.index("After seven months")
        < text.index("Senna explains")
    )


def test_no_long_sentence_is_repeated(cleaned: dict[str, Document]) -> None:
    for document in cleaned.values():
        keys = [
            re.sub(r"\W+", " ", document.text[a:b].casefold()).strip()
            for a, b in sentence_spans(document.text)
        ]
        long_keys = [key for key in keys if len(key) >= 25]
        assert len(long_keys) == len(set(long_keys)), document.doc_id


@pytest.mark.parametrize("phrase", BOILERPLATE)
def test_boilerplate_is_removed(phrase: str, cleaned: dict[str, Document]) -> None:
    raw_all = "\n".join(raw_body(doc_id) for doc_id in cleaned)
    assert phrase.casefold() in raw_all.casefold(), f"{phrase!r} is not in the raw seeds: fix the test"
    for document in cleaned.values():
        assert phrase.casefold() not in document.text.casefold(), f"{phrase!r} survived in {document.doc_id}"


@pytest.mark.parametrize(("doc_id", "fragment"), MEDICAL)
def test_medical_text_is_kept_verbatim(doc_id: str, fragment: str, cleaned: dict[str, Document]) -> None:
    # the page may use no-break spaces where the cleaned text has plain ones
    assert fragment in re.sub(r"\s+", " ", raw_body(doc_id)), "the fragment must be quoted from the raw page"
    assert fragment in cleaned[doc_id].text


def test_no_rule_matches_medical_text() -> None:
    rules = CleaningRules.from_file()
    for _, fragment in MEDICAL:
        for pattern in (*rules.drop_blocks, *rules.drop_sentences, *rules.strip_phrases):
            assert not pattern.search(fragment), f"rule {pattern.pattern!r} matches {fragment!r}"


def test_cleaning_only_deletes_and_respaces(cleaned: dict[str, Document]) -> None:
    """Every cleaned sentence is in the raw page, up to whitespace: nothing is reworded."""
    for doc_id, document in cleaned.items():
        raw_compact = re.sub(r"\s+", "", raw_body(doc_id))
        for start, end in sentence_spans(document.text):
            sentence = document.text[start:end]
            assert re.sub(r"\s+", "", sentence) in raw_compact, f"{doc_id}: {sentence!r} is not in the source"


def test_glued_sentences_are_separated(cleaned: dict[str, Document]) -> None:
    assert "Dupixent.We" in raw_body(MGH)
    assert "Dupixent.We" not in cleaned[MGH].text
    assert "Dupixent. We were quite surprised" in cleaned[MGH].text


def test_cleaned_seeds_are_a_fixed_point(cleaned: dict[str, Document]) -> None:
    cleaner = Cleaner.default()
    for document in cleaned.values():
        assert cleaner.clean(document.text) == document.text


def test_cleaning_rules_file_errors_name_the_file(tmp_path: Path) -> None:
    from index.errors import CorpusError

    bad = tmp_path / "rules.yaml"
    bad.write_text("drop_blocks:\n  - '(unclosed'\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"rules\.yaml.*drop_blocks.*invalid pattern"):
        CleaningRules.from_file(bad)
    bad.write_text("drop_sentences: not-a-list\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"rules\.yaml.*drop_sentences.*must be a list"):
        CleaningRules.from_file(bad)
    with pytest.raises(CorpusError, match=r"missing\.yaml"):
        CleaningRules.from_file(tmp_path / "missing.yaml")
