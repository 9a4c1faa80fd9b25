"""`python -m bench.phi_eval`: the PHI scrubber on the HELD-OUT patient-message set.

THIS IS THE HELD-OUT SET. It must not be used for tuning: report its figures, never change the scrubber
(patterns, name lists, thresholds) because of a message in it. Misses are counted, never listed, so that
nobody tunes on them by reading this output. See `bench/data/README-phi-heldout.md`.

`bench/data/phi_heldout.jsonl` was written by an independent helper who never saw the scrubber
(`service/insights/scrubbing.py`) or its tests. Each line is one patient chat message with the personal
identifiers it contains (`phi`: kind and exact substring) and words that are not PHI and should survive
(`keep`: drug names, symptoms, eponymous conditions, ordinary words that are also first names).

Figures, all case-insensitive, a match being a whole-word one (a value or word is not "found" inside a longer
word):

* removed: the PHI value no longer appears in the scrubbed text.
* partial leak: the value was removed but a piece of it survived: a letter token of three or more characters
  (names; also emails, URLs, addresses), or a digit group (dates, numbers, phones, ages; also emails, URLs,
  addresses). A piece counts only if the output holds it more often than the message does outside its PHI
  values, so "3 times a day" next to a date "3rd of March" is not a leak.
* clean: removed without a partial leak. Recall = removed / values; strict recall = clean / values.
* keep words lost: share of `keep` words (in every message) missing from the output.
* no-PHI messages changed: share of messages without PHI whose text came back different in any way.
* seconds per message: wall time of `scrub()` alone, averaged (construction is timed separately).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HELDOUT = Path(__file__).with_name("data") / "phi_heldout.jsonl"
KINDS = ("name", "date", "phone", "email", "address", "number", "url", "age")
BANNER = (
    "HELD-OUT PHI set: for reporting only. Do not tune the scrubber on these messages "
    "(bench/data/README-phi-heldout.md)."
)


@dataclass(frozen=True)
class Identifier:
    kind: str
    value: str


@dataclass(frozen=True)
class Message:
    id: str
    text: str
    phi: tuple[Identifier, ...]
    keep: tuple[str, ...]


@dataclass
class Tally:
    values: int = 0
    removed: int = 0
    leaks: int = 0

    @property
    def clean(self) -> int:
        return self.removed - self.leaks


@dataclass
class Results:
    kinds: dict[str, Tally] = field(default_factory=lambda: {kind: Tally() for kind in KINDS})
    keep_total: int = 0
    keep_lost: int = 0
    keep_lost_no_phi: int = 0
    keep_total_no_phi: int = 0
    no_phi_messages: int = 0
    no_phi_changed: int = 0
    errors: int = 0
    seconds: float = 0.0
    messages: int = 0
    found: Counter[str] = field(default_factory=Counter)


def whole(value: str) -> re.Pattern[str]:
    """`value` as a case-insensitive pattern that does not match inside a longer word."""
    before = r"(?<!\w)" if value[:1].isalnum() else ""
    after = r"(?!\w)" if value[-1:].isalnum() else ""
    return re.compile(before + re.escape(value) + after, re.IGNORECASE)


def load(path: Path = HELDOUT) -> list[Message]:
    messages: list[Message] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        ident, text = row["id"], row["text"]
        if ident in seen:
            raise ValueError(f"{path}:{number}: duplicate id {ident!r}")
        seen.add(ident)
        phi = tuple(Identifier(item["kind"], item["value"]) for item in row["phi"])
        for item in phi:
            if item.kind not in KINDS:
                raise ValueError(f"{path}:{number}: unknown kind {item.kind!r}")
            if item.value not in text:
                raise ValueError(f"{path}:{number}: PHI value is not a substring of the text")
        keep = tuple(row["keep"])
        for word in keep:
            if not whole(word).search(text):
                raise ValueError(f"{path}:{number}: keep word is not in the text")
        messages.append(Message(ident, text, phi, keep))
    return messages


def pieces(item: Identifier) -> list[str]:
    """The parts of a value whose survival counts as a partial leak."""
    digits = re.findall(r"\d+", item.value)
    letters = [token for token in re.findall(r"[^\W\d_]+", item.value) if len(token) >= 3]
    if item.kind == "name":
        return letters
    if item.kind in ("date", "number", "phone", "age"):
        return digits or letters  # an age written out ("ninety-one") has no digits
    return letters + digits


def occurrences(piece: str, text: str) -> int:
    if piece.isdigit():
        return len(re.findall(rf"(?<!\d){piece}(?!\d)", text))
    return len(whole(piece).findall(text))


def outside_phi(message: Message) -> str:
    """The message with its PHI values blanked: what a perfect scrubber may legitimately keep."""
    text = message.text
    for item in sorted(message.phi, key=lambda item: -len(item.value)):
        text = whole(item.value).sub(" ", text)
    return text


def score(message: Message, output: str, results: Results) -> None:
    baseline = outside_phi(message)
    for item in message.phi:
        tally = results.kinds[item.kind]
        tally.values += 1
        if whole(item.value).search(output):
            continue
        tally.removed += 1
        if any(occurrences(piece, output) > occurrences(piece, baseline) for piece in pieces(item)):
            tally.leaks += 1
    lost = sum(1 for word in message.keep if not whole(word).search(output))
    results.keep_total += len(message.keep)
    results.keep_lost += lost
    if not message.phi:
        results.no_phi_messages += 1
        results.no_phi_changed += output != message.text
        results.keep_total_no_phi += len(message.keep)
        results.keep_lost_no_phi += lost


def evaluate(scrubber: Any, messages: list[Message]) -> Results:
    results = Results()
    for message in messages:
        start = time.perf_counter()
        try:
            scrubbed = scrubber.scrub(message.text)
        except Exception:
            results.seconds += time.perf_counter() - start
            results.errors += 1
            output = message.text  # an error leaves everything in place
        else:
            results.seconds += time.perf_counter() - start
            output = scrubbed.text
            for kind, count in dict(getattr(scrubbed, "found", {}) or {}).items():
                results.found[str(kind)] += int(count)
        results.messages += 1
        score(message, output, results)
    return results


def share(part: int, whole_: int) -> str:
    return f"{part / whole_:.1%}" if whole_ else "n/a"


def render(results: Results, messages: list[Message], build_seconds: float) -> str:
    header = ("kind", "values", "removed", "recall", "partial leaks", "clean", "strict recall")
    rows = []
    total = Tally()
    for kind in KINDS:
        tally = results.kinds[kind]
        total.values += tally.values
        total.removed += tally.removed
        total.leaks += tally.leaks
        rows.append(_row(kind, tally))
    rows.append(_row("ALL", total))
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join(
            [first, *(cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))]
        )

    with_phi = sum(1 for message in messages if message.phi)
    out = [
        BANNER,
        "",
        f"messages: {len(messages)} ({with_phi} with PHI, {len(messages) - with_phi} without); "
        f"PHI values: {total.values}; keep words: {results.keep_total}",
        "",
        line(header),
        line(tuple("-" * width for width in widths)),
        *(line(row) for row in rows[:-1]),
        line(tuple("-" * width for width in widths)),
        line(rows[-1]),
        "",
        "over-scrubbing",
        f"  keep words lost (all messages):     {results.keep_lost}/{results.keep_total} "
        f"= {share(results.keep_lost, results.keep_total)}",
        f"  keep words lost (no-PHI messages):  {results.keep_lost_no_phi}/{results.keep_total_no_phi} "
        f"= {share(results.keep_lost_no_phi, results.keep_total_no_phi)}",
        f"  no-PHI messages changed at all:     {results.no_phi_changed}/{results.no_phi_messages} "
        f"= {share(results.no_phi_changed, results.no_phi_messages)}",
        "",
        "speed",
        f"  seconds per message (scrub only):   {results.seconds / max(results.messages, 1):.6f}",
        f"  PhiScrubber() construction:         {build_seconds:.3f} s",
        f"  scrub() errors (output taken as the unchanged input): {results.errors}",
    ]
    if results.found:
        found = ", ".join(f"{kind} {count}" for kind, count in sorted(results.found.items()))
        out += ["", f"scrubber's own `found` counts (its kinds, not compared): {found}"]
    out += ["", "Misses are not listed: this set is held out. Report the figures; do not tune on them."]
    return "\n".join(out)


def _row(kind: str, tally: Tally) -> tuple[str, ...]:
    return (
        kind,
        str(tally.values),
        str(tally.removed),
        share(tally.removed, tally.values),
        str(tally.leaks),
        str(tally.clean),
        share(tally.clean, tally.values),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--data", type=Path, default=HELDOUT, help="the held-out JSONL (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    messages = load(args.data)
    try:
        from service.insights.scrubbing import PhiScrubber
    except ImportError as error:
        print(BANNER, file=sys.stderr)
        print(
            "cannot import PhiScrubber from service.insights.scrubbing "
            f"({error}); the scrubber is not there yet, so nothing was measured. "
            f"The held-out set itself loaded fine: {len(messages)} messages.",
            file=sys.stderr,
        )
        return 1
    start = time.perf_counter()
    scrubber = PhiScrubber()
    build_seconds = time.perf_counter() - start
    results = evaluate(scrubber, messages)
    print(render(results, messages, build_seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
