"""Import parcels (宗地) and enterprises from the files officials keep.

Formats: GeoPackage, GeoJSON, zipped or plain Shapefile, CSV and Excel ``.xlsx``, read through
:func:`geo.io.tables.read_table` (which opens every file through :mod:`geo.io.safefile`).
Headers in Chinese or English are mapped onto the fields of :mod:`geo.landuse.model`
(:func:`geo.landuse.headers.map_headers`), units in the header or the cell are converted
(:mod:`geo.io.quantities`), and every row or value that could not be used is listed in the
report with the row number the official sees in the file. Nothing is silently dropped or
zero-filled: a bad value becomes NaN and a report line; a row that cannot be used is left out
and reported.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Point
from shapely.geometry.base import BaseGeometry

from geo._errors import DataImportError
from geo.crs import AREA_CRS, NINGBO_BOUNDS, STORAGE_CRS
from geo.gcj02 import gcj02_to_wgs84, geometry_gcj02_to_wgs84
from geo.io.quantities import (
    DIMENSIONS,
    header_key,
    is_missing,
    normalise_text,
    parse_year,
    to_canonical,
)
from geo.io.safefile import MAX_BYTES, MAX_UNZIPPED_BYTES
from geo.io.tables import TableMeta, read_table
from geo.landuse.headers import (
    FIELDS,
    GEOM_FIELD,
    SCALE_LOOKUP,
    STATUS_LOOKUP,
    ColumnMap,
    HeaderMapping,
    looks_like_header,
    map_headers,
)
from geo.landuse.model import ENTERPRISE_FIELDS, PARCEL_STATUSES, SCALES, Field, split_ids

__all__ = ["REPORT_COLUMNS", "ImportResult", "read_source", "import_parcels",
           "import_enterprises"]

#: Columns of :attr:`ImportResult.report`.
REPORT_COLUMNS = ("文件", "行号", "字段", "值", "问题", "处理", "级别")

_ERROR, _WARN, _INFO = "错误", "警告", "提示"
_DROP_ROW = "未导入该行"
_SET_NAN = "置空"
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?e[+-]?\d+$", re.IGNORECASE)
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_TOTAL_WORDS = frozenset({"合计", "总计", "小计", "总合计", "全市合计", "total", "subtotal"})
_AREA_MISMATCH = 0.5  # stated vs measured parcel area: warn when they differ by more than 50 %

_NON_NEGATIVE = frozenset({"floor_area_m2", "far", "energy_tce", "emission_t", "power_10k_kwh",
                           "employees", "rd_wan"})
_POSITIVE = frozenset({"land_area_m2"})


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class ImportResult:
    """An import: canonical data, the report of what could not be used, and how headers mapped.

    Attributes
    ----------
    data : DataFrame or GeoDataFrame
        Canonical columns (EPSG:4326 geometry for parcels, points for located enterprises),
        plus ``source_row`` (the file row of each record).
    report : DataFrame
        Columns :data:`REPORT_COLUMNS`; 级别 is 错误 (row or value not used), 警告 (used after
        a repair or with a doubt) or 提示 (information).
    mapping : HeaderMapping
    source : str
        File name.
    kind : {"parcel", "enterprise"}
    rows_read : int
        Data rows (or features) in the file.
    """

    data: pd.DataFrame
    report: pd.DataFrame
    mapping: HeaderMapping
    source: str
    kind: str
    rows_read: int

    def summary(self) -> str:
        """Short Chinese summary: rows read, imported, left out, values emptied, and why."""
        noun = "宗宗地" if self.kind == "parcel" else "条企业记录"
        rep = self.report
        dropped = rep[rep["处理"] == _DROP_ROW]
        nulled = rep[rep["处理"].str.startswith(_SET_NAN)]
        n_warn, n_info = int((rep["级别"] == _WARN).sum()), int((rep["级别"] == _INFO).sum())
        lines = [f"{self.source}：读取 {self.rows_read} 行，导入 {len(self.data)} {noun}；"
                 f"未导入 {len(dropped)} 行，置空 {len(nulled)} 个值，"
                 f"警告 {n_warn} 条，提示 {n_info} 条。"]
        for title, part in (("未导入", dropped), ("置空", nulled)):
            if len(part):
                counts = part["问题"].map(_problem_kind).value_counts()
                lines.append(f"  {title}：" + "；".join(f"{k} {v}" for k, v in counts.items()))
        return "\n".join(lines)


def _problem_kind(problem: str) -> str:
    return re.split(r"[（(：:“]", problem, maxsplit=1)[0]


# --------------------------------------------------------------------------- values


def read_source(path: str | os.PathLike[str], *, sheet: str | None = None,
                layer: str | None = None, max_bytes: int = MAX_BYTES,
                max_unzipped_bytes: int = MAX_UNZIPPED_BYTES) -> tuple[pd.DataFrame, TableMeta]:
    """Read a parcel or enterprise file safely, recognising this domain's header rows.

    :func:`geo.io.tables.read_table` with :func:`geo.landuse.headers.looks_like_header` as the
    header predicate; raises :class:`geo._errors.DataImportError` as it does.
    """
    return read_table(path, sheet=sheet, layer=layer, is_header=looks_like_header,
                      max_bytes=max_bytes, max_unzipped_bytes=max_unzipped_bytes)


def _line(file: str, row: int | None, field: str, value: object, problem: str, action: str,
          level: str = _ERROR) -> dict:
    return {"文件": file, "行号": row, "字段": field, "值": "" if value is None else str(value),
            "问题": problem, "处理": action, "级别": level}


def _parse_vocab(text: str, lookup: Mapping[str, str], allowed: Sequence[str], what: str
                 ) -> tuple[str | None, str]:
    if is_missing(text):
        return None, ""
    hit = lookup.get(header_key(text))
    if hit is None:
        return None, f"{what}“{normalise_text(text)}”无法对应（可用：{'、'.join(allowed)}）"
    return hit, ""


def _parse_value(text: str, field: Field, col: ColumnMap) -> tuple[object, str]:
    """(value or None, problem) for one cell of a non-id field."""
    if field.kind == "geometry":
        return (None, "") if is_missing(text) else (normalise_text(text), "")
    if field.kind == "text":  # names keep their characters (全角括号 stay); only spaces tidied
        return (None, "") if is_missing(text) else (" ".join(str(text).split()), "")
    if field.kind == "year":
        return parse_year(text)
    if field.kind == "status":
        return _parse_vocab(text, STATUS_LOOKUP, PARCEL_STATUSES, "生产状态")
    if field.kind == "scale":
        return _parse_vocab(text, SCALE_LOOKUP, SCALES, "规模")
    value, problem = to_canonical(text, dimension=DIMENSIONS.get(field.name),
                                  header_factor=col.factor)
    if problem:
        return None, f"数值无法识别：{problem}" if problem == "不是数字" else problem
    if value is None:
        return None, ""
    if field.name in _POSITIVE and value <= 0:
        return None, "面积为零或负数"
    if field.name in _NON_NEGATIVE and value < 0:
        return None, f"{field.label}为负数"
    return value, ""


def _parse_id(text: str, *, credit: bool) -> tuple[str | None, str]:
    t = normalise_text(text)
    if is_missing(t):
        return None, "缺少编号" if not credit else "缺少统一社会信用代码"
    if _SCIENTIFIC.match(t.replace(" ", "")):
        return None, ("编号已被 Excel 存成科学计数法数字，后几位已丢失（损坏的编号）；"
                      "请把该列设为文本后重新录入")
    if not credit:
        return t, ""
    code = re.sub(r"[\s\-]", "", t).upper()
    if len(code) != 18:
        return None, f"统一社会信用代码不是18位（{len(code)}位）"
    if not _CREDIT_CODE.match(code):
        return None, "统一社会信用代码含有不允许的字符（只用数字和除 I、O、Z、S、V 外的大写字母）"
    return code, ""


def _cells(table: pd.DataFrame, columns: Sequence[str]) -> dict[str, dict[int, str]]:
    """Column → {file row → text}: plain dicts, much faster than ``DataFrame.at`` in loops."""
    return {c: dict(zip(table.index, table[c].tolist(), strict=True)) for c in columns}


def _total_rows(cells: Mapping[str, Mapping[int, str]]) -> set[int]:
    """Rows that are 合计/总计/小计 lines (any cell says so)."""
    rows: set[int] = set()
    for col in cells.values():
        totals = {t for t in set(col.values())
                  if t and len(t) <= 16 and header_key(t) in _TOTAL_WORDS}
        rows.update(r for r, t in col.items() if t in totals)
    return rows


def _parse_fields(table: pd.DataFrame, mapping: HeaderMapping, kind: str, file: str
                  ) -> tuple[dict[str, dict[int, object]], list[dict]]:
    """Parse every mapped non-id column; values by field and row, and problem lines."""
    fields = FIELDS[kind]
    values: dict[str, dict[int, object]] = {}
    lines: list[dict] = []
    for col in mapping.columns:
        field = fields[col.field]
        if field.kind in ("id", "geometry"):
            continue
        cache: dict[str, tuple[object, str]] = {}
        out: dict[int, object] = {}
        for row_no, text in zip(table.index, table[col.source].tolist(), strict=True):
            if text not in cache:
                cache[text] = _parse_value(text, field, col)
            value, problem = cache[text]
            out[row_no] = value
            if problem:
                lines.append(_line(file, row_no, col.source, text, problem, _SET_NAN))
        values[col.field] = out
    return values, lines


def _header_lines(mapping: HeaderMapping, meta: TableMeta) -> list[dict]:
    row = meta.header_rows[-1] if meta.header_rows else None
    lines = [_line(meta.source, r, "", "", note, "", _INFO) for r, note in meta.notes]
    for header, why in mapping.ignored:
        lines.append(_line(meta.source, row, header, "", why, "该列未导入",
                           _INFO if why == "表头未识别" else _WARN))
    for c in mapping.columns:
        if c.assumed:
            lines.append(_line(meta.source, row, c.source, "", c.note, "按标准单位导入", _INFO))
    return lines


def _require(mapping: HeaderMapping, table: pd.DataFrame, meta: TableMeta) -> None:
    missing = mapping.missing_required()
    if missing:
        label = FIELDS[mapping.kind][missing[0]].label
        found = "、".join(map(str, table.columns[:20])) or "none"
        raise DataImportError(
            f"no column for {label} ({missing[0]}); headers found: {found}", file=meta.source,
            field=label, fix=f"name the column {label}, or map it with overrides={{'<header>': "
                             f"'{missing[0]}'}}")


def _report_frame(lines: list[dict]) -> pd.DataFrame:
    rep = pd.DataFrame(lines, columns=list(REPORT_COLUMNS))
    rep["行号"] = rep["行号"].astype("Int64")
    return rep.sort_values("行号", kind="stable", na_position="first").reset_index(drop=True)


def _in_box(bounds: tuple[float, float, float, float],
            box: tuple[float, float, float, float]) -> bool:
    minx, miny, maxx, maxy = bounds
    return minx >= box[0] and miny >= box[1] and maxx <= box[2] and maxy <= box[3]


def _outside_hint(bounds: tuple[float, float, float, float],
                  box: tuple[float, float, float, float]) -> str:
    minx, miny, maxx, maxy = bounds
    if _in_box((miny, minx, maxy, maxx), box):
        return "经度和纬度可能填反了"
    if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
        return "像是投影坐标（米），请核对坐标系（.prj）"
    return "请核对坐标系（.prj）；高德坐标请选择 GCJ-02"


def _polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    parts = [p for g in polys for p in shapely.get_parts(g)]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _keys(ids: Mapping[int, str], years: Mapping[int, object] | None
          ) -> dict[int, tuple[str, object]]:
    return {r: (i, None if years is None else years.get(r)) for r, i in ids.items()}


def _first_of_each(usable: Mapping[int, str], years: Mapping[int, object] | None,
                   lines: list[dict], *, file: str, column: str, what: str) -> list[int]:
    """Return the rows to keep: the first of each (id, year); later duplicates are reported."""
    first: dict[tuple[str, object], int] = {}
    kept: list[int] = []
    for row_no, key in _keys(usable, years).items():
        if key in first:
            lines.append(_line(file, row_no, column, usable[row_no],
                               f"{what}重复（与第 {first[key]} 行相同，保留第 {first[key]} 行）",
                               _DROP_ROW))
            continue
        first[key] = row_no
        kept.append(row_no)
    return kept


def _keep_value_lines(lines: list[dict], value_lines: Sequence[dict], kept: Sequence[int]
                      ) -> None:
    """Append the value problems of the rows kept (those of rows left out are moot)."""
    kept_set = set(kept)
    lines.extend(ln for ln in value_lines if ln["行号"] in kept_set)


def _attributes(table: pd.DataFrame) -> list:
    """Return the attribute columns of a table (all but a GeoDataFrame's geometry)."""
    geom = table.geometry.name if isinstance(table, gpd.GeoDataFrame) else None
    return [c for c in table.columns if c != geom]


def _open_table(path: str | os.PathLike[str], kind: str, *, sheet: str | None,
                layer: str | None, overrides: Mapping[str, str] | None, max_bytes: int,
                max_unzipped_bytes: int) -> tuple[pd.DataFrame, TableMeta, HeaderMapping, list]:
    """Read a file safely, map its headers for ``kind`` and check the key columns exist.

    Returns the table, its metadata, the header mapping and the first report lines (headers
    not recognised or not used).
    """
    table, meta = read_source(path, sheet=sheet, layer=layer, max_bytes=max_bytes,
                              max_unzipped_bytes=max_unzipped_bytes)
    mapping = map_headers(_attributes(table), kind=kind, overrides=overrides)
    _require(mapping, table, meta)
    return table, meta, mapping, _header_lines(mapping, meta)


def _key_column(mapping: HeaderMapping, name: str) -> ColumnMap:
    """Return the column of a required field, which :func:`_require` has checked exists."""
    col = mapping.column_for(name)
    if col is None:  # unreachable after _require; keeps the type honest
        raise ValueError(f"no column for required field {name!r}")
    return col


def _row_id(row_no: int, raw: str, totals: Collection[int], *, credit: bool, what: str
            ) -> tuple[str | None, str]:
    """Return (id or None, why the row cannot be used) for one row's id cell."""
    if row_no in totals:
        return None, f"合计行，不是{what}"
    return _parse_id(raw, credit=credit)


# --------------------------------------------------------------------------- parcels


@dataclass(frozen=True)
class _Shapes:
    """The geometries of a parcel file by row, the rows of bad WKT, and the column they are in."""

    geoms: dict[int, BaseGeometry | None]
    bad_wkt: set[int]
    column: str


def _wkt_geometries(column: pd.Series) -> tuple[dict[int, BaseGeometry | None], set[int]]:
    """Return the geometries of a WKT column by row, and the rows not holding valid WKT."""
    geoms: dict[int, BaseGeometry | None] = {}
    bad: set[int] = set()
    for row_no, text in column.items():
        geoms[row_no] = None if is_missing(text) else shapely.from_wkt(
            normalise_text(text), on_invalid="ignore")
        if geoms[row_no] is None and not is_missing(text):
            bad.add(row_no)
    return geoms, bad


def _parcel_geometries(table: pd.DataFrame, mapping: HeaderMapping, lines: list[dict], *,
                       file: str, gcj02: bool) -> _Shapes:
    """Return the parcels' shapes (layer geometry or WKT column), converted from GCJ-02 if asked.

    Raises :class:`DataImportError` when the file has neither.
    """
    wkt_col = mapping.column_for(GEOM_FIELD)
    if isinstance(table, gpd.GeoDataFrame):
        shapes = _Shapes(dict(zip(table.index, table.geometry, strict=True)), set(), "geometry")
    elif wkt_col is not None:
        geoms, bad_wkt = _wkt_geometries(table[wkt_col.source])
        shapes = _Shapes(geoms, bad_wkt, wkt_col.source)
        lines.append(_line(file, None, wkt_col.source, "",
                           "WKT 坐标按 WGS84（EPSG:4326）经纬度读取", "", _INFO))
    else:
        raise DataImportError(
            "no geometry: parcels need their polygons", file=file,
            fix="export the parcels as GeoPackage, GeoJSON or zipped Shapefile, or add a WKT "
                "column (EPSG:4326 lon/lat)")
    if not gcj02:
        return shapes
    lines.append(_line(file, None, "", "", "坐标按 GCJ-02（高德）转换为 WGS84", "", _INFO))
    geoms = {r: None if g is None else geometry_gcj02_to_wgs84(g)
             for r, g in shapes.geoms.items()}
    return _Shapes(geoms, shapes.bad_wkt, shapes.column)


def _parcel_geometry(geom: BaseGeometry | None, box: tuple[float, float, float, float]
                     ) -> tuple[BaseGeometry | None, str, str]:
    """Return (polygonal geometry or None, why it cannot be used, what was repaired)."""
    if geom is None or geom.is_empty:
        return None, "无图形", ""
    repaired = ""
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        fixed = _polygonal(shapely.make_valid(geom))
        if fixed is None or fixed.is_empty:
            return None, f"图形无效且无法修复（{reason}）", ""
        geom, repaired = fixed, f"图形无效（{reason}）"
    poly = _polygonal(geom)
    if poly is None:
        return None, f"图形不是面（{geom.geom_type}）", repaired
    if not _in_box(poly.bounds, box):
        b = tuple(round(v, 4) for v in poly.bounds)
        return None, f"超出宁波范围（范围 {b}；{_outside_hint(poly.bounds, box)}）", repaired
    return poly, "", repaired


def _row_polygon(row_no: int, pid: str, shapes: _Shapes, cells: Mapping[str, Mapping[int, str]],
                 lines: list[dict], *, file: str, box: tuple[float, float, float, float]
                 ) -> BaseGeometry | None:
    """Return the usable polygon of one parcel row (None: reported and left out)."""
    if row_no in shapes.bad_wkt:
        lines.append(_line(file, row_no, shapes.column, cells[shapes.column][row_no][:60],
                           "WKT 图形无法解析", _DROP_ROW))
        return None
    poly, problem, repaired = _parcel_geometry(shapes.geoms.get(row_no), box)
    if repaired:
        lines.append(_line(file, row_no, shapes.column, pid, repaired, "已用 make_valid 修复",
                           _WARN))
    if poly is None:
        lines.append(_line(file, row_no, shapes.column, pid, problem, _DROP_ROW))
    return poly


def _usable_parcel_rows(rows: Sequence[int], cells: Mapping[str, Mapping[int, str]],
                        id_col: ColumnMap, shapes: _Shapes, lines: list[dict], *, file: str,
                        box: tuple[float, float, float, float]
                        ) -> tuple[dict[int, str], dict[int, BaseGeometry]]:
    """Return the id and polygon of every row that can be used; report the others."""
    totals = _total_rows(cells)
    usable: dict[int, str] = {}
    polygons: dict[int, BaseGeometry] = {}
    for row_no in rows:
        raw_id = cells[id_col.source][row_no]
        pid, problem = _row_id(row_no, raw_id, totals, credit=False, what="宗地")
        if pid is None:
            lines.append(_line(file, row_no, id_col.source, raw_id, problem, _DROP_ROW))
            continue
        poly = _row_polygon(row_no, pid, shapes, cells, lines, file=file, box=box)
        if poly is not None:
            usable[row_no] = pid
            polygons[row_no] = poly
    return usable, polygons


def _parcel_frame(kept: Sequence[int], usable: Mapping[int, str],
                  values: Mapping[str, Mapping[int, object]], stated: pd.Series,
                  measured: pd.Series) -> pd.DataFrame:
    """Return the canonical parcel columns of the rows kept (indexed by file row)."""
    out = pd.DataFrame(index=pd.Index(kept))
    out["parcel_id"] = [usable[r] for r in kept]
    out["land_area_m2"] = stated.fillna(measured)
    out["land_area_geom_m2"] = measured
    out["land_area_source"] = np.where(stated.notna(), "填报", "图形测算")
    for name in ("land_use", "floor_area_m2", "far", "status", "year", "data_label"):
        col = values.get(name, {})
        out[name] = [col.get(r) for r in kept]
    for name in ("floor_area_m2", "far"):
        out[name] = out[name].astype(float)
    out["year"] = out["year"].astype("Int64")
    out["source_row"] = np.asarray(kept, dtype=np.int64)
    return out


def _area_line(r: int, stated: float, measured: float, raw: str, *, file: str, column: str
               ) -> dict | None:
    """Return the report line on one parcel's stated area against its measured one, if any."""
    if pd.isna(stated):
        if not is_missing(raw):
            return None  # a bad value: already reported with the values
        return _line(file, r, column, "", "未填用地面积",
                     f"按图形面积 {measured:.1f} 平方米计（EPSG:4549 测算）", _INFO)
    if measured > 0 and abs(stated - measured) > _AREA_MISMATCH * measured:
        return _line(file, r, column, raw,
                     f"填报面积 {stated:.1f} 平方米与图形面积 {measured:.1f} 平方米相差超过"
                     f" {_AREA_MISMATCH:.0%}（单位是否有误？）", "保留填报面积", _WARN)
    return None


def _check_stated_areas(lines: list[dict], area_col: ColumnMap | None, kept: Sequence[int],
                        stated: pd.Series, measured: pd.Series,
                        cells: Mapping[str, Mapping[int, str]], *, file: str) -> None:
    """Report areas not stated (measured instead) and stated areas far from the measured ones."""
    if area_col is None:
        lines.append(_line(file, None, "用地面积", "", "文件没有用地面积列",
                           "全部按图形面积计（EPSG:4549 测算）", _INFO))
        return
    for ln in lines:
        if ln["字段"] == area_col.source and ln["处理"] == _SET_NAN:
            ln["处理"] = f"{_SET_NAN}；按图形面积计（EPSG:4549 测算）"
    for r in kept:
        line = _area_line(r, stated[r], measured[r], cells[area_col.source][r], file=file,
                          column=area_col.source)
        if line is not None:
            lines.append(line)


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
        If the file is unsafe or unreadable, has no parcel-id column or no geometry.
    """
    table, meta, mapping, lines = _open_table(
        path, "parcel", sheet=sheet, layer=layer, overrides=overrides, max_bytes=max_bytes,
        max_unzipped_bytes=max_unzipped_bytes)
    file = meta.source
    shapes = _parcel_geometries(table, mapping, lines, file=file, gcj02=gcj02)
    values, value_lines = _parse_fields(table, mapping, "parcel", file)
    id_col = _key_column(mapping, "parcel_id")
    cells = _cells(table, _attributes(table))
    usable, polygons = _usable_parcel_rows(list(table.index), cells, id_col, shapes, lines,
                                           file=file, box=ningbo_bounds)
    kept = _first_of_each(usable, values.get("year"), lines, file=file, column=id_col.source,
                          what="宗地编号")
    _keep_value_lines(lines, value_lines, kept)

    geometry = gpd.GeoSeries([polygons[r] for r in kept], index=kept, crs=STORAGE_CRS)
    measured = geometry.to_crs(AREA_CRS).area.astype(float)
    stated = pd.Series([values.get("land_area_m2", {}).get(r) for r in kept], index=kept,
                       dtype=float)
    out = _parcel_frame(kept, usable, values, stated, measured)
    _check_stated_areas(lines, mapping.column_for("land_area_m2"), kept, stated, measured, cells,
                        file=file)
    data = gpd.GeoDataFrame(out.reset_index(drop=True), geometry=list(geometry), crs=STORAGE_CRS)
    return ImportResult(data=data, report=_report_frame(lines), mapping=mapping, source=file,
                        kind="parcel", rows_read=len(table))


# --------------------------------------------------------------------------- enterprises


@dataclass(frozen=True)
class _Locations:
    """Where the enterprises of a file are, before any check.

    ``located`` is False when the file gives no usable location column; ``lon_col`` is set
    when lon/lat come from two columns (not from a geometry); ``where`` names the source in
    report lines.
    """

    located: bool = False
    lon: Mapping[int, object] = field(default_factory=dict)
    lat: Mapping[int, object] = field(default_factory=dict)
    where: str = "geometry"
    lon_col: ColumnMap | None = None
    lat_col: ColumnMap | None = None


def _check_parcels_argument(parcels: pd.DataFrame | None) -> None:
    """Refuse a ``parcels`` table without the canonical ``parcel_id`` column."""
    if parcels is not None and "parcel_id" not in parcels.columns:
        raise ValueError("parcels has no 'parcel_id' column. Fix: pass the data of "
                         "import_parcels(...), or a table with canonical parcel columns")


def _geometry_locations(table: pd.DataFrame, mapping: HeaderMapping, lines: list[dict],
                        value_lines: list[dict], *, file: str) -> _Locations:
    """Return the enterprises' points from the layer geometry or a WKT column (one per row)."""
    wkt_col = mapping.column_for(GEOM_FIELD)
    where = "geometry"
    if isinstance(table, gpd.GeoDataFrame) or wkt_col is None:
        geoms: dict[int, BaseGeometry | None] = dict(zip(table.index, table.geometry,
                                                         strict=True))
        bad_wkt: set[int] = set()
    else:
        where = wkt_col.source
        geoms, bad_wkt = _wkt_geometries(table[where])
    for row_no in sorted(bad_wkt):  # filtered with the value lines to the rows kept
        value_lines.append(_line(file, row_no, where, table.at[row_no, where][:60],
                                 "WKT 图形无法解析", "坐标置空，企业保留", _WARN))
    lon: dict[int, object] = {}
    lat: dict[int, object] = {}
    for row_no, geom in geoms.items():
        if geom is None or geom.is_empty:
            lon[row_no] = lat[row_no] = None
            continue
        pt = geom if geom.geom_type == "Point" else geom.representative_point()
        lon[row_no], lat[row_no] = pt.x, pt.y
    if any(g is not None and g.geom_type != "Point" for g in geoms.values()):
        lines.append(_line(file, None, where, "", "图形不是点", "用图形内一点作企业位置", _INFO))
    return _Locations(True, lon, lat, where)


def _enterprise_locations(table: pd.DataFrame, meta: TableMeta, mapping: HeaderMapping,
                          values: Mapping[str, Mapping[int, object]], lines: list[dict],
                          value_lines: list[dict]) -> _Locations:
    """Return where the enterprises are: lon/lat columns, else point geometry or WKT."""
    lon_col, lat_col = mapping.column_for("lon"), mapping.column_for("lat")
    if lon_col is not None and lat_col is not None:
        return _Locations(True, values["lon"], values["lat"],
                          f"{lon_col.source}/{lat_col.source}", lon_col, lat_col)
    one = lon_col or lat_col
    if one is not None:
        lines.append(_line(meta.source, meta.header_rows[-1] if meta.header_rows else None,
                           one.source, "", "只有经度或纬度其中一列", "坐标未导入", _WARN))
        return _Locations()
    if isinstance(table, gpd.GeoDataFrame) or mapping.column_for(GEOM_FIELD) is not None:
        return _geometry_locations(table, mapping, lines, value_lines, file=meta.source)
    return _Locations()


def _usable_enterprise_rows(rows: Sequence[int], cells: Mapping[str, Mapping[int, str]],
                            code_col: ColumnMap, lines: list[dict], *, file: str
                            ) -> dict[int, str]:
    """Return the credit code of every row that can be used; report the others."""
    totals = _total_rows(cells)
    usable: dict[int, str] = {}
    for row_no in rows:
        raw = cells[code_col.source][row_no]
        code, problem = _row_id(row_no, raw, totals, credit=True, what="企业")
        if code is None:
            lines.append(_line(file, row_no, code_col.source, raw, problem, _DROP_ROW))
            continue
        usable[row_no] = code
    return usable


def _coordinate_problem(x: float, y: float, *, both: bool,
                        box: tuple[float, float, float, float]) -> str:
    """Return why a point cannot be used ("" when it can, or when neither lon nor lat is given).

    ``both`` tells whether lon and lat were both given (before any GCJ-02 conversion).
    """
    if not both:
        return "经纬度只有一个可用" if np.isfinite(x) != np.isfinite(y) else ""
    b = (x, y, x, y)
    return "" if _in_box(b, box) else f"超出宁波范围（{_outside_hint(b, box)}）"


def _checked_coordinates(loc: _Locations, kept: Sequence[int],
                         cells: Mapping[str, Mapping[int, str]], lines: list[dict], *,
                         file: str, gcj02: bool, box: tuple[float, float, float, float]
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Return lon and lat of the rows kept, in WGS84; NaN (and a report line) where unusable."""
    xs = np.array([np.nan if loc.lon.get(r) is None else loc.lon[r] for r in kept], dtype=float)
    ys = np.array([np.nan if loc.lat.get(r) is None else loc.lat[r] for r in kept], dtype=float)
    if not loc.located:
        return xs, ys
    both = np.isfinite(xs) & np.isfinite(ys)
    if gcj02 and both.any():
        xs[both], ys[both] = gcj02_to_wgs84(xs[both], ys[both])
        lines.append(_line(file, None, "", "", "坐标按 GCJ-02（高德）转换为 WGS84", "", _INFO))
    for i, r in enumerate(kept):
        problem = _coordinate_problem(xs[i], ys[i], both=bool(both[i]), box=box)
        if problem:
            shown = (f"{cells[loc.lon_col.source][r]}, {cells[loc.lat_col.source][r]}"
                     if loc.lon_col is not None and loc.lat_col is not None
                     else f"{xs[i]:.6f}, {ys[i]:.6f}")
            lines.append(_line(file, r, loc.where, shown, problem, "坐标置空，企业保留", _WARN))
        if problem or not both[i]:
            xs[i] = ys[i] = np.nan
    return xs, ys


def _parcel_ids(cell: str) -> list[str]:
    return [normalise_text(p) for p in split_ids(cell)]


def _check_parcel_links(lines: list[dict], parcel_col: ColumnMap, kept: Sequence[int],
                        cells: Mapping[str, Mapping[int, str]], parcels: pd.DataFrame | None,
                        *, file: str) -> None:
    """Report parcel ids listed twice by one enterprise, and ids not among ``parcels``."""
    column = cells[parcel_col.source]
    for r in kept:
        ids = _parcel_ids(column[r])
        repeated = sorted({p for p in ids if ids.count(p) > 1})
        if repeated:
            lines.append(_line(file, r, parcel_col.source, column[r],
                               f"同一宗地编号重复列出（{'、'.join(repeated)}）", "只计一次", _WARN))
    if parcels is None:
        return
    known = set(parcels["parcel_id"].astype(str))
    for r in kept:
        missing = [p for p in _parcel_ids(column[r]) if p not in known]
        if missing:
            lines.append(_line(file, r, parcel_col.source, column[r],
                               f"无对应宗地（{'、'.join(missing)} 不在宗地数据中）",
                               "企业保留，未关联该宗地", _WARN))


def _enterprise_parcel_ids(kept: Sequence[int], cells: Mapping[str, Mapping[int, str]],
                           parcel_col: ColumnMap | None) -> list[str | None]:
    """Return each kept row's parcel ids, normalised, deduplicated and joined with ";"."""
    if parcel_col is None:
        return [None] * len(kept)
    column = cells[parcel_col.source]
    return [None if is_missing(column[r]) else ";".join(dict.fromkeys(_parcel_ids(column[r])))
            for r in kept]


def _enterprise_frame(kept: Sequence[int], usable: Mapping[int, str],
                      values: Mapping[str, Mapping[int, object]], parcel_ids: list[str | None],
                      xs: np.ndarray, ys: np.ndarray, *, located: bool) -> pd.DataFrame:
    """Return every field of :data:`ENTERPRISE_FIELDS` for the rows kept (points if located)."""
    out = pd.DataFrame(index=pd.Index(kept))
    columns: dict[str, object] = {"credit_code": [usable[r] for r in kept],
                                  "parcel_id": parcel_ids, "lon": xs, "lat": ys}
    for f in ENTERPRISE_FIELDS:
        if f.name in columns:
            out[f.name] = columns[f.name]
        else:
            col = values.get(f.name, {})
            out[f.name] = [col.get(r) for r in kept]
        if f.kind in ("number", "int"):
            out[f.name] = out[f.name].astype(float)
    out["year"] = out["year"].astype("Int64")
    out["source_row"] = np.asarray(kept, dtype=np.int64)
    out = out.reset_index(drop=True)
    if not located:
        return out
    pts = [Point(x, y) if np.isfinite(x) and np.isfinite(y) else None
           for x, y in zip(out["lon"], out["lat"], strict=True)]
    return gpd.GeoDataFrame(out, geometry=pts, crs=STORAGE_CRS)


def import_enterprises(
    path: str | os.PathLike[str],
    *,
    gcj02: bool = False,
    parcels: pd.DataFrame | None = None,
    layer: str | None = None,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    max_bytes: int = MAX_BYTES,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
    ningbo_bounds: tuple[float, float, float, float] = NINGBO_BOUNDS,
) -> ImportResult:
    """Import enterprises (亩均效益 data) from a table or a point layer.

    Parameters
    ----------
    path : path-like
        CSV, .xlsx, or a vector file of points.
    gcj02 : bool, keyword-only
        Lon/lat are GCJ-02 (高德); they are converted to WGS84.
    parcels : DataFrame, keyword-only
        Imported parcels; each enterprise's ``parcel_id`` (one or several, "A;B") is checked
        against their ``parcel_id`` and unmatched ones are reported.
    layer, sheet, overrides, max_bytes, max_unzipped_bytes, ningbo_bounds : keyword-only
        As for :func:`import_parcels`.

    Returns
    -------
    ImportResult
        ``data`` has every field of :data:`geo.landmodel.ENTERPRISE_FIELDS` (money in 万元,
        land in m²) plus ``source_row``; a GeoDataFrame of points (EPSG:4326; None where a row
        has no usable location) when the file gives lon/lat or point geometry.

    Raises
    ------
    DataImportError
        If the file is unsafe or unreadable, or has no 统一社会信用代码 column.
    """
    _check_parcels_argument(parcels)
    table, meta, mapping, lines = _open_table(
        path, "enterprise", sheet=sheet, layer=layer, overrides=overrides, max_bytes=max_bytes,
        max_unzipped_bytes=max_unzipped_bytes)
    file = meta.source
    values, value_lines = _parse_fields(table, mapping, "enterprise", file)
    code_col = _key_column(mapping, "credit_code")
    parcel_col = mapping.column_for("parcel_id")
    loc = _enterprise_locations(table, meta, mapping, values, lines, value_lines)
    cells = _cells(table, _attributes(table))
    usable = _usable_enterprise_rows(list(table.index), cells, code_col, lines, file=file)
    kept = _first_of_each(usable, values.get("year"), lines, file=file,
                          column=code_col.source, what="统一社会信用代码")
    _keep_value_lines(lines, value_lines, kept)
    xs, ys = _checked_coordinates(loc, kept, cells, lines, file=file, gcj02=gcj02,
                                  box=ningbo_bounds)
    if parcel_col is not None:
        _check_parcel_links(lines, parcel_col, kept, cells, parcels, file=file)
    out = _enterprise_frame(kept, usable, values, _enterprise_parcel_ids(kept, cells, parcel_col),
                            xs, ys, located=loc.located)
    return ImportResult(data=out, report=_report_frame(lines), mapping=mapping, source=file,
                        kind="enterprise", rows_read=len(table))
