"""The profile (档案) of one entity: attributes, parts, neighbours, industries with sources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.crs import AREA_CRS, MU_PER_KM2
from geo.labels import (
    AREA_BASES,
    AREA_COLUMNS,
    COLUMNS,
    INDUSTRY_COLUMNS,
    INDUSTRY_SCOPES,
    LEVEL_LABELS,
    PROFILE_ATTRIBUTE_COLUMNS,
    QUALITY,
    QUALITY_NOTES,
    RELATED_COLUMNS,
    RELATIONS,
    labelled,
)
from geo.zones.catalog import LIST_SEPARATOR
from geo.zones.plans import cite_text

__all__ = ["EntityProfile", "entity_profile", "NEAR_KM"]

#: Entities within this distance of a zone or 分园 count as "nearby" in its profile.
NEAR_KM = 2.0
_RELATED_LEVELS = ("town", "branch", "base", "subzone", "zone")


@dataclass(frozen=True)
class EntityProfile:
    """Everything the 园区档案 page shows about one entity.

    Attributes
    ----------
    level, id, name : str
    attributes : DataFrame
        Every stored attribute with its Chinese label, under
        :data:`~geo.labels.PROFILE_ATTRIBUTE_COLUMNS` (字段, 值).
    subzones : DataFrame
        The zone's 分片 (empty for other levels).
    related : DataFrame
        Other entities inside or within :data:`NEAR_KM` of this one, under
        :data:`~geo.labels.RELATED_COLUMNS` (层级, 编号, 名称, 关系, 距离（公里）).
    industries : DataFrame
        Each stated phrase with its seed line, under :data:`~geo.labels.INDUSTRY_COLUMNS`
        (产业, 口径, 出处).
    areas : DataFrame
        Stated (as printed) and computed areas, under :data:`~geo.labels.AREA_COLUMNS`
        (口径, 平方公里, 亩).
    geometry_quality : str
    geometry_note : str
    """

    level: str
    id: str
    name: str
    attributes: pd.DataFrame
    subzones: pd.DataFrame
    related: pd.DataFrame
    industries: pd.DataFrame
    areas: pd.DataFrame
    geometry_quality: str
    geometry_note: str


def _split(value: object) -> list[str]:
    return [p for p in str(value or "").split(LIST_SEPARATOR) if p]


def _table(rows: list[dict], columns: Mapping[str, str]) -> pd.DataFrame:
    """``rows`` (keyed by the keys of ``columns``) under the Chinese headers of ``columns``."""
    return pd.DataFrame(rows, columns=list(columns)).rename(columns=columns)


def _industries(row: pd.Series, level: str) -> pd.DataFrame:
    rows = []
    if level == "zone":
        for col in ("leading_industries", "belt_industries"):
            phrases = _split(row.get(col))
            sources = _split(row.get(f"{col}_sources"))
            rows += [{"industry": p, "basis": INDUSTRY_SCOPES[col], "source": cite_text(s)}
                     for p, s in zip(phrases, sources, strict=True)]
    for col in ("leading_industry", "positioning"):
        if col in row and str(row[col] or ""):
            rows.append({"industry": row[col], "basis": INDUSTRY_SCOPES[col],
                         "source": cite_text(row["source"])})
    if level == "subzone":
        rows.append({"industry": row["industry_tags"], "basis": INDUSTRY_SCOPES["industry_tags"],
                     "source": INDUSTRY_SCOPES["inherited_source"]})
    return _table(rows, INDUSTRY_COLUMNS)


def _areas(row: pd.Series) -> pd.DataFrame:
    rows = []
    if "planned_area_km2" in row and str(row["planned_area_km2"] or ""):
        stated = pd.to_numeric(row["planned_area_km2"], errors="coerce")
        rows.append({"basis": AREA_BASES["planned"], "km2": stated,
                     "mu": stated * MU_PER_KM2 if pd.notna(stated) else None})
    if "area_km2" in row and pd.notna(row.get("area_km2")):
        basis = "computed_schematic" if row["geometry_quality"] == "schematic" else "computed"
        rows.append({"basis": AREA_BASES[basis], "km2": row["area_km2"], "mu": row["area_mu"]})
    return _table(rows, AREA_COLUMNS)


def _related(catalog: Mapping[str, gpd.GeoDataFrame], level: str, row: pd.Series,
             near_km: float) -> pd.DataFrame:
    me = gpd.GeoSeries([row.geometry], crs=catalog[level].crs).to_crs(AREA_CRS).iloc[0]
    rows = []
    for other in _RELATED_LEVELS:
        if other == level or (level == "zone" and other == "subzone"):
            continue
        layer = catalog[other]
        projected = layer.geometry.to_crs(AREA_CRS)
        dist = projected.distance(me) / 1000.0
        inside = projected.intersects(me) if me.geom_type != "Point" else dist == 0
        for idx in layer.index[(dist <= near_km).to_numpy()]:
            rows.append({
                "level": LEVEL_LABELS[other], "id": layer.at[idx, "id"],
                "name": layer.at[idx, "name"],
                "relation": RELATIONS["inside" if bool(inside.loc[idx]) else "near"],
                "distance_km": round(float(dist.loc[idx]), 2),
            })
    return _table(rows, RELATED_COLUMNS)


def entity_profile(
    catalog: Mapping[str, gpd.GeoDataFrame], level: str, entity_id: str, *,
    near_km: float = NEAR_KM,
) -> EntityProfile:
    """Gather the profile of one entity.

    Parameters
    ----------
    catalog : mapping of level to GeoDataFrame
    level : str
        One of zone, subzone, town, branch, base.
    entity_id : str
        Its ``id`` (e.g. ``"Z07"``).
    near_km : float, keyword-only
        Distance within which other entities are listed as nearby (schematic geometry:
        read "nearby" as "in the same area", not as a survey result).

    Returns
    -------
    EntityProfile
    """
    if level not in catalog or level == "district":
        raise ValueError(f"unknown level {level!r}. Fix: use zone, subzone, town, branch or base")
    layer = catalog[level]
    hit = layer[layer["id"] == entity_id]
    if hit.empty:
        raise ValueError(f"no {level} with id {entity_id!r}. Fix: pick an id from the table")
    row = hit.iloc[0]
    attrs = [{"field": COLUMNS.get(c, c), "value": "" if pd.isna(v) else str(cite_text(v))}
             for c, v in row.drop(labels=[layer.geometry.name]).items()]
    subzones = pd.DataFrame()
    if level == "zone":
        parts = catalog["subzone"][catalog["subzone"]["zone_id"] == entity_id]
        subzones = labelled(parts, ["id", "name", "district", "area_km2", "area_mu"])
    quality = str(row["geometry_quality"])
    return EntityProfile(
        level=level, id=str(row["id"]), name=str(row["name"]),
        attributes=_table(attrs, PROFILE_ATTRIBUTE_COLUMNS),
        subzones=subzones,
        related=_related(catalog, level, row, near_km),
        industries=_industries(row, level),
        areas=_areas(row),
        geometry_quality=QUALITY.get(quality, quality),
        geometry_note=QUALITY_NOTES.get(quality, ""),
    )
