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
from geo.labels import LEVEL_LABELS, SELECTION_FILTER_KEYS
from geo.zones.catalog import BELTS, LEVELS, districts_of
from geo.zones.taxonomy import canonical_tags, split_tags, tags_for_phrase

__all__ = ["Filters", "MAP_LEVELS", "select", "describe_filters", "filter_layer",
           "filter_by_industry"]

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
        Free text matched against the raw industry phrases (and the tags it maps to); it
        widens the tag choice (a row matching a tag *or* the phrase is kept).
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
        One filtered copy per level in ``filters.levels``, in :data:`MAP_LEVELS` order.
    """
    out = {}
    for level in MAP_LEVELS:
        if level not in filters.levels:
            continue
        gdf = catalog[level]
        out[level] = filter_layer(
            gdf,
            industries=filters.industry_queries,
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


def _raw_phrase_columns(gdf: gpd.GeoDataFrame) -> list[str]:
    cols = ("leading_industries", "belt_industries", "leading_industry", "positioning")
    return [c for c in cols if c in gdf]


def _industry_mask(gdf: gpd.GeoDataFrame, query: str) -> tuple[pd.Series, pd.Series]:
    """Rows matching ``query`` and how: by canonical tag, or by the raw phrase text."""
    query = query.strip()
    tags = [query] if query in set(canonical_tags()) else tags_for_phrase(query)
    tag_hit = gdf["industry_tags"].map(lambda v: bool(set(split_tags(v)) & set(tags)))
    raw_hit = pd.Series(False, index=gdf.index)
    if query not in set(canonical_tags()):
        for col in _raw_phrase_columns(gdf):
            raw_hit |= gdf[col].astype("string").fillna("").str.contains(query, regex=False)
    how = pd.Series("", index=gdf.index, dtype="string")
    how[tag_hit] = "标签"
    how[raw_hit] = "原文"
    how[tag_hit & raw_hit] = "标签+原文"
    return (tag_hit | raw_hit).astype(bool), how


def filter_layer(
    gdf: gpd.GeoDataFrame,
    *,
    industries: Iterable[str] | None = None,
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
        Canonical tags or free phrases; a row matches if it matches any of them.
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
    industries = [q for q in (industries or []) if q and q.strip()]
    if industries:
        if "industry_tags" not in gdf.columns:
            raise ValueError(
                "this layer has no industries. Fix: filter zones, sub-zones, towns, "
                "branches or bases by industry"
            )
        any_hit = pd.Series(False, index=gdf.index)
        for q in industries:
            any_hit |= _industry_mask(gdf, q)[0]
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
    return gdf.loc[mask].copy()


def filter_by_industry(
    catalog: Mapping[str, gpd.GeoDataFrame], query: str, *, levels: Iterable[str] | None = None
) -> gpd.GeoDataFrame:
    """Entities of every layer that match an industry tag or free phrase.

    Parameters
    ----------
    catalog : mapping of level to GeoDataFrame
        As returned by :func:`load_catalog`.
    query : str
        A canonical tag ("汽车") or any phrase ("膜材料", "智能电器"). A phrase matches
        rows whose stated industry text contains it, and rows carrying the tags it maps to.
    levels : iterable of str, keyword-only
        Restrict to these levels (default: all with industries).

    Returns
    -------
    GeoDataFrame
        Columns ``level``, ``level_label``, ``id``, ``name``, ``industry_tags``,
        ``match`` (标签 / 原文 / 标签+原文), ``geometry_quality``, ``geometry``; EPSG:4326.
    """
    if not query or not query.strip():
        raise ValueError("empty industry query. Fix: give a tag such as 汽车 or a phrase")
    frames = []
    for level in levels or [lvl for lvl in LEVELS if lvl != "district"]:
        gdf = catalog[level]
        hit, how = _industry_mask(gdf, query)
        part = gdf.loc[hit, ["id", "name", "industry_tags", "geometry_quality", "geometry"]].copy()
        part.insert(0, "level_label", LEVEL_LABELS[level])
        part.insert(0, "level", level)
        part["match"] = how[hit]
        frames.append(part)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return gpd.GeoDataFrame(out, geometry="geometry", crs=STORAGE_CRS)
