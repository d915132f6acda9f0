"""Canonical industry taxonomy: the "246+" clusters and the 特色小镇 categories.

The vocabulary lives in ``data/parks/industry_taxonomy.csv`` (one row a tag, with its group,
the keywords that map raw phrases to it, and the seed line it comes from):

- 2 万亿级, 4 五千亿级 and 6 千亿级 clusters and the 前沿产业 of seed 001 line 304;
- the 主导产业 categories of 表4-2 (金融, 旅游, 信息经济, 时尚, 健康, 经典产业, 智能制造);
- 新能源, named as a 新兴产业 in seed 001 line 339.

A raw phrase (膜材料, 智能电器, 临港装备, 高端汽配, 绿色石化 …) maps to every tag one of whose
keywords it contains.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "IndustryTag",
    "TAG_SEPARATOR",
    "load_taxonomy",
    "canonical_tags",
    "tags_for_phrase",
    "split_tags",
    "join_tags",
]

#: Separator of tags in the ``industry_tags`` attribute (tags never contain it).
TAG_SEPARATOR = "、"

_DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "parks" / "industry_taxonomy.csv"


@dataclass(frozen=True)
class IndustryTag:
    """One canonical tag: its name, group (e.g. 万亿级产业集群), keywords and seed source."""

    tag: str
    group: str
    keywords: tuple[str, ...]
    source: str


@lru_cache(maxsize=4)
def load_taxonomy(path: Path | None = None) -> tuple[IndustryTag, ...]:
    """Read the taxonomy table.

    Parameters
    ----------
    path : Path, optional
        Defaults to ``data/parks/industry_taxonomy.csv``.

    Returns
    -------
    tuple of IndustryTag
        In file order (clusters first, by size class).
    """
    path = Path(path) if path is not None else _DEFAULT_PATH
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    tags = []
    for i, row in enumerate(rows, start=2):
        keywords = tuple(k for k in (row.get("keywords") or "").split("|") if k)
        if not row.get("tag") or not keywords:
            raise ValueError(
                f"{path} line {i}: a tag needs a name and at least one keyword. "
                "Fix: fill the 'tag' and 'keywords' columns (keywords separated by |)."
            )
        tags.append(IndustryTag(row["tag"], row["group"], keywords, row["source"]))
    return tuple(tags)


def canonical_tags() -> list[str]:
    """All canonical tag names, in taxonomy order."""
    return [t.tag for t in load_taxonomy()]


def tags_for_phrase(phrase: str) -> list[str]:
    """Map a raw industry phrase to canonical tags.

    Parameters
    ----------
    phrase : str
        Any text, e.g. "电子信息、智能电器、高端汽配、新材料产业集群".

    Returns
    -------
    list of str
        Tags (taxonomy order, no duplicates) one of whose keywords occurs in ``phrase``.
    """
    text = (phrase or "").strip()
    if not text:
        return []
    return [t.tag for t in load_taxonomy() if any(k in text for k in t.keywords)]


def split_tags(value: object) -> list[str]:
    """Split a stored ``industry_tags`` value into a list (empty for missing values)."""
    if not isinstance(value, str) or not value:
        return []
    return [t for t in value.split(TAG_SEPARATOR) if t]


def join_tags(tags: list[str]) -> str:
    """Join tags in taxonomy order, without duplicates, for storage."""
    order = {t: i for i, t in enumerate(canonical_tags())}
    unique = sorted(set(tags), key=lambda t: order.get(t, len(order)))
    return TAG_SEPARATOR.join(unique)
