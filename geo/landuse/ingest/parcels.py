"""Import parcels (宗地) with their polygons, as named steps."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from shapely.geometry.base import BaseGeometry

from geo._errors import DataImportError
from geo.crs import NINGBO_BOUNDS, STORAGE_CRS, to_area_crs, within
from geo.gcj02 import geometry_gcj02_to_wgs84
from geo.io.quantities import is_missing
from geo.io.safefile import MAX_BYTES, MAX_UNZIPPED_BYTES
from geo.labels import PARCEL_FIELD_HEADERS
from geo.landuse.areas import decide_area_unit
from geo.landuse.headers import (
    GEOM_FIELD,
    ColumnMap,
    HeaderMapping,
)
from geo.landuse.ingest._common import (
    _AREA_MISMATCH,
    _DROP_ROW,
    _INFO,
    _SET_NAN,
    _WARN,
    ACTION,
    FIELD,
    RECORD,
    ROW,
    ImportResult,
    RowValues,
    _attributes,
    _Cells,
    _cells,
    _first_of_each,
    _geometries,
    _keep_value_lines,
    _key_column,
    _name_records,
    _open_table,
    _outside_hint,
    _parse_fields,
    _plain_ids,
    _polygonal,
    _report_frame,
    _row_id,
    _total_rows,
    _unitless_cells,
    _wkt_geometries,
    record_of,
    report_line,
    restate_unit,
    take,
    take_floats,
    take_texts,
    text_column,
)
from geo.landuse.overlaps import SKIPPED_ATTR, find_overlaps, overlap_lines, resolve_overlaps


@dataclass(frozen=True)
class _Shapes:
    """The geometries of a parcel file by row, the rows of bad WKT, and the column they are in."""

    geoms: dict[int, BaseGeometry | None]
    bad_wkt: set[int]
    column: str


def _parcel_geometries(table: pd.DataFrame, mapping: HeaderMapping, lines: list[dict], *,
                       file: str, gcj02: bool) -> _Shapes:
    """Return the parcels' shapes (layer geometry or WKT column), converted from GCJ-02 if asked.

    Raises :class:`DataImportError` when the file has neither.
    """
    wkt_col = mapping.column_for(GEOM_FIELD)
    if isinstance(table, gpd.GeoDataFrame):
        shapes = _Shapes(dict(zip(table.index, _geometries(table), strict=True)), set(), "geometry")
    elif wkt_col is not None:
        geoms, bad_wkt = _wkt_geometries(table[wkt_col.source])
        shapes = _Shapes(geoms, bad_wkt, wkt_col.source)
        lines.append(report_line(file, None, wkt_col.source, "",
                                 "WKT 坐标按 WGS84（EPSG:4326）经纬度读取", "", _INFO))
    else:
        raise DataImportError(
            "no geometry: parcels need their polygons", file=file,
            fix="export the parcels as GeoPackage, GeoJSON or zipped Shapefile, or add a WKT "
                "column (EPSG:4326 lon/lat)",
            zh=("没有图形：宗地需要有地块多边形",
                "请把宗地导出为 GeoPackage、GeoJSON 或压缩的 Shapefile，或增加一列 WKT 图形"
                "（EPSG:4326 经纬度）"))
    if not gcj02:
        return shapes
    lines.append(report_line(file, None, "", "", "坐标按 GCJ-02（高德）转换为 WGS84", "", _INFO))
    geoms = {r: None if g is None else geometry_gcj02_to_wgs84(g)
             for r, g in shapes.geoms.items()}
    return _Shapes(geoms, shapes.bad_wkt, shapes.column)


def _parcel_geometry(geom: BaseGeometry | None, box: tuple[float, float, float, float], *,
                     repair: bool) -> tuple[BaseGeometry | None, str, str, str]:
    """Return (polygonal geometry or None, why it cannot be used, what was repaired, action).

    An invalid geometry is repaired with ``shapely.make_valid`` only when ``repair`` (the
    official accepted ``"make_valid"``); otherwise it keeps the parcel out, and the action
    says the repair may be accepted once checked.
    """
    if geom is None or geom.is_empty:
        return None, "无图形", "", _DROP_ROW
    repaired = ""
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        fixed = _polygonal(shapely.make_valid(geom))
        if fixed is None or fixed.is_empty:
            return None, f"图形无效且无法修复（{reason}）", "", _DROP_ROW
        if not repair:
            return None, f"图形无效（{reason}）", "", _DROP_INVALID
        geom, repaired = fixed, f"图形无效（{reason}）"
    poly = _polygonal(geom)
    if poly is None:
        return None, f"图形不是面（{geom.geom_type}）", repaired, _DROP_ROW
    if not within(poly.bounds, box):
        b = tuple(round(v, 4) for v in poly.bounds)
        return (None, f"超出宁波范围（范围 {b}；{_outside_hint(poly.bounds, box)}）", repaired,
                _DROP_ROW)
    return poly, "", repaired, _DROP_ROW


#: Action of an invalid geometry whose repair was not accepted.
_DROP_INVALID = f"{_DROP_ROW}（核实后可选择接受修复）"
#: Action of an invalid geometry repaired because the official accepted ``"make_valid"``.
_REPAIRED = "已用 make_valid 修复（已确认）"


def _row_polygon(row_no: int, pid: str, shapes: _Shapes, cells: Mapping[str, Mapping[int, str]],
                 lines: list[dict], *, file: str, box: tuple[float, float, float, float],
                 repair: bool) -> BaseGeometry | None:
    """Return the usable polygon of one parcel row (None: reported and left out)."""
    if row_no in shapes.bad_wkt:
        lines.append(report_line(file, row_no, shapes.column, cells[shapes.column][row_no][:60],
                                 "WKT 图形无法解析", _DROP_ROW, record=pid))
        return None
    poly, problem, repaired, action = _parcel_geometry(shapes.geoms.get(row_no), box,
                                                       repair=repair)
    if repaired:
        lines.append(report_line(file, row_no, shapes.column, pid, repaired, _REPAIRED, _WARN,
                                 record=pid))
    if poly is None:
        lines.append(report_line(file, row_no, shapes.column, pid, problem, action, record=pid))
    return poly


def _usable_parcel_rows(cells: _Cells, id_col: ColumnMap, shapes: _Shapes, lines: list[dict],
                        *, file: str, box: tuple[float, float, float, float], repair: bool
                        ) -> tuple[RowValues, RowValues]:
    """Return the id and the polygon of every usable row, by file row; report the others.

    A plain id with a valid polygon inside ``box`` is used as it is; only the other rows are
    looked at one by one.
    """
    totals = _total_rows(cells)
    rows = cells.rows
    raw = cells.arrow(id_col.source)
    geoms = np.array([shapes.geoms.get(r) for r in rows.tolist()], dtype=object)
    plain = _plain_ids(raw, totals, rows, credit=False) & _plain_polygons(rows, geoms, shapes,
                                                                          box)
    slow = np.flatnonzero(~plain)
    ids: list[str | None] = []
    for i, text in zip(slow.tolist(), raw.take(pa.array(slow)).to_pylist(), strict=True):
        row_no = int(rows[i])
        pid, problem = _row_id(row_no, text, totals, credit=False, what="宗地")
        poly = None
        if pid is None:
            lines.append(report_line(file, row_no, id_col.source, text, problem, _DROP_ROW,
                                     record=record_of(text)))
        else:
            poly = _row_polygon(row_no, pid, shapes, cells, lines, file=file, box=box,
                                repair=repair)
        ids.append(None if poly is None else pid)
        geoms[i] = poly
    keys = (pc.replace_with_mask(raw, pa.array(~plain), pa.array(ids, pa.large_string()))
            if len(slow) else raw)
    usable = pc.is_valid(keys).to_numpy(zero_copy_only=False)
    index = pd.Index(rows[usable])
    return RowValues(index, keys.filter(pa.array(usable))), RowValues(index, geoms[usable])


def _plain_polygons(rows: np.ndarray, geoms: np.ndarray, shapes: _Shapes,
                    box: tuple[float, float, float, float]) -> np.ndarray:
    """Tell, per row, whether its shape (``geoms``) is a valid (multi)polygon inside ``box``.

    Those are used as they are (what :func:`_row_polygon` would give, without a line); the
    others are left to it.
    """
    ok = ~shapely.is_missing(geoms) & ~np.isin(rows, list(shapes.bad_wkt))
    ok &= np.isin(shapely.get_type_id(geoms), (3, 6)) & ~shapely.is_empty(geoms)
    ok &= shapely.is_valid(geoms)
    b = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        ok &= ((b[:, 0] >= box[0]) & (b[:, 1] >= box[1]) & (b[:, 2] <= box[2])
               & (b[:, 3] <= box[3]))
    return ok


def _parcel_frame(kept: Sequence[int], usable: RowValues,
                  values: Mapping[str, Mapping[int, object]], stated: pd.Series,
                  measured: pd.Series) -> pd.DataFrame:
    """Return the canonical parcel columns of the rows kept (indexed by file row)."""
    index = pd.Index(kept)
    out = pd.DataFrame(index=index)
    out["parcel_id"] = text_column(take_texts(usable, kept)).set_axis(index)
    out["land_area_m2"] = stated.fillna(measured)
    out["land_area_geom_m2"] = measured
    out["land_area_source"] = np.where(stated.notna(), "填报", "图形测算")
    for name in ("land_use", "floor_area_m2", "far", "status", "year", "data_label", "holder",
                 "supply_year"):
        if name in ("floor_area_m2", "far"):
            out[name] = take_floats(values.get(name), kept)
        elif name in ("land_use", "data_label", "holder"):
            out[name] = text_column(take_texts(values.get(name), kept)).set_axis(index)
        else:
            out[name] = take(values.get(name), kept)
    out["year"] = out["year"].astype("Int64")
    out["supply_year"] = out["supply_year"].astype("Int64")
    out["source_row"] = np.asarray(kept, dtype=np.int64)
    return out


#: What the official may accept on import instead of having the rows set aside.
ACCEPTABLE = frozenset({"area_mismatch", "make_valid"})


def _area_line(r: int, stated: float, measured: float, raw: str, *, file: str, column: str,
               accept: Collection[str]) -> dict | None:
    """Return the report line on one parcel's stated area against its measured one, if any.

    A stated area more than :data:`_AREA_MISMATCH` away from the polygon's is an error that
    keeps the parcel out (action :data:`_DROP_ROW`) unless ``"area_mismatch"`` is accepted.
    """
    if pd.isna(stated):
        if not is_missing(raw):
            return None  # a bad value: already reported with the values
        return report_line(file, r, column, "", "未填用地面积",
                           f"按图形面积 {measured:.1f} 平方米计（EPSG:4549 测算）", _INFO)
    if measured > 0 and abs(stated - measured) > _AREA_MISMATCH * measured:
        problem = (f"填报面积 {stated:.1f} 平方米与图形面积 {measured:.1f} 平方米相差超过"
                   f" {_AREA_MISMATCH:.0%}（单位或图形是否有误？）")
        if "area_mismatch" in accept:
            return report_line(file, r, column, raw, problem, "经确认保留填报面积", _WARN)
        return report_line(file, r, column, raw, problem,
                           f"{_DROP_ROW}（核实后可选择接受填报面积）")
    return None


def _check_stated_areas(lines: list[dict], area_col: ColumnMap | None, kept: Sequence[int],
                        stated: pd.Series, measured: pd.Series, cells: _Cells, *, file: str,
                        accept: Collection[str]) -> set[int]:
    """Report areas not stated (measured instead) and stated areas far from the measured ones.

    Returns the rows set aside for a stated area that disagrees with the polygon.
    """
    if area_col is None:
        lines.append(report_line(file, None, "用地面积", "", "文件没有用地面积列",
                                 "全部按图形面积计（EPSG:4549 测算）", _INFO))
        return set()
    for ln in lines:
        if ln[FIELD] == area_col.source and ln[ACTION] == _SET_NAN:
            ln[ACTION] = f"{_SET_NAN}；按图形面积计（EPSG:4549 测算）"
    dropped: set[int] = set()
    st, me = stated.reindex(kept).to_numpy(dtype=float), measured.reindex(kept).to_numpy(
        dtype=float)
    with np.errstate(invalid="ignore"):  # rows stated and close to their polygon: no line
        quiet = ~np.isnan(st) & ~((me > 0) & (np.abs(st - me) > _AREA_MISMATCH * me))
    loud = np.flatnonzero(~quiet).tolist()
    raw = cells.texts(area_col.source, [kept[i] for i in loud]).to_pylist()
    for i, text in zip(loud, raw, strict=True):
        r = kept[i]
        line = _area_line(r, st[i], me[i], text, file=file, column=area_col.source,
                          accept=accept)
        if line is not None:
            lines.append(line)
            if str(line[ACTION]).startswith(_DROP_ROW):
                dropped.add(r)
    return dropped


def _decide_area_unit(stated: pd.Series, area_col: ColumnMap | None, kept: Sequence[int],
                      cells: Mapping[str, Mapping[int, str]], measured: pd.Series,
                      lines: list[dict], *, file: str) -> pd.Series:
    """Scale stated areas whose column states no (known) unit by the unit the polygons show.

    Values whose cell states its own unit ("12亩") are left as converted. The header line
    that said the unit was missing is rewritten to say how the unit was decided.

    Raises
    ------
    DataImportError
        When no unit agrees with the polygons (see :func:`decide_area_unit`).
    """
    if area_col is None or not area_col.assumed:
        return stated
    unitless = pd.Series(_unitless_cells([cells[area_col.source][r] for r in kept]),
                         index=kept, dtype=bool)
    decision = decide_area_unit(stated.where(unitless), measured, file=file,
                                column=area_col.source)
    if decision is None:
        return stated
    truncated = area_col.source.endswith(("(", "（"))
    restate_unit(lines, area_col, ("（表头像是被截断：.dbf 字段名最长 10 字节）；" if truncated
                                   else "") + decision.describe(), decision.unit)
    return stated.where(~unitless, stated * decision.factor)


def _count_land_once(data: gpd.GeoDataFrame, lines: list[dict], *, file: str, column: str
                     ) -> gpd.GeoDataFrame:
    """Report duplicate and overlapping parcels and count their land once.

    See :mod:`geo.landuse.overlaps` for the rule: duplicates are set aside, overlaps come off
    the later parcel's measured land (a stated area is not altered, and its line says so).
    """
    pairs = find_overlaps(data)
    if pairs.empty and not pairs.attrs.get(SKIPPED_ATTR):
        return data
    lines.extend(overlap_lines(pairs, file=file, field=column))
    resolved, _ = resolve_overlaps(data, pairs)
    return resolved


def import_parcels(
    path: str | os.PathLike[str],
    *,
    gcj02: bool = False,
    layer: str | None = None,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    max_bytes: int = MAX_BYTES,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
    ningbo_bounds: tuple[float, float, float, float] = NINGBO_BOUNDS,
    accept: Collection[str] = (),
) -> ImportResult:
    """Import parcels (宗地) with their polygons.

    Parameters
    ----------
    path : path-like
        GeoPackage, GeoJSON, zipped Shapefile, ``.shp``, or a CSV/.xlsx with a WKT column
        (EPSG:4326).
    gcj02 : bool, keyword-only
        The coordinates are GCJ-02 (高德); they are converted to WGS84.
    layer, sheet : str, keyword-only
        GeoPackage layer or ``.shp`` inside the zip; Excel sheet.
    overrides : mapping, keyword-only
        Source header → canonical field, as in :func:`map_headers`.
    max_bytes, max_unzipped_bytes : int, keyword-only
        Safety limits (see :func:`read_table`).
    ningbo_bounds : (minx, miny, maxx, maxy), keyword-only
        Lon/lat box every parcel must lie in.
    accept : collection of str, keyword-only
        Doubts the official has checked and accepts (:data:`ACCEPTABLE`): ``"area_mismatch"``
        keeps parcels whose stated area is far from their polygon's, which are otherwise set
        aside with an error line; ``"make_valid"`` keeps parcels whose invalid polygon
        (self-intersecting …) is repaired by ``shapely.make_valid`` (a 警告 line), which are
        otherwise set aside with an error line.

    Returns
    -------
    ImportResult
        ``data`` is a GeoDataFrame in EPSG:4326: ``parcel_id``, ``land_area_m2`` (stated, or
        measured in EPSG:4549 when not stated), ``land_area_geom_m2``, ``land_area_source``
        (填报 / 图形测算), ``land_use``, ``floor_area_m2``, ``far``, ``status``, ``year``,
        ``source_row``, ``geometry``.

    Raises
    ------
    DataImportError
        If the file is unsafe or unreadable, has no parcel-id column or no geometry, or
        states areas in a unit that cannot be decided from the polygons.
    """
    unknown = sorted(set(accept) - ACCEPTABLE)
    if unknown:
        raise ValueError(f"cannot accept {unknown}. Fix: use {sorted(ACCEPTABLE)}")
    table, meta, mapping, lines = _open_table(
        path, "parcel", sheet=sheet, layer=layer, overrides=overrides, max_bytes=max_bytes,
        max_unzipped_bytes=max_unzipped_bytes)
    file = meta.source
    shapes = _parcel_geometries(table, mapping, lines, file=file, gcj02=gcj02)
    cells = _cells(table, _attributes(table))
    values, value_lines = _parse_fields(table, mapping, "parcel", file, cells)
    id_col = _key_column(mapping, "parcel_id")
    usable, polygons = _usable_parcel_rows(cells, id_col, shapes, lines, file=file,
                                           box=ningbo_bounds, repair="make_valid" in accept)
    kept = _first_of_each(usable, values.get("year"), lines, file=file, column=id_col.source,
                          what=PARCEL_FIELD_HEADERS["parcel_id"])
    _keep_value_lines(lines, value_lines, kept)

    geometry = gpd.GeoSeries(take(polygons, kept), index=kept, crs=STORAGE_CRS)
    measured = to_area_crs(geometry).area.astype(float)
    stated = pd.Series(take_floats(values.get("land_area_m2"), kept), index=kept, dtype=float)
    area_col = mapping.column_for("land_area_m2")
    stated = _decide_area_unit(stated, area_col, kept, cells, measured, lines, file=file)
    out = _parcel_frame(kept, usable, values, stated, measured)
    dropped = _check_stated_areas(lines, area_col, kept, stated, measured, cells, file=file,
                                  accept=accept)
    keep = ~out.index.isin(sorted(dropped))
    data = gpd.GeoDataFrame(out[keep].reset_index(drop=True),
                            geometry=geometry.to_numpy()[keep], crs=STORAGE_CRS)
    data = _count_land_once(data, lines, file=file, column=shapes.column)
    unnamed = sorted({ln[ROW] for ln in lines if not ln[RECORD] and ln[ROW] in usable})
    _name_records(lines, dict(zip(unnamed, take(usable, unnamed).tolist(), strict=True)))
    return ImportResult(data=data, report=_report_frame(lines), mapping=mapping, source=file,
                        kind="parcel", rows_read=len(table))
