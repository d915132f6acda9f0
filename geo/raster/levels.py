"""Zonal statistics of a user's raster by planning level: 分片, 集聚区, 区县, 宗地 or a layer.

:func:`level_polygons` gives the polygons of one level — the catalogue's sub-zones, zones and
districts (:func:`geo.zones.catalog.load_catalog`), the canonical parcels of
:func:`geo.landuse.pipeline.load_inputs`, or a polygon layer the official uploaded — with the
column that identifies them. :func:`zonal_table` computes the statistics with
:func:`geo.raster.zonal.zonal_stats` (cells weighted by their covered fraction, rows aligned by
id) and returns the table under Chinese or English headers with the lines its 说明 sheet needs:
the raster's unit, data nature and year (its tags ``UNIT``, ``DATA_NATURE``, ``YEAR``), how the
units were identified, and that the zone outlines are schematic where they are.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo._errors import DataImportError
from geo.export import ExportNotes, geometry_notice
from geo.labels import (
    COLUMNS,
    QUALITY,
    QUALITY_NOTES,
    SCHEMATIC_NOTICE,
    ZONAL_CLASS_SHARE,
    ZONAL_COLUMNS,
    ZONAL_LEVEL_LABELS,
    ZONAL_NOTE_KEY,
)
from geo.landuse.model import is_sample_label
from geo.raster.safe import open_user_raster
from geo.raster.zonal import NUMERIC_COLUMNS, zonal_stats

__all__ = ["ZONAL_LEVELS", "CATALOG_LEVELS", "ZONAL_STATS", "DEFAULT_STATS", "RASTER_TAGS",
           "LevelPolygons", "RasterInfo", "level_polygons", "parse_classes", "parse_stats",
           "raster_info", "read_polygons", "zonal_notes", "zonal_table"]

#: Levels statistics are computed over.
ZONAL_LEVELS = ("subzone", "zone", "district", "parcel", "polygons")
#: The levels whose polygons come from the catalogue.
CATALOG_LEVELS = ("subzone", "zone", "district")
#: Statistics that may be asked for (see :func:`geo.raster.zonal.zonal_stats`).
ZONAL_STATS = NUMERIC_COLUMNS
#: Statistics computed when none are named.
DEFAULT_STATS = ("mean", "sum", "count")
#: The raster tags read into the notes (written by :func:`geo.raster.surface.write_cog`), and
#: ``CLASSES`` ("1=A;2=B") naming the classes of a categorical raster.
RASTER_TAGS = ("UNIT", "DATA_NATURE", "YEAR", "CLASSES")

#: Column names that identify an uploaded polygon (first unique, non-empty one wins).
_ID_CANDIDATES = ("id", "ID", "Id", COLUMNS["id"])
#: Column names that name an uploaded polygon.
_NAME_CANDIDATES = ("name", "NAME", "Name", COLUMNS["name"])
#: Columns the output table adds; an uploaded id column may not be named like one of them.
_RESERVED = (*NUMERIC_COLUMNS, "geometry_quality", "geometry_note", "raster_unit", "data_nature",
             "data_year", "row_number")
#: The catalogue's columns kept for each level (after id and name).
_CATALOG_EXTRA = {"subzone": ("zone_id", "zone_name"), "zone": (), "district": ()}
_POLYGONAL = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class LevelPolygons:
    """The polygons of one level and how they are identified.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        The polygons with ``id_column``, ``name_column`` (if any), ``geometry_quality`` (if
        known) and any extra columns kept (the 集聚区 of a 分片).
    id_column : str
        Unique, non-empty column identifying each polygon (the output is aligned by it).
    name_column : str or None
        Column naming each polygon, if there is one.
    label : str
        The level's Chinese name (:data:`geo.labels.ZONAL_LEVEL_LABELS`).
    notes : tuple of str
        What the official should know about the polygons (e.g. that they are numbered by row).
    """

    frame: gpd.GeoDataFrame
    id_column: str
    name_column: str | None
    label: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RasterInfo:
    """What a user's raster is: its file, grid and tags.

    Attributes
    ----------
    name : str
        File name.
    width, height : int
        Grid size in cells.
    resolution : (float, float)
        Cell size (x, y) in the raster's CRS units.
    crs : str
        The CRS (e.g. ``EPSG:4549``).
    tags : dict of str to str
        The tags of :data:`RASTER_TAGS` the file has.
    """

    name: str
    width: int
    height: int
    resolution: tuple[float, float]
    crs: str
    tags: dict[str, str]


def _error(problem: str, fix: str, zh: tuple[str, str], *, field: str) -> DataImportError:
    return DataImportError(problem, field=field, fix=fix, zh=zh)


def parse_stats(stats: str | Sequence[str]) -> tuple[str, ...]:
    """Return the statistics named (``"mean,sum"`` or a sequence), checked and de-duplicated.

    Parameters
    ----------
    stats : str or sequence of str
        Names among :data:`ZONAL_STATS`, comma-separated in a string.

    Returns
    -------
    tuple of str

    Raises
    ------
    DataImportError
        When a name is unknown or none is given (field ``stats``, in English and Chinese).
    """
    items = stats.replace("，", ",").split(",") if isinstance(stats, str) else list(stats)
    names = [str(s).strip().lower() for s in items if str(s).strip()]
    allowed = ", ".join(ZONAL_STATS)
    unknown = [n for n in names if n not in ZONAL_STATS]
    if unknown:
        raise DataImportError(
            f"unknown statistic {', '.join(unknown)}", field="stats",
            fix=f"use one or more of {allowed}, separated by commas",
            zh=(f"无法识别的统计量：{'、'.join(unknown)}",
                f"请从以下统计量中选择一个或多个，用逗号分隔：{allowed}"
                "（mean 平均值，sum 总和，min 最小值，max 最大值，count 有效像元数，"
                "valid_share 有效像元占比）"))
    if not names:
        raise DataImportError(
            "no statistic given", field="stats", fix=f"name at least one of {allowed}",
            zh=("没有给出统计量", f"请至少给出以下统计量之一：{allowed}"))
    return tuple(dict.fromkeys(names))


def parse_classes(text: str) -> dict[Hashable, str]:
    """Read a ``CLASSES`` tag (``"1=A;2=B"``) as class value → name; unreadable parts skipped."""
    legend: dict[Hashable, str] = {}
    for part in text.replace("；", ";").split(";"):
        value, sep, name = part.partition("=")
        if not sep or not name.strip():
            continue
        try:
            legend[float(value.strip())] = name.strip()
        except ValueError:
            continue
    return legend


def raster_info(raster_path: str | os.PathLike[str]) -> RasterInfo:
    """Open a user's raster through :func:`geo.raster.safe.open_user_raster` and describe it.

    Raises
    ------
    geo.raster.safe.RasterError
        When the raster is refused.
    """
    with open_user_raster(raster_path) as src:
        tags = {k: str(v) for k, v in src.tags().items() if k in RASTER_TAGS and str(v).strip()}
        epsg = src.crs.to_epsg()
        crs = f"EPSG:{epsg}" if epsg else src.crs.to_string()
        return RasterInfo(name=Path(raster_path).name, width=src.width, height=src.height,
                          resolution=(abs(src.res[0]), abs(src.res[1])), crs=crs, tags=tags)


def _catalog_level(level: str, catalog: Mapping[str, gpd.GeoDataFrame] | None,
                   id_column: str | None) -> LevelPolygons:
    if catalog is None:
        from geo.zones.catalog import load_catalog

        catalog = load_catalog()
    layer = catalog[level]
    key = id_column or "id"
    if key not in layer.columns:
        raise _error(
            f"the {level} layer has no column {key!r}", field=key,
            fix="leave the id column out for catalogue levels (they are identified by id)",
            zh=(f"{ZONAL_LEVEL_LABELS[level]}图层没有字段 {key!r}",
                "目录层级按编号（id）标识，请不要另指定编号字段"))
    keep = list(dict.fromkeys([key, "name", *_CATALOG_EXTRA[level], "geometry_quality"]))
    frame = gpd.GeoDataFrame(layer[keep], geometry=layer.geometry.to_numpy(), crs=layer.crs)
    return LevelPolygons(frame=frame, id_column=key, name_column="name",
                         label=ZONAL_LEVEL_LABELS[level])


def _parcel_level(parcels: gpd.GeoDataFrame | None, id_column: str | None) -> LevelPolygons:
    if parcels is None:
        raise _error(
            "statistics by parcel need the parcels", field="parcels",
            fix="give the parcel file (python -m geo zonal --level parcel --parcels FILE)",
            zh=("按宗地统计需要宗地数据",
                "请用 --parcels 给出宗地文件（GeoPackage、GeoJSON 或 zip 打包的 Shapefile）"))
    key = id_column or "parcel_id"
    if key not in parcels.columns:
        raise _error(f"the parcels have no column {key!r}", field=key,
                     fix="give canonical parcels (geo.landuse.pipeline.load_inputs)",
                     zh=(f"宗地数据中没有字段 {key!r}", "请使用导入后的宗地数据（含宗地编号）"))
    polygonal = parcels.geometry.notna() & parcels.geom_type.isin(_POLYGONAL).to_numpy()
    shown = parcels.loc[polygonal]
    labels = shown["data_label"] if "data_label" in shown else pd.Series("", index=shown.index)
    quality = ["sample" if is_sample_label(v) else "imported" for v in labels]
    frame = gpd.GeoDataFrame({key: shown[key].to_numpy(), "geometry_quality": quality},
                             geometry=shown.geometry.to_numpy(), crs=parcels.crs)
    notes: tuple[str, ...] = ()
    if int((~polygonal).sum()):
        notes = (f"{int((~polygonal).sum())} 宗宗地没有多边形图形（只有点位或无图形），不参与统计",)
    return LevelPolygons(frame=frame, id_column=key, name_column=None,
                         label=ZONAL_LEVEL_LABELS["parcel"], notes=notes)


def _usable_id(frame: pd.DataFrame, column: str) -> bool:
    values = frame[column]
    text = values.astype("string").str.strip()
    return bool(values.notna().all() and (text != "").all() and not values.duplicated().any())


def _polygon_ids(polygons: gpd.GeoDataFrame, id_column: str | None
                 ) -> tuple[gpd.GeoDataFrame, str, tuple[str, ...]]:
    """Return the layer and its id column: the one named, a unique id-like one, or row numbers."""
    if id_column is not None:
        if id_column not in polygons.columns or id_column == polygons.geometry.name:
            fields = [str(c) for c in polygons.columns if c != polygons.geometry.name]
            raise _error(
                f"the polygon layer has no field {id_column!r}", field=id_column,
                fix=f"choose one of: {', '.join(fields)}",
                zh=(f"面图层中没有字段 {id_column!r}",
                    f"请用 --id-column 从以下字段中选择：{'、'.join(fields)}"))
        if id_column in _RESERVED:
            raise _error(
                f"the id field {id_column!r} has the name of an output column", field=id_column,
                fix="rename the field in the file (e.g. to zone_id) or choose another",
                zh=(f"编号字段 {id_column!r} 与输出表的统计列同名",
                    "请在文件中把该字段改名（如改为 zone_id），或另选编号字段"))
        return polygons, id_column, (f"统计单元按字段“{id_column}”编号",)
    for name in _ID_CANDIDATES:
        if name in polygons.columns and _usable_id(polygons, name):
            return polygons, name, (
                f"统计单元按字段“{name}”编号（自动识别；可用 --id-column 另选）",)
    numbered = polygons.copy()
    numbered.insert(0, "row_number", range(1, len(polygons) + 1))
    return numbered, "row_number", (
        f"面图层没有唯一且非空的编号字段（{'、'.join(_ID_CANDIDATES)}），统计单元按行号 "
        f"1…{len(polygons)} 编号（第 1 行为文件中的第一个图形）；可用 --id-column 指定编号字段",)


def _polygon_level(polygons: gpd.GeoDataFrame | None, id_column: str | None) -> LevelPolygons:
    if polygons is None:
        raise _error("statistics over uploaded polygons need the polygon layer",
                     field="polygons", fix="give the polygon file (--polygons FILE)",
                     zh=("按上传的面图层统计需要面图层",
                         "请用 --polygons 给出面图层文件（GeoPackage、GeoJSON 或 zip 打包的 "
                         "Shapefile）"))
    kinds = polygons.geom_type
    bad = polygons.geometry.notna() & ~polygons.geometry.is_empty & ~kinds.isin(_POLYGONAL)
    if bad.any():
        found = "、".join(sorted({str(k) for k in kinds[bad]}))
        raise _error(
            f"{int(bad.sum())} features are not polygons ({found})", field="geometry",
            fix="give a layer of polygons (zones, parcels), not points or lines",
            zh=(f"面图层中有 {int(bad.sum())} 个图形不是面（{found}）",
                "请给出由面（多边形）组成的图层，而不是点或线"))
    frame, key, notes = _polygon_ids(polygons, id_column)
    name = next((c for c in _NAME_CANDIDATES if c in frame.columns and c != key), None)
    keep = [c for c in dict.fromkeys([key, name, "geometry_quality"])
            if c is not None and c in frame.columns]
    out = gpd.GeoDataFrame(frame[keep], geometry=frame.geometry.to_numpy(), crs=frame.crs)
    return LevelPolygons(frame=out, id_column=key, name_column=name,
                         label=ZONAL_LEVEL_LABELS["polygons"], notes=notes)


def level_polygons(level: str, *, catalog: Mapping[str, gpd.GeoDataFrame] | None = None,
                   parcels: gpd.GeoDataFrame | None = None,
                   polygons: gpd.GeoDataFrame | None = None,
                   id_column: str | None = None) -> LevelPolygons:
    """Return the polygons of ``level`` and the column identifying them.

    Parameters
    ----------
    level : str
        One of :data:`ZONAL_LEVELS`.
    catalog : mapping, keyword-only
        The catalogue (default :func:`geo.zones.catalog.load_catalog`), for 分片, 集聚区, 区县.
    parcels : GeoDataFrame, keyword-only
        Canonical parcels (``parcel_id``, ``data_label``), for ``level="parcel"``; parcels
        without a polygon are left out (and said so in the notes).
    polygons : GeoDataFrame, keyword-only
        An uploaded polygon layer, for ``level="polygons"``.
    id_column : str, keyword-only
        The identifying column. Default: ``id`` for catalogue levels, ``parcel_id`` for
        parcels; for an uploaded layer the first of id/ID/编号 that is unique and non-empty,
        else the row number 1…n (column ``row_number``).

    Returns
    -------
    LevelPolygons

    Raises
    ------
    DataImportError
        For an unknown level, missing parcels or polygons, an unknown id column, or a layer
        holding points or lines.
    """
    if level not in ZONAL_LEVELS:
        raise _error(f"unknown level {level!r}", field="level",
                     fix=f"use one of {', '.join(ZONAL_LEVELS)}",
                     zh=(f"未知的统计层级 {level!r}",
                         f"请使用以下层级之一：{'、'.join(ZONAL_LEVELS)}"))
    if level in CATALOG_LEVELS:
        return _catalog_level(level, catalog, id_column)
    if level == "parcel":
        return _parcel_level(parcels, id_column)
    return _polygon_level(polygons, id_column)


def _headers(table: pd.DataFrame, classes: Sequence[str], lang: str) -> pd.DataFrame:
    """Return the table under the headers of ``lang``: Chinese labels, or snake_case keys."""
    names = {f"share_{c}": ZONAL_CLASS_SHARE[lang].format(name=c) for c in classes}
    if lang == "en":
        return table.rename(columns=names)
    out = table.copy()
    if "geometry_quality" in out:
        out["geometry_quality"] = out["geometry_quality"].map(lambda q: QUALITY.get(q, q))
    words = {**{c: COLUMNS[c] for c in ("id", "name", "zone_id", "zone_name", "parcel_id",
                                        "geometry_quality", "geometry_note", "data_nature",
                                        "data_year")}, **ZONAL_COLUMNS}
    names.update({c: words[c] for c in out.columns if c in words and c not in names})
    return out.rename(columns=names)


def _notes(info: RasterInfo, polygons: LevelPolygons, table: pd.DataFrame, *,
           categorical: bool, stats: Sequence[str]) -> list[str]:
    tags = info.tags
    lines = [f"栅格文件：{info.name}（{info.width} × {info.height} 像元，像元大小 "
             f"{info.resolution[0]:g} × {info.resolution[1]:g}，坐标系 {info.crs}）",
             f"栅格单位：{tags.get('UNIT', '未注明（栅格没有 UNIT 标签）')}",
             f"栅格数据性质：{tags.get('DATA_NATURE', '未注明（栅格没有 DATA_NATURE 标签）')}",
             f"栅格数据年度：{tags.get('YEAR', '未注明（栅格没有 YEAR 标签）')}",
             f"统计单元：{polygons.label}，共 {len(polygons.frame)} 个",
             *polygons.notes,
             "统计方法：被面部分覆盖的像元按覆盖比例计权（exactextract），无数据像元不参与统计；"
             "有效像元数为覆盖比例之和，有效像元占比 = 有效像元 ÷ 覆盖的全部像元（含无数据）"]
    if categorical:
        lines.append("分类栅格：各类别占比为统计单元内有效像元中的占比（按覆盖比例计权），"
                     "各行合计为 1" + (f"；类别编码（CLASSES 标签）：{tags['CLASSES']}"
                                      if "CLASSES" in tags else ""))
    else:
        lines.append(f"统计量：{'、'.join(ZONAL_COLUMNS[s] for s in stats)}")
    if is_sample_label(tags.get("DATA_NATURE")):
        lines.append(f"{QUALITY_NOTES['sample']}（栅格由示例数据生成）")
    empty = int((table["count"] <= 0).sum())
    if empty:
        lines.append(f"{empty} 个统计单元没有覆盖有效像元（在栅格范围外或全为无数据），"
                     "统计值为空、有效像元数为 0")
    if "geometry_quality" in polygons.frame:
        qualities = polygons.frame["geometry_quality"]
        if (qualities == "schematic").any():
            lines.append(f"{COLUMNS['geometry_note']}：{SCHEMATIC_NOTICE}")
        else:
            lines.append(f"{COLUMNS['geometry_note']}：{geometry_notice(qualities)}")
    return lines


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise _error(f"unknown language {lang!r}", field="lang", fix="use zh or en",
                     zh=(f"不支持的语言 {lang!r}", "请使用 zh 或 en"))


def zonal_table(raster_path: str | os.PathLike[str], level: str, *,
                stats: str | Sequence[str] = DEFAULT_STATS,
                catalog: Mapping[str, gpd.GeoDataFrame] | None = None,
                parcels: gpd.GeoDataFrame | None = None,
                polygons: gpd.GeoDataFrame | None = None, id_column: str | None = None,
                categorical: bool = False, legend: Mapping[Hashable, str] | None = None,
                lang: str = "zh") -> tuple[pd.DataFrame, list[str]]:
    """Statistics of a user's raster over the polygons of one level, with their 说明 lines.

    Parameters
    ----------
    raster_path : path-like
        The GeoTIFF (opened only through :func:`geo.raster.safe.open_user_raster`).
    level : str
        One of :data:`ZONAL_LEVELS` (see :func:`level_polygons`).
    stats : str or sequence of str, keyword-only
        Statistics among :data:`ZONAL_STATS` (default mean, sum, count); ignored for a
        categorical raster, which gives ``count``, ``valid_share`` and the class shares.
    catalog, parcels, polygons, id_column : keyword-only
        The polygons' sources, as :func:`level_polygons` takes them.
    categorical : bool, keyword-only
        The raster holds classes: give the share of each class per unit.
    legend : mapping, keyword-only
        Class value → name; default the raster's ``CLASSES`` tag, if any.
    lang : {"zh", "en"}, keyword-only
        Chinese headers (default) or snake_case keys.

    Returns
    -------
    (pandas.DataFrame, list of str)
        One row per unit in the level's order: id, name (and the 集聚区 of a 分片), the
        statistics, ``geometry_quality`` and ``geometry_note`` where the level has them, and the
        raster's unit, data nature and year (from its tags; "未注明" when absent). The list
        holds the 说明 lines: raster, tags, units and how they are identified, method, and the
        geometry notice (the schematic notice for 分片 and 集聚区).

    Raises
    ------
    DataImportError
        For an unknown statistic, level or language, or polygons that cannot be used (see
        :func:`level_polygons`, :func:`geo.raster.zonal.zonal_stats`).
    geo.raster.safe.RasterError
        When the raster is refused.
    """
    _check_lang(lang)
    names = parse_stats(stats)
    units = level_polygons(level, catalog=catalog, parcels=parcels, polygons=polygons,
                           id_column=id_column)
    info = raster_info(raster_path)
    if categorical and legend is None and "CLASSES" in info.tags:
        legend = parse_classes(info.tags["CLASSES"]) or None
    raw = zonal_stats(raster_path, units.frame, id_column=units.id_column,
                      categorical=categorical, legend=legend)
    key = units.id_column
    if categorical:  # share columns as "share_<class>" until labelled (no clash with ours)
        classes = [str(c) for c in raw.columns[3:]]
        picked = ["count", "valid_share", *(f"share_{c}" for c in classes)]
        values = raw.iloc[:, 1:].set_axis(picked, axis=1)
    else:
        classes, values, picked = [], raw.iloc[:, 1:], list(names)
    # aligned by id, never by position
    values = values.set_axis(raw[key].astype(str).to_numpy()).reindex(
        units.frame[key].astype(str).to_numpy())
    attrs = [c for c in units.frame.columns if c not in (units.frame.geometry.name,
                                                         "geometry_quality")]
    table = pd.DataFrame(units.frame[attrs]).reset_index(drop=True)
    table = pd.concat([table, values[picked].reset_index(drop=True)], axis=1).copy()
    if "geometry_quality" in units.frame:
        table["geometry_quality"] = units.frame["geometry_quality"].to_numpy()
        table["geometry_note"] = table["geometry_quality"].map(QUALITY_NOTES).fillna("")
    for column, tag in (("raster_unit", "UNIT"), ("data_nature", "DATA_NATURE"),
                        ("data_year", "YEAR")):
        table[column] = info.tags.get(tag, "未注明")
    notes = _notes(info, units, values, categorical=categorical, stats=names)
    return _headers(table, classes, lang), notes


def zonal_notes(info: RasterInfo, level: str, source: str, lines: Sequence[str]) -> ExportNotes:
    """Build the 说明 of a zonal-statistics export.

    The raster's nature and unit (its tags, or 未注明), the raster and units as sources, the
    units' geometry and the numbered notes of :func:`zonal_table` (``lines``).
    """
    geometry_line = f"{COLUMNS['geometry_note']}："
    geometry = next((line[len(geometry_line):] for line in lines
                     if line.startswith(geometry_line)), None)
    tags = info.tags
    where = f"统计单元：{ZONAL_LEVEL_LABELS[level]}（{source}）"
    return ExportNotes(
        nature=tags.get("DATA_NATURE", "未注明（栅格没有 DATA_NATURE 标签）"),
        units=tags.get("UNIT", "未注明（栅格没有 UNIT 标签）"),
        sources=f"栅格 {info.name}；{where}", geometry=geometry or where,
        extra={f"{ZONAL_NOTE_KEY} {i}": line for i, line in enumerate(lines, start=1)})


#: Formats an uploaded polygon layer may come in.
POLYGON_FORMATS = ("gpkg", "geojson", "zip", "shp")


def read_polygons(path: str | os.PathLike[str], layer: str | None = None) -> gpd.GeoDataFrame:
    """Read an official's polygon layer through the guarded reader (:mod:`geo.io.tables`).

    Raises
    ------
    DataImportError
        For everything the guarded reader refuses, and for a file without geometry.
    """
    from geo.io.tables import read_table

    table, _ = read_table(path, layer=layer, formats=POLYGON_FORMATS)
    if not isinstance(table, gpd.GeoDataFrame):
        name = Path(path).name
        raise DataImportError(
            f"{name} holds no geometry", file=str(path), field="geometry",
            fix="give a polygon layer (GeoPackage, GeoJSON or a zipped Shapefile)",
            zh=(f"{name} 中没有图形",
                "请给出面图层（GeoPackage、GeoJSON 或 zip 打包的 Shapefile）"))
    return table
