"""Every template renders, in both variants, for every region; safety wording is where it must be."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from service.config import EMERGENCY_CONTACTS
from service.schemas import Citation, RelatedDocument
from service.templates import ANSWER_TYPES, Templates, TemplateSetError

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
CITATION = Citation(
    n=1,
    doc_id="doc",
    chunk_id="chunk",
    title="A <b>title</b>",
    publisher=None,
    url=None,
    published=None,
    reviewed=None,
    quote="A quote with <script>x</script>.",
    start=0,
    end=10,
    score=0.9,
)
RELATED = RelatedDocument(
    doc_id="doc", title="Leaflet", publisher="Publisher", url="https://example.org/leaflet"
)
# Words that would make a template sentence a medical claim of its own. Passages may say these; templates not.
MEDICAL_CLAIM = re.compile(
    r"\b(cure[sd]?|treat(s|ment|ed)?|effective|safe(ly)?|dose|dosage|side[- ]effects?|regrow\w*|"
    r"recommend\w*|diagnos\w*|symptoms?|should take|stop taking)\b",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def templates() -> Templates:
    return Templates(PROMPTS)


def contexts() -> list[dict[str, object]]:
    out = []
    for region, contacts in EMERGENCY_CONTACTS.items():
        for phone, hours in ((None, None), ("555 0100", "Mon-Fri 9-5")):
            for crisis_line in (False, True):
                out.append(
                    {
                        "clinic": {"name": f"Clinic {region}", "phone": phone, "hours": hours},
                        "contacts": contacts,
                        "question": "<script>alert(1)</script>",
                        "citations": [CITATION],
                        "related": [RELATED],
                        "crisis_line": crisis_line,
                    }
                )
    return out


@pytest.mark.parametrize("kind", ANSWER_TYPES)
def test_every_template_renders_in_both_variants(templates: Templates, kind: str) -> None:
    for context in contexts():
        text, html = templates.render(kind, **context)
        contacts = context["contacts"]
        assert contacts.emergency in text
        assert contacts.emergency in html
        assert "not medical advice" in text
        assert "not medical advice" in html
        assert "<script>" not in html


def test_emergency_opens_with_the_number_and_adds_the_crisis_line(templates: Templates) -> None:
    for context in contexts():
        text, _ = templates.render("emergency", **context)
        contacts = context["contacts"]
        assert text.startswith(f"Call {contacts.emergency} now.")  # type: ignore[attr-defined]
        if context["crisis_line"] and contacts.crisis_line:  # type: ignore[attr-defined]
            assert contacts.crisis_line in text  # type: ignore[attr-defined]


def test_personal_advice_shows_the_crisis_line_only_when_asked(templates: Templates) -> None:
    for context in contexts():
        text, html = templates.render("personal_advice", **context)
        contacts = context["contacts"]
        shown = "thinking about harming yourself" in text
        assert shown == context["crisis_line"]
        assert shown == ("thinking about harming yourself" in html)
        if context["crisis_line"] and contacts.crisis_line:  # type: ignore[attr-defined]
            assert contacts.crisis_line in text  # type: ignore[attr-defined]
            assert contacts.crisis_line.replace(" ", "") in html  # type: ignore[attr-defined]


def test_unknown_metadata_is_shown_as_unknown(templates: Templates) -> None:
    context = contexts()[0]
    text, html = templates.render("answer", **context)
    assert "Date unknown" in text
    assert "Publisher unknown" in text
    assert "Date unknown" in html


def test_template_sentences_make_no_medical_claim() -> None:
    for path in sorted(PROMPTS.glob("*.j2")):
        wording = re.sub(r"{[{%#].*?[}%#]}", " ", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        wording = re.sub(r"<[^>]+>", " ", wording)
        assert not MEDICAL_CLAIM.search(wording), f"{path.name}: {MEDICAL_CLAIM.search(wording)}"


def test_strict_undefined_catches_missing_context(templates: Templates) -> None:
    with pytest.raises(UndefinedError):
        templates.render("answer", question="q")


def test_missing_template_fails_at_start_up(tmp_path: Path) -> None:
    (tmp_path / "answer.txt.j2").write_text("x")
    with pytest.raises(TemplateSetError, match=r"answer\.html\.j2"):
        Templates(tmp_path)
