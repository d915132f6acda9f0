"""Write tables to CSV, Excel, GeoJSON and GeoPackage — one writer that knows no domain.

One code path serves the CLI and the app, for every table of the tool. The
writer is told what a file holds by :class:`ExportNotes` (its data nature, geometry, units and
sources, written to the Excel 说明 sheet) and labels columns with the one vocabulary of
:mod:`geo.labels`. Every export carries ``geometry_quality`` with a ``geometry_note`` beside it;
text cells and headers that a spreadsheet would run as a formula (starting with = + - @, tab,
CR or LF) are neutralised with a leading apostrophe.

Excel files are written with xlsxwriter (openpyxl only reads): header row frozen, columns sized
from their first 200 rows, dates as dates, the 说明 sheet last; a workbook with a sheet longer
than :data:`LARGE_SHEET_ROWS` is streamed row by row in ``constant_memory`` mode.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo._errors import ExportError
from geo.io.atomic import write_bytes_atomic
from geo.labels import (
    COLUMNS,
    DATA_SHEET,
    NOTE_KEYS,
    NOTE_KEYS_EN,
    NOTES_COLUMNS,
    NOTES_SHEET,
    QUALITY,
    QUALITY_NOTES,
    SHEET_ROWS_NOTE,
)

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

__all__ = [
    "FORMATS",
    "ExportNotes",
    "geometry_notice",
    "prepare_table",
    "neutralise_formula",
    "csv_bytes",
    "export_layer",
    "export_bytes",
    "table_bytes",
    "workbook_bytes",
]

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".geojson": "geojson", ".gpkg": "gpkg"}
#: The CRS line of every 说明 sheet (storage and area CRS are the same for all data).
CRS_NOTE = "EPSG:4326 (WGS84)；面积按 EPSG:4549 CGCS2000 高斯-克吕格投影计算"


@dataclass(frozen=True)
class ExportNotes:
    """What an export holds, as its 说明 sheet states it; the caller knows, the writer does not.

    Attributes
    ----------
    nature : str
        数据性质: what the rows are (示例数据, the imported files, the catalogue's tables …).
    units : str
        单位 of the figures (area, money, land …).
    sources : str
        数据来源 (plan tables, imported files, scoring profile …).
    geometry : str, optional
        几何说明. By default the writer states the meaning of every ``geometry_quality`` the
        rows carry (:data:`geo.labels.QUALITY_NOTES`), so the line is true of the file.
    extra : mapping of str to str
        Further lines (level, filters, data year …), in order.
    """

    nature: str
    units: str
    sources: str
    geometry: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def with_extra(self, extra: Mapping[str, object]) -> ExportNotes:
        """Return these notes with more lines (later keys win)."""
        return replace(self, extra={**self.extra, **extra})


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
#: Text that begins (after any spaces, tabs, CRs or LFs) with a character a spreadsheet evaluates.
_LEADING_FORMULA = re.compile(r"\s*[=+\-@]")
#: A line break inside a value that starts a line (a CSV line, too) with such a character.
_FORMULA_LINE = re.compile(r"(\r\n|\r|\n)(?=\s*[=+\-@])")
#: A plain number written as text ("-5", "+3.2", "1,234.5"): a spreadsheet reads it as the
#: number it is, so it is left as typed (an apostrophe would show in the cell).
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*(?:[eE][+-]?\d+)?")


def neutralise_formula(value: object) -> object:
    """Make text that a spreadsheet (or a line-based CSV reader) would evaluate inert.

    A value that begins with ``= + - @``, a tab, a CR or a LF — or with ``= + - @`` after
    leading whitespace — gets a leading apostrophe. A line break inside a value that is
    followed (after spaces or tabs) by ``= + - @`` gets an apostrophe after it, so that no line
    of a CSV file — quoted multi-line cells included — starts with a formula. A plain number
    written as text ("-5", "+3.2") is left as typed: a spreadsheet reads it as that number.
    Other text, multi-line text included, is left as it is.

    Parameters
    ----------
    value : object
        A cell value. Only ``str`` values are changed; numbers stay numbers.
    """
    if not isinstance(value, str):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    text = _FORMULA_LINE.sub(r"\1'", value)
    if value.startswith(_FORMULA_START) or _LEADING_FORMULA.match(value):
        return "'" + text
    return text


def csv_bytes(table: pd.DataFrame) -> bytes:
    """Return a table as CSV for Excel: UTF-8 with BOM, CRLF line ends, text cells inert.

    With CRLF as the line end every cell holding a CR or LF is quoted (with LF alone, a bare
    CR in a value would end the row unquoted), and :func:`neutralise_formula` keeps every
    line of the file from starting with a formula.
    """
    safe = table.copy(deep=False)
    for i in range(table.shape[1]):
        safe.isetitem(i, _guard_column(table.iloc[:, i]))
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def prepare_table(gdf: gpd.GeoDataFrame, *, lang: str = "zh") -> gpd.GeoDataFrame:
    """Columns as exported: a ``geometry_note`` next to the quality, labels by language.

    Parameters
    ----------
    gdf : GeoDataFrame
        A catalogue layer or selection; must carry ``geometry_quality``.
    lang : {"zh", "en"}, keyword-only
        Chinese headers (default) or the snake_case keys of the data model.
    """
    if lang not in ("zh", "en"):
        raise ExportError(f"unknown language {lang!r}", field="lang", fix="use zh or en",
                          zh=(f"不支持的语言 {lang!r}", "请使用 zh 或 en"))
    if "geometry_quality" not in gdf.columns:
        raise ExportError(
            "the table has no geometry_quality column", field="geometry_quality",
            fix="export catalogue layers (they always carry it), or add the column",
            zh=("表中没有 geometry_quality 列", "请导出目录图层（目录图层都带有该列），或补充该列"),
        )
    out = gdf.copy()
    if len(out):
        points = out.geometry.representative_point()
        out["center_lon"] = points.x.round(6)
        out["center_lat"] = points.y.round(6)
    else:
        out["center_lon"] = pd.Series(dtype=float)
        out["center_lat"] = pd.Series(dtype=float)
    for col in out.columns:  # 4 decimals: 0.0001 km² = 100 m², 0.0001 万元 = 1 元
        if col not in ("center_lon", "center_lat") and pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(4)
    pos = list(out.columns).index("geometry_quality") + 1
    out.insert(pos, "geometry_note", out["geometry_quality"].map(QUALITY_NOTES).fillna(""))
    if lang == "zh":
        out["geometry_quality"] = out["geometry_quality"].map(QUALITY).fillna(
            out["geometry_quality"])
        out = out.rename(columns={c: COLUMNS.get(c, c) for c in out.columns
                                  if c != out.geometry.name})
    return out


def geometry_notice(qualities: Iterable[object]) -> str:
    """Return what the geometry of rows with these ``geometry_quality`` values is, in words.

    Each quality present is explained once, in order of first appearance; unknown values are
    named as they are.
    """
    present = dict.fromkeys(str(q) for q in qualities if isinstance(q, str) and q)
    return "；".join(QUALITY_NOTES.get(q, q) for q in present) or "无图形"


def _metadata_rows(notes: ExportNotes, gdf: gpd.GeoDataFrame, lang: str
                   ) -> list[tuple[str, str]]:
    keys = NOTE_KEYS if lang == "zh" else NOTE_KEYS_EN
    geometry = notes.geometry or geometry_notice(gdf["geometry_quality"])
    rows: list[tuple[str, object]] = [
        (keys["exported_at"], dt.datetime.now().isoformat(timespec="seconds")),
        (keys["rows"], str(len(gdf))),
        (keys["nature"], notes.nature),
        (keys["geometry"], geometry),
        (keys["crs"], CRS_NOTE),
        (keys["units"], notes.units),
        (keys["sources"], notes.sources),
        *notes.extra.items(),
    ]
    return [(str(neutralise_formula(str(k))), str(neutralise_formula(
        "" if v is None else str(v)))) for k, v in rows]


#: A data sheet longer than this is written in xlsxwriter's ``constant_memory`` mode: each row
#: goes to disk as it is written (rows strictly in order, strings inline), so memory stays flat
#: and a 100,000-row export takes seconds. Smaller workbooks keep the shared-strings table
#: (smaller files).
LARGE_SHEET_ROWS = 20_000
#: Excel's limits: rows (the header included) and columns of one sheet.
_EXCEL_ROWS, _EXCEL_COLUMNS = 1_048_576, 16_384
#: Rows turned into Python values at a time (memory stays bounded for a million rows).
_CHUNK_ROWS = 20_000
_WIDTH_ROWS = 200
#: The header style pandas gives a sheet (bold, bordered, centred).
_HEADER_STYLE = {"bold": True, "border": 1, "align": "center", "valign": "top"}
_DATE_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss", "time": "hh:mm:ss"}
#: A text cell :func:`neutralise_formula` may change: the only ones it is called on.
_GUARD_CANDIDATE = re.compile(r"^\s*[=+\-@]|[\t\r\n]")
#: Day 0 of Excel's 1900 date system as counted from 1900-03-01 on (Excel's 1900-02-29).
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EXCEL_FIRST_TRUE_DAY = pd.Timestamp("1900-03-01")

if TYPE_CHECKING:
    _Put = Callable[[int, int, Any], object]


def _guard_values(values: list[Any]) -> list[Any]:
    """Return the values with every text cell made inert (:func:`neutralise_formula`)."""
    search = _GUARD_CANDIDATE.search
    return [neutralise_formula(v) if isinstance(v, str) and search(v) else v for v in values]


def _guard_column(column: pd.Series) -> pd.Series:
    """Return a column with its text cells made inert; columns without text are unchanged."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(object)
    if column.dtype != object and not pd.api.types.is_string_dtype(column):
        return column
    return pd.Series(_guard_values(column.tolist()), index=column.index, dtype=column.dtype,
                     name=column.name)


def _column_width(header: str, column: pd.Series) -> float:
    """Width of a column from its header and first 200 values (GBK bytes: 汉字 count 2)."""
    values = [header] + [str(v) for v in column.head(_WIDTH_ROWS).tolist()]
    width = max(len(v.encode("gbk", "replace")) for v in values) + 2
    return min(max(width, 8), 60)


class _SheetWriter:
    """Write one table to an xlsxwriter worksheet, row by row in order, cells typed.

    Each column gets one cell writer chosen from its dtype, so the common cell costs one call:
    numbers as numbers (NaN left blank, ±inf as the text pandas writes), datetimes as Excel
    dates with a date format, text through the formula guard.
    """

    def __init__(self, book: Workbook, ws: Worksheet) -> None:
        self.ws = ws
        self.formats = {kind: book.add_format({"num_format": f})
                        for kind, f in _DATE_FORMATS.items()}

    def _cell(self, row: int, col: int, value: Any) -> None:  # noqa: ANN401
        """Write a cell of any type (object columns and columns with gaps)."""
        ws = self.ws
        if isinstance(value, str):
            ws.write_string(row, col, value)
        elif value is None or value is pd.NaT or value is pd.NA:
            return
        elif isinstance(value, bool | np.bool_):
            ws.write_boolean(row, col, bool(value))
        elif isinstance(value, int | float | np.number):
            self._number(row, col, float(value))
        elif isinstance(value, dt.date | dt.time):
            self._when(row, col, value)
        else:
            ws.write_string(row, col, str(neutralise_formula(str(value))))

    def _number(self, row: int, col: int, value: float) -> None:
        if math.isfinite(value):
            self.ws.write_number(row, col, value)
        elif not math.isnan(value):  # pandas writes infinities as text
            self.ws.write_string(row, col, "inf" if value > 0 else "-inf")

    def _when(self, row: int, col: int, value: dt.date | dt.time) -> None:
        if isinstance(value, dt.datetime):
            kind = "datetime"
            value = value.replace(tzinfo=None)
        else:
            kind = "date" if isinstance(value, dt.date) else "time"
        if isinstance(value, dt.date) and value.year < 1900:  # before Excel's first date
            self.ws.write_string(row, col, value.isoformat())
        else:
            self.ws.write_datetime(row, col, value, self.formats[kind])

    def _serial(self, row: int, col: int, value: float | None) -> None:
        if value is not None:
            self.ws.write_number(row, col, value, self.formats["datetime"])

    def plan(self, column: pd.Series) -> tuple[_Put, pd.Series]:
        """Return the cell writer of a column and the values it writes."""
        ws, dtype = self.ws, column.dtype
        if isinstance(dtype, np.dtype) and dtype.kind == "b":
            return ws.write_boolean, column
        if isinstance(dtype, np.dtype) and dtype.kind in "iu":
            return ws.write_number, column
        if isinstance(dtype, np.dtype) and dtype.kind == "f":
            finite = bool(np.isfinite(column.to_numpy()).all())
            return (ws.write_number if finite else self._number), column
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return self._serial, _excel_serials(column)
        column = _guard_column(column)
        if isinstance(column.dtype, pd.StringDtype) and not column.hasnans:
            return ws.write_string, column
        return self._cell, column.astype(object)

    def write(self, table: pd.DataFrame, header_format: Format) -> None:
        """Write the header and the rows of ``table`` from the top, in order."""
        headers = [str(neutralise_formula(str(c))) for c in table.columns]
        for col, text in enumerate(headers):
            self.ws.write_string(0, col, text, header_format)
        plans = [self.plan(table.iloc[:, i]) for i in range(table.shape[1])]
        puts = list(enumerate(put for put, _ in plans))
        for start in range(0, len(table), _CHUNK_ROWS):
            chunk = [values.iloc[start:start + _CHUNK_ROWS].tolist() for _, values in plans]
            for row, cells in enumerate(zip(*chunk, strict=True), start=start + 1):
                for (col, put), value in zip(puts, cells, strict=True):
                    put(row, col, value)


def _excel_serials(column: pd.Series) -> pd.Series:
    """Datetimes as Excel 1900-system day numbers (wall-clock time; NaT → None)."""
    if getattr(column.dtype, "tz", None) is not None:
        column = column.dt.tz_localize(None)
    days = (column - _EXCEL_EPOCH) / pd.Timedelta(days=1)
    days = days.where(column >= _EXCEL_FIRST_TRUE_DAY, days - 1)  # Excel's 1900-02-29
    days = days.where(days >= 1)  # before 1900: Excel has no such date
    return days.astype(object).where(days.notna(), None)


def _check_sheet_size(name: str, table: pd.DataFrame) -> None:
    if len(table) < _EXCEL_ROWS and table.shape[1] <= _EXCEL_COLUMNS:
        return
    raise ExportError(
        f"sheet {name!r} has {len(table)} rows and {table.shape[1]} columns, more than an "
        f"Excel sheet holds ({_EXCEL_ROWS - 1} rows, {_EXCEL_COLUMNS} columns)",
        field="rows", fix="export as CSV or GeoPackage, or filter the rows",
        zh=(f"工作表“{name}”共 {len(table)} 行、{table.shape[1]} 列，超过 Excel 单表上限"
            f"（{_EXCEL_ROWS - 1} 行、{_EXCEL_COLUMNS} 列）",
            "请导出为 CSV 或 GeoPackage，或先筛选再导出"))


def _write_data_sheet(book: Workbook, name: str, table: pd.DataFrame,
                      header_format: Format) -> None:
    """One data sheet: header row frozen, columns sized to their content, cells typed."""
    ws = book.add_worksheet(name)
    ws.freeze_panes(1, 0)
    for col in range(table.shape[1]):  # set before any row (constant_memory writes in order)
        header = str(neutralise_formula(str(table.columns[col])))
        ws.set_column(col, col, _column_width(header, table.iloc[:, col]))
    _SheetWriter(book, ws).write(table, header_format)


def _write_sheets(sheets: list[tuple[str, pd.DataFrame]], meta_rows: list[tuple[str, str]],
                  target: io.BytesIO, lang: str) -> None:
    """Write data sheets in order, each formatted alike, and the 说明 sheet last.

    Every cell and header passes the formula guard here (:func:`neutralise_formula`); a
    workbook with a sheet longer than :data:`LARGE_SHEET_ROWS` is written in
    ``constant_memory`` mode.
    """
    from xlsxwriter import Workbook

    for name, table in sheets:
        _check_sheet_size(name, table)
    large = any(len(table) > LARGE_SHEET_ROWS for _, table in sheets)
    book = Workbook(target, {"constant_memory": large, "strings_to_formulas": False,
                             "strings_to_urls": False, "strings_to_numbers": False})
    header_format = book.add_format(_HEADER_STYLE)
    for name, table in sheets:
        _write_data_sheet(book, name, table, header_format)
    meta_ws = book.add_worksheet(NOTES_SHEET[lang])
    meta_ws.set_column(0, 0, 16)
    meta_ws.set_column(1, 1, 100)
    _SheetWriter(book, meta_ws).write(pd.DataFrame(meta_rows, columns=list(NOTES_COLUMNS[lang]),
                                                   dtype=object), header_format)
    book.close()


def _write_xlsx(table: pd.DataFrame, meta_rows: list[tuple[str, str]], target: io.BytesIO,
                lang: str) -> None:
    _write_sheets([(DATA_SHEET[lang], table)], meta_rows, target, lang)


#: Characters Excel does not allow in a sheet name, and its longest sheet name.
_SHEET_FORBIDDEN = frozenset("[]:*?/\\")
_SHEET_MAX = 31


def _check_sheet_names(names: list[object], lang: str) -> None:
    """Raise :class:`ExportError` unless every name is a valid, distinct Excel sheet name."""
    if not names:
        raise ExportError("the workbook has no data sheet", field="sheets",
                          fix="pass at least one table",
                          zh=("工作簿中没有数据表", "请至少提供一张表"))
    seen = {NOTES_SHEET[lang].casefold(): NOTES_SHEET[lang]}
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise ExportError(f"sheet name {name!r} is empty or not text", field="sheets",
                              fix="name every sheet with some text",
                              zh=(f"工作表名称 {name!r} 为空或不是文字", "请为每张工作表填写名称"))
        bad = sorted(set(name) & _SHEET_FORBIDDEN)
        if bad:
            raise ExportError(
                f"sheet name {name!r} contains {' '.join(bad)}", field="sheets",
                fix="leave out the characters [ ] : * ? / \\ in sheet names",
                zh=(f"工作表名称 {name!r} 含有 Excel 不允许的字符 {' '.join(bad)}",
                    "工作表名称中请勿使用 [ ] : * ? / \\ 这些字符"))
        if len(name) > _SHEET_MAX:
            raise ExportError(
                f"sheet name {name!r} has {len(name)} characters, more than {_SHEET_MAX}",
                field="sheets", fix=f"shorten it to at most {_SHEET_MAX} characters",
                zh=(f"工作表名称 {name!r} 共 {len(name)} 个字符，超过 Excel 上限 {_SHEET_MAX}",
                    f"请缩短至不超过 {_SHEET_MAX} 个字符"))
        if name.startswith("'") or name.endswith("'"):
            raise ExportError(f"sheet name {name!r} begins or ends with an apostrophe",
                              field="sheets", fix="remove the apostrophe",
                              zh=(f"工作表名称 {name!r} 以单引号开头或结尾", "请去掉单引号"))
        key = name.casefold()
        if key in seen:
            raise ExportError(
                f"sheet name {name!r} is used twice (as {seen[key]!r}; Excel ignores case)",
                field="sheets", fix="give every sheet its own name",
                zh=(f"工作表名称 {name!r} 与 {seen[key]!r} 重复（Excel 不区分大小写，"
                    f"且“{NOTES_SHEET[lang]}”留作说明表）", "请为每张工作表另取名称"))
        seen[key] = name


def workbook_bytes(sheets: Mapping[str, pd.DataFrame], *, notes: ExportNotes, lang: str = "zh",
                   rows: int | None = None) -> bytes:
    r"""Render several tables without geometry as one Excel workbook, the 说明 sheet last.

    Each data sheet is written in the order of ``sheets``, with its header row frozen and its
    columns sized as in every Excel export; every cell and header is made inert
    (:func:`neutralise_formula`). The 说明 sheet states ``notes`` (its geometry line says there
    is no geometry unless ``notes.geometry`` says otherwise), the number of records and the
    rows of each sheet.

    Parameters
    ----------
    sheets : mapping of str to DataFrame
        Sheet name → table. Names must be valid Excel sheet names: 1–31 characters, none of
        ``[ ] : * ? / \``, no apostrophe at either end, distinct ignoring case and not the
        name of the 说明 sheet.
    notes : ExportNotes, keyword-only
    lang : {"zh", "en"}, keyword-only
        Language of the 说明 sheet.
    rows : int, keyword-only
        The 记录数 line, when the sheets overlap (a list and its parts); by default the rows of
        all sheets together.

    Raises
    ------
    ExportError
        For an unknown language, no sheet or an invalid sheet name.
    """
    if lang not in ("zh", "en"):
        raise ExportError(f"unknown language {lang!r}", field="lang", fix="use zh or en",
                          zh=(f"不支持的语言 {lang!r}", "请使用 zh 或 en"))
    _check_sheet_names(list(sheets), lang)
    safe = list(sheets.items())  # cells and headers are made inert as they are written
    total = sum(len(t) for _, t in safe) if rows is None else rows
    counts = "；".join(f"{name} {len(t)}" for name, t in safe)
    noted = replace(notes, geometry=notes.geometry or "无图形（表格）",
                    extra={SHEET_ROWS_NOTE: counts, **notes.extra})
    meta_rows = _metadata_rows(noted, pd.DataFrame({"geometry_quality": [""] * total}), lang)
    buf = io.BytesIO()
    _write_sheets(safe, meta_rows, buf, lang)
    return buf.getvalue()


def _tabular(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the table without its geometry (both writers make its text cells inert)."""
    return pd.DataFrame(gdf.drop(columns=gdf.geometry.name))


def table_bytes(table: pd.DataFrame, fmt: str, *, notes: ExportNotes, lang: str = "zh"
                ) -> bytes:
    """Render a table without geometry (indicators, lists …) as CSV or Excel.

    The Excel file carries the 说明 sheet of ``notes`` (its geometry line says there is no
    geometry unless ``notes.geometry`` says otherwise); cells are made inert as in every export.

    Raises
    ------
    ExportError
        For a format other than ``csv`` or ``xlsx``.
    """
    if fmt not in ("csv", "xlsx"):
        raise ExportError(f"unknown table format {fmt!r}", field="format", fix="use csv or xlsx",
                          zh=(f"表格不支持格式 {fmt!r}", "请使用 csv 或 xlsx"))
    if fmt == "csv":
        return csv_bytes(table)
    noted = replace(notes, geometry=notes.geometry or "无图形（表格）")
    meta_rows = _metadata_rows(noted, table.assign(geometry_quality=""), lang)
    buf = io.BytesIO()
    _write_xlsx(table, meta_rows, buf, lang)
    return buf.getvalue()


def export_bytes(
    gdf: gpd.GeoDataFrame, fmt: str, *, notes: ExportNotes, lang: str = "zh"
) -> bytes:
    """Render a selection in one format and return the file's bytes (used by the app).

    Parameters
    ----------
    gdf : GeoDataFrame
        Rows to export, with ``geometry_quality``.
    fmt : {"csv", "xlsx", "geojson", "gpkg"}
        Output format.
    lang : {"zh", "en"}, keyword-only
        Header language.
    notes : ExportNotes, keyword-only
        What the file holds, said line by line in the Excel 说明 sheet, the GeoPackage table
        ``说明`` (``metadata`` with ``lang="en"``) and the GeoJSON member ``metadata``. A CSV
        is one table: its rows carry ``geometry_quality`` and ``geometry_note`` (and the
        callers' provenance columns), not the notes.
    """
    if fmt not in FORMATS.values():
        raise ExportError(f"unknown format {fmt!r}", field="format",
                          fix=f"use one of {', '.join(FORMATS.values())}",
                          zh=(f"不支持的格式 {fmt!r}",
                              f"请使用以下格式之一：{'、'.join(FORMATS.values())}"))
    table = prepare_table(gdf, lang=lang)
    meta_rows = _metadata_rows(notes, gdf, lang)
    if fmt == "csv":
        return csv_bytes(_tabular(table))
    if fmt == "xlsx":
        buf = io.BytesIO()
        _write_xlsx(_tabular(table), meta_rows, buf, lang)
        return buf.getvalue()
    return _vector_bytes(table, fmt, meta_rows, lang)


def _vector_bytes(table: gpd.GeoDataFrame, fmt: str, meta_rows: list[tuple[str, str]],
                  lang: str) -> bytes:
    """GeoJSON with a top-level ``metadata`` member, or GeoPackage with a notes table."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export.{fmt}"
        if fmt == "geojson":
            table.to_file(path, driver="GeoJSON", engine="pyogrio")
            doc = json.loads(path.read_text(encoding="utf-8"))
            doc = {"type": doc.pop("type"), "metadata": dict(meta_rows), **doc}
            return json.dumps(doc, ensure_ascii=False).encode("utf-8")
        table.to_file(path, driver="GPKG", engine="pyogrio", layer="selection")
        pyogrio.write_dataframe(pd.DataFrame(meta_rows, columns=list(NOTES_COLUMNS[lang])),
                                path, layer=NOTES_SHEET[lang], driver="GPKG", append=True)
        return path.read_bytes()


def export_layer(
    gdf: gpd.GeoDataFrame, path: str | os.PathLike[str], *, notes: ExportNotes,
    lang: str = "zh",
) -> Path:
    """Write a selection to ``path``; the format follows the suffix.

    The file is written to a temporary name beside ``path`` and renamed into place, so a
    failed export never leaves a half-written file or destroys an earlier one.

    Parameters
    ----------
    gdf : GeoDataFrame
        Rows to export, with ``geometry_quality``.
    path : path-like
        Ends in .csv (UTF-8 with BOM), .xlsx, .geojson or .gpkg.
    lang : {"zh", "en"}, keyword-only
    notes : ExportNotes, keyword-only
        What the file holds (see :func:`export_bytes`).

    Returns
    -------
    Path
        The written file.
    """
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ExportError(
            f"cannot tell the format from {path.name!r}", file=str(path),
            fix="end the output path in .csv, .xlsx, .geojson or .gpkg",
            zh=(f"无法从文件名 {path.name!r} 判断输出格式",
                "输出路径请以 .csv、.xlsx、.geojson 或 .gpkg 结尾"),
        )
    if not path.parent.exists():
        raise ExportError("the output folder does not exist", file=str(path),
                          fix=f"create {path.parent} first or choose another folder",
                          zh=("输出文件夹不存在",
                              f"请先创建文件夹 {path.parent}，或另选输出文件夹"))
    return write_bytes_atomic(path, export_bytes(gdf, fmt, lang=lang, notes=notes))
