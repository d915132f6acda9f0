"""One set of filters applied to every layer of the catalogue (what the app's sidebar holds).

The app, the exports and the tests share this, so "what the official sees" and "what the
official downloads" cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd

from geo.labels import LEVEL_LABELS
from geo.zones.catalog import BELTS, filter_layer

__all__ = ["Filters", "MAP_LEVELS", "select", "describe_filters"]

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
        As returned by :func:`geo.load_catalog`.
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
    return {
        "筛选·图层": "、".join(LEVEL_LABELS[lvl] for lvl in filters.levels) or "（无）",
        "筛选·产业标签": "、".join(filters.industries) or "（不限）",
        "筛选·产业原文": filters.phrase.strip() or "（不限）",
        "筛选·产业带": (filters.belt + "（仅作用于集聚区与分片）") if filters.belt else "（不限）",
        "筛选·区县": filters.district or "（不限）",
        "筛选·名称": filters.name or "（不限）",
    }
