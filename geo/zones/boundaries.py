"""Replace schematic geometry by official boundaries from a user's file.

``import_boundaries`` reads a GeoPackage, Shapefile (``.shp`` or zipped) or GeoJSON, matches
its features to catalogue entities by id or by exact name, and returns the updated layer
(matched features become ``geometry_quality = "surveyed"``, with areas recomputed) and a
report of what matched, what did not and why. Nothing in the file is silently ignored.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo._errors import BoundaryImportError, DataImportError
from geo.crs import MU_PER_KM2, STORAGE_CRS, area_km2, within
from geo.gcj02 import geometry_gcj02_to_wgs84
from geo.io.atomic import write_atomic
from geo.io.tables import read_table
from geo.labels import COLUMNS, LEVEL_LABELS
from geo.zones.catalog import validate_layer

__all__ = ["IMPORTABLE_LEVELS", "ImportReport", "read_boundary_file", "import_boundaries",
           "write_layer_atomic"]

IMPORTABLE_LEVELS = ("zone", "subzone", "branch")
_VECTOR_FORMATS = ("gpkg", "geojson", "zip", "shp")
_ID_CANDIDATES = ("id", "ID", "编号", "code")
_NAME_CANDIDATES = ("name", "NAME", "名称", "园区名称", "分片名称")


@dataclass
class ImportReport:
    """What an import did: matched entities, and every row or entity left out, with reasons."""

    file: str
    level: str
    matched: list[tuple[str, str, str]] = field(default_factory=list)  # (id, name, by)
    unmatched_rows: list[tuple[int, str]] = field(default_factory=list)  # (row, reason)
    repaired_rows: list[int] = field(default_factory=list)
    still_schematic: list[tuple[str, str]] = field(default_factory=list)  # (id, name)

    def summary(self, lang: str = "zh") -> str:
        """Return a multi-line summary for the official (Chinese; ``lang="en"`` English)."""
        zh = lang != "en"
        level = LEVEL_LABELS.get(self.level, self.level)
        lines = [f"{self.file}：已替换 {len(self.matched)} 个{level}的边界（geometry_quality = "
                 "surveyed，正式边界）" if zh else
                 f"{self.file}: {len(self.matched)} {self.level} feature(s) replaced "
                 "(geometry_quality = surveyed)"]
        for row, reason in self.unmatched_rows:
            lines.append(f"  第 {row} 行：未使用——{reason}" if zh
                         else f"  row {row}: not used — {reason}")
        for row in self.repaired_rows:
            lines.append(f"  第 {row} 行：无效图形已用 make_valid 修复" if zh
                         else f"  row {row}: invalid geometry repaired with make_valid")
        if self.still_schematic:
            names = "、".join(name for _, name in self.still_schematic)
            n = len(self.still_schematic)
            lines.append(f"  仍为示意范围（{n} 个）：{names}" if zh
                         else f"  still schematic ({n}): {names}")
        return "\n".join(lines)


def read_boundary_file(path: str | os.PathLike[str], *, layer: str | None = None
                       ) -> gpd.GeoDataFrame:
    """Read a user's boundary file through the guarded reader, attributes as text, in EPSG:4326.

    The file is opened only through :func:`geo.io.tables.read_table` and so through
    :func:`geo.io.safefile.open_safely`: GDAL special paths (``/vsicurl/`` …), VRTs whatever
    their extension, content that does not match the extension, unsafe zips and oversize files
    are refused before GDAL sees them. Only vector formats are accepted.

    Raises
    ------
    BoundaryImportError
        Naming the file and the fix, for every refusal and for files without geometry or CRS.
    """
    try:
        table, _ = read_table(path, layer=layer, formats=_VECTOR_FORMATS)
    except DataImportError as exc:
        raise BoundaryImportError(exc.problem, file=exc.file or os.fspath(path),
                                  feature=exc.feature, field=exc.field, fix=exc.fix,
                                  zh=exc.zh) from exc
    if not isinstance(table, gpd.GeoDataFrame):
        raise BoundaryImportError(
            "holds no geometry", file=Path(os.fspath(path)).name,
            fix="export the boundaries as GeoPackage, GeoJSON or zipped Shapefile with polygons",
            zh=("文件中没有图形",
                "请把边界导出为带多边形的 GeoPackage、GeoJSON 或压缩的 Shapefile"))
    return table


def _pick_field(gdf: gpd.GeoDataFrame, given: str | None, candidates: tuple[str, ...],
                file: str, what: str) -> str | None:
    if given:
        if given not in gdf.columns:
            raise BoundaryImportError(
                f"no field {given!r} (fields: {', '.join(map(str, gdf.columns))})", file=file,
                field=given, fix=f"pass the field holding the {what} with the right spelling",
                zh=(f"没有字段 {given!r}（现有字段：{'、'.join(map(str, gdf.columns))}）",
                    f"请正确拼写存放"
                    f"{COLUMNS['id'] if what == 'ids' else COLUMNS['name']}的字段名"),
            )
        return given
    return next((c for c in candidates if c in gdf.columns), None)


def _check_importable(level: str) -> None:
    if level not in IMPORTABLE_LEVELS:
        raise BoundaryImportError(f"level {level!r} cannot take boundaries", field="level",
                                  fix=f"use one of {', '.join(IMPORTABLE_LEVELS)}",
                                  zh=(f"层级 {level!r} 不能导入边界",
                                      f"请使用以下层级之一：{'、'.join(IMPORTABLE_LEVELS)}"))


def _read_source(path: str | os.PathLike[str], layer: str | None, *, gcj02: bool
                 ) -> gpd.GeoDataFrame:
    """Read the boundary file in EPSG:4326, converting GCJ-02 lon/lat to WGS84 if asked."""
    src = read_boundary_file(path, layer=layer).to_crs(STORAGE_CRS)
    if gcj02:
        src["geometry"] = [None if g is None else geometry_gcj02_to_wgs84(g) for g in src.geometry]
    return src


def _key_fields(src: gpd.GeoDataFrame, id_field: str | None, name_field: str | None, file: str
                ) -> tuple[str | None, str | None]:
    """Return the file's id and name fields; at least one of them must exist."""
    idf = _pick_field(src, id_field, _ID_CANDIDATES, file, "ids")
    namef = _pick_field(src, name_field, _NAME_CANDIDATES, file, "names")
    if idf is None and namef is None:
        raise BoundaryImportError(
            f"no id or name field (fields: {', '.join(map(str, src.columns))})", file=file,
            fix="name the field with --id-field (values like Z07) or --name-field (exact names)",
            zh=(f"没有编号字段或名称字段（现有字段：{'、'.join(map(str, src.columns))}）",
                "请用 --id-field 指定编号字段（取值如 Z07），或用 --name-field 指定名称字段"
                "（名称须完全一致）"),
        )
    return idf, namef


def _row_keys(row: pd.Series, idf: str | None, namef: str | None) -> tuple[str, str, str]:
    """Return a file row's id, its name, and the label used for it in messages."""
    key_id = str(row[idf]).strip() if idf else ""
    key_name = str(row[namef]).strip() if namef else ""
    return key_id, key_name, key_id or key_name or "(no id or name)"


def _match_entity(key_id: str, key_name: str, by_id: Mapping[str, Hashable],
                  by_name: Mapping[str, Hashable]) -> tuple[Hashable, str] | None:
    """Return the entity's index and how it matched (by id first, then by exact name)."""
    if key_id in by_id:
        return by_id[key_id], "id"
    if key_name in by_name:
        return by_name[key_name], "name"
    return None


def _unusable_geometry(geom: BaseGeometry | None, label: str) -> str | None:
    """Return why a matched row's geometry cannot be used, or None if it is a polygon."""
    if geom is None or geom.is_empty:
        return f"{label}：无图形"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return f"{label}：图形为 {geom.geom_type}，需要面（多边形）"
    return None


def _repaired(geom: BaseGeometry, row_no: int, report: ImportReport) -> BaseGeometry:
    """Return ``geom``, made valid (and the row noted in ``report``) if it is invalid."""
    if geom.is_valid:
        return geom
    report.repaired_rows.append(row_no)
    return shapely.make_valid(geom)


def _check_inside_ningbo(geom: BaseGeometry, file: str, row_no: int, label: str) -> None:
    if not within(geom.bounds):
        raise BoundaryImportError(
            "geometry lies outside Ningbo", file=file, feature=f"row {row_no} ({label})",
            field="geometry",
            fix="check the file's CRS definition (.prj); for 高德 coordinates pass --gcj02",
            zh=("图形位于宁波市范围以外",
                "请检查文件的坐标系定义（.prj）；高德坐标请加 --gcj02"),
        )


def _check_unclaimed(claims: Mapping[Hashable, int], target: Hashable, row_no: int,
                     layer_gdf: gpd.GeoDataFrame, file: str) -> None:
    if target in claims:
        raise BoundaryImportError(
            f"rows {claims[target]} and {row_no} both match {layer_gdf.at[target, 'name']}",
            file=file, feature=f"row {row_no}", fix="keep one boundary per entity "
            "(dissolve the parts into one multipolygon first)",
            zh=(f"第 {claims[target]} 行和第 {row_no} 行都对应 {layer_gdf.at[target, 'name']}",
                "每个对象只保留一条边界（先把各部分融合为一个多面）"),
        )


def _replace_geometry(out: gpd.GeoDataFrame, layer_gdf: gpd.GeoDataFrame, target: Hashable,
                      geom: BaseGeometry, file: str, row_no: int) -> None:
    """Put the surveyed ``geom`` on entity ``target`` of ``out`` and cite the file's row."""
    out.at[target, "geometry"] = geom
    out.at[target, "geometry_quality"] = "surveyed"
    out.at[target, "source"] = (
        f"{layer_gdf.at[target, 'source']}; 边界: {Path(file).name} 第{row_no}行")


def _apply_rows(layer_gdf: gpd.GeoDataFrame, src: gpd.GeoDataFrame,
                keys: tuple[str | None, str | None], file: str, report: ImportReport
                ) -> gpd.GeoDataFrame:
    """Return a copy of ``layer_gdf`` with the file's matching rows' geometries, in file order."""
    idf, namef = keys
    by_id = {str(v): i for i, v in layer_gdf["id"].items()}
    by_name = {str(v): i for i, v in layer_gdf["name"].items()}
    claims: dict[Hashable, int] = {}
    out = layer_gdf.copy()
    for row_no, (_, row) in enumerate(src.iterrows(), start=1):
        key_id, key_name, label = _row_keys(row, idf, namef)
        match = _match_entity(key_id, key_name, by_id, by_name)
        if match is None:
            report.unmatched_rows.append(
                (row_no, f"{label}：与任何{LEVEL_LABELS.get(report.level, report.level)}"
                         "的编号或名称都不一致"))
            continue
        target, how = match
        reason = _unusable_geometry(row.geometry, label)
        if reason is not None:
            report.unmatched_rows.append((row_no, reason))
            continue
        geom = _repaired(row.geometry, row_no, report)
        _check_inside_ningbo(geom, file, row_no, label)
        _check_unclaimed(claims, target, row_no, layer_gdf, file)
        claims[target] = row_no
        _replace_geometry(out, layer_gdf, target, geom, file, row_no)
        report.matched.append((layer_gdf.at[target, "id"], layer_gdf.at[target, "name"], how))
    return out


def _with_areas(out: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Recompute ``area_km2`` and ``area_mu`` (when the layer carries areas)."""
    if "area_km2" in out.columns:
        km2 = area_km2(out)
        out["area_km2"] = km2.round(4)
        out["area_mu"] = (km2 * MU_PER_KM2).round(1)
    return out


def import_boundaries(
    layer_gdf: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    level: str,
    layer: str | None = None,
    id_field: str | None = None,
    name_field: str | None = None,
    gcj02: bool = False,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Replace geometries of ``layer_gdf`` by those in a user's boundary file.

    Parameters
    ----------
    layer_gdf : GeoDataFrame
        The catalogue layer to update (zone, subzone or branch).
    path : path-like
        GeoPackage, Shapefile (.shp or .zip) or GeoJSON, in any CRS that has a definition.
    level : str, keyword-only
        The layer's level, one of :data:`IMPORTABLE_LEVELS`.
    layer : str, keyword-only
        Layer name inside a multi-layer GeoPackage.
    id_field, name_field : str, keyword-only
        Fields holding our ids or exact names; by default ``id``/``编号`` and ``name``/``名称``.
    gcj02 : bool, keyword-only
        The file's lon/lat are GCJ-02 (高德); they are converted to WGS84 first.

    Returns
    -------
    (GeoDataFrame, ImportReport)
        The updated layer (a copy) and the report.

    Raises
    ------
    BoundaryImportError
        If the file cannot be read, has no usable key field, two rows claim one entity, or a
        geometry lies outside Ningbo (usually a wrong CRS).
    """
    _check_importable(level)
    file = str(path)
    src = _read_source(path, layer, gcj02=gcj02)
    keys = _key_fields(src, id_field, name_field, file)
    report = ImportReport(file=Path(file).name, level=level)
    updated = _apply_rows(layer_gdf, src, keys, file, report)
    out = _with_areas(gpd.GeoDataFrame(updated, geometry="geometry", crs=STORAGE_CRS))
    report.still_schematic = [(r["id"], r["name"]) for _, r in out.iterrows()
                              if r["geometry_quality"] == "schematic"]
    return out, report


def write_layer_atomic(gdf: gpd.GeoDataFrame, path: str | os.PathLike[str], *, level: str) -> Path:
    """Validate, then write a layer as GeoJSON through a temporary file and a rename.

    If validation or writing fails, the file at ``path`` is left exactly as it was.
    """
    path = Path(path)
    validate_layer(gdf, level, source=str(path))
    return write_atomic(path, lambda tmp: gdf.to_file(
        tmp, driver="GeoJSON", engine="pyogrio",
        layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": "7"}), suffix=".geojson")
