"""Import enterprises (亩均效益 data) from a table or a point layer, as named steps."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from shapely.geometry.base import BaseGeometry

from geo._errors import DataImportError
from geo.crs import NINGBO_BOUNDS, STORAGE_CRS, within
from geo.gcj02 import gcj02_to_wgs84
from geo.io.quantities import (
    _BRACKETS,
    MISSING_MARKERS,
    is_missing,
    normalise_text,
)
from geo.io.safefile import MAX_BYTES, MAX_UNZIPPED_BYTES
from geo.io.tables import TableMeta
from geo.labels import ENTERPRISE_FIELD_HEADERS, PARCEL_FIELD_HEADERS
from geo.landuse.areas import decide_area_unit
from geo.landuse.headers import (
    GEOM_FIELD,
    ColumnMap,
    HeaderMapping,
    map_headers,
)
from geo.landuse.ingest._common import (
    _DROP_ROW,
    _INFO,
    _PLAIN_ID,
    _WARN,
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
    _name_records,
    _open_table,
    _outside_hint,
    _parse_fields,
    _plain_ids,
    _report_frame,
    _row_id,
    _str_series,
    _total_rows,
    _unitless_cells,
    _wkt_geometries,
    arrow_texts,
    record_of,
    report_line,
    restate_unit,
    take,
    take_floats,
    take_texts,
    text_column,
)
from geo.landuse.model import ENTERPRISE_FIELDS, split_ids
from geo.landuse.money import MONEY_FIELDS, decide_money_unit, land_from_parcels


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


#: The parcels an enterprise import checks its links against: a table, none, or a callable
#: giving one of those when first needed (the parcels may still be importing meanwhile).
Parcels: TypeAlias = pd.DataFrame | Callable[[], pd.DataFrame | None] | None


def _parcels_now(parcels: Parcels) -> pd.DataFrame | None:
    """Return the parcels table, calling ``parcels`` if it is a callable; check it."""
    table = parcels() if callable(parcels) else parcels
    _check_parcels_argument(table)
    return table


def _geometry_locations(table: pd.DataFrame, mapping: HeaderMapping, lines: list[dict],
                        value_lines: list[dict], *, file: str) -> _Locations:
    """Return the enterprises' points from the layer geometry or a WKT column (one per row)."""
    wkt_col = mapping.column_for(GEOM_FIELD)
    where = "geometry"
    if isinstance(table, gpd.GeoDataFrame) or wkt_col is None:
        geoms: dict[int, BaseGeometry | None] = dict(zip(table.index, _geometries(table),
                                                         strict=True))
        bad_wkt: set[int] = set()
    else:
        where = wkt_col.source
        geoms, bad_wkt = _wkt_geometries(table[where])
    for row_no in sorted(bad_wkt):  # filtered with the value lines to the rows kept
        value_lines.append(report_line(file, row_no, where, table.at[row_no, where][:60],
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
        lines.append(report_line(file, None, where, "", "图形不是点", "用图形内一点作企业位置",
                                 _INFO))
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
        lines.append(report_line(meta.source, meta.header_rows[-1] if meta.header_rows else None,
                                 one.source, "", "只有经度或纬度其中一列", "坐标未导入", _WARN))
        return _Locations()
    if isinstance(table, gpd.GeoDataFrame) or mapping.column_for(GEOM_FIELD) is not None:
        return _geometry_locations(table, mapping, lines, value_lines, file=meta.source)
    return _Locations()


def name_key(name: object) -> str:
    """Return the key of an enterprise known only by its name.

    NFKC (full-width → half-width), one kind of bracket, no spaces: "宁波 某某（集团）公司" and
    "宁波某某(集团)公司" are one enterprise. Case and other characters are kept.
    """
    return re.sub(r"\s+", "", normalise_text(name).translate(_BRACKETS))


def _name_id(row_no: int, raw: str, totals: Collection[int]) -> tuple[str | None, str]:
    """Return (name key or None, why the row cannot be used) for one row keyed by name."""
    if row_no in totals:
        return None, "合计行，不是企业"
    if is_missing(raw) or not name_key(raw):
        return None, f"缺少{ENTERPRISE_FIELD_HEADERS['name']}"
    return name_key(raw), ""


#: Prefix of the ``enterprise_key`` of a unit keyed by its parcel ("宗地 P1").
PARCEL_KEY_PREFIX = "宗地 "


def _row_key(row_no: int, raw: str, totals: Collection[int], how: str
             ) -> tuple[str | None, str]:
    """Return (key or None, why the row cannot be used); ``how`` is "code", "name" or "parcel"."""
    if how == "name":
        return _name_id(row_no, raw, totals)
    if how == "code":
        return _row_id(row_no, raw, totals, credit=True, what="企业")
    key, problem = _row_id(row_no, raw, totals, credit=False, what="宗地")
    return (None if key is None else PARCEL_KEY_PREFIX + key), problem


def _usable_enterprise_rows(cells: _Cells, key_col: ColumnMap, lines: list[dict], *,
                            file: str, how: str, names: Mapping[int, object]) -> RowValues:
    """Return the key (credit code, name key or parcel key) of every usable row; report the others.

    Every row of the table is looked at; the keys are held in Arrow, by file row.
    ``names`` (企业名称 by row) name the record of the lines on rows left out.
    """
    totals = _total_rows(cells)
    rows = cells.rows
    raw = cells.arrow(key_col.source)
    if how == "name":
        plain = np.zeros(len(rows), dtype=bool)
    else:
        plain = _plain_ids(raw, totals, rows, credit=how == "code")
    keys = pc.utf8_replace_slice(raw, 0, 0, PARCEL_KEY_PREFIX) if how == "parcel" else raw
    slow = np.flatnonzero(~plain)
    slow_keys: list[str | None] = []
    dropped: list[tuple[int, str, str]] = []
    for i, text in zip(slow.tolist(), raw.take(pa.array(slow)).to_pylist(), strict=True):
        key, problem = _row_key(int(rows[i]), text, totals, how)
        slow_keys.append(key)
        if key is None:
            dropped.append((int(rows[i]), text, problem))
    if dropped:
        held = take(names, [r for r, _, _ in dropped]).tolist()
        for (row_no, text, problem), name in zip(dropped, held, strict=True):
            record = record_of(text) if how == "name" else record_of(text, name)
            lines.append(report_line(file, row_no, key_col.source, text, problem, _DROP_ROW,
                                     record=record))
    if len(slow):
        keys = pc.replace_with_mask(keys, pa.array(~plain), pa.array(slow_keys, pa.large_string()))
    usable = pc.is_valid(keys).to_numpy(zero_copy_only=False)
    return RowValues(pd.Index(rows[usable]), keys.filter(pa.array(usable)))


def _key_of(mapping: HeaderMapping, lines: list[dict], *, file: str) -> tuple[ColumnMap, bool]:
    """Return the column that identifies enterprises, and whether it is 企业名称.

    A file without a 统一社会信用代码 column is keyed by 企业名称 (:func:`name_key`); a 提示
    line at the top of the report says so. :func:`_require` has refused files with neither.
    """
    code_col, name_col = mapping.column_for("credit_code"), mapping.column_for("name")
    if code_col is not None:
        return code_col, False
    if name_col is None:  # unreachable after _require; keeps the type honest
        raise ValueError("no column for credit_code or name")
    code, name = ENTERPRISE_FIELD_HEADERS["credit_code"], ENTERPRISE_FIELD_HEADERS["name"]
    lines.insert(0, report_line(
        file, None, name_col.source, "", f"文件没有{code}列",
        f"按{name}识别企业（全半角、括号统一并去掉空格后比对）；{code}留空", _INFO))
    return name_col, True


def _parcel_key_of(mapping: HeaderMapping, lines: list[dict], *, file: str) -> ColumnMap:
    """Return the 宗地编号 column of a parcel table read as reporting units; say so in a 提示 line.

    Raises
    ------
    DataImportError
        The file has no 宗地编号 column.
    """
    col = mapping.column_for("parcel_id")
    label = PARCEL_FIELD_HEADERS["parcel_id"]
    if col is None:
        problem = f"文件没有“{label}”列，无法按宗地识别评价单位"
        fix = f"请把宗地编号列命名为“{label}”，或用 overrides 指定"
        raise DataImportError(problem, file=file, field=label, fix=fix, zh=(problem, fix))
    lines.insert(0, report_line(
        file, None, col.source, "", "未提供企业文件：税收等指标取自宗地表各行",
        f"每宗地作为一个评价单位（按{label}识别，用地面积取自宗地图形或其填报面积，名称取权利人，"
        "无权利人时用宗地编号）；"
        f"{ENTERPRISE_FIELD_HEADERS['credit_code']}留空", _INFO))
    return col


def _parcel_unit_values(table: pd.DataFrame, values: Mapping[str, Mapping[int, object]],
                        usable: Mapping[int, object],
                        cells: Mapping[str, Mapping[int, str]], *, own_land: bool = False
                        ) -> dict[str, Mapping[int, object]]:
    """Return ``values`` for units keyed by parcel: name = 权利人 (else the id), land left out.

    The land is the parcel's own (checked and measured by the parcel import), so the row's
    用地面积 is not read a second time — unless ``own_land``: a table of parcels given by
    their coordinates has no polygon to measure, and its 用地面积 is the land.
    """
    holder = map_headers(_attributes(table), kind="parcel").column_for("holder")
    held = cells[holder.source] if holder is not None else {}
    out = {k: v for k, v in values.items() if own_land or k != "land_area_m2"}
    out["name"] = {r: (normalise_text(held[r]) if r in held and not is_missing(held[r])
                       else str(key)[len(PARCEL_KEY_PREFIX):]) for r, key in usable.items()}
    return out


_KEY_LABELS = {"code": ENTERPRISE_FIELD_HEADERS["credit_code"],
               "name": ENTERPRISE_FIELD_HEADERS["name"],
               "parcel": PARCEL_FIELD_HEADERS["parcel_id"]}


def _keying(mapping: HeaderMapping, lines: list[dict], *, lines_of_values: list[dict],
            file: str, key: str) -> tuple[ColumnMap, str]:
    """Return the key column and how rows are keyed ("code", "name" or "parcel").

    Keyed by parcel, the 用地面积 column is the parcel import's: its header and value lines
    are dropped here (the parcel report has them).
    """
    if key == "auto":
        key_col, by_name = _key_of(mapping, lines, file=file)
        return key_col, "name" if by_name else "code"
    land = mapping.column_for("land_area_m2")
    if land is not None:
        for found in (lines, lines_of_values):
            found[:] = [ln for ln in found if ln[FIELD] != land.source]
    return _parcel_key_of(mapping, lines, file=file), "parcel"


def _coordinate_problem(x: float, y: float, *, both: bool,
                        box: tuple[float, float, float, float]) -> str:
    """Return why a point cannot be used ("" when it can, or when neither lon nor lat is given).

    ``both`` tells whether lon and lat were both given (before any GCJ-02 conversion).
    """
    if not both:
        return "经纬度只有一个可用" if np.isfinite(x) != np.isfinite(y) else ""
    b = (x, y, x, y)
    return "" if within(b, box) else f"超出宁波范围（{_outside_hint(b, box)}）"


def _checked_coordinates(loc: _Locations, kept: Sequence[int],
                         cells: Mapping[str, Mapping[int, str]], lines: list[dict], *,
                         file: str, gcj02: bool, box: tuple[float, float, float, float]
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Return lon and lat of the rows kept, in WGS84; NaN (and a report line) where unusable."""
    xs, ys = take_floats(loc.lon, kept), take_floats(loc.lat, kept)
    if not loc.located:
        return xs, ys
    both = np.isfinite(xs) & np.isfinite(ys)
    if gcj02 and both.any():
        xs[both], ys[both] = gcj02_to_wgs84(xs[both], ys[both])
        lines.append(report_line(file, None, "", "", "坐标按 GCJ-02（高德）转换为 WGS84", "",
                                 _INFO))
    inside = both & (xs >= box[0]) & (ys >= box[1]) & (xs <= box[2]) & (ys <= box[3])
    for i in np.flatnonzero(~inside).tolist():  # a point inside the box has no problem
        r = kept[i]
        problem = _coordinate_problem(xs[i], ys[i], both=bool(both[i]), box=box)
        if problem:
            shown = (f"{cells[loc.lon_col.source][r]}, {cells[loc.lat_col.source][r]}"
                     if loc.lon_col is not None and loc.lat_col is not None
                     else f"{xs[i]:.6f}, {ys[i]:.6f}")
            lines.append(report_line(file, r, loc.where, shown, problem, "坐标置空，企业保留",
                                     _WARN))
        if problem or not both[i]:
            xs[i] = ys[i] = np.nan
    return xs, ys


def _parcel_ids(cell: str) -> list[str]:
    return [normalise_text(p) for p in split_ids(cell)]


def _single_ids(texts: pa.Array) -> np.ndarray:
    """Tell which parcel-id cells hold one plain id (what :func:`_parcel_ids` gives as is).

    Plain: ASCII letters, digits and ``_-./`` only (no separator or space), not a mark.
    Others (several ids, full-width, marks) are left to :func:`_parcel_ids`.
    """
    t = _str_series(texts)
    ok = t.str.fullmatch(_PLAIN_ID).fillna(False).to_numpy(dtype=bool, copy=True)
    if ok.any():
        ok &= ~t.str.lower().isin(MISSING_MARKERS).to_numpy(dtype=bool)
    return ok


def _check_parcel_links(lines: list[dict], parcel_col: ColumnMap, kept: Sequence[int],
                        cells: _Cells, parcels: pd.DataFrame | None, *, file: str) -> None:
    """Report parcel ids listed twice by one enterprise, and ids not among ``parcels``.

    A cell of one plain id (:func:`_single_ids`) lists no id twice and is looked up at once;
    the others are split by :func:`_parcel_ids`.
    """
    texts = cells.texts(parcel_col.source, kept)
    single = _single_ids(texts)
    several = np.flatnonzero(~single).tolist()
    several_texts = dict(zip(several, texts.take(pa.array(several, pa.int64())).to_pylist(),
                             strict=True))
    for i, text in several_texts.items():
        ids = _parcel_ids(text)
        repeated = sorted({p for p in ids if ids.count(p) > 1})
        if repeated:
            lines.append(report_line(file, kept[i], parcel_col.source, text,
                                     f"同一宗地编号重复列出（{'、'.join(repeated)}）", "只计一次",
                                     _WARN))
    if parcels is None:
        return
    known = arrow_texts(parcels["parcel_id"].astype(str).unique())
    found = pc.is_in(texts, value_set=known).to_numpy(zero_copy_only=False)
    unknown = np.flatnonzero(single & ~found)
    missing_of: dict[int, tuple[str, list[str]]] = {
        i: (t, [t]) for i, t in zip(unknown.tolist(), texts.take(pa.array(unknown)).to_pylist(),
                                     strict=True)}
    known_set = set(known.to_pylist()) if several else set()
    for i, text in several_texts.items():
        missing = [p for p in _parcel_ids(text) if p not in known_set]
        if missing:
            missing_of[i] = (text, missing)
    for i in sorted(missing_of):
        text, missing = missing_of[i]
        lines.append(report_line(file, kept[i], parcel_col.source, text,
                                 f"无对应宗地（{'、'.join(missing)} 不在宗地数据中）",
                                 "企业保留，未关联该宗地", _WARN))


def _enterprise_parcel_ids(kept: Sequence[int], cells: _Cells, parcel_col: ColumnMap | None
                           ) -> pa.Array:
    """Return each kept row's parcel ids, normalised, deduplicated and joined with ";"."""
    if parcel_col is None:
        return pa.nulls(len(kept), pa.large_string())
    texts = cells.texts(parcel_col.source, kept)
    other = ~_single_ids(texts)  # a plain single id stays as it is
    if not other.any():
        return texts
    fixed = [None if is_missing(t) else ";".join(dict.fromkeys(_parcel_ids(t)))
             for t in texts.filter(pa.array(other)).to_pylist()]
    return pc.replace_with_mask(texts, pa.array(other), pa.array(fixed, pa.large_string()))


def _enterprise_frame(kept: Sequence[int], usable: RowValues,
                      values: Mapping[str, Mapping[int, object]], parcel_ids: pa.Array,
                      xs: np.ndarray, ys: np.ndarray, *, located: bool, how: str
                      ) -> pd.DataFrame:
    """Return every field of :data:`ENTERPRISE_FIELDS` for the rows kept (points if located).

    ``enterprise_key`` (after the fields) is the key of each enterprise: its credit code, or
    its name key (or parcel key) when the file is keyed by name (or by parcel); ``credit_code``
    then stays empty. Texts go from Arrow to their columns without a Python object per cell.
    """
    keys = take_texts(usable, kept)
    given: dict[str, object] = {
        "credit_code": text_column(keys if how == "code"
                                   else pa.nulls(len(kept), pa.large_string())),
        "parcel_id": text_column(parcel_ids), "lon": xs, "lat": ys}
    columns: dict[str, object] = {}  # built whole, then one frame (not column by column)
    for f in ENTERPRISE_FIELDS:
        held = values.get(f.name)
        if f.name in given:
            columns[f.name] = given[f.name]
        elif f.kind in ("number", "int"):
            columns[f.name] = take_floats(held, kept)
        elif f.kind == "text":
            columns[f.name] = text_column(take_texts(held, kept))
        else:
            columns[f.name] = pd.Series(take(held, kept), dtype=None if len(kept) else object)
    columns["year"] = pd.array(columns["year"], dtype="Int64")
    columns["founded_year"] = pd.array(columns["founded_year"], dtype="Int64")
    columns["enterprise_key"] = text_column(keys)
    columns["source_row"] = np.asarray(kept, dtype=np.int64)
    out = pd.DataFrame(columns)
    if not located:
        return out
    lon, lat = out["lon"].to_numpy(), out["lat"].to_numpy()
    placed = np.isfinite(lon) & np.isfinite(lat)
    pts = np.full(len(out), None, dtype=object)
    pts[placed] = shapely.points(lon[placed], lat[placed])
    return gpd.GeoDataFrame(out, geometry=pts, crs=STORAGE_CRS)


def _unitless(column: Mapping[int, str], kept: Sequence[int]) -> pd.Series:
    """Return, per kept row (positional), whether its cell states no unit of its own."""
    return pd.Series(_unitless_cells([column[r] for r in kept]), dtype=bool)


def _decide_land_unit(out: pd.DataFrame, col: ColumnMap, kept: Sequence[int],
                      cells: Mapping[str, Mapping[int, str]], from_parcels: pd.Series,
                      lines: list[dict], *, file: str) -> None:
    """Scale enterprise land stated without a unit by the unit its parcels' areas show."""
    unitless = _unitless(cells[col.source], kept)
    raw = out["land_area_m2"].where(unitless)
    if not raw.notna().any():
        return
    decision = decide_area_unit(raw, from_parcels, file=file, column=col.source)
    if decision is None:
        problem = "用地面积的单位无法判定：表头未写单位，且企业未关联可比对的宗地"
        fix = ("请在表头注明单位（如“用地面积（亩）”），或导入时为该列指定"
               "单位（命令行 --map '用地面积=land_area_m2:亩'）")
        raise DataImportError(problem, file=file, field=col.source, fix=fix, zh=(problem, fix))
    out.loc[unitless, "land_area_m2"] = raw[unitless] * decision.factor
    restate_unit(lines, col, decision.describe().replace("图形面积", "所关联宗地的面积"),
             decision.unit)


def _decide_units(out: pd.DataFrame, mapping: HeaderMapping, kept: Sequence[int],
                  cells: Mapping[str, Mapping[int, str]], parcels: pd.DataFrame | None,
                  lines: list[dict], *, file: str) -> None:
    """Decide the unit of land and money columns whose header states none (in place).

    Raises
    ------
    DataImportError
        When a unit cannot be decided from the data (see :mod:`geo.landuse.money`).
    """
    land_col = mapping.column_for("land_area_m2")
    if not any(c is not None and c.assumed
               for c in (land_col, *map(mapping.column_for, MONEY_FIELDS))):
        return  # every unit is stated: the parcels' land is not needed
    from_parcels = land_from_parcels(list(out["parcel_id"]), parcels)
    if land_col is not None and land_col.assumed:
        _decide_land_unit(out, land_col, kept, cells, from_parcels, lines, file=file)
    land = out["land_area_m2"].fillna(from_parcels)
    for name in MONEY_FIELDS:
        col = mapping.column_for(name)
        if col is None or not col.assumed:
            continue
        unitless = _unitless(cells[col.source], kept)
        decision = decide_money_unit(out[name].where(unitless), land, file=file,
                                     column=col.source)
        if decision is not None:
            out.loc[unitless, name] = out.loc[unitless, name] * decision.factor
            restate_unit(lines, col, decision.describe(), decision.unit)


def import_enterprises(
    path: str | os.PathLike[str],
    *,
    gcj02: bool = False,
    parcels: Parcels = None,
    layer: str | None = None,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    key: str = "auto",
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
    parcels : DataFrame or callable, keyword-only
        Imported parcels; each enterprise's ``parcel_id`` (one or several, "A;B") is checked
        against their ``parcel_id`` and unmatched ones are reported. A callable is called
        (once, with no argument) when the parcels are first needed, after the file has been
        read and parsed, and gives the table or None; an error it raises comes out of this
        function as it is.
    layer, sheet, overrides, max_bytes, max_unzipped_bytes, ningbo_bounds : keyword-only
        As for :func:`import_parcels`.
    key : {"auto", "parcel_id"}, keyword-only
        What identifies a row. ``"auto"``: the 统一社会信用代码, else the 企业名称.
        ``"parcel_id"``: the file is a parcel table carrying the figures on each row; every
        宗地编号 is one reporting unit (``enterprise_key`` "宗地 <id>", ``credit_code`` empty,
        ``name`` the 权利人 or else the id, ``parcel_id`` the id; its land is the parcel's, or
        with ``parcels=None`` — parcels given by 经度/纬度 — the row's own 用地面积).

    Returns
    -------
    ImportResult
        ``data`` has every field of :data:`geo.landuse.model.ENTERPRISE_FIELDS` (money in 万元,
        land in m²) plus ``enterprise_key`` (the credit code, the name key of a file
        without codes, or the parcel key) and ``source_row``; a GeoDataFrame of points
        (EPSG:4326; None where a row has no usable location) when the file gives lon/lat or
        point geometry.

    Raises
    ------
    DataImportError
        If the file is unsafe or unreadable, or has neither a 统一社会信用代码 nor a 企业名称
        column (a file with names only is keyed by the name: ``credit_code`` stays empty), or
        with ``key="parcel_id"`` no 宗地编号 column.
    """
    if not callable(parcels):
        _check_parcels_argument(parcels)
    if key not in ("auto", "parcel_id"):
        raise ValueError(f"unknown key {key!r}. Fix: use 'auto' or 'parcel_id'")
    table, meta, mapping, lines = _open_table(
        path, "enterprise", sheet=sheet, layer=layer, overrides=overrides, max_bytes=max_bytes,
        max_unzipped_bytes=max_unzipped_bytes, require=key == "auto")
    file = meta.source
    cells = _cells(table, _attributes(table))
    values, value_lines = _parse_fields(table, mapping, "enterprise", file, cells)
    key_col, how = _keying(mapping, lines, lines_of_values=value_lines, file=file, key=key)
    parcel_col = mapping.column_for("parcel_id")
    loc = _enterprise_locations(table, meta, mapping, values, lines, value_lines)
    usable = _usable_enterprise_rows(cells, key_col, lines, file=file, how=how,
                                     names=values.get("name", {}))
    if how == "parcel":
        parcels = _parcels_now(parcels)
        values = _parcel_unit_values(table, values, usable, cells, own_land=parcels is None)
    names = values.get("name", {})
    kept = _first_of_each(usable, values.get("year"), lines, file=file, column=key_col.source,
                          what=_KEY_LABELS[how])
    _keep_value_lines(lines, value_lines, kept)
    xs, ys = _checked_coordinates(loc, kept, cells, lines, file=file, gcj02=gcj02,
                                  box=ningbo_bounds)
    ids = (pc.utf8_slice_codeunits(take_texts(usable, kept), len(PARCEL_KEY_PREFIX))
           if how == "parcel" else _enterprise_parcel_ids(kept, cells, parcel_col))
    out = _enterprise_frame(kept, usable, values, ids, xs, ys, located=loc.located, how=how)
    parcels = _parcels_now(parcels)  # waited for only now: the frame is built meanwhile
    if parcel_col is not None:
        _check_parcel_links(lines, parcel_col, kept, cells, parcels, file=file)
    _decide_units(out, mapping, kept, cells, parcels, lines, file=file)
    unnamed = sorted({ln[ROW] for ln in lines if not ln[RECORD] and ln[ROW] in usable})
    held = zip(unnamed, take(usable, unnamed).tolist(), take(names, unnamed).tolist(),
               strict=True)  # only these need their 记录
    _name_records(lines, {r: record_of(name) if how == "name" else record_of(key, name)
                          for r, key, name in held})
    return ImportResult(data=out, report=_report_frame(lines), mapping=mapping, source=file,
                        kind="enterprise", rows_read=len(table))
