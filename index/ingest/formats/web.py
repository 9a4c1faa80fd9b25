"""HTML pages: the main text with trafilatura, or every visible block with BeautifulSoup.

Two engines, chosen with `engine=`:
- "soup" (`html_to_text`): every visible block of the page (`<p>`, `<li>`, headings, cells...), with
  `<script>`, `<style>`, `<nav>`, `<header>`, `<footer>`, `<aside>` and forms removed; the boilerplate left
  is for `boilerplate.yaml` to drop. What the HTML loader used before trafilatura was measured.
- "trafilatura": trafilatura's main-content extraction (`favor_recall=True`: on the seed pages it keeps
  more medical sentences than `favor_precision` for the same boilerplate, see bench/html_extractors.py).
  When trafilatura finds no main content (a page of a few lines), the soup text is used and a warning says so.

`DEFAULT_ENGINE` is the one the measurement chose (bench/html_extractors.py prints the numbers).

Metadata, with either engine, is what the markup states: `<title>` exactly as written, `<meta name=author>`
or `og:site_name` as publisher, `article:published_time`/`date`/`dcterms.date` as published. trafilatura's
own metadata is not used for these: it rewrites the title ("A | Site" -> "A") and, with htmldate, takes a
date from the body text ("Published on July 3, 2017"), which is a guess about the page, not a statement.
"""

from __future__ import annotations

from typing import Literal

import trafilatura
from bs4 import BeautifulSoup

from index.errors import EmptyDocument, UnreadableDocument
from index.ingest.formats.base import Extracted, Extractor, clean_metadata, iso_date, paragraphs

Engine = Literal["soup", "trafilatura"]
DEFAULT_ENGINE: Engine = "soup"
_HIDDEN = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template")
_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "pre", "dd", "dt")


def _metadata(soup: BeautifulSoup) -> dict[str, str]:
    """Title, publisher and published date exactly as the page's `<title>` and `<meta>` tags state them."""
    meta: dict[str, str] = {}
    if soup.title and soup.title.string:
        meta["title"] = soup.title.string.strip()
    for tag in soup.find_all("meta"):
        name = str(tag.get("name") or tag.get("property") or "").lower()
        content = str(tag.get("content") or "").strip()
        if name in {"author", "og:site_name"} and content:
            meta.setdefault("publisher", content)
        elif name in {"article:published_time", "date", "dcterms.date"} and content:
            meta.setdefault("published", content[:10])
    return meta


def html_to_text(html: str) -> tuple[str, dict[str, str]]:
    """Visible text of an HTML page, one block a paragraph, plus metadata from <title> and <meta>."""
    soup = BeautifulSoup(html, "html.parser")
    meta = _metadata(soup)
    for tag in soup(list(_HIDDEN)):
        tag.decompose()
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    body = soup.body or soup
    return body.get_text(), meta


def trafilatura_text(html: str, favor: Literal["recall", "precision"] = "recall") -> str | None:
    """trafilatura's main text as paragraphs (one line of its output a paragraph, a list one block), or
    None when it finds no main content."""
    text = trafilatura.extract(
        html,
        output_format="txt",
        include_tables=True,
        include_comments=False,
        include_links=False,
        deduplicate=False,
        favor_recall=favor == "recall",
        favor_precision=favor == "precision",
    )
    if not text:
        return None
    blocks: list[str] = []
    items: list[str] = []
    for line in text.splitlines():
        if line.startswith("- "):  # trafilatura's mark for a list item, not the page's text
            items.append(line[2:])
            continue
        if items:
            blocks.append("\n".join(items))
            items = []
        blocks.append(line.replace(" | ", "; "))  # table cells; " | " is trafilatura's separator
    if items:
        blocks.append("\n".join(items))
    return paragraphs(blocks)


class HtmlExtractor(Extractor):
    suffixes = (".html", ".htm")

    def __init__(self, engine: Engine = DEFAULT_ENGINE) -> None:
        self.engine = engine

    def extract(self, data: bytes, filename: str) -> Extracted:
        try:
            html = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnreadableDocument(f"{filename}: cannot read this HTML page as UTF-8 text: {exc}") from exc
        soup_text, meta = html_to_text(html)
        warnings: list[str] = []
        body = soup_text
        if self.engine == "trafilatura":
            extracted = trafilatura_text(html)
            if extracted is None:
                warnings.append(f"{filename}: trafilatura found no main text; kept every visible block")
            else:
                body = extracted
        if not body.strip():
            raise EmptyDocument(f"{filename}: the HTML page has no visible text")
        if "published" in meta:
            meta["published"] = iso_date(meta["published"]) or meta["published"]
        return Extracted(body=body, metadata=clean_metadata(dict(meta)), warnings=warnings)
