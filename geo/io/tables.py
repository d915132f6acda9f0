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
import posixpath
import re
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyogrio
import pyogrio.raw
import shapely
import shapely.errors
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from pyogrio.errors import DataLayerError, DataSourceError
from pyproj import CRS

from geo._errors import DataImportError
from geo.crs import STORAGE_CRS
from geo.io.quantities import parse_number
from geo.io.safefile import MAX_BYTES, MAX_RATIO, MAX_UNZIPPED_BYTES, SafeSource, open_safely
from geo.labels import ROW_NUMBER

__all__ = ["DATE_CELL", "HEADER_SEPARATOR", "HeaderPredicate", "TableMeta", "read_table"]

#: Formats :func:`read_table` reads unless told otherwise (all tables, no settings files).
TABLE_FORMATS = ("gpkg", "geojson", "zip", "shp", "csv", "xlsx")
#: A predicate telling whether one header cell is a header the caller knows.
HeaderPredicate = Callable[[str], bool]


def _never(_cell: str) -> bool:
    """Know no header: the default predicate of :func:`read_table`."""
    return False


#: Joins the two rows of a two-row header: "税收" over "金额(万元)" → "税收·金额(万元)".
HEADER_SEPARATOR = "·"

#: The text of a date or date-time cell (Excel date, GeoPackage/Shapefile date field): ISO date
#: and time, "2024-03-12 00:00:00" — never the bare date, which a text cell may hold.
DATE_CELL = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:[+-]\d{2}:\d{2})?$")


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
    text: str = "object",
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
    text : {"object", "arrow"}, keyword-only
        How the cells are held: Python ``str`` objects in object columns (default), or
        pandas' ``str`` dtype backed by Arrow (``"arrow"``), which a CSV gets without making
        a Python object per cell. The texts are the same either way.

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
    if text not in ("object", "arrow"):
        raise ValueError(f"unknown text {text!r}. Fix: use 'object' or 'arrow'")
    allowed = TABLE_FORMATS if formats is None else formats
    with open_safely(path, formats=allowed, layer=layer, max_bytes=max_bytes,
                     max_unzipped_bytes=max_unzipped_bytes, max_ratio=max_ratio) as src:
        if src.format == "csv":
            frame, meta = _read_csv(src.path, is_header)
        elif src.format == "xlsx":
            frame, meta = _read_xlsx(src.path, sheet=sheet, is_header=is_header)
        else:
            frame, meta = _read_vector(src, layer=layer)
    return _held_as(frame, "str" if text == "arrow" else object), meta


def _held_as(frame: pd.DataFrame, dtype: object) -> pd.DataFrame:
    """Return ``frame`` with every attribute column (all but a geometry) of ``dtype``."""
    geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    change = {c: dtype for c in frame.columns if c != geom and frame[c].dtype != dtype}
    return frame.astype(change) if change else frame


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
                          fix="save it from Excel as 'CSV UTF-8 (逗号分隔)'",
                          zh=("文本既不是 UTF-8 编码也不是 GBK 编码",
                              "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”"))


def _read_csv(p: Path, is_header: HeaderPredicate) -> tuple[pd.DataFrame, TableMeta]:
    raw = p.read_bytes()
    fast = _utf8_csv_table(raw, file=p.name, is_header=is_header)
    if fast is not None:
        frame, header_rows, notes, encoding = fast
        return frame, TableMeta(source=p.name, format="csv", encoding=encoding,
                                header_rows=header_rows, notes=notes)
    try:
        text, encoding = _decode_text(raw, file=p.name)
    except UnicodeDecodeError as exc:
        raise DataImportError(f"the text cannot be decoded ({exc.reason})", file=p.name,
                              fix="save it from Excel as 'CSV UTF-8 (逗号分隔)'",
                              zh=(f"文本无法解码（{exc.reason}）",
                                  "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”")) from exc
    del raw
    _refuse_binary("\x00" in text, file=p.name)
    delimiter = _delimiter(text.split("\n", 1)[0])
    table = _csv_table(text.encode("utf-8"), delimiter, file=p.name, is_header=is_header)
    if table is not None:
        del text
        frame, header_rows, notes = table
        return frame, TableMeta(source=p.name, format="csv", encoding=encoding,
                                header_rows=header_rows, notes=notes)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise DataImportError(f"cannot be read as CSV ({exc})", file=p.name,
                              fix="open it in Excel and save it again as CSV UTF-8",
                              zh=(f"无法按 CSV 读取（{exc}）",
                                  "请在 Excel 中打开，另存为 CSV UTF-8")) from exc
    del text  # the cells are in rows now: free the decoded file before building the table
    frame, header_rows, notes = find_header(rows, merges=(), file=p.name, is_header=is_header)
    return frame, TableMeta(source=p.name, format="csv", encoding=encoding,
                            header_rows=header_rows, notes=notes)


def _refuse_binary(binary: bool, *, file: str) -> None:
    if binary:
        raise DataImportError("holds binary data, not CSV text", file=file,
                              fix="export the table again as CSV or .xlsx",
                              zh=("内容是二进制数据，不是 CSV 文本", "请重新导出为 CSV 或 .xlsx"))


def _delimiter(first: str) -> str:
    """Return the delimiter of a CSV by its first line: the most frequent of , tab ; |."""
    delimiter = max((",", "\t", ";", "|"), key=first.count)
    return delimiter if first.count(delimiter) else ","


def _utf8_csv_table(raw: bytes, *, file: str, is_header: HeaderPredicate
                    ) -> tuple[pd.DataFrame, tuple[int, ...], tuple[tuple[int | None, str], ...],
                               str] | None:
    """Read a UTF-8 CSV straight from its bytes: (table, header rows, notes, encoding label).

    No decoded copy of the file is made; the table is the one :func:`_read_csv` reads. None
    when the bytes are not all UTF-8 (Arrow checks every cell; a GBK file then goes the
    decoding way) or the compiled parsers cannot read the text as it stands.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    bom = raw.startswith(b"\xef\xbb\xbf")
    data = raw[3:] if bom else raw
    _refuse_binary(b"\x00" in data, file=file)
    try:
        first = data.split(b"\n", 1)[0].decode("utf-8")
    except UnicodeDecodeError:
        return None
    table = _csv_table(data, _delimiter(first), file=file, is_header=is_header)
    if table is None:
        return None
    return (*table, "UTF-8-BOM" if bom else "UTF-8")


#: Rows above the first filled one that header finding may look at: up to three title rows,
#: a two-row header and the row below it.
_HEADER_WINDOW = 6


def _csv_table(data: bytes, delimiter: str, *, file: str, is_header: HeaderPredicate
               ) -> tuple[pd.DataFrame, tuple[int, ...], tuple[tuple[int | None, str], ...]] | None:
    """Build the table of a CSV (UTF-8 bytes) with a compiled parser, as find_header would.

    Same records, cells and rules as the ``csv`` module path (header found in the first rows,
    cells stripped as :meth:`str.strip` strips them, empty rows left out, rows numbered as
    records). Arrow's CSV reader reads a text whose rows are all as wide as the first;
    pandas' C parser reads the others it can (blank lines, shorter rows). None when neither
    can read the text as it stands (e.g. a row wider than the first), and the ``csv`` module
    path then reads it.
    """
    columns = _arrow_csv_columns(data, delimiter)
    if columns is None:
        columns = _c_parser_columns(data, delimiter)
    if columns is None:
        return None
    del data
    stripped = [_stripped(col) for col in columns]
    empty_cells = np.column_stack([e for _, e in stripped]) if stripped else np.ones((0, 0), bool)
    cells = pd.DataFrame({i: pd.array(c, dtype="str") for i, (c, _) in enumerate(stripped)})
    del stripped
    empty = np.asarray(empty_cells.all(axis=1), dtype=bool)
    filled_rows = np.flatnonzero(~empty)
    if not len(filled_rows):
        _first_filled_row([], file=file)  # raises: no rows
    first, n_rows = int(filled_rows[0]), int(filled_rows[-1]) + 1
    top = cells.iloc[:min(n_rows, first + _HEADER_WINDOW)].to_numpy().tolist()
    notes: list[tuple[int | None, str]] = []
    h = _skip_title_rows(top, first, notes)
    two = _second_header_row(top, h, (), is_header)
    last_header = h + (1 if two else 0)
    names = _header_names(top, top, h, two)
    kept_rows = ~empty[last_header + 1:n_rows]
    body = cells.iloc[last_header + 1:n_rows][kept_rows]
    has_data: np.ndarray = (~empty_cells[last_header + 1:n_rows][kept_rows]).any(axis=0) \
        if len(body) else np.zeros(len(names), bool)
    keep = [i for i in range(len(names)) if names[i] or has_data[i]]
    frame = body.iloc[:, keep]
    frame.columns = _unique([names[i] or f"(第{i + 1}列)" for i in keep])
    frame.index = pd.Index(body.index.to_numpy() + 1, name=ROW_NUMBER)
    return frame, tuple(range(h + 1, last_header + 2)), tuple(notes)


def _arrow_csv_columns(data: bytes, delimiter: str) -> list[pa.ChunkedArray] | None:
    """Return every column of a CSV as text through Arrow's reader (no value read as missing).

    None when a row is not as wide as the first: pandas' C parser then tries.
    """
    first = next(csv.reader(io.StringIO(data.split(b"\n", 1)[0].decode("utf-8"), newline=""),
                            delimiter=delimiter), [])
    names = [f"c{i}" for i in range(max(len(first), 1))]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char='"',
                                              double_quote=True, newlines_in_values=True,
                                              ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    return list(table.columns)


def _c_parser_columns(data: bytes, delimiter: str) -> list[pa.ChunkedArray] | None:
    """Return every column of a CSV as text through pandas' C parser.

    Shorter rows are padded with empty cells; None when the parser cannot read the text.
    """
    try:
        raw = pd.read_csv(io.BytesIO(data), sep=delimiter, header=None, dtype=str,
                          keep_default_na=False, na_filter=False, skip_blank_lines=False,
                          engine="c", quotechar='"', doublequote=True, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        return None
    return [pa.chunked_array([pa.array(raw[c].fillna("").to_numpy(dtype=object),
                                        pa.large_string())]) for c in raw.columns]


def _stripped(column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, np.ndarray]:
    """Return the cells of a text column stripped as :meth:`str.strip` does, and which are empty.

    The cells stay in Arrow. Only cells whose first or last character is white space (as
    :meth:`str.isspace` says) are stripped in Python; the distinct first and last characters
    are few.
    """
    column = pa.chunked_array([column.combine_chunks()], pa.large_string())  # one buffer per column
    heads = pc.utf8_slice_codeunits(column, 0, 1)
    tails = pc.utf8_slice_codeunits(column, -1)
    ends = set(pc.unique(heads).to_pylist()) | set(pc.unique(tails).to_pylist())
    spaces = pa.array(sorted(c for c in ends if c and c.isspace()), pa.large_string())
    if len(spaces):
        padded = pc.or_(pc.is_in(heads, value_set=spaces), pc.is_in(tails, value_set=spaces))
        fixed = [v.strip() for v in column.filter(padded).to_pylist()]
        column = pa.chunked_array([pc.replace_with_mask(column.combine_chunks(),
                                                        padded.combine_chunks(),
                                                        pa.array(fixed, pa.large_string()))])
    empty = pc.equal(pc.binary_length(column), 0).to_numpy(zero_copy_only=False)  # no byte
    return column, np.asarray(empty, dtype=bool)


def _cell_text(value: object) -> str:
    """Return a cell or attribute value as the text the official typed (no '.0' on numbers).

    A date or date-time cell is written "2024-03-12 00:00:00" (:data:`DATE_CELL`), so that an
    id Excel turned into a date can be told from a text id such as "2024-03-12".
    """
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "是" if value else "否"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return "" if math.isnan(value) else format(float(value), ".15g")
    if value is pd.NaT:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")  # always with the time: see DATE_CELL
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time()).isoformat(" ")
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _column_texts(column: pd.Series) -> pa.Array:
    """Return :func:`_cell_text` of every value of a layer's column as Arrow text, at once.

    Columns of text and of integers are converted in Arrow, floats by :func:`_float_texts`;
    a column of any other kind (dates, mixed values, booleans) goes through
    :func:`_cell_text` cell by cell.
    """
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype) or (
            dtype == np.dtype(object)
            and pd.api.types.infer_dtype(column, skipna=False) == "string"):
        texts = (pa.array(column.array) if isinstance(dtype, pd.StringDtype)
                 and dtype.storage == "pyarrow"
                 else pa.array(column.to_numpy(dtype=object), pa.large_string(), from_pandas=True))
        return pc.fill_null(texts.cast(pa.large_string()), "")
    if dtype.kind in "iu" and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return pc.cast(pa.array(column.to_numpy()), pa.large_string())
    if dtype.kind == "f" and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return _float_texts(column.to_numpy(dtype=float))
    return pa.array([_cell_text(v) for v in column], pa.large_string())


#: A float Arrow writes in plain decimals (no exponent).
_PLAIN_DECIMAL = r"-?[0-9]+(\.[0-9]+)?"


def _float_texts(values: np.ndarray) -> pa.Array:
    """Return ``format(v, ".15g")`` of every float ("" for NaN), Arrow doing the plain ones.

    Arrow writes a float's shortest round-trip digits. When those are at most 15 significant
    digits and the magnitude is in [1e-4, 1e15) (or zero), ".15g" writes the same digits in
    the same plain notation; the other values (exponents, 16–17 digits) are formatted in
    Python.
    """
    texts = pc.cast(pa.array(values), pa.large_string())
    digits = pc.utf8_length(pc.utf8_ltrim(pc.replace_substring(
        pc.replace_substring(texts, "-", ""), ".", ""), "0"))
    magnitude = np.abs(values)
    with np.errstate(invalid="ignore"):
        plain = (pc.match_substring_regex(texts, f"^{_PLAIN_DECIMAL}$").to_numpy(
            zero_copy_only=False) & (digits.to_numpy(zero_copy_only=False) <= 15)
            & (((magnitude >= 1e-4) & (magnitude < 1e15)) | (values == 0)))
    other = np.flatnonzero(~plain)
    if not len(other):
        return texts
    fixed = ["" if v != v else format(v, ".15g") for v in values[other].tolist()]
    return pc.replace_with_mask(texts, pa.array(~plain), pa.array(fixed, pa.large_string()))


def _quiet_openpyxl() -> None:
    """Ignore openpyxl's UserWarnings (styles and extensions it skips) from now on.

    One targeted filter, added once and never removed: ``warnings.catch_warnings`` would
    save and restore the process-wide filter list, which is not safe while another
    session's thread reads a workbook too (one thread's restore undoes or keeps the other's).
    """
    if not any(f[0] == "ignore" and f[2] is UserWarning and f[3] is not None
               and f[3].pattern == _OPENPYXL for f in warnings.filters):
        warnings.filterwarnings("ignore", category=UserWarning, module=_OPENPYXL)


_OPENPYXL = r"openpyxl(\.|$)"


def _read_xlsx(p: Path, *, sheet: str | None, is_header: HeaderPredicate
               ) -> tuple[pd.DataFrame, TableMeta]:
    _quiet_openpyxl()
    try:
        wb = openpyxl.load_workbook(p, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError,
            TypeError) as exc:
        raise DataImportError(f"cannot be read as an Excel workbook ({type(exc).__name__})",
                              file=p.name, fix="open it in Excel or WPS and save as .xlsx",
                              zh=(f"无法作为 Excel 工作簿读取（{type(exc).__name__}）",
                                  "请在 Excel 或 WPS 中打开，另存为 .xlsx")) from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise DataImportError(f"no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})",
                                  file=p.name, fix="pass one of the sheet names",
                                  zh=(f"没有名为 {sheet!r} 的工作表（现有工作表："
                                      f"{'、'.join(wb.sheetnames)}）", "请指定现有工作表之一"))
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        merges = tuple((r.min_row, r.min_col, r.max_row, r.max_col)
                       for r in ws.merged_cells.ranges)
        rows = [[_cell_text(v) for v in row]
                for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
        others = [o.title for o in wb.worksheets if o is not ws and
                  (o.max_row > 1 or o.max_column > 1 or o.cell(1, 1).value is not None)]
    finally:
        wb.close()
    _refuse_uncalculated(p, ws.title)
    frame, header_rows, notes = find_header(rows, merges=merges, file=p.name,
                                            is_header=is_header)
    if others:
        notes = ((None, f"只读取了工作表“{ws.title}”；其他有内容的工作表未读取："
                        f"{'、'.join(others)}（如需请指定 sheet）"),) + notes
    return frame, TableMeta(source=p.name, format="xlsx", sheet=ws.title,
                            header_rows=header_rows, notes=notes)


#: A formula element of a sheet's XML (``<f>``, ``<f t="shared" .../>``, ``<x:f>``).
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_SHOWN_CELLS = 5


def _local(tag: str) -> str:
    """Return an XML name without its namespace ("{ns}sheet" → "sheet")."""
    return tag.rsplit("}", 1)[-1]


def _part_rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Return Id → (type, target part) of the relationships of a part ("" for the package)."""
    folder, _, name = part.rpartition("/")
    try:
        root = ET.fromstring(zf.read(f"{folder}/_rels/{name}.rels" if folder
                                     else f"_rels/{name}.rels"))
    except (KeyError, ET.ParseError):
        return {}
    out = {}
    for rel in root:
        target = rel.get("Target", "")
        target = target[1:] if target.startswith("/") else posixpath.normpath(
            posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), target)
    return out


def _sheet_part(zf: zipfile.ZipFile, title: str) -> str | None:
    """Return the zip entry holding the XML of sheet ``title``, or None if it cannot be found."""
    book = next((t for typ, t in _part_rels(zf, "").values()
                 if typ.endswith("/officeDocument")), None)
    if book is None or book not in zf.namelist():
        return None
    rels = _part_rels(zf, book)
    for el in ET.fromstring(zf.read(book)).iter():
        if _local(el.tag) == "sheet" and el.get("name") == title:
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
            return rels.get(rid, ("", None))[1]
    return None


def _has_formula(fh: IO[bytes]) -> bool:
    """Tell whether a sheet's XML holds a formula element (a fast scan, 1 MiB at a time)."""
    tail = b""
    while chunk := fh.read(1 << 20):
        if _FORMULA_TAG.search(tail + chunk):
            return True
        tail = chunk[-64:]
    return False


def _uncalculated_formulas(p: Path, title: str) -> list[str]:
    """Return the cells of sheet ``title`` that hold a formula but no calculated value.

    Excel, WPS and LibreOffice store each formula's last result (``<v>``, empty for a result of
    ""); a workbook written by a program (openpyxl …) and never opened has none, and openpyxl
    reads such a cell as empty.
    """
    with zipfile.ZipFile(p) as zf:
        part = _sheet_part(zf, title)
        if part is None or part not in zf.namelist():
            return []
        with zf.open(part) as fh:
            if not _has_formula(fh):
                return []
        cells = []
        with zf.open(part) as fh:
            for _, el in ET.iterparse(fh):
                name = _local(el.tag)
                if name == "c":
                    if _lacks_result(el):
                        cells.append(el.get("r", "?"))
                    el.clear()
                elif name == "row":
                    el.clear()
    return cells


def _lacks_result(cell: ET.Element) -> bool:
    """Tell whether a ``<c>`` element holds a formula without a calculated value.

    No ``<v>``, or an empty one (openpyxl writes ``<v/>``) in a cell that is not a text result:
    Excel writes an empty ``<v>`` only for a formula whose result is "" (``t="str"``).
    """
    kinds = [_local(child.tag) for child in cell]
    if "f" not in kinds:
        return False
    value = cell[kinds.index("v")] if "v" in kinds else None
    return value is None or (not value.text and cell.get("t") not in ("str", "inlineStr"))


def _refuse_uncalculated(p: Path, title: str) -> None:
    """Refuse a sheet whose formula cells have no calculated value (they would read as empty).

    The whole sheet is refused rather than each cell reported: a workbook without results was
    never calculated at all (every formula lacks its value), and the one fix — open, let it
    calculate, save — is the same for all; importing the rest would leave the computed columns
    (税收 …) empty and the figures built on them wrong.
    """
    try:
        cells = _uncalculated_formulas(p, title)
    except (zipfile.BadZipFile, ET.ParseError, KeyError, OSError) as exc:
        raise DataImportError(f"cannot be read as an Excel workbook ({type(exc).__name__})",
                              file=p.name, fix="open it in Excel or WPS and save as .xlsx",
                              zh=(f"无法作为 Excel 工作簿读取（{type(exc).__name__}）",
                                  "请在 Excel 或 WPS 中打开，另存为 .xlsx")) from exc
    if not cells:
        return
    shown = "、".join(cells[:_SHOWN_CELLS]) + (f" 等 {len(cells)} 个" if len(cells) > _SHOWN_CELLS
                                                else "")
    problem = (f"工作表“{title}”中的公式单元格没有计算结果（{shown}）：文件由程序生成、未在 "
               "Excel 中计算保存过，这些单元格会被读成空值")
    fix = ("请在 Excel 或 WPS 中打开该文件，等公式计算完成后保存，再重新导入（或将公式列"
           "“选择性粘贴为数值”后保存）")
    raise DataImportError(problem, file=p.name, feature=f"工作表“{title}”", fix=fix,
                          zh=(problem, fix))


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
                              fix="put the header in the first row and the data below it",
                              zh=("没有任何数据行", "请把表头放在第一行，数据放在表头下面"))
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
    if not merges:
        return rows  # nothing to fill: the rows as they are (no copy of a large sheet)
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
    every = len(keep_cols) == len(names)  # no column left out: the rows as they are, no copy
    return pd.DataFrame([r if every else [r[i] for i in keep_cols] for _, r in numbered],
                        columns=columns,
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


#: .cpg texts that are not Python codec names, and the codec each means.
_CPG_CODECS = {"65001": "utf-8", "utf8": "utf-8", "936": "gb18030", "cp936": "gb18030",
               "gbk": "gb18030", "gb2312": "gb18030", "ansi936": "gb18030", "gb18030": "gb18030"}
_CODEC_LABELS = {"utf-8": "UTF-8", "gb18030": "GBK"}
#: Decoding errors tolerated in a UTF-8 .dbf, per non-ASCII byte: a text cut at its field width
#: splits one character; GBK read as UTF-8 fails on most of its characters.
_UTF8_CUT_SHARE = 0.02


def _cpg_codec(text: str) -> str:
    """Return the Python codec a .cpg names ("utf-8", "gb18030", "cp1252" …), or ""."""
    key = "".join(text.split()).replace("-", "").replace("_", "").lower()
    if key in _CPG_CODECS:
        return _CPG_CODECS[key]
    for name in (text.strip(), f"cp{key}" if key.isdigit() else key):
        try:
            return codecs.lookup(name).name
        except LookupError:
            continue
    return ""


def _dbf_sample(dbf: Path) -> tuple[list[bytes], bytes]:
    """Return the field names and the first 4 MiB of records of a .dbf, as bytes."""
    with dbf.open("rb") as fh:
        head = fh.read(32)
        header_len = int.from_bytes(head[8:10], "little") if len(head) >= 10 else 32
        descriptors = fh.read(max(header_len - 32, 0))
        records = fh.read(4 * 1024 * 1024)
    names = []
    for i in range(0, len(descriptors) - 1, 32):
        if descriptors[i] == 0x0D:  # end of the field descriptors
            break
        names.append(descriptors[i:i + 11].split(b"\0", 1)[0])
    return names, records


def _decode_errors(names: list[bytes], records: bytes, codec: str) -> int:
    """Count the characters of the sample that ``codec`` cannot decode.

    Each field name is decoded alone and may end in the middle of a character (a name cut at
    10 bytes), and so may the sample of records.
    """
    errors = 0
    for part in (*names, records):
        text = codecs.getincrementaldecoder(codec)(errors="replace").decode(part, final=False)
        errors += text.count("\ufffd")
    return errors


def _content_codec(names: list[bytes], records: bytes) -> str:
    """Return the codec a .dbf's content is in: "ascii", "utf-8", "gb18030" or "" (neither)."""
    non_ascii = sum(len(n) for n in names if not n.isascii()) + (
        0 if records.isascii() else int(np.count_nonzero(np.frombuffer(records, np.uint8) > 0x7F)))
    if not non_ascii:
        return "ascii"
    if _decode_errors(names, records, "utf-8") <= max(1, int(non_ascii * _UTF8_CUT_SHARE)):
        return "utf-8"
    return "gb18030" if _decode_errors(names, records, "gb18030") == 0 else ""


def _dbf_encoding(shp: Path) -> tuple[str, str, str]:
    """Return (encoding to pass to GDAL or "", label, note) for a Shapefile's .dbf.

    Without a .cpg the encoding is found from the content (UTF-8 or GBK). With one, the .cpg is
    trusted unless the content cannot be in its encoding but is in UTF-8 or GBK: a GBK table
    whose .cpg says UTF-8 (as some tools write) is read as GBK, with a note.
    """
    siblings = {q.suffix.lower(): q for q in shp.parent.iterdir() if q.stem == shp.stem}
    dbf, cpg = siblings.get(".dbf"), siblings.get(".cpg")
    cpg_text = cpg.read_text(errors="replace").strip() if cpg is not None else ""
    if dbf is None:
        return "", f"{cpg_text} (.cpg)" if cpg else "", ""
    found = _content_codec(*_dbf_sample(dbf))
    if cpg is None:
        if found in _CODEC_LABELS:
            label = _CODEC_LABELS[found]
            return found.upper(), label, f"属性表（.dbf）没有 .cpg 编码说明，按内容识别为 {label}"
        return "", "ASCII" if found == "ascii" else "unknown", ""
    declared = _cpg_codec(cpg_text)
    if found in ("ascii", "", declared) or not declared:
        return "", f"{cpg_text} (.cpg)", ""
    if declared != "utf-8" and found == "gb18030":
        return "", f"{cpg_text} (.cpg)", ""  # a GBK-like .cpg (CP936 …) and GBK-like content
    label = _CODEC_LABELS[found]
    return found.upper(), label, (f"属性表 .cpg 标注为 {cpg_text}，但内容为 {label} 编码，"
                                  f"已按 {label} 读取")


def _gpkg_layer(path: Path, layer: str | None, *, source: str) -> str:
    """Return the GeoPackage layer to read: the one asked for, or the only (spatial) one."""
    layers = [(str(n), g) for n, g in pyogrio.list_layers(path)]
    names = [n for n, _ in layers]
    spatial = [n for n, g in layers if g is not None]
    if layer is not None and layer not in names:
        raise DataImportError(f"no layer {layer!r} (layers: {', '.join(names)})",
                              file=source, fix="pass one of the layer names",
                              zh=(f"没有名为 {layer!r} 的图层（现有图层：{'、'.join(names)}）",
                                  "请指定现有图层之一"))
    if layer is not None:
        return layer
    if len(spatial) == 1 or len(names) == 1:
        return spatial[0] if spatial else names[0]
    raise DataImportError(
        f"holds several layers ({', '.join(names) or 'none'})", file=source,
        fix="say which one with layer='<name>'",
        zh=(f"文件含多个图层（{'、'.join(names) or '无'}）",
            "请用 layer='<图层名>' 指定读取哪一个"))


_RING_PROBLEMS = (("closed linestring", "环未闭合，最后一个坐标与第一个不同"),
                  ("number of points in LinearRing", "环的点数少于 4 个"))


def _wkb_problem(wkb: bytes) -> str:
    """Return, in Chinese, why a feature's geometry (WKB from GDAL) cannot be read."""
    try:
        shapely.from_wkb(wkb)
    except shapely.errors.ShapelyError as exc:
        text = str(exc)
        return next((why for key, why in _RING_PROBLEMS if key in text), f"无法解析（{text}）")
    return "无法解析"


def _note_invalid_geometries(src: SafeSource, layer: str | None, encoding: str,
                             gdf: gpd.GeoDataFrame, notes: list[tuple[int | None, str]]) -> None:
    """Note each feature whose geometry GDAL gave but shapely refused (an unclosed ring …).

    Such a feature is read without geometry (``on_invalid="ignore"``); the note names it by its
    row (its position, 1 = first) and says what is wrong, instead of a traceback.
    """
    empty = np.flatnonzero(gdf.geometry.isna().to_numpy())
    if not empty.size:
        return
    wkb = pyogrio.raw.read(src.path, layer=layer, encoding=encoding or None, columns=[])[2]
    for i in empty:
        if wkb[i] is not None:
            notes.append((int(i) + 1, f"图形无效：{_wkb_problem(wkb[i])}（第 {i + 1} 个要素）；"
                                      "该要素按无图形读取，请在 QGIS 中用“修复几何图形”修复或"
                                      "重新绘制后再导出"))


def _read_layer(src: SafeSource, layer: str | None, notes: list[tuple[int | None, str]]
                ) -> tuple[pd.DataFrame, str, str]:
    """Return the layer's GeoDataFrame (or DataFrame), its label and the .dbf encoding found."""
    layer_label, encoding, enc_label = src.layer_label, "", ""
    try:
        if src.format == "gpkg":
            layer = layer_label = _gpkg_layer(src.path, layer, source=src.source)
        if src.format == "shapefile":
            layer = None  # the one .shp that open_safely extracted or checked
            encoding, enc_label, note = _dbf_encoding(src.path)
            if note:
                notes.append((None, note))
        gdf = pyogrio.read_dataframe(src.path, layer=layer, encoding=encoding or None,
                                     on_invalid="ignore")
        if isinstance(gdf, gpd.GeoDataFrame):
            _note_invalid_geometries(src, layer, encoding, gdf, notes)
    except (DataSourceError, DataLayerError) as exc:
        raise DataImportError(
            f"cannot be read as a vector file ({type(exc).__name__}: {exc})", file=src.source,
            fix="open it in QGIS to check it, and export it again as GeoPackage",
            zh=(f"无法作为矢量数据文件读取（{type(exc).__name__}：{exc}）",
                "请在 QGIS 中打开检查，并重新导出为 GeoPackage")) from exc
    except UnicodeDecodeError as exc:
        problem = (f"属性表的字段名或内容无法按 {enc_label or 'UTF-8'} 编码解码（{exc.reason}）："
                   "文件编码与其说明不符，或字段名、文字被截断在半个汉字处")
        fix = ("在 QGIS 中打开该图层，导出为 GeoPackage（或导出 Shapefile 时选择正确的编码，"
               "并把字段名改为不超过 3 个汉字）后重新导入")
        raise DataImportError(problem, file=src.source, feature=src.layer_label or None,
                              fix=fix, zh=(problem, fix)) from exc
    return gdf, layer_label, enc_label


def _to_storage_crs(gdf: gpd.GeoDataFrame, notes: list[tuple[int | None, str]], *, source: str
                    ) -> tuple[gpd.GeoDataFrame, str]:
    """Return the layer in EPSG:4326 and a label of its CRS; refuse a layer without one."""
    if gdf.crs is None:
        raise DataImportError(
            "no coordinate reference system", file=source,
            fix="add the .prj file (Shapefile) or save with a CRS; CGCS2000 and WGS84 work",
            zh=("文件没有坐标参考系",
                "请补上 .prj 文件（Shapefile），或保存时带上坐标系；CGCS2000 和 WGS84 均可"))
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
    attrs = {c: pd.array(_column_texts(gdf[c]), dtype="str")
             for c in gdf.columns if c != geom_col}
    index = pd.RangeIndex(1, len(gdf) + 1, name=ROW_NUMBER)
    frame = pd.DataFrame(attrs, index=index)
    if geom_col is not None:
        frame = gpd.GeoDataFrame(frame, geometry=gdf.geometry.to_numpy(), crs=STORAGE_CRS)
    return frame, TableMeta(source=src.source, format=src.format, encoding=enc_label,
                            layer=layer_label, crs=crs_label, notes=tuple(notes))
