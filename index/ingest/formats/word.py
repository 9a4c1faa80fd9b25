"""Word leaflets (.docx) with python-docx: the body's paragraphs and tables in document order.

- a paragraph styled "Title", "Subtitle" or "Heading 1".."Heading 9" becomes a one-line paragraph, the
  shape `index.ingest.context.section_headings` reads as a section heading;
- consecutive list items (a "List ..." style or Word numbering) become one block, one item a line, so a
  short item is not mistaken for a heading;
- a table becomes one block, one row a line, the row's cells joined by "; " (not " | ": the boilerplate
  rules drop "Page title | Site name" scraps);
- the sections' headers and footers are not body text and are left out (python-docx keeps them apart).

Metadata comes from the core properties: title, author (as publisher) and created (as published). The
values python-docx's own blank template carries (author "python-docx", created 2013-12-23) describe the
template, not the leaflet, and are ignored.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from index.errors import EmptyDocument, UnreadableDocument
from index.ingest.formats.base import Extracted, Extractor, clean_metadata, iso_date, one_line

_HEADING_STYLE = re.compile(r"^(title|subtitle|heading [1-9])$", re.IGNORECASE)
_TEMPLATE_AUTHOR = "python-docx"
_TEMPLATE_CREATED = dt.datetime(2013, 12, 23, 23, 15, tzinfo=dt.UTC)


class DocxExtractor(Extractor):
    suffixes = (".docx",)

    def extract(self, data: bytes, filename: str) -> Extracted:
        try:
            document = docx.Document(io.BytesIO(data))
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise UnreadableDocument(
                f"{filename}: cannot read this Word file ({type(exc).__name__}): it is damaged, "
                "password-protected, or not a .docx (an old .doc must be saved again as .docx)."
            ) from exc
        except Exception as exc:  # lxml and python-docx raise their own types for a broken package
            raise UnreadableDocument(
                f"{filename}: cannot read this Word file ({type(exc).__name__}: {exc})"
            ) from exc
        blocks: list[str] = []
        items: list[str] = []  # the list being read
        for part in document.iter_inner_content():
            if isinstance(part, Paragraph) and _is_list_item(part):
                text = one_line(part.text)
                if text:
                    items.append(text)
                continue
            if items:
                blocks.append("\n".join(items))
                items = []
            if isinstance(part, Table):
                rows = _table_rows(part)
                if rows:
                    blocks.append("\n".join(rows))
            elif _is_heading(part):
                blocks.append(one_line(part.text))
            else:
                blocks.extend(_lines_of(part.text))
        if items:
            blocks.append("\n".join(items))
        blocks = [block for block in blocks if block]
        if not blocks:
            raise EmptyDocument(f"{filename}: the Word file has no text in its body")
        return Extracted(body="\n\n".join(blocks), metadata=_metadata(document.core_properties))


def _style_name(paragraph: Paragraph) -> str:
    style = paragraph.style
    return str(style.name) if style is not None and style.name else ""


def _is_heading(paragraph: Paragraph) -> bool:
    return bool(_HEADING_STYLE.match(_style_name(paragraph)))


def _is_list_item(paragraph: Paragraph) -> bool:
    if _style_name(paragraph).lower().startswith("list"):
        return True
    ppr = paragraph._p.pPr
    return ppr is not None and ppr.numPr is not None


def _lines_of(text: str) -> list[str]:
    """A body paragraph; a manual line break (Shift+Enter) inside it stays a line break."""
    lines = [" ".join(line.split()) for line in text.replace("\t", " ").split("\n")]
    kept = "\n".join(line for line in lines if line)
    return [kept] if kept else []


def _table_rows(table: Table) -> list[str]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        previous: Any = None
        for cell in row.cells:
            if cell._tc is previous:  # a merged cell is reported once per grid column it spans
                continue
            previous = cell._tc
            text = one_line(cell.text)
            if text:
                cells.append(text)
        if cells:
            rows.append("; ".join(cells))
    return rows


def _metadata(core: Any) -> dict[str, str]:
    author = core.author if core.author != _TEMPLATE_AUTHOR else None
    created = core.created
    if (
        isinstance(created, dt.datetime)
        and created.replace(tzinfo=created.tzinfo or dt.UTC) == _TEMPLATE_CREATED
    ):
        created = None
    return clean_metadata({"title": core.title, "publisher": author, "published": iso_date(created)})
