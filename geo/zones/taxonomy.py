"""Canonical industry taxonomy: the "246+" clusters and the 特色小镇 categories.

The vocabulary lives in ``data/parks/industry_taxonomy.csv`` (one row a tag, with its group,
the keywords that map raw phrases to it, and the seed line it comes from):

- 2 万亿级, 4 五千亿级 and 6 千亿级 clusters and the 前沿产业 of seed 001 line 304;
- the 主导产业 categories of 表4-2 (金融, 旅游, 信息经济, 时尚, 健康, 经典产业, 智能制造);
- 新能源, named as a 新兴产业 in seed 001 line 339.

How a raw phrase (膜材料, 智能电器, 临港装备, 高端汽配, 绿色石化 …) is tagged — by rule, so that a
keyword inside a longer term does not tag what the term is not:

1. **Terms.** The phrase is cut into terms at list marks (、，；/ and brackets), and a generic
   ending (产业集群, 集群, 产业) is dropped: "电子信息、智能电器、高端汽配、新材料产业集群" is
   four terms.
2. **Head, not modifier.** Chinese industry terms put the kind last (膜材料 is a 材料, 智能电器 an
   电器, 新能源汽车 an 汽车). A term gets the tags of the keywords it *ends with*; a keyword only
   in the modifier does not tag it (新能源材料 is 新材料, not 新能源; 软件材料 is not software), and
   of keywords ending the term the longest wins (工业互联网 is 工业互联网, not 互联网). Only a term
   ending in no keyword falls back to containing one (国际能源贸易岛 → 贸易).
3. **Town categories stay with towns.** The 表4-2 categories (group 特色小镇类别: 健康, 旅游, 金融
   …) classify towns. Other phrases get one only when the whole term is that category
   (智能制造产业集群 → 智能制造); 生命健康 in a zone's wording is not the town category 健康.

Names (杭州湾汽车智创小镇) are matched by :func:`tags_for_name`: any keyword they contain, town
categories for towns only.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "IndustryTag",
    "TAG_SEPARATOR",
    "load_taxonomy",
    "canonical_tags",
    "tags_for_phrase",
    "tags_for_name",
    "TOWN_CATEGORY_GROUP",
    "split_tags",
    "join_tags",
]

#: Separator of tags in the ``industry_tags`` attribute (tags never contain it).
TAG_SEPARATOR = "、"

#: Group of the 表4-2 town categories (given to other entities only as a whole term, see above).
TOWN_CATEGORY_GROUP = "特色小镇类别"
#: Where a phrase is cut into terms: list marks, brackets, spaces.
_TERM_BREAKS = re.compile(r"[、，,；;/／（）()\s]+")
#: Generic ending dropped from a term before it is matched ("新材料产业集群" → "新材料").
_GENERIC_ENDING = re.compile(r"(?<=.)(产业集群|集群|产业)$")

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


def _terms(phrase: str) -> list[str]:
    """Cut a phrase into terms, each without its generic ending (see the module docstring)."""
    terms = []
    for raw in _TERM_BREAKS.split(phrase or ""):
        term = _GENERIC_ENDING.sub("", raw.strip())
        if term:
            terms.append(term)
    return terms


def _allowed(tag: IndustryTag, term: str, *, town: bool) -> bool:
    """Town categories tag a non-town term only when the term is the category itself."""
    return town or tag.group != TOWN_CATEGORY_GROUP or term == tag.tag or term in tag.keywords


def tags_for_phrase(phrase: str, *, town: bool = False) -> list[str]:
    """Map a raw industry phrase to canonical tags, by the rules of the module docstring.

    Parameters
    ----------
    phrase : str
        Any stated industry text, e.g. "电子信息、智能电器、高端汽配、新材料产业集群".
    town : bool, keyword-only
        True for a town's 主导产业 (表4-2): town categories then match like any tag.

    Returns
    -------
    list of str
        Tags in taxonomy order, no duplicates.
    """
    found: set[str] = set()
    taxonomy = load_taxonomy()
    for term in _terms(phrase):
        usable = [t for t in taxonomy if _allowed(t, term, town=town)]
        head = {t.tag: max((len(k) for k in t.keywords if term.endswith(k)), default=0)
                for t in usable}
        longest = max(head.values(), default=0)
        if longest:  # the longest head wins: 工业互联网 is 工业互联网, not 互联网 (software)
            found |= {tag for tag, n in head.items() if n == longest}
        else:
            found |= {t.tag for t in usable if any(k in term for k in t.keywords)}
    return [t.tag for t in taxonomy if t.tag in found]


def tags_for_name(name: str, *, town: bool = False) -> list[str]:
    """Tags of the industry words in an entity's name (杭州湾汽车智创小镇 → 汽车).

    A name is no industry statement, so any keyword it contains counts; town categories only
    for towns (``town=True``).
    """
    text = (name or "").strip()
    if not text:
        return []
    return [t.tag for t in load_taxonomy()
            if (town or t.group != TOWN_CATEGORY_GROUP) and any(k in text for k in t.keywords)]


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
