"""Parsers for the verbatim seed excerpts in tests/fixtures (tests never read ../shared).

Each excerpt's first line says which seed lines it holds; the parsers return the seed line of
every value, so tests can check both the text and the provenance of the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BELT_NAMES = ("都市工业创新驱动核", "北部前湾产业带", "东部临港产业带", "南部湾海产业带",
              "西部沿路产业带")


def read_excerpt(name: str) -> tuple[str, int, list[str]]:
    """(seed file, first seed line, lines) of a fixture excerpt."""
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    m = re.match(r"# excerpt of seed (\S+) lines? (\d+)", lines[0])
    assert m, f"{name}: first line must name the seed and its first line"
    return m.group(1), int(m.group(2)), lines[1:]


def _blocks(name: str) -> tuple[str, list[list[tuple[int, str]]]]:
    seed, first, lines = read_excerpt(name)
    blocks, cur = [], []
    for offset, raw in enumerate(lines):
        text = raw.strip()
        if not text:
            if cur:
                blocks.append(cur)
            cur = []
            continue
        cur.append((first + offset, text))
    if cur:
        blocks.append(cur)
    return seed, blocks


@dataclass
class SeedZone:
    name: str
    belt: str
    line: int
    subzones: list[str]
    subzone_line: int


def table_4_1() -> list[SeedZone]:
    """Zones of 表4-1 with their belt and sub-zones."""
    _, blocks = _blocks("seed001_table4-1.txt")
    zones, belt = [], None
    for block in blocks[1:]:  # the first block is the title and the header
        if len(block) >= 2 and block[0][1] + block[1][1] in BELT_NAMES:
            belt = block[0][1] + block[1][1]
            block = block[2:]
        if not block:
            continue
        name_lines, (sub_line, subs) = block[:-1], block[-1]
        zones.append(SeedZone(
            name="".join(t for _, t in name_lines), belt=belt, line=name_lines[0][0],
            subzones=subs.split("、"), subzone_line=sub_line,
        ))
    return zones


def numbered_table(name: str) -> list[tuple[int, str, int, str, int]]:
    """Rows of 表4-2 / 表4-3: (seq, name, name line, industry, industry line)."""
    _, blocks = _blocks(name)
    rows = []
    for block in blocks:
        texts = [t for _, t in block]
        if len(block) == 3 and texts[0].isdigit():
            rows.append((int(texts[0]), texts[1], block[1][0], texts[2], block[2][0]))
    return rows


@dataclass
class SeedBranch:
    seq: int
    name: str
    line: int
    planned_area_km2: str
    positioning: str


def column_9() -> list[SeedBranch]:
    """分园 of seed 003 专栏9: name, planned area as printed, 产业定位.

    The PDF layout puts 北仑分园's range, area (130) and the start of its positioning
    (高端装备) on one line and the rest of its positioning (集群) after the range text.
    """
    _, first, lines = read_excerpt("seed003_column9.txt")
    starts = [(i, re.match(r"^\s*(\d+) (\S+分园)(.*)$", t)) for i, t in enumerate(lines)]
    starts = [(i, m) for i, m in starts if m]
    out = []
    for k, (i, m) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        body = [t.strip() for t in lines[i + 1:end] if t.strip()]
        rest = m.group(3).split()
        if rest and re.fullmatch(r"\d+(\.\d+)?", rest[-2] if len(rest) > 1 else ""):
            area, pos_parts = rest[-2], [rest[-1], body[-1]]
        else:
            idx = next(j for j, t in enumerate(body) if re.fullmatch(r"\d+(\.\d+)?", t))
            area, pos_parts = body[idx], body[idx + 1:]
        out.append(SeedBranch(int(m.group(1)), m.group(2), first + i, area, "".join(pos_parts)))
    return out
