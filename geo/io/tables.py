"""Read the tables officials keep — CSV, Excel and vector layers — every attribute as text.

Files are opened only through :func:`geo.io.safefile.open_safely`. Tables keep the row number
the official sees in the file (``行号``), so every report line can point at it. Header rows are
found by :func:`find_header` with a predicate the caller gives ("is this cell a header I
know?"): title rows above the header are skipped, a two-row merged header is joined with
:data:`HEADER_SEPARATOR`, and merged data cells are filled down — each step is noted in
:attr:`TableMeta.notes`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import os
import warnings
import zipfile
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from pyogrio.errors import DataLayerError, DataSourceError
from pyproj import CRS

from geo._errors import DataImportError
from geo.crs import STORAGE_CRS
from geo.io.quantities import parse_number
from geo.io.safefile import MAX_BYTES, MAX_RATIO, MAX_UNZIPPED_BYTES, SafeSource, open_safely
from geo.labels import ROW_NUMBER

__all__ = ["HEADER_SEPARATOR", "HeaderPredicate", "TableMeta", "read_table"]

#: Formats :func:`read_table` reads unless told otherwise (all tables, no settings files).
TABLE_FORMATS = ("gpkg", "geojson", "zip", "shp", "csv", "xlsx")
#: A predicate telling whether one header cell is a header the caller knows.
HeaderPredicate = Callable[[str], bool]


def _never(_cell: str) -> bool:
    """Know no header: the default predicate of :func:`read_table`."""
    return False


#: Joins the two rows of a two-row header: "税收" over "金额(万元)" → "税收·金额(万元)".
HEADER_SEPARATOR = "·"


@dataclass(frozen=True)
class TableMeta:
    """How a file was read.

    Attributes
    ----------
    source : str
        File name.
    format : {"csv", "xlsx", "gpkg", "geojson", "shapefile"}
    encoding : str
        Text encoding found (CSV, Shapefile ``.dbf``); "" when not applicable.
    sheet, layer : str
        Excel sheet, or GeoPackage layer / ``.shp`` inside a zip, that was read.
    header_rows : tuple of int
        File rows (1-based) forming the header; empty for vector files.
    crs : str
        The file's CRS before reprojection to EPSG:4326 ("" for tables).
    notes : tuple of (int or None, str)
        Things the reader did that the official should know (title row skipped, merged
        cells filled, other sheets not read), with the file row they concern.
    """

    source: str
    format: str
    encoding: str = ""
    sheet: str = ""
    layer: str = ""
    header_rows: tuple[int, ...] = ()
    crs: str = ""
    notes: tuple[tuple[int | None, str], ...] = ()


def read_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    layer: str | None = None,
    formats: Collection[str] | None = None,
    is_header: HeaderPredicate = _never,
    max_bytes: int = MAX_BYTES,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
    max_ratio: float = MAX_RATIO,
) -> tuple[pd.DataFrame, TableMeta]:
    """Read any supported file safely, every attribute as text.

    Parameters
    ----------
    path : path-like
        ``.gpkg``, ``.geojson``/``.json``, ``.zip`` (one Shapefile), ``.shp``, ``.csv``/``.txt``
        or ``.xlsx``.
    sheet : str, keyword-only
        Excel sheet (default: the first).
    layer : str, keyword-only
        GeoPackage layer, or the ``.shp`` inside a zip holding several.
    formats : collection of str, keyword-only
        Formats accepted (see :func:`geo.io.safefile.open_safely`); default all.
    is_header : callable, keyword-only
        Tells whether a cell is a header the caller knows; used to recognise the second row of
        a two-row header that is not merged.
    max_bytes, max_unzipped_bytes, max_ratio : keyword-only
        Safety limits: file size, total uncompressed size of a zip, compression ratio.

    Returns
    -------
    (DataFrame, TableMeta)
        Cells as ``str`` ("" for empty), indexed by the row number the official sees (named
        ``行号``; for vector files the feature's position, 1 = first). Vector files give a
        GeoDataFrame in EPSG:4326 whose ``geometry`` column holds the shapes.

    Raises
    ------
    DataImportError
        For unsafe, unreadable or unsupported files, naming the file and the fix.
    """
    allowed = TABLE_FORMATS if formats is None else formats
    with open_safely(path, formats=allowed, layer=layer, max_bytes=max_bytes,
                     max_unzipped_bytes=max_unzipped_bytes, max_ratio=max_ratio) as src:
        if src.format == "csv":
            return _read_csv(src.path, is_header)
        if src.format == "xlsx":
            return _read_xlsx(src.path, sheet=sheet, is_header=is_header)
        return _read_vector(src, layer=layer)


def _decode_text(raw: bytes, *, file: str) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "UTF-8-BOM"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    for codec, label in (("utf-8", "UTF-8"), ("gb18030", "GBK")):
        try:
            return raw.decode(codec), label
        except UnicodeDecodeError:
            continue
    raise DataImportError("the text is neither UTF-8 nor GBK", file=file,
                          fix="save it from Excel as 'CSV UTF-8 (逗号分隔)'")


def _read_csv(p: Path, is_header: HeaderPredicate) -> tuple[pd.DataFrame, TableMeta]:
    try:
        text, encoding = _decode_text(p.read_bytes(), file=p.name)
    except UnicodeDecodeError as exc:
        raise DataImportError(f"the text cannot be decoded ({exc.reason})", file=p.name,
                              fix="save it from Excel as 'CSV UTF-8 (逗号分隔)'") from exc
    if "\x00" in text:
        raise DataImportError("holds binary data, not CSV text", file=p.name,
                              fix="export the table again as CSV or .xlsx")
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";", "|"), key=first.count)
    if first.count(delimiter) == 0:
        delimiter = ","
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise DataImportError(f"cannot be read as CSV ({exc})", file=p.name,
                              fix="open it in Excel and save it again as CSV UTF-8") from exc
    frame, header_rows, notes = find_header(rows, merges=(), file=p.name, is_header=is_header)
    return frame, TableMeta(source=p.name, format="csv", encoding=encoding,
                            header_rows=header_rows, notes=notes)


def _cell_text(value: object) -> str:
    """Return a cell or attribute value as the text the official typed (no '.0' on numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "是" if value else "否"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return "" if math.isnan(value) else format(float(value), ".15g")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _read_xlsx(p: Path, *, sheet: str | None, is_header: HeaderPredicate
               ) -> tuple[pd.DataFrame, TableMeta]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # styles/extensions openpyxl skips
            wb = openpyxl.load_workbook(p, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError,
            TypeError) as exc:
        raise DataImportError(f"cannot be read as an Excel workbook ({type(exc).__name__})",
                              file=p.name, fix="open it in Excel or WPS and save as .xlsx") from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise DataImportError(f"no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})",
                                  file=p.name, fix="pass one of the sheet names")
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        merges = tuple((r.min_row, r.min_col, r.max_row, r.max_col)
                       for r in ws.merged_cells.ranges)
        rows = [[_cell_text(v) for v in row]
                for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
        others = [o.title for o in wb.worksheets if o is not ws and
                  (o.max_row > 1 or o.max_column > 1 or o.cell(1, 1).value is not None)]
    finally:
        wb.close()
    frame, header_rows, notes = find_header(rows, merges=merges, file=p.name,
                                            is_header=is_header)
    if others:
        notes = ((None, f"只读取了工作表“{ws.title}”；其他有内容的工作表未读取："
                        f"{'、'.join(others)}（如需请指定 sheet）"),) + notes
    return frame, TableMeta(source=p.name, format="xlsx", sheet=ws.title,
                            header_rows=header_rows, notes=notes)


def find_header(rows: list[list[str]], *, merges: Sequence[tuple[int, int, int, int]],
                file: str, is_header: HeaderPredicate = _never
                ) -> tuple[pd.DataFrame, tuple[int, ...], tuple[tuple[int | None, str], ...]]:
    """Find the header (skipping title rows, joining a two-row header) and build the table.

    Parameters
    ----------
    rows : list of list of str
        The cells of the sheet, row by row from the first row of the file.
    merges : sequence of (min_row, min_col, max_row, max_col), keyword-only
        Merged cell ranges, 1-based and inclusive (openpyxl's); empty for CSV.
    file : str, keyword-only
        File name, for messages.
    is_header : callable, keyword-only
        Tells whether a cell is a header the caller knows (see :func:`read_table`).

    Returns
    -------
    (DataFrame, tuple of int, tuple of (int or None, str))
        The data cells indexed by file row (``行号``), the file rows of the header, and the
        notes of what was done (title rows skipped, merged data cells filled).

    Raises
    ------
    DataImportError
        If the rows hold no filled cell.
    """
    rows = _padded(rows)
    notes: list[tuple[int | None, str]] = []
    h = _skip_title_rows(rows, _first_filled_row(rows, file=file), notes)
    two = _second_header_row(rows, h, merges, is_header)
    last_header = h + (1 if two else 0)
    filled = _fill_merges(rows, merges, last_header, notes)
    names = _header_names(rows, filled, h, two)
    frame = _data_frame(filled[last_header + 1:], names, first_row=last_header + 2)
    return frame, tuple(range(h + 1, last_header + 2)), tuple(notes)


def _padded(rows: list[list[str]]) -> list[list[str]]:
    """Return the rows stripped, all as wide as the widest, without trailing empty rows."""
    ncol = max((len(r) for r in rows), default=0)
    rows = [[c.strip() for c in r] + [""] * (ncol - len(r)) for r in rows]
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def _first_filled_row(rows: list[list[str]], *, file: str) -> int:
    """Return the index of the first row with a filled cell; refuse a sheet without one."""
    h = next((i for i, r in enumerate(rows) if any(r)), None)
    if h is None:
        raise DataImportError("holds no rows", file=file,
                              fix="put the header in the first row and the data below it")
    return h


def _is_title_row(rows: list[list[str]], h: int) -> bool:
    """Tell whether row h is a title: one filled cell above a fuller row, in a table of 3+."""
    return (len(rows[h]) >= 3 and sum(1 for c in rows[h] if c) == 1 and h + 1 < len(rows)
            and sum(1 for c in rows[h + 1] if c) >= 2)


def _skip_title_rows(rows: list[list[str]], h: int, notes: list[tuple[int | None, str]]
                     ) -> int:
    """Return the first header row after up to three title rows, noting each one skipped."""
    for _ in range(3):
        if not _is_title_row(rows, h):
            break
        title = next(c for c in rows[h] if c)
        notes.append((h + 1, f"第{h + 1}行“{title}”视为表格标题，不作表头"))
        h += 1
    return h


def _fill_merges(rows: list[list[str]], merges: Sequence[tuple[int, int, int, int]],
                 last_header: int, notes: list[tuple[int | None, str]]) -> list[list[str]]:
    """Return the rows with merged cells filled, noting each merged data range filled down.

    A header merge repeats its label over the whole range; a merge reaching into the data
    fills its first column down with the first cell's value.
    """
    filled = [r[:] for r in rows]
    for r0, c0, r1, c1 in merges:
        value = rows[r0 - 1][c0 - 1] if r0 - 1 < len(rows) else ""
        if r0 - 1 <= last_header:
            for rr in range(r0 - 1, min(r1, last_header + 1, len(rows))):
                for cc in range(c0 - 1, c1):
                    filled[rr][cc] = value
        if r1 - 1 > last_header and r1 > r0 and value:
            for rr in range(max(r0 - 1, last_header + 1), min(r1, len(rows))):
                filled[rr][c0 - 1] = value
            notes.append((r0, f"合并单元格 {get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}"
                              f" 按首格的值“{value}”填入各行"))
    return filled


def _unique(names: Sequence[str]) -> list[str]:
    """Return the names with repeats numbered: "税收", "税收#2", "税收#3"."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


def _data_frame(data_rows: list[list[str]], names: list[str], *, first_row: int
                ) -> pd.DataFrame:
    """Return the non-empty data rows, indexed by file row, under unique column names.

    Columns without a header and without data are left out; one without a header but with
    data is named by its position ("(第3列)").
    """
    keep_cols = [i for i in range(len(names)) if names[i] or any(r[i] for r in data_rows)]
    columns = _unique([names[i] or f"(第{i + 1}列)" for i in keep_cols])
    numbered = [(first_row + k, r) for k, r in enumerate(data_rows) if any(r)]
    return pd.DataFrame([[r[i] for i in keep_cols] for _, r in numbered], columns=columns,
                        index=pd.Index([n for n, _ in numbered], name=ROW_NUMBER), dtype=object)


def _second_header_row(rows: list[list[str]], h: int,
                       merges: Sequence[tuple[int, int, int, int]], is_header: HeaderPredicate
                       ) -> bool:
    """Tell whether row h+1 is a second header row (text under a merged or blank cell)."""
    if h + 1 >= len(rows):
        return False
    top, below = rows[h], rows[h + 1]
    cells = [c for c in below if c]
    if not cells or any(parse_number(c).value is not None for c in cells):
        return False
    r = h + 1  # 1-based row number of the first header row
    merged = any(r0 == r and ((r1 == r and c1 > c0) or r1 == r + 1) for r0, c0, r1, c1 in merges)
    if merged:
        return True
    under_blank = any(not t and b for t, b in zip(top, below, strict=True))
    return under_blank and any(is_header(c) for c in cells)


def _header_names(rows: list[list[str]], filled: list[list[str]], h: int, two: bool) -> list[str]:
    if not two:
        return filled[h][:]
    names = []
    parent, group_open = "", False
    for i, (top, child) in enumerate(zip(filled[h], filled[h + 1], strict=True)):
        if top:
            parent, group_open = top, bool(child)
        elif child and group_open and not rows[h][i]:
            top = parent  # a blank cell right of a group header continues the group
        else:
            group_open = False
        if top and child and top != child:
            names.append(f"{top}{HEADER_SEPARATOR}{child}")
        else:
            names.append(top or child)
    return names


def _dbf_encoding(shp: Path) -> tuple[str, str]:
    """Return (encoding to pass to GDAL or "", label) for a Shapefile's .dbf without .cpg."""
    siblings = {q.suffix.lower(): q for q in shp.parent.iterdir() if q.stem == shp.stem}
    if ".cpg" in siblings:
        return "", siblings[".cpg"].read_text(errors="replace").strip() + " (.cpg)"
    dbf = siblings.get(".dbf")
    if dbf is None:
        return "", ""
    with dbf.open("rb") as fh:
        head = fh.read(32)
        header_len = int.from_bytes(head[8:10], "little") if len(head) >= 10 else 32
        descriptors = fh.read(max(header_len - 32, 0))
        records = fh.read(4 * 1024 * 1024)
    names = b"".join(descriptors[i:i + 11] for i in range(0, len(descriptors) - 1, 32))
    sample = names + records
    if sample.isascii():
        return "", "ASCII"
    for codec, label in (("utf-8", "UTF-8"), ("gb18030", "GBK")):
        try:
            codecs.getincrementaldecoder(codec)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return ("UTF-8" if codec == "utf-8" else "GB18030"), label
    return "", "unknown"


def _gpkg_layer(path: Path, layer: str | None, *, source: str) -> str:
    """Return the GeoPackage layer to read: the one asked for, or the only (spatial) one."""
    layers = [(str(n), g) for n, g in pyogrio.list_layers(path)]
    names = [n for n, _ in layers]
    spatial = [n for n, g in layers if g is not None]
    if layer is not None and layer not in names:
        raise DataImportError(f"no layer {layer!r} (layers: {', '.join(names)})",
                              file=source, fix="pass one of the layer names")
    if layer is not None:
        return layer
    if len(spatial) == 1 or len(names) == 1:
        return spatial[0] if spatial else names[0]
    raise DataImportError(
        f"holds several layers ({', '.join(names) or 'none'})", file=source,
        fix="say which one with layer='<name>'")


def _read_layer(src: SafeSource, layer: str | None, notes: list[tuple[int | None, str]]
                ) -> tuple[pd.DataFrame, str, str]:
    """Return the layer's GeoDataFrame (or DataFrame), its label and the .dbf encoding found."""
    layer_label, encoding, enc_label = src.layer_label, "", ""
    try:
        if src.format == "gpkg":
            layer = layer_label = _gpkg_layer(src.path, layer, source=src.source)
        if src.format == "shapefile":
            layer = None  # the one .shp that open_safely extracted or checked
            encoding, enc_label = _dbf_encoding(src.path)
            if encoding:
                notes.append((None, f"属性表（.dbf）没有 .cpg 编码说明，按内容识别为 {enc_label}"))
        gdf = pyogrio.read_dataframe(src.path, layer=layer, encoding=encoding or None)
    except (DataSourceError, DataLayerError) as exc:
        raise DataImportError(
            f"cannot be read as a vector file ({type(exc).__name__}: {exc})", file=src.source,
            fix="open it in QGIS to check it, and export it again as GeoPackage") from exc
    return gdf, layer_label, enc_label


def _to_storage_crs(gdf: gpd.GeoDataFrame, notes: list[tuple[int | None, str]], *, source: str
                    ) -> tuple[gpd.GeoDataFrame, str]:
    """Return the layer in EPSG:4326 and a label of its CRS; refuse a layer without one."""
    if gdf.crs is None:
        raise DataImportError(
            "no coordinate reference system", file=source,
            fix="add the .prj file (Shapefile) or save with a CRS; CGCS2000 and WGS84 work")
    file_crs = CRS.from_user_input(gdf.crs)
    epsg = file_crs.to_epsg()
    crs_label = f"EPSG:{epsg}" if epsg else file_crs.name
    if not file_crs.equals(STORAGE_CRS):
        gdf = gdf.to_crs(STORAGE_CRS)
        notes.append((None,
                      f"坐标系 {crs_label}（{file_crs.name}）已转换为 WGS84（EPSG:4326）"))
    return gdf, crs_label


def _read_vector(src: SafeSource, *, layer: str | None) -> tuple[pd.DataFrame, TableMeta]:
    """Read a vector layer: attributes as text, geometry in EPSG:4326."""
    notes: list[tuple[int | None, str]] = []
    gdf, layer_label, enc_label = _read_layer(src, layer, notes)
    geom_col = gdf.active_geometry_name if isinstance(gdf, gpd.GeoDataFrame) else None
    crs_label = ""
    if isinstance(gdf, gpd.GeoDataFrame) and geom_col is not None:
        gdf, crs_label = _to_storage_crs(gdf, notes, source=src.source)
    attrs = {c: [_cell_text(v) for v in gdf[c]] for c in gdf.columns if c != geom_col}
    index = pd.RangeIndex(1, len(gdf) + 1, name=ROW_NUMBER)
    frame = pd.DataFrame(attrs, index=index, dtype=object)
    if geom_col is not None:
        frame = gpd.GeoDataFrame(frame, geometry=list(gdf.geometry), crs=STORAGE_CRS)
    return frame, TableMeta(source=src.source, format=src.format, encoding=enc_label,
                            layer=layer_label, crs=crs_label, notes=tuple(notes))
