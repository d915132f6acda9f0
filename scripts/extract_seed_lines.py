"""Write the seed lines that the plan tables cite into ``tests/fixtures/seed_lines/``.

Tests never read ``../shared``; they read these excerpts. For every seed file the fixture
``tests/fixtures/seed_lines/<seed file name>`` (e.g. ``000_ff44c4bc8aaeb92b.txt``) holds only
the cited lines, one per line, as ``line_no<TAB>text`` (the text verbatim, tabs included).
Cited lines are collected from

* ``data/targets/indicators.csv`` (``line`` … ``line_end`` of every row),
* ``data/targets/land_figures.csv`` (``line``),
* ``data/targets/decisions_indicators.csv`` (``side_a``/``side_b`` of the form ``file:line …``),
* ``data/parks/sources.csv`` (the ``*_line`` columns; the title lines up to the next two),

and every "第 N 行" named in a note of the same seed.

Usage::

    python scripts/extract_seed_lines.py [--seeds ../shared/seeds]
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ROOT / "data" / "targets"
SOURCES = ROOT / "data" / "parks" / "sources.csv"
OUT = ROOT / "tests" / "fixtures" / "seed_lines"
_SIDE = re.compile(r"^(\d{3}_[0-9a-f]+\.txt):(\d+) ")
_NAMED = re.compile(r"第 ([0-9、，和与–\- ]+) 行")


def _named_lines(text: str) -> set[int]:
    found: set[int] = set()
    for group in _NAMED.findall(text or ""):
        found |= {int(n) for n in re.findall(r"\d+", group)}
    return found


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def cited_lines() -> dict[str, set[int]]:
    """Return seed file → the line numbers cited by the plan tables."""
    cited: dict[str, set[int]] = defaultdict(set)
    for row in _read(TARGETS / "indicators.csv"):
        first, last = int(row["line"]), int(row["line_end"] or row["line"])
        cited[row["seed"]] |= set(range(first, last + 1)) | _named_lines(row["note"])
    for row in _read(TARGETS / "land_figures.csv"):
        cited[row["seed"]] |= {int(row["line"])} | _named_lines(row["note"])
    for row in _read(TARGETS / "decisions_indicators.csv"):
        for side in (row["side_a"], row["side_b"]):
            m = _SIDE.match(side)
            if m:
                cited[m.group(1)].add(int(m.group(2)))
    for row in _read(SOURCES):
        lines = {int(row[c]) for c in row if c.endswith("_line") and row[c]}
        if row["title_line"]:
            lines |= {int(row["title_line"]) + k for k in (1, 2)}
        for col in ("title_basis", "status_basis", "note"):
            lines |= _named_lines(row[col])
        cited[row["file"]] |= lines
    return cited


def main(argv: list[str] | None = None) -> None:
    """Write one fixture per seed file with its cited, non-empty lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    for seed, lines in sorted(cited_lines().items()):
        text = (args.seeds / seed).read_text(encoding="utf-8").split("\n")
        kept = [f"{n}\t{text[n - 1]}" for n in sorted(lines) if text[n - 1].strip()]
        (OUT / seed).write_text("\n".join(kept) + "\n", encoding="utf-8")
        print(f"{seed}: {len(kept)} lines")


if __name__ == "__main__":
    main()
