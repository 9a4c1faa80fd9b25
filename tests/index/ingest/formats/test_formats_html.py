"""HTML through the format factory: the default engine (chosen by bench/html_extractors.py) and trafilatura."""

from __future__ import annotations

import pytest

from index.ingest.formats import extract, web
from index.ingest.formats.web import DEFAULT_ENGINE, trafilatura_text

PAGE = b"""<html><head><title>Sun safety | Example Clinic</title>
<meta name="author" content="Example Clinic"><meta property="article:published_time" content="2024-06-01T08:00:00Z">
</head><body><nav><a href="/">Home</a></nav><article><h1>Sun safety</h1>
<p>Too much sun can burn the skin and raises the risk of skin cancer over many years of exposure outdoors.</p>
<p>Sunburn can happen even on cloudy days, because the rays of the sun pass through clouds and reach the skin.</p>
<ul><li>Stay in the shade at midday when the sun is at its strongest.</li><li>Wear a hat and sunglasses.</li></ul>
<p>Published on July 3, 2017 by the clinic team, who wrote this page for patients and their families.</p>
</article><footer>Copyright Example Clinic</footer></body></html>"""


def test_the_default_engine_is_the_measured_one() -> None:
    assert DEFAULT_ENGINE == "soup"  # bench/html_extractors.py: same medical sentences, far less boilerplate


def test_metadata_is_what_the_markup_states() -> None:
    for engine in ("soup", "trafilatura"):
        extracted = extract(PAGE, "sun.html", html_engine=engine)
        assert extracted.metadata == {
            "title": "Sun safety | Example Clinic",
            "publisher": "Example Clinic",
            "published": "2024-06-01",  # the meta tag, never the "July 3, 2017" of the body text
        }
        assert "Home" not in extracted.body
        assert "Copyright" not in extracted.body
        assert "Sunburn can happen even on cloudy days" in extracted.body


def test_trafilatura_paragraphs_and_lists() -> None:
    text = trafilatura_text(PAGE.decode())
    assert text is not None
    assert "Too much sun can burn the skin" in text
    assert "\n\n" in text
    assert "- Stay" not in text  # trafilatura's list mark is not the page's text


def test_a_page_trafilatura_finds_nothing_in_falls_back_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(web, "trafilatura_text", lambda html: None)
    extracted = extract(
        b"<html><head><title>T</title></head><body><p>Hi.</p></body></html>", "t.html", "trafilatura"
    )
    assert extracted.body.strip() == "Hi."
    assert extracted.warnings
    assert "trafilatura found no main text" in extracted.warnings[0]
