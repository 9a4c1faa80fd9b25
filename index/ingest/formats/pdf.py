"""PDF leaflets: text in reading order, without running headers, footers and page numbers.

pdfplumber (on pdfminer.six), not pypdf: pypdf's `extract_text` gives a page's text as one string, while
pdfplumber gives every line with its position and every character with its font size and name. Those are
what this module needs: the position finds the lines repeated at the top or bottom of most pages (running
headers and footers, page numbers), the vertical gaps separate paragraphs, and font size or weight finds
the headings. Limits: one column of text is assumed (a two-column page is read line by line across both
columns), and text drawn as an image is not text: a scanned PDF is refused with `NoTextLayer`.

How a page becomes paragraphs:
- a line in the top or bottom 12% of the page is a header/footer when it is a page number ("3", "Page 3 of
  7", "- 3 -") or when the same line, digits aside, is at the top or bottom of at least half the pages;
- the body's font size is the size most characters have; a line at least 15% larger, or a short bold line
  in a body that is not bold, is a heading and becomes its own one-line paragraph;
- a new paragraph starts at a heading, a bullet, a vertical gap clearly larger than the line spacing, or
  after a line that ends a sentence well short of the right margin; the lines of one paragraph are joined
  with `join_lines` (which mends words hyphenated at a line break).
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pdfplumber

from index.errors import EmptyDocument, NoTextLayer, UnreadableDocument
from index.ingest.formats.base import Extracted, Extractor, clean_metadata, iso_date, join_lines, one_line

MARGIN = 0.12  # the top and bottom fraction of a page where running headers and footers live
HEADING_SCALE = 1.15  # a line this much larger than the body text is a heading
HEADING_MAX_WORDS = 12
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.)\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.IGNORECASE
)
_BULLET = re.compile(r"^(?:[•◦▪‣●○■–-]\s|\d{1,2}[.)]\s)")
_SENTENCE_END = (".", "!", "?", ":", '."', ".”", ".)")


@dataclass(frozen=True)
class Line:
    text: str
    top: float
    bottom: float
    x1: float
    size: float
    bold: bool
    page: int
    in_margin: bool


class PdfExtractor(Extractor):
    suffixes = (".pdf",)

    def extract(self, data: bytes, filename: str) -> Extracted:
        pages, metadata, page_count = _read(data, filename)
        lines = [line for page in pages for line in page]
        if not any(line.text.strip() for line in lines):
            raise NoTextLayer(
                f"{filename}: this PDF has no text layer (a scan?): its {page_count} page(s) carry no "
                "selectable text. Export it from the original document with text, or run OCR first."
            )
        body_lines, dropped = _drop_headers_and_footers(pages)
        warnings = [f"{filename}: removed {dropped} running header/footer line(s)"] if dropped else []
        body = _paragraphs(body_lines)
        if not body.strip():
            raise EmptyDocument(f"{filename}: the PDF has no text besides its running headers and footers")
        return Extracted(body=body, metadata=metadata, warnings=warnings)


def _read(data: bytes, filename: str) -> tuple[list[list[Line]], dict[str, str], int]:
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            metadata = _metadata(pdf.metadata or {})
            pages = [_lines(page, number) for number, page in enumerate(pdf.pages)]
            return pages, metadata, len(pdf.pages)
    except NoTextLayer:
        raise
    except Exception as exc:  # pdfminer raises many unrelated types for broken or encrypted files
        name = type(exc).__name__
        hint = "it is password-protected" if "password" in f"{name} {exc}".lower() else "it is damaged"
        raise UnreadableDocument(
            f"{filename}: cannot read this PDF ({name}): {hint}, or not a PDF at all. "
            "Save or export it again as a PDF without a password."
        ) from exc


def _metadata(info: dict[str, Any]) -> dict[str, str]:
    def text(key: str) -> str | None:
        value = info.get(key)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        return str(value) if value is not None else None

    return clean_metadata(
        {"title": text("Title"), "publisher": text("Author"), "published": iso_date(text("CreationDate"))}
    )


def _lines(page: Any, number: int) -> list[Line]:
    height = float(page.height)
    out = []
    for raw in page.extract_text_lines(layout=False, strip=True, return_chars=True):
        chars = [c for c in raw["chars"] if str(c.get("text", "")).strip()]
        text = one_line(str(raw["text"]))
        if not chars or not text:
            continue
        size = statistics.median(round(float(c["size"]), 1) for c in chars)
        bold = all("bold" in str(c.get("fontname", "")).lower() for c in chars)
        top, bottom = float(raw["top"]), float(raw["bottom"])
        margin = top < height * MARGIN or bottom > height * (1 - MARGIN)
        out.append(Line(text, top, bottom, float(raw["x1"]), size, bold, number, margin))
    return out


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.casefold())


def _drop_headers_and_footers(pages: list[list[Line]]) -> tuple[list[Line], int]:
    """Body lines of all pages in order, and how many header/footer lines were dropped."""
    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({_shape(line.text) for line in page if line.in_margin})
    repeated = max(2, (len(pages) + 1) // 2)
    kept: list[Line] = []
    dropped = 0
    for page in pages:
        for line in page:
            if line.in_margin and (_PAGE_NUMBER.match(line.text) or seen[_shape(line.text)] >= repeated):
                dropped += 1
            else:
                kept.append(line)
    return kept, dropped


def _body_size(lines: list[Line]) -> float:
    weights: Counter[float] = Counter()
    for line in lines:
        weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0]


def _is_heading(line: Line, body_size: float, body_bold: bool) -> bool:
    if line.size >= body_size * HEADING_SCALE:
        return True
    short = len(line.text.split()) <= HEADING_MAX_WORDS and not line.text.endswith(_SENTENCE_END)
    return line.bold and not body_bold and short and line.size >= body_size * 0.95


def _line_gap(lines: list[Line], body_size: float) -> float:
    """The usual gap between two lines of one paragraph (the smallest gap that is common)."""
    gaps = sorted(
        round(b.top - a.bottom, 1)
        for a, b in itertools.pairwise(lines)
        if a.page == b.page and a.size == b.size == body_size and b.top > a.bottom - 1
    )
    return gaps[len(gaps) // 10] if gaps else body_size * 0.3


def _paragraphs(lines: list[Line]) -> str:
    """Blocks separated by blank lines; a list is one block, one item a line (so no item reads as a heading)."""
    if not lines:
        return ""
    body_size = _body_size(lines)
    body_bold = sum(len(x.text) for x in lines if x.bold) > sum(len(x.text) for x in lines) / 2
    gap_limit = _line_gap(lines, body_size) + body_size * 0.35
    right = max((x.x1 for x in lines if x.size == body_size), default=0.0)
    blocks: list[list[list[str]]] = []  # block -> items -> lines
    heading_block = False
    list_block = False
    previous: Line | None = None
    for line in lines:
        heading = _is_heading(line, body_size, body_bold)
        bullet = bool(_BULLET.match(line.text)) and not heading
        if previous is None:
            new = True
        elif heading or heading_block:
            # consecutive heading lines of one size and close together are one heading
            new = not (
                heading and heading_block and _close(previous, line, gap_limit) and _same(previous, line)
            )
        elif bullet and list_block and _close(previous, line, gap_limit * 1.5):
            blocks[-1].append([line.text])  # the next item of the same list
            previous = line
            continue
        else:
            new = bullet or _starts_paragraph(previous, line, gap_limit, right)
        if new:
            blocks.append([[line.text]])
            heading_block, list_block = heading, bullet
        else:
            blocks[-1][-1].append(line.text)
        previous = line
    return "\n\n".join("\n".join(join_lines(item) for item in block) for block in blocks)


def _close(a: Line, b: Line, gap_limit: float) -> bool:
    return a.page == b.page and b.top - a.bottom <= gap_limit


def _same(a: Line, b: Line) -> bool:
    return abs(a.size - b.size) < 0.5 and a.bold == b.bold


def _starts_paragraph(previous: Line, line: Line, gap_limit: float, right: float) -> bool:
    if not _same(previous, line):
        return True
    ends_sentence = previous.text.endswith(_SENTENCE_END)
    if previous.page != line.page:  # a paragraph runs on over a page break only mid-sentence
        return ends_sentence
    if line.top - previous.bottom > gap_limit:
        return True
    return ends_sentence and previous.x1 < right * 0.8
