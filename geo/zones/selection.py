"""One set of filters applied to every layer of the catalogue (what the app's sidebar holds).

The app, the exports and the tests share this, so "what the official sees" and "what the
official downloads" cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo.crs import STORAGE_CRS
from geo.labels import INDUSTRY_SCOPES, LEVEL_LABELS, MATCH_KINDS, SELECTION_FILTER_KEYS
from geo.zones.catalog import BELTS, LEVELS, LIST_SEPARATOR, districts_of
from geo.zones.plans import cite_text
from geo.zones.taxonomy import canonical_tags, split_tags

__all__ = ["Filters", "MAP_LEVELS", "MATCH_KINDS", "MATCH_MARKS", "select", "describe_filters",
           "filter_layer", "filter_by_industry", "matched_text"]

#: Layers an official can switch on and filter (districts are always drawn as outlines).
MAP_LEVELS = ("zone", "subzone", "town", "branch", "base")


@dataclass(frozen=True)
class Filters:
    """What to show.

    Attributes
    ----------
    industries : tuple of str
        Canonical tags (any of them matches).
    phrase : str
        Free text matched against the wording of each entity only — the industry phrases the
        seeds state for it (a zone's and sub-zone's stated and belt phrases, a town's or
        base's 主导产业, a 分园's 产业定位), never against tags: 膜材料 finds what says 膜材料,
        not everything tagged 新材料. It widens the tag choice (a row matching a tag *or* the
        phrase is kept), and the selection then carries ``matched_text``: each phrase that
        holds it, the match in 「」, with its seed line.
    belt, district, name : str
        Empty means no restriction. ``belt`` applies to zones and sub-zones only: the seeds
        give no belt for towns, 分园 or bases.
    levels : tuple of str
        Layers to include, a subset of :data:`MAP_LEVELS`.
    """

    industries: tuple[str, ...] = ()
    phrase: str = ""
    belt: str = ""
    district: str = ""
    name: str = ""
    levels: tuple[str, ...] = field(default=MAP_LEVELS)

    def __post_init__(self) -> None:
        unknown = [lvl for lvl in self.levels if lvl not in MAP_LEVELS]
        if unknown:
            raise ValueError(
                f"unknown layer(s) {', '.join(unknown)}. Fix: use {', '.join(MAP_LEVELS)}")
        if self.belt and self.belt not in BELTS:
            raise ValueError(f"unknown belt {self.belt!r}. Fix: use one of {', '.join(BELTS)}")

    @property
    def industry_queries(self) -> list[str]:
        """Tags and the free phrase, as one list of queries (empty: no industry filter)."""
        return [*self.industries, *([self.phrase.strip()] if self.phrase.strip() else [])]


def select(
    catalog: Mapping[str, gpd.GeoDataFrame], filters: Filters
) -> dict[str, gpd.GeoDataFrame]:
    """Apply ``filters`` to every chosen layer.

    Parameters
    ----------
    catalog : mapping of level to GeoDataFrame
        As returned by :func:`geo.zones.catalog.load_catalog`.
    filters : Filters

    Returns
    -------
    dict of str to GeoDataFrame
        One filtered copy per level in ``filters.levels``, in :data:`MAP_LEVELS` order; with a
        phrase set, each has a ``matched_text`` column (empty for rows kept by a tag only).
    """
    out = {}
    for level in MAP_LEVELS:
        if level not in filters.levels:
            continue
        gdf = catalog[level]
        out[level] = filter_layer(
            gdf,
            industries=filters.industries,
            phrase=filters.phrase,
            belt=filters.belt if "belt" in gdf.columns else None,
            district=filters.district or None,
            name=filters.name or None,
        )
    return out


def describe_filters(filters: Filters) -> dict[str, str]:
    """Describe the filters as 说明-sheet lines (Chinese keys), for exports and the page header."""
    keys = SELECTION_FILTER_KEYS
    return {
        keys["levels"]: "、".join(LEVEL_LABELS[lvl] for lvl in filters.levels) or "（无）",
        keys["industries"]: "、".join(filters.industries) or "（不限）",
        keys["phrase"]: filters.phrase.strip() or "（不限）",
        keys["belt"]: (filters.belt + "（仅作用于集聚区与分片）") if filters.belt else "（不限）",
        keys["district"]: filters.district or "（不限）",
        keys["name"]: filters.name or "（不限）",
    }


#: Columns holding an entity's stated wording, each with the column of its seed lines (zone
#: and sub-zone columns are lists joined with ；, the others one phrase).
_WORDING = (("leading_industries", "leading_industries_sources"),
            ("belt_industries", "belt_industries_sources"),
            ("leading_industry", "source"), ("positioning", "source"))
_LISTED = {"leading_industries", "belt_industries"}
#: How the matched part of a phrase is marked in ``matched_text``.
MATCH_MARKS = ("「", "」")


def _split(value: object) -> list[str]:
    return str(value).split(LIST_SEPARATOR) if isinstance(value, str) and value else []


def _wording(row: pd.Series) -> list[tuple[str, str]]:
    """List (phrase, where) of every stated phrase of an entity.

    ``where`` is the seed line, with the part the phrase was stated for when that is a sub-zone
    or a district rather than the whole zone.
    """
    out = []
    for col, src_col in _WORDING:
        if col not in row.index:
            continue
        if col not in _LISTED:
            if isinstance(row[col], str) and row[col]:
                out.append((row[col], str(row.get(src_col, "") or "")))
            continue
        phrases, sources = _split(row[col]), _split(row.get(src_col))
        scopes = _split(row.get("leading_industries_scopes")) if col == "leading_industries" \
            else []
        for i, phrase in enumerate(phrases):
            where = sources[i] if i < len(sources) else ""
            scope = scopes[i] if i < len(scopes) else "zone"
            if col == "belt_industries":
                scope = INDUSTRY_SCOPES["belt_industries"]
            out.append((phrase, where if scope == "zone" else f"{scope}；{where}"))
    return out


def matched_text(row: pd.Series, phrase: str) -> str:
    """Give the stated phrases of ``row`` that hold ``phrase``, the match marked, with seed lines.

    E.g. ``「膜材料」（003_eaac2ae218f46b5d.txt:1809）``; several are joined with ；. Empty when
    no stated phrase holds it.
    """
    phrase = phrase.strip()
    if not phrase:
        return ""
    left, right = MATCH_MARKS
    hits = [f"{text.replace(phrase, left + phrase + right)}（{cite_text(where)}）"
            for text, where in _wording(row) if phrase in text]
    return LIST_SEPARATOR.join(dict.fromkeys(hits))


def _has_wording(gdf: gpd.GeoDataFrame) -> bool:
    return any(col in gdf.columns for col, _ in _WORDING)


def _tag_mask(gdf: gpd.GeoDataFrame, tags: Iterable[str]) -> pd.Series:
    wanted = set(tags)
    return gdf["industry_tags"].map(lambda v: bool(set(split_tags(v)) & wanted)).astype(bool)


def _phrase_text(gdf: gpd.GeoDataFrame, phrases: Iterable[str]) -> pd.Series:
    """``matched_text`` of every row for all ``phrases`` (empty where none matches)."""
    phrases = [p.strip() for p in phrases if p and p.strip()]
    return pd.Series([LIST_SEPARATOR.join(t for t in (matched_text(row, p) for p in phrases) if t)
                      for _, row in gdf.iterrows()], index=gdf.index, dtype="string")


def _split_queries(industries: Iterable[str] | None, phrase: str | None
                   ) -> tuple[list[str], list[str]]:
    """Canonical tags and phrases among the queries (an entry that is no tag is a phrase)."""
    queries = [q.strip() for q in (industries or []) if q and q.strip()]
    known = set(canonical_tags())
    phrases = [q for q in queries if q not in known]
    if phrase and phrase.strip():
        phrases.append(phrase.strip())
    return [q for q in queries if q in known], phrases


def _industry_hits(gdf: gpd.GeoDataFrame, tags: list[str], phrases: list[str]
                   ) -> tuple[pd.Series, pd.Series | None]:
    """Rows matching any tag or phrase, and their ``matched_text`` (None without phrases)."""
    if "industry_tags" not in gdf.columns or not _has_wording(gdf):
        raise ValueError(
            "this layer has no industries. Fix: filter zones, sub-zones, towns, "
            "branches or bases by industry"
        )
    hit = _tag_mask(gdf, tags) if tags else pd.Series(False, index=gdf.index)
    if not phrases:
        return hit, None
    texts = _phrase_text(gdf, phrases)
    return hit | (texts != ""), texts


def filter_layer(
    gdf: gpd.GeoDataFrame,
    *,
    industries: Iterable[str] | None = None,
    phrase: str | None = None,
    belt: str | None = None,
    district: str | None = None,
    name: str | None = None,
) -> gpd.GeoDataFrame:
    """Filter one layer by industry, belt, district and name.

    Parameters
    ----------
    gdf : GeoDataFrame
        A catalogue layer.
    industries : iterable of str, keyword-only
        Canonical tags, matched against ``industry_tags``; an entry that is no canonical tag is
        taken as a phrase (like ``phrase``). A row matches if it matches any of them.
    phrase : str, keyword-only
        Free text matched against the stated wording only (see :class:`Filters`); widens the
        tags. When given (or implied by ``industries``) the result has ``matched_text``.
    belt : str, keyword-only
        One of :data:`BELTS`; layers without a ``belt`` column raise ``ValueError``.
    district : str, keyword-only
        A district name such as "北仑区".
    name : str, keyword-only
        Substring of the name.

    Returns
    -------
    GeoDataFrame
        The matching rows (a copy), in original order.
    """
    mask = pd.Series(True, index=gdf.index)
    tags, phrases = _split_queries(industries, phrase)
    texts = None
    if tags or phrases:
        any_hit, texts = _industry_hits(gdf, tags, phrases)
        mask &= any_hit
    if belt:
        if belt not in BELTS:
            raise ValueError(f"unknown belt {belt!r}. Fix: use one of {', '.join(BELTS)}")
        if "belt" not in gdf.columns:
            raise ValueError(
                f"belt {belt!r}: only zones and sub-zones carry a belt. Fix: choose level "
                "zone or subzone, or filter by district"
            )
        mask &= gdf["belt"] == belt
    if district:
        col = "districts" if "districts" in gdf.columns else "district"
        if col not in gdf.columns:
            col = "name"
        mask &= gdf[col].map(lambda v: district in districts_of(v) or v == district)
    if name:
        mask &= gdf["name"].astype("string").str.contains(name.strip(), regex=False)
    out = gdf.loc[mask].copy()
    if texts is not None:
        out["matched_text"] = texts[mask].astype(str).to_numpy()
    return out


def filter_by_industry(
    catalog: Mapping[str, gpd.GeoDataFrame], query: str, *, levels: Iterable[str] | None = None
) -> gpd.GeoDataFrame:
    """Entities of every layer that match an industry tag or free phrase.

    Parameters
    ----------
    catalog : mapping of level to GeoDataFrame
        As returned by :func:`load_catalog`.
    query : str
        A canonical tag ("汽车"): rows carrying it. Any other phrase ("膜材料", "智能电器"):
        rows whose stated wording holds it (never rows that merely share its tags).
    levels : iterable of str, keyword-only
        Restrict to these levels (default: all with industries).

    Returns
    -------
    GeoDataFrame
        Columns ``level``, ``level_label``, ``id``, ``name``, ``industry_tags``,
        ``match`` (标签 / 原文), ``matched_text`` (for a phrase: each stated phrase holding it,
        with its seed line; empty for a tag), ``geometry_quality``, ``geometry``; EPSG:4326.
    """
    if not query or not query.strip():
        raise ValueError("empty industry query. Fix: give a tag such as 汽车 or a phrase")
    query = query.strip()
    is_tag = query in set(canonical_tags())
    frames = []
    for level in levels or [lvl for lvl in LEVELS if lvl != "district"]:
        gdf = catalog[level]
        if is_tag:
            hit = _tag_mask(gdf, [query])
            texts = pd.Series("", index=gdf.index, dtype="string")
        else:
            texts = _phrase_text(gdf, [query])
            hit = (texts != "").astype(bool)
        part = gdf.loc[hit, ["id", "name", "industry_tags", "geometry_quality", "geometry"]].copy()
        part.insert(0, "level_label", LEVEL_LABELS[level])
        part.insert(0, "level", level)
        part["match"] = MATCH_KINDS["tag" if is_tag else "wording"]
        part["matched_text"] = texts[hit].astype(str).to_numpy()
        frames.append(part)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return gpd.GeoDataFrame(out, geometry="geometry", crs=STORAGE_CRS)
