"""Which HTML path keeps more medical sentences and less boilerplate: today's rules or trafilatura?

    .venv/bin/python -m bench.html_extractors

On the five seed pages (/work/shared/seeds/*.txt, plain text as scraped), with the hand labels of
bench/data/seed_boilerplate_labels.yaml (every sentence: medical, boilerplate or neutral), measures:

- "rules": today's path, `Cleaner.default()` with index/ingest/boilerplate.yaml, on the page's text;
- "trafilatura recall" / "trafilatura precision": the page wrapped in a minimal HTML page (one `<p>` a
  paragraph, lines of a paragraph joined by `<br>`), trafilatura's main text (index.ingest.formats.web),
  then whitespace-only cleaning (a `Cleaner` with no rules: it still drops repeated sentences, which is
  code, not a rule);
- "trafilatura recall + rules": the same, then `Cleaner.default()`.

For each: medical sentences kept / total, boilerplate sentences left / total, and repeated copies of a
sentence left (page 002 repeats its first paragraph four times). A sentence counts as present when its
text, whitespace removed, is in the output, whitespace removed.

Limitation: trafilatura is built for a real page's DOM (menus, sidebars, link density, `<footer>`...). The
seeds are text without their DOM, so the wrapper gives it one flat run of `<p>` elements and only its text
heuristics can work; on real HTML it may do better than here. Exits 0 with a message when the seeds or
labels are missing.
"""

from __future__ import annotations

import html
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from index.ingest.cleaning import Cleaner, CleaningRules
from index.ingest.formats.web import trafilatura_text
from index.ingest.sentences import split_sentences

SEEDS = Path("/work/shared/seeds")
LABELS = Path(__file__).with_name("data") / "seed_boilerplate_labels.yaml"
_GLUED = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")


@dataclass(frozen=True)
class Labelled:
    medical: list[str]
    boilerplate: list[str]


@dataclass
class Score:
    medical_kept: int = 0
    medical_total: int = 0
    boilerplate_left: int = 0
    boilerplate_total: int = 0
    repeats_left: int = 0


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def label_page(raw: str, labels: dict[str, list[str]]) -> Labelled:
    """The page's distinct sentences, split into medical and boilerplate (neutral ones dropped)."""
    boiler = [_norm(p) for p in labels.get("boilerplate") or []]
    neutral = [_norm(p) for p in labels.get("neutral") or []]
    seen: set[str] = set()
    out = Labelled([], [])
    for line in unicodedata.normalize("NFC", raw).splitlines():
        line = _GLUED.sub(" ", line)  # "Dupixent.We were": two sentences, as the Cleaner splits them
        for sentence in (_norm(s) for s in split_sentences(line)):
            if not sentence or sentence in seen:
                continue
            seen.add(sentence)
            if any(sentence == p or (len(p) >= 30 and sentence.startswith(p)) for p in boiler):
                out.boilerplate.append(sentence)
            elif not any(sentence == p or (len(p) >= 15 and sentence.startswith(p)) for p in neutral):
                out.medical.append(sentence)
    return out


def as_html(raw: str) -> str:
    """The minimal page trafilatura is given: one <p> a paragraph (blank-line separated), lines <br>-joined."""
    blocks = [b for b in re.split(r"\n\s*\n", raw) if b.strip()]
    paras = [
        "<p>" + "<br>".join(html.escape(line.strip()) for line in b.splitlines() if line.strip()) + "</p>"
        for b in blocks
    ]
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>\n"
        + "\n".join(paras)
        + "\n</body></html>"
    )


def score(output: str, labelled: Labelled, into: Score) -> None:
    text = _squash(output)
    into.medical_total += len(labelled.medical)
    into.boilerplate_total += len(labelled.boilerplate)
    into.medical_kept += sum(1 for s in labelled.medical if _squash(s) in text)
    into.boilerplate_left += sum(1 for s in labelled.boilerplate if _squash(s) in text)
    into.repeats_left += sum(max(0, text.count(_squash(s)) - 1) for s in labelled.medical if len(s) >= 40)


def paths() -> dict[str, Callable[[str], str]]:
    rules = Cleaner.default()
    plain = Cleaner(CleaningRules((), (), ()))
    return {
        "rules (today)": rules.clean,
        "trafilatura recall": lambda raw: plain.clean(trafilatura_text(as_html(raw), "recall") or ""),
        "trafilatura precision": lambda raw: plain.clean(trafilatura_text(as_html(raw), "precision") or ""),
        "trafilatura recall + rules": lambda raw: rules.clean(trafilatura_text(as_html(raw), "recall") or ""),
    }


def main() -> int:
    pages = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not pages or not LABELS.is_file():
        print(f"skipped: the seed pages ({SEEDS}/*.txt) or the labels ({LABELS}) are not present")
        return 0
    labels = (yaml.safe_load(LABELS.read_text(encoding="utf-8")) or {}).get("pages") or {}
    labelled = {p.name: label_page(p.read_text(encoding="utf-8"), labels.get(p.name) or {}) for p in pages}
    unlabelled = [p.name for p in pages if p.name not in labels]
    print(
        f"{len(pages)} seed pages, {sum(len(x.medical) for x in labelled.values())} medical and "
        f"{sum(len(x.boilerplate) for x in labelled.values())} boilerplate sentences labelled ({LABELS.name})"
        + (f"; no labels for {unlabelled}" if unlabelled else "")
    )
    print(f"{'path':28} {'page':26} {'medical kept':>13} {'boilerplate left':>17} {'repeats left':>13}")
    totals: dict[str, Score] = {}
    for name, run in paths().items():
        total = totals.setdefault(name, Score())
        for page in pages:
            one = Score()
            score(run(page.read_text(encoding="utf-8")), labelled[page.name], one)
            score(run(page.read_text(encoding="utf-8")), labelled[page.name], total)
            print(
                f"{name:28} {page.name:26} {one.medical_kept:>6}/{one.medical_total:<6} "
                f"{one.boilerplate_left:>8}/{one.boilerplate_total:<8} {one.repeats_left:>13}"
            )
    print()
    print(f"{'path':28} {'medical kept':>16} {'boilerplate left':>18} {'repeats left':>13}")
    for name, total in totals.items():
        kept = f"{total.medical_kept}/{total.medical_total}"
        left = f"{total.boilerplate_left}/{total.boilerplate_total}"
        print(
            f"{name:28} {kept:>9} ({total.medical_kept / max(1, total.medical_total):4.0%}) "
            f"{left:>10} ({total.boilerplate_left / max(1, total.boilerplate_total):4.0%}) {total.repeats_left:>13}"
        )
    rules = paths()["rules (today)"]
    print("\nboilerplate the rules leave:")
    for page in pages:
        text = _squash(rules(page.read_text(encoding="utf-8")))
        for sentence in labelled[page.name].boilerplate:
            if _squash(sentence) in text:
                print(f"  {page.name}: {sentence[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
