"""Number formats and short labels shared by pages, charts and map legends.

One place decides how a figure reads, so a table, its chart, the map legend and a headline
metric show the same number the same way: thousands separators and a fixed number of decimals.

* :func:`table_format` — the printf format of ``st.column_config.NumberColumn`` (Streamlit's
  sprintf-js takes the ``,`` flag: ``"%,.2f"`` shows ``12,345.68``).
* :func:`format_number` — the same text in Python (metrics, captions, tooltips).
* :func:`distinct_decimals` and :func:`merge_edges` — class edges that never read alike.
* :func:`short_labels` — truncated names that stay unique (bar-chart axes).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = ["DECIMALS", "PERCENT_STEP", "table_format", "format_number", "distinct_decimals",
           "merge_edges", "short_labels"]

#: Decimals by kind of figure: indicators, scores and land (亩) 2, counts 0.
DECIMALS = {"indicator": 2, "score": 2, "land_mu": 2, "count": 0}


def table_format(decimals: int, *, separators: bool = True) -> str:
    """Printf format for ``st.column_config.NumberColumn``: ``%,.2f``, ``%,d`` (0 decimals).

    ``separators=False`` for figures that must not be grouped (years: 2025, not 2,025).
    """
    flag = "," if separators else ""
    return f"%{flag}d" if decimals == 0 else f"%{flag}.{decimals}f"


#: ``step`` of a share column shown as "percent": 0.001 → one fixed decimal ("86.3%"); without
#: it Streamlit shows up to two, trimmed ("99.2%" beside "86.33%").
PERCENT_STEP = 0.001


def format_number(value: object, decimals: int = 2, *, missing: str = "—") -> str:
    """``value`` with thousands separators and ``decimals`` fixed decimals (``missing`` if none)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return missing
    if not math.isfinite(number):
        return missing
    return f"{number:,.{decimals}f}"


def distinct_decimals(values: Iterable[float], *, least: int = 1, most: int = 4) -> int:
    """Fewest decimals (``least``…``most``) at which the distinct ``values`` print distinctly.

    ``most`` when even that is not enough (:func:`merge_edges` then merges what still collides).
    """
    unique = sorted({float(v) for v in values if math.isfinite(float(v))})
    for d in range(least, most + 1):
        if len({f"{v:,.{d}f}" for v in unique}) == len(unique):
            return d
    return most


def merge_edges(edges: Sequence[float], *, least: int = 1, most: int = 4
                ) -> tuple[list[float], int]:
    """Class edges that never print alike, and the decimals to print them with.

    Repeated edges are merged; the decimals are the fewest at which the edges read apart; an
    edge that still reads like the one before it (closer than ``10**-most``) is dropped, the top
    edge always kept as the true top. Adjacent classes therefore never print the same range,
    and no class prints as ``a – a``.

    Returns
    -------
    (list of float, int)
        The kept edges (one when all values read alike; none without values) and the decimals.
    """
    unique = sorted({float(e) for e in edges if math.isfinite(float(e))})
    if not unique:
        return [], least
    d = distinct_decimals(unique, least=least, most=most)
    kept = [unique[0]]
    for e in unique[1:]:
        if f"{e:,.{d}f}" != f"{kept[-1]:,.{d}f}":
            kept.append(e)
    if len(kept) > 1:
        kept[-1] = unique[-1]  # the top edge stays the true top (it read like the one kept)
    return kept, distinct_decimals(kept, least=least, most=most)  # fewer once merged


def short_labels(names: Sequence[str], *, width: int = 10) -> list[str]:
    """Names cut to ``width`` characters (with "…") that stay unique and keep their order.

    A name that fits stays whole. A long name "集聚区·分片" keeps its head and its last part
    ("宁波经济技术…梅山片"), so 宁波经济技术开发区·梅山片 and ·大榭片 do not both read
    "宁波经济技术开发…". Other names whose cut would read alike keep head and tail, the tail
    the shortest that sets them apart; names still alike (true duplicates) get a number
    ("（2）").
    """
    names = [str(n) for n in names]
    width = max(width, 4)
    labels = [_cut(n, width, _segment(n, width)) for n in names]
    groups: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, []).append(i)
    for members in (m for m in groups.values() if len(m) > 1):
        for i, label in zip(members, _apart([names[i] for i in members], width), strict=True):
            labels[i] = label
    return _numbered(labels)


def _cut(name: str, width: int, tail: int) -> str:
    """``name`` in ``width`` characters: whole, else its head, "…" and its last ``tail``."""
    if len(name) <= width:
        return name
    if tail <= 0:
        return name[:width - 1] + "…"
    return name[:width - 1 - tail] + "…" + name[-tail:]


def _segment(name: str, width: int) -> int:
    """Length of the part of ``name`` after its last "·" if it fits beside a 2-character head.

    Zero when there is no such part (the name is then cut at its end).
    """
    if "·" not in name:
        return 0
    part = len(name) - name.rindex("·") - 1
    return part if 1 < part <= width - 3 else 0


def _apart(names: list[str], width: int) -> list[str]:
    """Cuts of ``names`` (whose plain cuts read alike) with the shortest tail that differs."""
    tried = names
    for tail in range(1, width - 1):
        tried = [_cut(n, width, tail) for n in names]
        if len(set(tried)) == len(tried):
            break
    return tried


def _numbered(labels: list[str]) -> list[str]:
    """``labels`` with the second and later of equal ones numbered ("（2）")."""
    totals = Counter(labels)
    seen: Counter[str] = Counter()
    out = []
    for label in labels:
        seen[label] += 1
        out.append(label if totals[label] == 1 or seen[label] == 1 else f"{label}（{seen[label]}）")
    return out
