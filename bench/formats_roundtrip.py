"""Round trip of the generated leaflets: write PDF and Word files with known text, ingest them, count.

    .venv/bin/python -m bench.formats_roundtrip

Prints, per file and in total: sentences expected (every sentence, list item and table cell of the spec),
sentences found verbatim in the cleaned document text, header/footer/page-number lines left in the text,
headings expected and found as section headings, chunk offsets checked and exact
(`document.text[start:end] == chunk.text`), and the seconds ingestion took. Numbers only: nothing here
asserts; the tests in tests/index/ingest/formats/ do.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.leaflets import SCANNED_NAME, Leaflet, write_leaflets
from index.errors import CorpusError
from index.ingest.chunking import chunk_text
from index.ingest.cleaning import Cleaner
from index.ingest.context import section_headings
from index.ingest.documents import Document, load_binary


@dataclass(frozen=True)
class Result:
    name: str
    sentences: int
    found: int
    leftovers: int
    headings: int
    headings_found: int
    offsets: int
    exact: int
    seconds: float


def leftover_lines(leaflet: Leaflet, text: str) -> list[str]:
    """Header, footer and page-number strings of `leaflet` still present in `text`."""
    left = [s for s in (leaflet.header, leaflet.footer, *leaflet.extra_lines) if s in text]
    page_number = re.compile(r"(?im)^(?:page \d+ of \d+|- \d+ -|\d{1,3})$")
    return left + page_number.findall(text)


def check(leaflet: Leaflet, document: Document, seconds: float) -> Result:
    sentences = leaflet.sentences()
    found = sum(1 for s in sentences if s in document.text)
    headings = {h for _, h in section_headings(document.text)}
    chunks = chunk_text(document.doc_id, document.text)
    exact = sum(1 for c in chunks if document.text[c.start : c.end] == c.text)
    return Result(
        leaflet.name,
        len(sentences),
        found,
        len(leftover_lines(leaflet, document.text)),
        len(leaflet.headings()),
        sum(1 for h in leaflet.headings() if h in headings),
        len(chunks),
        exact,
        seconds,
    )


def run(out: Path) -> tuple[list[Result], str]:
    leaflets = write_leaflets(out)
    cleaner = Cleaner.default()
    results = []
    for name, leaflet in leaflets.items():
        started = time.perf_counter()
        document = load_binary(out / name, cleaner)
        results.append(check(leaflet, document, time.perf_counter() - started))
    try:
        load_binary(out / SCANNED_NAME, cleaner)
        refusal = "scanned.pdf: loaded (NOT refused)"
    except CorpusError as exc:
        refusal = f"scanned.pdf: refused with {type(exc).__name__}"
    return results, refusal


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        results, refusal = run(Path(tmp))
        total_seconds = time.perf_counter() - started
    header = f"{'file':24} {'sentences':>9} {'found':>6} {'hdr/ftr left':>12} {'headings':>9} {'as sections':>11} {'offsets':>8} {'exact':>6} {'seconds':>8}"
    print(header)
    for r in results:
        print(
            f"{r.name:24} {r.sentences:>9} {r.found:>6} {r.leftovers:>12} {r.headings:>9} "
            f"{r.headings_found:>11} {r.offsets:>8} {r.exact:>6} {r.seconds:>8.3f}"
        )
    total = Result(
        "total",
        *(sum(getattr(r, f) for r in results) for f in ("sentences", "found", "leftovers", "headings")),
        *(sum(getattr(r, f) for r in results) for f in ("headings_found", "offsets", "exact")),
        sum(r.seconds for r in results),
    )
    print(
        f"{'total (' + str(len(results)) + ' files)':24} {total.sentences:>9} {total.found:>6} "
        f"{total.leftovers:>12} {total.headings:>9} {total.headings_found:>11} {total.offsets:>8} "
        f"{total.exact:>6} {total.seconds:>8.3f}"
    )
    print(refusal)
    print(f"wall time including writing the files: {total_seconds:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
