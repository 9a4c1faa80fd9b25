"""Build service/insights/data/{words,namewords,common,proper}.txt: the vocabulary the PHI scrubber uses to tell an ordinary or
medical word from a possible name (service/insights/names.py).

Sources, all offline and all text a clinic's patients and staff would recognise as health information:
  - /work/shared/data/medquad.jsonl (NIH patient-information sections, CC BY 4.0): titles, focus and text;
  - /work/shared/data/medicationqa.jsonl (real consumer medication questions and their answers): both;
  - the repository's own corpus/ (library documents and approved answers).

words.txt: every word seen in lower case at least MIN_LOWER times in those texts (or once in a `focus` or
a MedicationQA question) (lower case means it was
written as an ordinary word), except words that are also in faker's English name lists (names.py loads the
same lists), which are kept only when they are very common as ordinary words (at least NAME_AS_WORD_MIN
lower-case uses: "may", "will", "hope", "rose", ...).
namewords.txt: the name-list words that those texts also use in lower case, but rarely ("salmon", "love"):
they are kept when written in lower case, and treated as names when capitalised mid-sentence.
common.txt: the COMMON_TOP most frequent words of symspellpy's bundled English frequency dictionary (a
project dependency; derived from SCOWL and Google Books n-grams), minus every name in faker's lists. Used only
to recognise ordinary words at the start of a sentence ("Pizza", "Wedding"), where capitals say nothing.
proper.txt: capitalised words seen at least MIN_PROPER times in mid-sentence (or in a row's `focus`) and more often capitalised than
not (eponyms, brand names, organisations: "Parkinson", "Tylenol", "FDA"), minus every name in faker's lists
and minus anything taken from corpus/library (its press releases name clinicians).

Run: .venv/bin/python scripts/build_insights_vocabulary.py [--shared /work/shared/data]
The service never reads /work/shared: the two generated files are committed.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from service.insights.names import load_name_list

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "service" / "insights" / "data"
MIN_LOWER = 2
NAME_AS_WORD_MIN = 40
MIN_PROPER = 2
COMMON_TOP = 30000
WORD = re.compile(r"[A-Za-z]+")
SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“]|\s-)\s*$")


def topics(shared: Path) -> Iterator[str]:
    """The `focus` of every row (a disease or a drug, brand names included) and MedicationQA's questions."""
    for name, fields in (("medquad.jsonl", ("focus",)), ("medicationqa.jsonl", ("focus", "question"))):
        path = shared / name
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    row = json.loads(line)
                    yield " ".join(str(row.get(field) or "") for field in fields)


def texts(shared: Path) -> Iterator[tuple[str, bool]]:
    """(text, may contribute proper nouns)."""
    for name, fields in (
        ("medquad.jsonl", ("title", "focus", "text")),
        ("medicationqa.jsonl", ("question", "text")),
    ):
        path = shared / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                for field in fields:
                    yield str(row.get(field) or ""), True
    for path in sorted((REPO / "corpus").rglob("*")):
        if path.suffix in {".md", ".yaml", ".txt"}:
            yield path.read_text(encoding="utf-8"), "library" not in path.parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("/work/shared/data"))
    args = parser.parse_args()
    lower: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for text, proper_ok in texts(args.shared):
        for match in WORD.finditer(text):
            word = match.group()
            if word.isupper() and len(word) > 4:
                word = word.capitalize()  # "ADVIL", "TYLENOL" in labels
            if word.islower():
                lower[word] += 1
            elif (
                proper_ok
                and word[0].isupper()
                and not SENTENCE_START.search(text[max(0, match.start() - 3) : match.start()])
            ):
                capital[word] += 1
    for text in topics(args.shared):  # drug and disease names are vocabulary even when seen once
        for word in WORD.findall(text):
            if word.islower():
                lower[word] += MIN_LOWER
            else:
                capital[word.capitalize() if word.isupper() and len(word) > 4 else word] += MIN_PROPER
    names = load_name_list()
    words = sorted(
        w
        for w, n in lower.items()
        if n >= MIN_LOWER and (len(w) > 1 or w in {"a", "i"}) and (w not in names or n >= NAME_AS_WORD_MIN)
    )
    proper = sorted(
        w
        for w, n in capital.items()
        if n >= MIN_PROPER and len(w) > 1 and n > lower.get(w.lower(), 0) and w.lower() not in names
    )
    namewords = sorted(w for w, n in lower.items() if w in names and MIN_LOWER <= n < NAME_AS_WORD_MIN)
    import symspellpy  # the bundled frequency dictionary; the service itself never reads it

    dictionary = Path(symspellpy.__file__).parent / "frequency_dictionary_en_82_765.txt"
    ranked = [line.split()[0] for line in dictionary.read_text(encoding="utf-8").splitlines() if line.strip()]
    common = sorted(
        {w for w in ranked[:COMMON_TOP] if w.isalpha() and w not in names and (len(w) > 1 or w in {"a", "i"})}
    )
    OUT.mkdir(parents=True, exist_ok=True)
    header = "# generated by scripts/build_insights_vocabulary.py; do not edit by hand\n"
    (OUT / "words.txt").write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    (OUT / "namewords.txt").write_text(header + "\n".join(namewords) + "\n", encoding="utf-8")
    (OUT / "common.txt").write_text(header + "\n".join(common) + "\n", encoding="utf-8")
    (OUT / "proper.txt").write_text(header + "\n".join(proper) + "\n", encoding="utf-8")
    print(
        f"{len(words)} words, {len(namewords)} name-words, {len(common)} common, {len(proper)} proper nouns -> {OUT}"
    )


if __name__ == "__main__":
    main()
